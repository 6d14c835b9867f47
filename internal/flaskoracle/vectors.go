package flaskoracle

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// Vector is one known-answer vector of testdata/vectors.json, minted and
// loaded by real Flask (testdata/gen_vectors.py documents every field).
type Vector struct {
	// Name is unique among the vectors.
	Name string `json:"name"`
	// SecretKey is Flask's SECRET_KEY (its UTF-8 bytes sign).
	SecretKey string `json:"secret_key"`
	// Fallbacks is SECRET_KEY_FALLBACKS, oldest first.
	Fallbacks []string `json:"fallbacks"`
	// Now is the unix time at which the cookie is loaded.
	Now int64 `json:"now"`
	// MaxAge is the age limit on load, in seconds.
	MaxAge int64 `json:"max_age"`
	// Cookie is the cookie value.
	Cookie string `json:"cookie"`
	// Compressed reports a zlib payload (Cookie starts with ".").
	Compressed bool `json:"compressed"`
	// Expect is "ok", "bad_signature", "expired" or "bad_payload".
	Expect string `json:"expect"`
	// Flask is what a real Flask app does with it: "session", "empty", "500".
	Flask string `json:"flask"`
	// PythonError is the exception Flask's serializer raised (not ok).
	PythonError string `json:"python_error"`
	// TypedSession is the loaded session in the typed form (Expect "ok").
	TypedSession any `json:"session"`
	// SignedAt and SigningKey are set when Flask minted the cookie from
	// the session; SignedAt is 0 otherwise.
	SignedAt   int64   `json:"signed_at"`
	SigningKey *string `json:"signing_key"`
	// ByteExact: the cookie is Flask's uncompressed encoding of the
	// session by SigningKey at SignedAt, so a codec must reproduce it.
	ByteExact bool `json:"byte_exact"`
	// Note is an optional remark.
	Note string `json:"note"`
}

// Key returns the secret key bytes.
func (v Vector) Key() []byte { return []byte(v.SecretKey) }

// FallbackKeys returns the fallback keys, oldest first.
func (v Vector) FallbackKeys() [][]byte {
	var out [][]byte
	for _, k := range v.Fallbacks {
		out = append(out, []byte(k))
	}
	return out
}

// NowTime returns Now as a time.Time.
func (v Vector) NowTime() time.Time { return time.Unix(v.Now, 0) }

// MaxAgeDuration returns MaxAge as a Duration.
func (v Vector) MaxAgeDuration() time.Duration { return time.Duration(v.MaxAge) * time.Second }

// SignedAtTime returns SignedAt as a time.Time.
func (v Vector) SignedAtTime() time.Time { return time.Unix(v.SignedAt, 0) }

// Session decodes TypedSession into Go values (nil when absent).
func (v Vector) Session() (map[string]any, error) {
	if v.TypedSession == nil {
		return nil, nil
	}
	return FromTypedSession(v.TypedSession)
}

// VectorsPath is the path of testdata/vectors.json in this module.
func VectorsPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "vectors.json")
}

// Vectors reads testdata/vectors.json, failing tb if it cannot.
func Vectors(tb testing.TB) []Vector {
	tb.Helper()
	data, err := os.ReadFile(VectorsPath())
	if err != nil {
		tb.Fatalf("flaskoracle: %v (regenerate with: python3 testdata/gen_vectors.py)", err)
	}
	var doc struct {
		Vectors []Vector `json:"vectors"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		tb.Fatalf("flaskoracle: %s: %v", VectorsPath(), err)
	}
	if len(doc.Vectors) == 0 {
		tb.Fatalf("flaskoracle: %s has no vectors", VectorsPath())
	}
	return doc.Vectors
}
