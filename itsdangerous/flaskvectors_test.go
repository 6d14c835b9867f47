package itsdangerous

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ginflask/flasksession/internal/realtest"
)

// flaskVector is the part of testdata/vectors.json (cookies minted and
// loaded by real Flask) that this layer can check.
type flaskVector struct {
	Name       string   `json:"name"`
	SecretKey  string   `json:"secret_key"`
	Fallbacks  []string `json:"fallbacks"`
	Now        int64    `json:"now"`
	MaxAge     int64    `json:"max_age"`
	Cookie     string   `json:"cookie"`
	Expect     string   `json:"expect"`
	SignedAt   int64    `json:"signed_at"`
	SigningKey string   `json:"signing_key"`
	Compressed bool     `json:"compressed"`
	ByteExact  bool     `json:"byte_exact"`
}

// flaskVectorsFile holds cookies minted by real Flask (testdata/gen_vectors.py).
var flaskVectorsFile = filepath.Join("..", "testdata", "vectors.json")

// loadFlaskVectors reads the vectors; without them the test skips, or
// fails under FLASKSESSION_REQUIRE_REAL=1.
func loadFlaskVectors(t *testing.T, path string) []flaskVector {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		realtest.Missing(t, "no Flask vectors: %v", err)
		return nil
	}
	var file struct {
		Vectors []flaskVector `json:"vectors"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Vectors) == 0 {
		t.Fatalf("%s holds no vectors", path)
	}
	return file.Vectors
}

// TestFlaskVectorsMissing runs loadFlaskVectors on a missing file in a
// child process: it must skip normally and fail when real programs are
// required.
func TestFlaskVectorsMissing(t *testing.T) {
	const child = "ITSDANGEROUS_VECTORS_CHILD"
	if os.Getenv(child) == "1" {
		loadFlaskVectors(t, filepath.Join(t.TempDir(), "missing.json"))
		return
	}
	for _, tt := range []struct {
		required string
		fails    bool
		want     string
	}{{"", false, "--- SKIP"}, {"1", true, "--- FAIL"}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFlaskVectorsMissing$", "-test.v")
		cmd.Env = append(os.Environ(), child+"=1", realtest.EnvVar+"="+tt.required)
		out, err := cmd.CombinedOutput()
		if (err != nil) != tt.fails || !strings.Contains(string(out), tt.want) {
			t.Errorf("%s=%q: %v, want %s:\n%s", realtest.EnvVar, tt.required, err, tt.want, out)
		}
	}
}

// TestFlaskVectors checks signatures, timestamps and payload bytes
// against cookies minted by real Flask: every accepted cookie re-mints
// byte for byte from its decoded payload, compressed ones included.
func TestFlaskVectors(t *testing.T) {
	exact, compressed := 0, 0
	defer func() { t.Logf("%d cookies re-minted byte for byte, %d of them compressed", exact, compressed) }()
	for _, v := range loadFlaskVectors(t, flaskVectorsFile) {
		ts, err := NewTimestampSigner(keys(append(v.Fallbacks, v.SecretKey)...), FlaskSessionConfig())
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		now := time.Unix(v.Now, 0)
		u, err := ts.UnsignAt([]byte(v.Cookie), time.Duration(v.MaxAge)*time.Second, now)
		switch v.Expect {
		case "bad_signature":
			if !errors.Is(err, ErrBadSignature) || errors.Is(err, ErrSignatureExpired) {
				t.Errorf("%s: %v, want a bad signature", v.Name, err)
			}
			continue
		case "expired":
			if !errors.Is(err, ErrSignatureExpired) {
				t.Errorf("%s: %v, want expired", v.Name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		if v.SignedAt != 0 && u.SignedAt.Unix() != v.SignedAt {
			t.Errorf("%s: signed at %d, want %d", v.Name, u.SignedAt.Unix(), v.SignedAt)
		}
		data, err := DecodePayload(u.Value, 0)
		if v.Expect == "bad_payload" {
			continue // some fail here, the rest in the JSON layer
		}
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		if v.SignedAt == 0 {
			continue // hand-made cookies Flask accepts but would not write
		}
		signingKey := v.SigningKey
		if signingKey == "" {
			signingKey = v.SecretKey
		}
		signer, err := NewTimestampSigner(keys(signingKey), FlaskSessionConfig())
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		again := signer.SignAt(appendPayload(nil, data, true), time.Unix(v.SignedAt, 0))
		if string(again) != v.Cookie {
			t.Errorf("%s: re-minted\n%s\nwant\n%s", v.Name, again, v.Cookie)
		} else {
			exact++
			if v.Compressed {
				compressed++
			}
		}
	}
}
