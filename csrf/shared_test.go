package csrf_test

import (
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ginflask/flasksession/csrf"
	"github.com/ginflask/flasksession/itsdangerous"
)

// target is an app under the shared table: the Gin app of newApp, or the
// Flask-WTF app of testdata/flaskwtf_app.py.
type target struct {
	name string
	base string
	// freeze stops the app's CSRF clock at a Unix second (0: real time
	// again); session cookies keep the real time.
	freeze func(t testing.TB, unix int64)
}

// sharedCase is a request both apps must answer alike. stranger is a Gin
// app on the same session key but another CSRF key.
type sharedCase struct {
	name string
	run  func(t *testing.T, tg target, stranger string) reply
	want reply
}

// signedAt reads the timestamp of a signed token.
func signedAt(t testing.TB, token string) int64 {
	t.Helper()
	parts := strings.Split(token, ".")
	b, err := itsdangerous.Base64Decode([]byte(parts[len(parts)-2]))
	if err != nil {
		t.Fatalf("token %q: %v", token, err)
	}
	return new(big.Int).SetBytes(b).Int64() // itsdangerous: big-endian seconds
}

// tamper changes one character of the token's payload.
func tamper(token string) string {
	b := []byte(token)
	i := strings.IndexByte(token, '.') / 2
	if i == 0 { // compressed: ".payload"
		i = len(token) / 4
	}
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// atAge posts a fresh token with the app's clock frozen age seconds after
// the token was signed.
func atAge(age int64) func(t *testing.T, tg target, _ string) reply {
	return func(t *testing.T, tg target, _ string) reply {
		v := newVisitor(t)
		tok, _ := v.token(tg.base)
		tg.freeze(t, signedAt(t, tok)+age)
		defer tg.freeze(t, 0)
		return v.post(tg.base, tok)
	}
}

// https posts a valid token as an HTTPS request (X-Forwarded-Proto, which
// both apps trust) with the given Referer ("" for none; HOST is replaced by
// the app's host).
func https(referer string) func(t *testing.T, tg target, _ string) reply {
	return func(t *testing.T, tg target, _ string) reply {
		v := newVisitor(t)
		tok, _ := v.token(tg.base)
		h := http.Header{"X-Forwarded-Proto": {"https"}}
		if referer != "" {
			host := strings.TrimPrefix(tg.base, "http://")
			h.Set("Referer", strings.ReplaceAll(referer, "HOST", host))
		}
		return v.do(http.MethodPost, tg.base+"/submit", url.Values{"csrf_token": {tok}}, h)
	}
}

func sharedCases() []sharedCase {
	withToken := func(send func(v *visitor, base, tok string) reply) func(*testing.T, target, string) reply {
		return func(t *testing.T, tg target, _ string) reply {
			v := newVisitor(t)
			tok, _ := v.token(tg.base)
			return send(v, tg.base, tok)
		}
	}
	field := func(name string) func(*visitor, string, string) reply {
		return func(v *visitor, base, tok string) reply {
			return v.do(http.MethodPost, base+"/submit", url.Values{name: {tok}, "username": {"ada"}}, nil)
		}
	}
	header := func(name string) func(*visitor, string, string) reply {
		return func(v *visitor, base, tok string) reply {
			return v.do(http.MethodPost, base+"/submit", url.Values{"username": {"ada"}}, http.Header{name: {tok}})
		}
	}
	return []sharedCase{
		{"valid token in the form", withToken(field("csrf_token")), accepted},
		{"valid token in a prefixed field", withToken(field("login-csrf_token")), accepted},
		{"valid token in X-CSRFToken", withToken(header("X-CSRFToken")), accepted},
		{"valid token in X-CSRF-Token", withToken(header("X-CSRF-Token")), accepted},
		{"token in an unknown header", withToken(header("X-XSRF-Token")), refused(csrf.ErrTokenMissing)},
		{"no token", withToken(func(v *visitor, base, _ string) reply {
			return v.do(http.MethodPost, base+"/submit", url.Values{"username": {"ada"}}, nil)
		}), refused(csrf.ErrTokenMissing)},
		{"empty token", withToken(func(v *visitor, base, _ string) reply { return v.post(base, "") }), refused(csrf.ErrTokenMissing)},
		{"PUT without token", withToken(func(v *visitor, base, _ string) reply {
			return v.do(http.MethodPut, base+"/submit", url.Values{}, nil)
		}), refused(csrf.ErrTokenMissing)},
		{"no session cookie", withToken(func(v *visitor, base, tok string) reply {
			return newVisitor(v.t).post(base, tok)
		}), refused(csrf.ErrSessionTokenMissing)},
		{"tampered session cookie", withToken(func(v *visitor, base, tok string) reply {
			v.SetCookie("session", tamper(v.Cookie("session")))
			return v.post(base, tok)
		}), refused(csrf.ErrSessionTokenMissing)},
		{"tampered token", withToken(func(v *visitor, base, tok string) reply {
			return v.post(base, tamper(tok))
		}), refused(csrf.ErrTokenInvalid)},
		{"token without signature", withToken(func(v *visitor, base, tok string) reply {
			return v.post(base, tok[:strings.LastIndexByte(tok, '.')])
		}), refused(csrf.ErrTokenInvalid)},
		{"not a token", withToken(func(v *visitor, base, _ string) reply { return v.post(base, "abc") }), refused(csrf.ErrTokenInvalid)},
		{"token of another key", func(t *testing.T, tg target, stranger string) reply {
			v := newVisitor(t)
			v.token(tg.base)
			tok, _ := v.token(stranger) // same session, same raw token
			return v.post(tg.base, tok)
		}, refused(csrf.ErrTokenInvalid)},
		{"token of another session", func(t *testing.T, tg target, _ string) reply {
			a, b := newVisitor(t), newVisitor(t)
			tok, _ := a.token(tg.base)
			b.token(tg.base)
			return b.post(tg.base, tok)
		}, refused(csrf.ErrTokensDoNotMatch)},
		{"one hour old", atAge(3600), accepted},
		{"one hour and a second old", atAge(3601), refused(csrf.ErrTokenExpired)},
		{"signed a second in the future", atAge(-1), refused(csrf.ErrTokenExpired)},
		{"https, same-host referrer", https("https://HOST/login"), accepted},
		{"https, no referrer", https(""), refused(csrf.ErrReferrerMissing)},
		{"https, foreign referrer", https("https://evil.example/login"), refused(csrf.ErrReferrerMismatch)},
		{"https, http referrer", https("http://HOST/login"), refused(csrf.ErrReferrerMismatch)},
		{"https, referrer without the port", https("https://127.0.0.1/login"), refused(csrf.ErrReferrerMismatch)},
		{"https, bad token before referrer", func(t *testing.T, tg target, _ string) reply {
			v := newVisitor(t)
			v.token(tg.base)
			return v.do(http.MethodPost, tg.base+"/submit", url.Values{"csrf_token": {"abc"}}, http.Header{"X-Forwarded-Proto": {"https"}})
		}, refused(csrf.ErrTokenInvalid)},
	}
}

// runShared runs every shared case against every target.
func runShared(t *testing.T, stranger string, targets ...target) {
	for _, tc := range sharedCases() {
		t.Run(tc.name, func(t *testing.T) {
			for _, tg := range targets {
				if got := tc.run(t, tg, stranger); got != tc.want {
					t.Errorf("%s: %d %q, want %d %q", tg.name, got.status, got.body, tc.want.status, tc.want.body)
				}
			}
		})
	}
}

// ginTarget serves newApp with a clock the table can freeze.
func ginTarget(t testing.TB, name string, keys appKeys) target {
	k := &clock{}
	return target{
		name:   name,
		base:   serve(t, newApp(keys, k, nil)),
		freeze: func(_ testing.TB, unix int64) { k.unix.Store(unix) },
	}
}

// TestShared runs the shared table against two Gin processes' worth of
// engines on one key (the live test adds Flask-WTF).
func TestShared(t *testing.T) {
	stranger := serve(t, newApp(appKeys{testKey, otherKey}, nil, nil))
	runShared(t, stranger,
		ginTarget(t, "gin", appKeys{session: testKey}),
		ginTarget(t, "gin, separate CSRF key equal to the session key", appKeys{testKey, testKey}))
}

// Two instances of the app, as behind a load balancer: on one key each
// accepts the other's tokens; with keys of their own they refuse them, and
// the reason tells which key differs.
func TestInstances(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b appKeys
		want reply
	}{
		{"one key", appKeys{session: testKey}, appKeys{session: testKey}, accepted},
		{"one SECRET_KEY and one WTF_CSRF_SECRET_KEY", appKeys{testKey, otherKey}, appKeys{testKey, otherKey}, accepted},
		{"each its own SECRET_KEY", appKeys{session: testKey}, appKeys{session: otherKey}, refused(csrf.ErrSessionTokenMissing)},
		{"each its own CSRF key", appKeys{session: testKey}, appKeys{testKey, otherKey}, refused(csrf.ErrTokenInvalid)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := serve(t, newApp(tc.a, nil, nil))
			b := serve(t, newApp(tc.b, nil, nil))
			for _, dir := range [][2]string{{a, b}, {b, a}} {
				v := newVisitor(t)
				tok, _ := v.token(dir[0])
				if got := v.post(dir[1], tok); got != tc.want {
					t.Errorf("token of %s posted to %s: %v, want %v", dir[0], dir[1], got, tc.want)
				}
			}
		})
	}
}
