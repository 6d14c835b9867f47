package flaskjwt

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecode feeds hostile strings to the token parser: no panic, every
// refusal is an *Error with Flask-JWT-Extended's status, and a token it
// accepts is three segments whose header says HS256 and whose signature is
// the HMAC-SHA256 of the first two under the key, checked here apart from
// the parser.
func FuzzDecode(f *testing.F) {
	m := mustNew(f, Config{SecretKey: []byte(liveKey), TokenLocation: []Location{LocationCookies}})
	for _, tc := range badTokens(f) {
		f.Add(tc.token, tc.csrf)
	}
	for _, id := range []any{"alice", 7, nil, map[string]any{"a": []any{1, "b"}}} {
		tok := mustTok(f)(m.CreateAccessToken(id, WithFresh()))
		f.Add(tok, mustDecode(f, m, tok).CSRF())
		f.Add(mustTok(f)(m.CreateRefreshToken(id)), "")
	}
	f.Add("", "")
	f.Add("..", "x")
	f.Add("e30.e30.", "")
	f.Fuzz(func(t *testing.T, raw, csrf string) {
		tok, err := m.decode(raw, csrf, false)
		if err != nil {
			if err.Status != http.StatusUnauthorized && err.Status != http.StatusUnprocessableEntity || err.Msg == "" || err.Kind == nil {
				t.Fatalf("%q: refusal %+v", raw, err)
			}
			return
		}
		parts := strings.Split(raw, ".")
		if len(parts) != 3 {
			t.Fatalf("accepted %q of %d segments", raw, len(parts))
		}
		var header map[string]any
		hb, herr := base64.RawURLEncoding.DecodeString(parts[0])
		if herr != nil || json.Unmarshal(hb, &header) != nil || header["alg"] != "HS256" {
			t.Fatalf("accepted %q with header %s", raw, hb)
		}
		mac := hmac.New(sha256.New, []byte(liveKey))
		mac.Write([]byte(parts[0] + "." + parts[1]))
		if base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) != parts[2] {
			t.Fatalf("accepted %q without the key's signature", raw)
		}
		if _, ok := tok.Claims[DefaultIdentityClaim]; !ok {
			t.Fatalf("accepted %q without sub", raw)
		}
		if csrf != "" && tok.CSRF() != csrf {
			t.Fatalf("accepted %q with csrf %q, claim %q", raw, csrf, tok.CSRF())
		}
	})
}

// FuzzAuthorizationHeader feeds hostile Authorization headers to the
// header reader: no panic, and a token it finds holds no white space.
func FuzzAuthorizationHeader(f *testing.F) {
	m := mustNew(f, Config{SecretKey: []byte(liveKey)})
	for _, h := range []string{"Bearer a.b.c", "Basic x, Bearer y", "Bearer", ",,", "Bearer a, , b", "\x85Bearer\xa0x"} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, h string) {
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header["Authorization"] = []string{h}
		got, err := m.fromHeader(r)
		if err != nil {
			return
		}
		if got.raw == "" || strings.ContainsFunc(got.raw, func(c rune) bool { return c < utf8.RuneSelf && isPySpace(c) }) {
			t.Fatalf("%q: token %q", h, got.raw)
		}
	})
}

// FuzzIdentity makes a token for any text identity and reads it back.
func FuzzIdentity(f *testing.F) {
	m := mustNew(f, Config{SecretKey: []byte(liveKey)})
	for _, s := range []string{"alice", "Zoë", "\u2028<&>", "😀", "\x00\x1f\"\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if !utf8.ValidString(id) {
			return
		}
		tok, err := m.CreateAccessToken(id)
		if err != nil {
			t.Fatal(err)
		}
		d, err := m.DecodeToken(tok)
		if err != nil || d.Identity() != id {
			t.Fatalf("%q: %v %v", id, d, err)
		}
		if !strings.Contains(payloadJSON(tok), `"sub":"`) || strings.ContainsFunc(payloadJSON(tok), func(r rune) bool { return r >= utf8.RuneSelf }) {
			t.Fatalf("%q: payload %s is not ASCII", id, payloadJSON(tok))
		}
	})
}
