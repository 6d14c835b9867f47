package csrf_test

import (
	"testing"
	"time"

	"github.com/ginflask/flasksession/csrf"
)

// FuzzToken feeds posted tokens to the token check. Whatever the input, it
// answers one of the package's refusals or accepts, and it accepts only the
// token it would have signed itself for the session's raw token.
func FuzzToken(f *testing.F) {
	const raw = "0123456789abcdef0123456789abcdef01234567"
	const at = 1700000000
	now := time.Unix(at, 0)
	cfg := csrf.Config{SecretKey: []byte(testKey), Clock: func() time.Time { return now }}
	match, err := csrf.NewMatcher(cfg)
	if err != nil {
		f.Fatal(err)
	}
	signAt := func(unix int64, raw string) string {
		c := cfg
		c.Clock = func() time.Time { return time.Unix(unix, 0) }
		return csrf.SignForTest(c, raw)
	}
	valid := signAt(at, raw)
	for _, seed := range []string{
		valid,
		signAt(at-3600, raw),
		signAt(at-3601, raw),
		signAt(at+1, raw),
		signAt(at, "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
		csrf.SignForTest(csrf.Config{SecretKey: []byte(otherKey), Clock: cfg.Clock}, raw),
		tamper(valid),
		valid[:len(valid)-1],
		"abc", "", ".", "..", "a.b.c", ".eJx.ZVPxAA.x",
		// Flask-WTF 1.1.1's own token (compressed) for "dev-key".
		".eJxTMjA0MjYxNTO3sExMSk5JTcPFVwIA4koKpQ.ZVPxAA.RTTcSDVOs7g4KBVZoFDgYjHSSTM",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		err := match(token, raw)
		if err == nil {
			if token != valid && !signedByUs(t, token, signAt) {
				t.Fatalf("accepted %q, which is not a token signed for the session", token)
			}
			return
		}
		if csrf.Reason(err) == "" {
			t.Fatalf("%q: error %v is not a refusal", token, err)
		}
	})
}

// signedByUs reports whether token is exactly what the checker signs for
// the raw token at the token's own second.
func signedByUs(t *testing.T, token string, signAt func(int64, string) string) bool {
	defer func() { recover() }() // a token too malformed to read its time
	const raw = "0123456789abcdef0123456789abcdef01234567"
	return signAt(signedAt(t, token), raw) == token
}
