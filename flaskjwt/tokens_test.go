package flaskjwt

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var testNow = time.Date(2025, 3, 4, 5, 6, 7, 890123000, time.UTC)

func fixedClock(d time.Duration) func() time.Time {
	return func() time.Time { return testNow.Add(d) }
}

// Each refused token gets its kind, its detail and Flask-JWT-Extended's
// message; the same table runs against real Flask in TestLiveFlaskJWTExtended.
func TestDecodeRefusals(t *testing.T) {
	m := mustNew(t, Config{SecretKey: []byte(liveKey), TokenLocation: []Location{LocationHeaders, LocationCookies}})
	details := map[string]error{
		"Not enough segments":                      ErrMalformed,
		"Signature verification failed":            ErrSignature,
		"The specified alg value is not allowed":   ErrAlgorithm,
		"The token is not yet valid (iat)":         ErrNotYetValid,
		"The token is not yet valid (nbf)":         ErrNotYetValid,
		"Key ID header parameter must be a string": ErrMalformed,
	}
	for _, tc := range badTokens(t) {
		_, err := m.decode(tc.token, tc.csrf, false)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if err.Status != tc.status || err.Msg != tc.msg || Status(err) != tc.status || Message(err) != tc.msg {
			t.Errorf("%s: %d %q, want %d %q", tc.name, err.Status, err.Msg, tc.status, tc.msg)
		}
		wantKind := ErrInvalidToken
		if tc.status == 401 {
			wantKind = ErrExpired
		}
		if !errors.Is(err, wantKind) {
			t.Errorf("%s: %v is not %v", tc.name, err, wantKind)
		}
		if d, ok := details[tc.msg]; ok && !errors.Is(err, d) {
			t.Errorf("%s: %v is not %v", tc.name, err, d)
		}
	}
}

// Every one-byte change of a valid token is refused: each byte replaced
// by each other value, dropped, or doubled.
func TestDecodeRefusesEveryByteChange(t *testing.T) {
	m := mustNew(t, Config{SecretKey: []byte(testKey), Clock: fixedClock(0)})
	for _, id := range []any{"alice", 1, map[string]any{"id": "Zoë"}} {
		valid := mustTok(t)(m.CreateAccessToken(id, WithFresh()))
		if _, err := m.DecodeToken(valid); err != nil {
			t.Fatalf("valid token refused: %v", err)
		}
		n := 0
		for i := 0; i < len(valid); i++ {
			b := []byte(valid)
			for v := 0; v < 256; v++ {
				if byte(v) == valid[i] {
					continue
				}
				b[i] = byte(v)
				if tok, err := m.DecodeToken(string(b)); err == nil {
					t.Fatalf("id %v: byte %d changed to %#x accepted: %v", id, i, v, tok.Claims)
				} else if !errors.Is(err, ErrInvalidToken) {
					t.Fatalf("id %v: byte %d changed to %#x: %v, not ErrInvalidToken", id, i, v, err)
				}
				n++
			}
			for _, v := range []string{valid[:i] + valid[i+1:], valid[:i+1] + valid[i:]} {
				if tok, err := m.DecodeToken(v); err == nil {
					t.Fatalf("id %v: %q accepted: %v", id, v, tok.Claims)
				}
				n++
			}
		}
		if want := len(valid) * 257; n != want {
			t.Errorf("id %v: %d changes tried, want %d", id, n, want)
		}
	}
}

// Identities of every JSON kind come back as they went in, numbers as
// json.Number with every digit.
func TestIdentityRoundTrip(t *testing.T) {
	m := mustNew(t, Config{SecretKey: []byte(testKey)})
	big, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	for _, tc := range []struct {
		in   any
		want any
	}{
		{"alice", "alice"},
		{"Zoë <&> \u2028 😀", "Zoë <&> \u2028 😀"},
		{"", ""},
		{42, json.Number("42")},
		{int64(1) << 62, json.Number(strconv.FormatInt(1<<62, 10))},
		{json.Number("12345678901234567890"), json.Number("12345678901234567890")},
		{big, json.Number("123456789012345678901234567890")},
		{1.5, json.Number("1.5")},
		{true, true},
		{nil, nil},
		{[]string{"a", "b"}, []any{"a", "b"}},
		{map[string]any{"id": 7, "org": "x"}, map[string]any{"id": json.Number("7"), "org": "x"}},
	} {
		tok, err := m.CreateAccessToken(tc.in)
		if err != nil {
			t.Fatalf("%v: %v", tc.in, err)
		}
		got, err := m.DecodeToken(tok)
		if err != nil {
			t.Fatalf("%v: %v", tc.in, err)
		}
		if !reflect.DeepEqual(got.Identity(), tc.want) {
			t.Errorf("identity %#v came back as %#v, want %#v", tc.in, got.Identity(), tc.want)
		}
	}
	if _, err := m.CreateAccessToken(make(chan int)); err == nil {
		t.Error("a channel identity encoded")
	}
}

// The claims Flask-JWT-Extended writes, in its order, as Python writes JSON.
func TestCreateClaims(t *testing.T) {
	rnd := strings.NewReader(strings.Repeat("\x00", 16) + strings.Repeat("\xff", 16))
	m := mustNew(t, Config{SecretKey: []byte(testKey), Clock: fixedClock(0), Rand: rnd,
		TokenLocation: []Location{LocationCookies}, EncodeIssuer: "me", EncodeAudience: []string{"a", "b"},
		AdditionalClaims: func(id any) map[string]any { return map[string]any{"z": 1, "role": "user"} }})
	tok := mustTok(t)(m.CreateAccessToken("Zoë", WithFreshFor(90*time.Second), WithClaims(map[string]any{"role": "admin"})))
	sec := strconv.FormatInt(testNow.Unix(), 10)
	want := `{"fresh":1741064857.890123,"iat":` + sec + `,"jti":"00000000-0000-4000-8000-000000000000","type":"access","sub":"Zo\u00eb","nbf":` + sec +
		`,"csrf":"ffffffff-ffff-4fff-bfff-ffffffffffff","aud":["a","b"],"iss":"me","exp":` + strconv.FormatInt(testNow.Unix()+900, 10) + `,"role":"admin","z":1}`
	if got := payloadJSON(tok); got != want {
		t.Errorf("payload\n%s\nwant\n%s", got, want)
	}

	m = mustNew(t, Config{SecretKey: []byte(testKey), Clock: fixedClock(0), OmitNBF: true, RefreshTokenExpires: NoExpiry})
	tok = mustTok(t)(m.CreateRefreshToken(1, WithFresh()))
	var claims map[string]any
	json.Unmarshal([]byte(payloadJSON(tok)), &claims)
	for _, k := range []string{"nbf", "exp", "csrf"} {
		if _, ok := claims[k]; ok {
			t.Errorf("refresh token has %s: %v", k, claims)
		}
	}
	if claims["fresh"] != false || claims["type"] != "refresh" {
		t.Errorf("refresh token claims %v", claims)
	}
	tok = mustTok(t)(m.CreateAccessToken(1, WithExpiresIn(time.Minute), WithFreshFor(0)))
	json.Unmarshal([]byte(payloadJSON(tok)), &claims)
	if claims["exp"] != float64(testNow.Unix()+60) {
		t.Errorf("exp %v", claims["exp"])
	}
}

// PyJWT's time rules: integer seconds, exp expired when exp <= now, nbf
// truncated, iat compared as given, with the leeway.
func TestTimeClaims(t *testing.T) {
	now := testNow.Unix()
	n := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	for _, tc := range []struct {
		claims string
		leeway time.Duration
		msg    string
	}{
		{`"exp":` + n(float64(now+1)), 0, ""},
		{`"exp":` + n(float64(now)), 0, "Token has expired"},
		{`"exp":` + n(float64(now)+0.99), 0, "Token has expired"},
		{`"exp":` + n(float64(now)), time.Second, ""},
		{`"exp":` + n(float64(now-5)), 5 * time.Second, "Token has expired"},
		{`"nbf":` + n(float64(now+1)), 0, "The token is not yet valid (nbf)"},
		{`"nbf":` + n(float64(now)+0.9), 0, ""},
		{`"nbf":` + n(float64(now+3)), 3 * time.Second, ""},
		{`"iat":` + n(float64(now)+0.5), 0, "The token is not yet valid (iat)"},
		{`"iat":` + n(float64(now)), 0, ""},
		{`"iat":true`, 0, ""},
		{`"iat":null`, 0, "Issued At claim (iat) must be an integer."},
		{`"nbf":"1"`, 0, "Not Before claim (nbf) must be an integer."},
		{`"exp":[1]`, 0, "Expiration Time claim (exp) must be an integer."},
		{`"exp":1e400`, 0, "Expiration Time claim (exp) must be an integer."},
		{`"iat":` + n(float64(now+10)) + `,"exp":1`, 0, "The token is not yet valid (iat)"},
	} {
		m := mustNew(t, Config{SecretKey: []byte(testKey), Clock: fixedClock(0), DecodeLeeway: tc.leeway})
		tok := signRaw(`{"alg":"HS256","typ":"JWT"}`, `{"sub":"a",`+tc.claims+`}`, sha256.New, testKey)
		_, err := m.DecodeToken(tok)
		if Message(err) != tc.msg {
			t.Errorf("%s leeway %v: %q, want %q", tc.claims, tc.leeway, Message(err), tc.msg)
		}
	}
}

func TestAudienceIssuer(t *testing.T) {
	m := mustNew(t, Config{SecretKey: []byte(testKey), DecodeAudience: []string{"api", "web"}, DecodeIssuer: "auth"})
	for _, tc := range []struct{ claims, msg string }{
		{`"aud":"api","iss":"auth"`, ""},
		{`"aud":["x","web"],"iss":"auth"`, ""},
		{`"iss":"auth"`, `Token is missing the "aud" claim`},
		{`"aud":"","iss":"auth"`, `Token is missing the "aud" claim`},
		{`"aud":"x","iss":"auth"`, "Invalid audience"},
		{`"aud":["api",1],"iss":"auth"`, "Invalid claim format in token"},
		{`"aud":{"a":1},"iss":"auth"`, "Invalid claim format in token"},
		{`"aud":"api"`, `Token is missing the "iss" claim`},
		{`"aud":"api","iss":"other"`, "Invalid issuer"},
	} {
		tok := signRaw(`{"alg":"HS256","typ":"JWT"}`, `{"sub":"a",`+tc.claims+`}`, sha256.New, testKey)
		if _, err := m.DecodeToken(tok); Message(err) != tc.msg {
			t.Errorf("%s: %q, want %q", tc.claims, Message(err), tc.msg)
		}
	}
	// Without DecodeAudience an aud claim is not looked at, as in PyJWT
	// with verify_aud off.
	plain := mustNew(t, Config{SecretKey: []byte(testKey)})
	if _, err := plain.DecodeToken(signRaw(`{"alg":"HS256"}`, `{"sub":"a","aud":"x"}`, sha256.New, testKey)); err != nil {
		t.Error(err)
	}
}

// Tokens cross over to golang-jwt, the Go ecosystem's parser, both ways.
func TestGolangJWTInterop(t *testing.T) {
	m := mustNew(t, Config{SecretKey: []byte(testKey)})
	tok := mustTok(t)(m.CreateAccessToken("alice", WithFresh()))
	parsed, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return []byte(testKey), nil }, jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuedAt())
	if err != nil || parsed.Claims.(jwt.MapClaims)["sub"] != "alice" {
		t.Errorf("golang-jwt: %v %v", parsed, err)
	}
	theirs, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "bob", "exp": time.Now().Add(time.Minute).Unix()}).SignedString([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.DecodeToken(theirs)
	if err != nil || got.Identity() != "bob" || got.Type() != "access" || got.JTI() != "" {
		t.Errorf("golang-jwt token: %v %v", got, err)
	}
	if _, err := m.DecodeToken(strings.Replace(theirs, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"} `)), 1)); !errors.Is(err, ErrSignature) {
		t.Errorf("re-headed token: %v", err)
	}
}

func TestTokenAccessors(t *testing.T) {
	m := mustNew(t, Config{SecretKey: []byte(testKey), Clock: fixedClock(0), TokenLocation: []Location{LocationCookies}})
	tok, err := m.DecodeToken(mustTok(t)(m.CreateAccessToken("a", WithFreshFor(time.Minute))))
	if err != nil {
		t.Fatal(err)
	}
	if !tok.Fresh(testNow.Add(59*time.Second)) || tok.Fresh(testNow.Add(61*time.Second)) {
		t.Error("fresh for a minute")
	}
	if exp, ok := tok.ExpiresAt(); !ok || exp.Unix() != testNow.Unix()+900 {
		t.Errorf("ExpiresAt %v %v", exp, ok)
	}
	if iat, ok := tok.IssuedAt(); !ok || iat.Unix() != testNow.Unix() {
		t.Errorf("IssuedAt %v %v", iat, ok)
	}
	if len(tok.JTI()) != 36 || len(tok.CSRF()) != 36 || tok.Type() != "access" {
		t.Errorf("jti %q csrf %q type %q", tok.JTI(), tok.CSRF(), tok.Type())
	}
	if h := tok.Header(); !reflect.DeepEqual(h, map[string]any{"alg": "HS256", "typ": "JWT"}) {
		t.Errorf("header %v", h)
	}
}
