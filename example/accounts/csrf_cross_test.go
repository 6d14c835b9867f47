package main

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/ginflask/flasksession/csrf"
	"github.com/ginflask/flasksession/flaskcookie"
)

// csrfAcross: the login form of one app posts to the other and logs in,
// both ways; each side signs the raw token the other wrote into the
// session; and both refuse bad posts with the same reason.
func csrfAcross(t *testing.T, a apps) {
	codec, err := flaskcookie.New(flaskcookie.Config{SecretKey: []byte(testKey)})
	if err != nil {
		t.Fatal(err)
	}
	rawToken := func(cl *client) string {
		t.Helper()
		s, err := codec.Decode(cl.Cookie("session"))
		if err != nil {
			t.Fatalf("session cookie: %v", err)
		}
		raw, _ := s["csrf_token"].(string)
		return raw
	}
	for _, p := range a.pairs() {
		t.Run(p.name, func(t *testing.T) {
			cl := newClient(t)
			cl.loginToken(p.in) // the form writes a raw token into the session
			raw := rawToken(cl)
			if !rawTokenRE.MatchString(raw) {
				t.Fatalf("raw token %q in the session of %s", raw, p.in)
			}
			// The other side's form signs the same raw token, and the first
			// side accepts that token: it was made from what it wrote.
			back := cl.loginToken(p.other)
			if got := rawToken(cl); got != raw {
				t.Errorf("%s replaced the raw token %q with %q", p.other, raw, got)
			}
			if r := cl.post(p.in+"/login", url.Values{"username": {"bob"}, "csrf_token": {back}}); r.Status != http.StatusFound {
				t.Errorf("%s's token posted to %s: %d %q", p.other, p.in, r.Status, r.Body)
			}
			cl.logout(p.in)
			// A token from this side's form logs in on the other side.
			tok := cl.loginToken(p.in)
			r := cl.post(p.other+"/login", url.Values{"username": {trickyName}, "csrf_token": {tok}})
			if r.Status != http.StatusFound || r.Location() != "/" {
				t.Fatalf("%s's token posted to %s: %d %q", p.in, p.other, r.Status, r.Body)
			}
			for _, base := range []string{p.in, p.other} {
				if r := cl.get(base + "/private"); r.line() != "Private page of "+trickyEscape+" (fresh)" {
					t.Errorf("%s /private: %q", base, r.line())
				}
			}
		})
	}

	for _, tc := range []struct {
		name string
		post func(cl *client, base string) response
		want error
	}{
		{"no token", func(cl *client, base string) response {
			cl.loginToken(base)
			return cl.post(base+"/login", url.Values{"username": {"eve"}})
		}, csrf.ErrTokenMissing},
		{"no session", func(cl *client, base string) response {
			tok := cl.loginToken(base)
			return newClient(cl.t).post(base+"/login", url.Values{"username": {"eve"}, "csrf_token": {tok}})
		}, csrf.ErrSessionTokenMissing},
		{"tampered token", func(cl *client, base string) response {
			tok := cl.loginToken(base)
			i := len(tok) / 4 // inside the payload, compressed or not
			c := byte('A')
			if tok[i] == 'A' {
				c = 'B'
			}
			tok = tok[:i] + string(c) + tok[i+1:]
			return cl.post(base+"/login", url.Values{"username": {"eve"}, "csrf_token": {tok}})
		}, csrf.ErrTokenInvalid},
		{"another session's token", func(cl *client, base string) response {
			tok := newClient(cl.t).loginToken(base)
			cl.loginToken(base)
			return cl.post(base+"/login", url.Values{"username": {"eve"}, "csrf_token": {tok}})
		}, csrf.ErrTokensDoNotMatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, base := range []string{a.gin, a.flask} {
				r := tc.post(newClient(t), base)
				if r.Status != http.StatusBadRequest || r.Body != csrf.Reason(tc.want) {
					t.Errorf("%s: %d %q, want 400 %q", base, r.Status, r.Body, csrf.Reason(tc.want))
				}
				if _, ok := r.setCookie("remember_token"); ok {
					t.Errorf("%s: a refused login set a remember cookie", base)
				}
			}
		})
	}
}
