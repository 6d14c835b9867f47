package flaskjwt

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

func init() { gin.SetMode(gin.TestMode) }

const testKey = "flaskjwt-test-key-0123456789abcdef"

// signRaw makes a token of any header and payload, signed with HMAC of
// hashFn under key (nil hashFn: no signature, as alg "none" has).
func signRaw(header, payload string, hashFn func() hash.Hash, key string) string {
	enc := base64.RawURLEncoding
	signed := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	if hashFn == nil {
		return signed + "."
	}
	mac := hmac.New(hashFn, []byte(key))
	mac.Write([]byte(signed))
	return signed + "." + enc.EncodeToString(mac.Sum(nil))
}

func mustNew(t testing.TB, cfg Config) *Manager {
	t.Helper()
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// mustTok returns a func that fails t on an error and returns the token.
func mustTok(t testing.TB) func(string, error) string {
	return func(tok string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
}

type badToken struct {
	name, token, csrf string
	status            int
	msg               string
}

// badTokens are refused by Flask-JWT-Extended, which Config{SecretKey:
// liveKey} with headers and cookies stands for, with status and msg.
func badTokens(t testing.TB) []badToken {
	now := time.Now()
	cfg := Config{SecretKey: []byte(liveKey), TokenLocation: []Location{LocationHeaders, LocationCookies}}
	at := func(d time.Duration) Config {
		c := cfg
		c.Clock = func() time.Time { return now.Add(d) }
		return c
	}
	csrf := WithClaims(map[string]any{"csrf": "c"})
	must := mustTok(t)
	m := mustNew(t, cfg)
	good := must(m.CreateAccessToken("alice", csrf))
	parts := strings.Split(good, ".")
	sec := strconv.FormatInt(now.Unix(), 10)
	payload := `{"fresh":false,"iat":` + sec + `,"jti":"j","type":"access","sub":"alice","nbf":` + sec + `,"csrf":"c","exp":` + strconv.FormatInt(now.Unix()+900, 10) + `}`
	hs256 := `{"alg":"HS256","typ":"JWT"}`
	other := cfg
	other.SecretKey = []byte("another-key-0123456789abcdef")
	hs512 := cfg
	hs512.Algorithm = "HS512"

	flipped := []byte(parts[2])
	flipped[10] = 'A' // still base64url: a different letter
	if parts[2][10] == 'A' {
		flipped[10] = 'B'
	}
	tamperedPayload := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(payloadJSON(good), `"alice"`, `"admin"`, 1)))

	return []badToken{
		{"expired", must(mustNew(t, at(-time.Hour)).CreateAccessToken("alice", csrf)), "c", 401, "Token has expired"},
		{"iat in the future", must(mustNew(t, at(time.Hour)).CreateAccessToken("alice", csrf)), "c", 422, "The token is not yet valid (iat)"},
		{"nbf in the future", must(m.CreateAccessToken("alice", csrf, WithClaims(map[string]any{"nbf": now.Unix() + 3600}))), "c", 422, "The token is not yet valid (nbf)"},
		{"tampered payload", parts[0] + "." + tamperedPayload + "." + parts[2], "c", 422, "Signature verification failed"},
		{"tampered signature", parts[0] + "." + parts[1] + "." + string(flipped), "c", 422, "Signature verification failed"},
		{"other key", must(mustNew(t, other).CreateAccessToken("alice", csrf)), "c", 422, "Signature verification failed"},
		{"HS512 with the key", must(mustNew(t, hs512).CreateAccessToken("alice", csrf)), "c", 422, "The specified alg value is not allowed"},
		{"alg none", signRaw(`{"alg":"none","typ":"JWT"}`, payload, nil, ""), "c", 422, "The specified alg value is not allowed"},
		{"alg none, HS256 signature", signRaw(`{"alg":"none","typ":"JWT"}`, payload, sha256.New, liveKey), "c", 422, "The specified alg value is not allowed"},
		{"no alg", signRaw(`{"typ":"JWT"}`, payload, sha256.New, liveKey), "c", 422, "The specified alg value is not allowed"},
		{"RS256 signed with the secret as HMAC key", signRaw(`{"alg":"RS256","typ":"JWT"}`, payload, sha256.New, liveKey), "c", 422, "The specified alg value is not allowed"},
		{"HS512 header, HS256 signature", signRaw(`{"alg":"HS512","typ":"JWT"}`, payload, sha256.New, liveKey), "c", 422, "The specified alg value is not allowed"},
		{"HS256 header, HS512 signature", signRaw(hs256, payload, sha512.New, liveKey), "c", 422, "Signature verification failed"},
		{"kid not a string", signRaw(`{"alg":"HS256","kid":1,"typ":"JWT"}`, payload, sha256.New, liveKey), "c", 422, "Key ID header parameter must be a string"},
		{"no sub", signRaw(hs256, strings.Replace(payload, `"sub":"alice",`, "", 1), sha256.New, liveKey), "c", 422, "Missing claim: sub"},
		{"expired, no sub", signRaw(hs256, `{"csrf":"c","exp":1}`, sha256.New, liveKey), "c", 422, "Missing claim: sub"},
		{"exp not a number", signRaw(hs256, strings.Replace(payload, `"exp":`, `"exp":"soon","x":`, 1), sha256.New, liveKey), "c", 422, "Expiration Time claim (exp) must be an integer."},
		{"nbf not a number", signRaw(hs256, strings.Replace(payload, `"nbf":`+sec, `"nbf":"x"`, 1), sha256.New, liveKey), "c", 422, "Not Before claim (nbf) must be an integer."},
		{"payload not an object", signRaw(hs256, `["sub"]`, sha256.New, liveKey), "c", 422, "Invalid payload string: must be a json object"},
		{"header not an object", signRaw(`[1]`, payload, sha256.New, liveKey), "c", 422, "Invalid header string: must be a json object"},
		{"one segment", "abc", "c", 422, "Not enough segments"},
		{"two segments", parts[0] + "." + parts[1], "c", 422, "Not enough segments"},
	}
}

// payloadJSON is the decoded payload of a token, unchecked.
func payloadJSON(tok string) string {
	parts := strings.Split(tok, ".")
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	return string(b)
}

// mustDecode decodes a token the test made, failing t if it does not.
func mustDecode(t testing.TB, m *Manager, tok string) *Token {
	t.Helper()
	d, err := m.DecodeToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
