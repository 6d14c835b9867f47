package itsdangerous

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
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

func loadFlaskVectors(t *testing.T) []flaskVector {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "vectors.json"))
	if err != nil {
		t.Skipf("no Flask vectors: %v", err)
	}
	var file struct {
		Vectors []flaskVector `json:"vectors"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	return file.Vectors
}

// TestFlaskVectors checks signatures, timestamps and payload bytes
// against cookies minted by real Flask: every accepted cookie re-mints
// byte for byte from its decoded payload, compressed ones included.
func TestFlaskVectors(t *testing.T) {
	exact, compressed := 0, 0
	defer func() { t.Logf("%d cookies re-minted byte for byte, %d of them compressed", exact, compressed) }()
	for _, v := range loadFlaskVectors(t) {
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
		again := signer.SignAt(AppendPayload(nil, data, true), time.Unix(v.SignedAt, 0))
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
