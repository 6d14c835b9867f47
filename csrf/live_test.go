package csrf_test

import (
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ginflask/flasksession/csrf"
	"github.com/ginflask/flasksession/internal/flaskoracle"
	"github.com/ginflask/flasksession/internal/realtest"
)

// debianFlask is Debian's Flask 2.2 with Flask-WTF 1.1.1
// (python3-flask, python3-flaskext.wtf).
var debianFlask = flaskoracle.Python{Name: "flask-wtf", Path: "/usr/bin/python3", Flask: "2.2"}

// startFlaskWTF serves testdata/flaskwtf_app.py with the given keys until
// the test ends. It skips (or fails, under FLASKSESSION_REQUIRE_REAL=1)
// without Flask-WTF.
func startFlaskWTF(t *testing.T, keys appKeys) target {
	t.Helper()
	out, err := exec.Command(debianFlask.Path, "-c", "import flask_wtf").CombinedOutput()
	if err != nil {
		realtest.Missing(t, "Flask-WTF is not importable under %s (Debian: apt-get install python3-flaskext.wtf): %v: %s",
			debianFlask.Path, err, strings.TrimSpace(string(out)))
		return target{}
	}
	env := map[string]string{"SECRET_KEY": keys.session}
	if keys.csrf != "" {
		env["WTF_CSRF_SECRET_KEY"] = keys.csrf
	}
	base := flaskoracle.StartApp(t, debianFlask, "testdata/flaskwtf_app.py", env)
	return target{
		name: "flask-wtf",
		base: base,
		freeze: func(t testing.TB, unix int64) {
			v := newVisitor(t)
			if r := v.do(http.MethodPost, base+"/_test/clock", url.Values{"unix": {strconv.FormatInt(unix, 10)}}, nil); r.status != http.StatusOK {
				t.Fatalf("freezing Flask-WTF's clock: %v", r)
			}
		},
	}
}

// Every refusal and acceptance of the shared table, the same on Flask-WTF
// and on Gin: status and reason, byte for byte.
func TestLiveShared(t *testing.T) {
	flask := startFlaskWTF(t, appKeys{session: testKey})
	stranger := serve(t, newApp(appKeys{testKey, otherKey}, nil, nil))
	runShared(t, stranger, flask, ginTarget(t, "gin", appKeys{session: testKey}))
}

// A token either side made is accepted by the other, each side reads the
// raw token the other wrote into the session, and both sign a raw token
// into the same bytes at the same second.
func TestLiveTokensBothWays(t *testing.T) {
	flask := startFlaskWTF(t, appKeys{session: testKey})
	gin := ginTarget(t, "gin", appKeys{session: testKey})
	for _, dir := range []struct{ from, to target }{{flask, gin}, {gin, flask}} {
		t.Run(dir.from.name+" to "+dir.to.name, func(t *testing.T) {
			v := newVisitor(t)
			tok, raw := v.token(dir.from.base)
			if !rawToken.MatchString(raw) {
				t.Fatalf("%s's raw token %q", dir.from.name, raw)
			}
			if got := v.do(http.MethodGet, dir.to.base+"/raw", nil, nil); got != (reply{200, raw}) {
				t.Errorf("%s reads raw token %v, want %q", dir.to.name, got, raw)
			}
			if got := v.post(dir.to.base, tok); got != accepted {
				t.Errorf("%s's token posted to %s: %v", dir.from.name, dir.to.name, got)
			}
			// The other side signs the same raw token: no new one.
			if _, again := v.token(dir.to.base); again != raw {
				t.Errorf("%s made a new raw token %q over %q", dir.to.name, again, raw)
			}
		})
	}
	t.Run("same bytes", func(t *testing.T) {
		at := time.Now().Unix() - 100
		for _, tg := range []target{flask, gin} {
			tg.freeze(t, at)
			defer tg.freeze(t, 0)
		}
		v := newVisitor(t)
		fromFlask, _ := v.token(flask.base)
		fromGin, _ := v.token(gin.base)
		if fromFlask != fromGin || signedAt(t, fromGin) != at {
			t.Errorf("one raw token at one second: Flask-WTF %q, Gin %q", fromFlask, fromGin)
		}
	})
}

// Keys that differ, as on workers that each draw their own: each side says
// the same. A session key of its own cannot read the session at all ("The
// CSRF session token is missing."); a CSRF key of its own refuses the
// signature ("The CSRF token is invalid.").
func TestLiveKeysDiffer(t *testing.T) {
	home := ginTarget(t, "gin", appKeys{session: testKey})
	for _, tc := range []struct {
		name string
		keys appKeys
		want reply
	}{
		{"same keys", appKeys{session: testKey}, accepted},
		{"own SECRET_KEY", appKeys{session: otherKey}, refused(csrf.ErrSessionTokenMissing)},
		{"own WTF_CSRF_SECRET_KEY", appKeys{testKey, otherKey}, refused(csrf.ErrTokenInvalid)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, tg := range []target{startFlaskWTF(t, tc.keys), ginTarget(t, "gin", tc.keys)} {
				v := newVisitor(t)
				tok, _ := v.token(home.base)
				if got := v.post(tg.base, tok); got != tc.want {
					t.Errorf("%s: %v, want %v", tg.name, got, tc.want)
				}
			}
		})
	}
}

// A cross-site POST carrying a valid Flask-WTF token and session is
// refused by the Gin app before the token is looked at; a same-origin one
// passes. Flask-WTF alone lets the cross-site one through: the check is
// what this package adds.
func TestLiveCrossSite(t *testing.T) {
	flask := startFlaskWTF(t, appKeys{session: testKey})
	gin := ginTarget(t, "gin", appKeys{session: testKey})
	for _, tc := range []struct {
		name   string
		header func(base string) http.Header
		gin    reply
		flask  reply
	}{
		{"Sec-Fetch-Site: cross-site", func(string) http.Header {
			return http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}}
		}, refused(csrf.ErrCrossOrigin), accepted},
		{"foreign Origin, no Sec-Fetch-Site", func(string) http.Header {
			return http.Header{"Origin": {"https://evil.example"}}
		}, refused(csrf.ErrCrossOrigin), accepted},
		{"same-origin", func(base string) http.Header {
			return http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {base}}
		}, accepted, accepted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := newVisitor(t)
			tok, _ := v.token(flask.base)
			form := url.Values{"csrf_token": {tok}}
			if got := v.do(http.MethodPost, gin.base+"/submit", form, tc.header(gin.base)); got != tc.gin {
				t.Errorf("gin: %v, want %v", got, tc.gin)
			}
			if got := v.do(http.MethodPost, flask.base+"/submit", form, tc.header(flask.base)); got != tc.flask {
				t.Errorf("flask-wtf: %v, want %v", got, tc.flask)
			}
		})
	}
}
