package main

import (
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ginflask/flasksession/flaskcookie"
	"github.com/ginflask/flasksession/internal/exampletest"
	"github.com/ginflask/flasksession/internal/flaskoracle"
	"github.com/ginflask/flasksession/taggedjson"
)

// startFlask serves flask_app.py under py with the test key.
func startFlask(t *testing.T, py flaskoracle.Python) string {
	return exampletest.StartFlask(t, py, map[string]string{"SECRET_KEY": testKey})
}

// TestFlaskGin runs flask_app.py under each real Flask next to the Go
// program, both with one key, and checks they are the same app:
//   - flask_app.py passes the same walk as the Go app, so the walk is
//     Flask's behaviour, not just ours;
//   - a login on one is seen by the other, flash included, and a logout
//     there is seen by the first, both directions;
//   - for each session state and request both give the same answer:
//     status, redirect, body byte for byte, and the same new session in
//     Set-Cookie (signing time, signature and expiry date aside).
func TestFlaskGin(t *testing.T) {
	goApp, _ := startExample(t, testKey)
	for _, py := range flaskoracle.Pythons() {
		t.Run(py.Name, func(t *testing.T) {
			flaskApp := startFlask(t, py)
			// Before 3.1.3 Flask adds "Vary: Cookie" only for some uses of the
			// session; the middleware follows 3.1.3 (any use).
			varyLike313 := flaskAtLeast(t, py, 3, 1, 3)
			t.Run("walk", func(t *testing.T) { walkQuickstart(t, flaskApp) })
			t.Run("cross login", func(t *testing.T) { crossLogin(t, flaskApp, goApp) })
			t.Run("same answers", func(t *testing.T) { sameAnswers(t, flaskApp, goApp, varyLike313) })
		})
	}
}

func crossLogin(t *testing.T, flaskApp, goApp string) {
	for _, dir := range []struct {
		name     string
		in, read string
		remember bool
	}{
		{"flask to gin", flaskApp, goApp, false},
		{"gin to flask", goApp, flaskApp, false},
		{"flask to gin, remembered", flaskApp, goApp, true},
		{"gin to flask, remembered", goApp, flaskApp, true},
	} {
		t.Run(dir.name, func(t *testing.T) {
			b := newBrowser(t)
			form := url.Values{"username": {trickyName}}
			if dir.remember {
				form.Set("remember", "1")
			}
			if p := b.post(dir.in+"/login", form); p.Status != http.StatusFound {
				t.Fatalf("login: %d", p.Status)
			}
			p := b.get(dir.read + "/")
			if p.loginLine() != "Logged in as "+trickyEscape || !slices.Equal(p.flashes(), []string{"message: Logged in"}) {
				t.Errorf("the other app after login: %q %q", p.loginLine(), p.flashes())
			}
			// Both rewrite the cookie (flash taken); a permanent one keeps its expiry.
			if len(p.setCookies()) != 1 || strings.Contains(p.setCookies()[0], "Expires=") != dir.remember {
				t.Errorf("the other app's Set-Cookie %q, permanent %v", p.setCookies(), dir.remember)
			}
			if p := b.get(dir.in + "/"); p.loginLine() != "Logged in as "+trickyEscape || len(p.flashes()) != 0 {
				t.Errorf("back on the first app: %q %q", p.loginLine(), p.flashes())
			}
			b.get(dir.read + "/logout")
			p = b.get(dir.in + "/")
			if p.loginLine() != "You are not logged in" || !slices.Equal(p.flashes(), []string{"message: Logged out"}) {
				t.Errorf("the first app after logging out on the other: %q %q", p.loginLine(), p.flashes())
			}
		})
	}
}

// flaskAtLeast reports whether py's Flask is at least the given version.
func flaskAtLeast(t *testing.T, py flaskoracle.Python, want ...int) bool {
	out, err := exec.Command(py.Path, "-c", "import importlib.metadata as m; print(m.version('flask'))").Output()
	if err != nil {
		t.Fatalf("Flask version under %s: %v", py.Path, err)
	}
	for i, part := range strings.Split(strings.TrimSpace(string(out)), ".") {
		if i >= len(want) {
			break
		}
		n, _ := strconv.Atoi(part)
		if n != want[i] {
			return n > want[i]
		}
	}
	return true
}

func sameAnswers(t *testing.T, flaskApp, goApp string, compareVary bool) {
	codec, err := flaskcookie.New(flaskcookie.Config{SecretKey: []byte(testKey)})
	if err != nil {
		t.Fatal(err)
	}
	flashes := func(msgs ...string) []any {
		var l []any
		for _, m := range msgs {
			l = append(l, taggedjson.Tuple{"message", m})
		}
		return l
	}
	states := []struct {
		name    string
		session map[string]any // nil: no cookie
	}{
		{"no cookie", nil},
		{"just logged in", map[string]any{"username": trickyName, "_permanent": false, "_flashes": flashes("Logged in")}},
		{"logged in", map[string]any{"username": "alice", "_permanent": false}},
		{"remembered", map[string]any{"username": "alice", "_permanent": true}},
		{"just logged out", map[string]any{"_permanent": true, "_flashes": flashes("Logged out")}},
		{"two flashes", map[string]any{"_flashes": append(flashes("Logged in"), taggedjson.Tuple{"error", "<oops>"})}},
	}
	requests := []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/", nil},
		{"GET", "/login", nil},
		{"POST", "/login", url.Values{"username": {"carol"}}},
		{"POST", "/login", url.Values{"username": {"carol"}, "remember": {"on"}}},
		{"GET", "/logout", nil},
	}
	for _, st := range states {
		for _, rq := range requests {
			t.Run(st.name+" "+rq.method+" "+rq.path+" "+rq.form.Encode(), func(t *testing.T) {
				var cookie string
				if st.session != nil {
					if cookie, err = codec.EncodeAt(st.session, time.Now()); err != nil {
						t.Fatal(err)
					}
				}
				send := func(base string) response {
					b := newBrowser(t)
					b.SetCookie("session", cookie)
					return response{b.Do(rq.method, base+rq.path, rq.form, nil)}
				}
				f, g := send(flaskApp), send(goApp)
				if f.Status != g.Status || f.Location() != g.Location() {
					t.Errorf("status/Location: flask %d %q, gin %d %q", f.Status, f.Location(), g.Status, g.Location())
				}
				if f.Status == http.StatusOK && f.Body != g.Body {
					t.Errorf("bodies differ:\nflask:\n%s\ngin:\n%s", f.Body, g.Body)
				}
				if f.Status == http.StatusOK && f.Header.Get("Content-Type") != g.Header.Get("Content-Type") {
					t.Errorf("Content-Type: flask %q, gin %q", f.Header.Get("Content-Type"), g.Header.Get("Content-Type"))
				}
				if fv, gv := f.Header.Values("Vary"), g.Header.Values("Vary"); compareVary && !slices.Equal(fv, gv) {
					t.Errorf("Vary: flask %q, gin %q", fv, gv)
				}
				if fc, gc := comparableCookies(t, codec, f.setCookies()), comparableCookies(t, codec, g.setCookies()); !slices.Equal(fc, gc) {
					t.Errorf("Set-Cookie:\nflask %q\ngin   %q", fc, gc)
				}
			})
		}
	}
}

var expiresRE = regexp.MustCompile(`Expires=[^;]+`)

// comparableCookies replaces each Set-Cookie's value by its decoded,
// re-encoded payload (the signing time and signature differ by clock)
// and its Expires date by whether it is the epoch (a deletion) or later.
func comparableCookies(t *testing.T, codec *flaskcookie.Codec, setCookies []string) []string {
	t.Helper()
	var out []string
	for _, sc := range setCookies {
		name, rest, _ := strings.Cut(sc, "=")
		value, attrs, _ := strings.Cut(rest, ";")
		if value != "" {
			sess, err := codec.Decode(value)
			if err != nil {
				t.Fatalf("Set-Cookie %q does not verify: %v", sc, err)
			}
			// An uncompressed payload is the same bytes whichever app wrote
			// it. Flask also compresses whenever that saves bytes (a leading
			// '.'); the middleware only when a cookie would not fit
			// otherwise. Both read both.
			enc, err := codec.EncodeAt(sess, time.Unix(0, 0))
			if err != nil {
				t.Fatal(err)
			}
			payload, _, _ := strings.Cut(enc, ".")
			if real, _, _ := strings.Cut(value, "."); real != payload && !strings.HasPrefix(value, ".") {
				t.Errorf("Set-Cookie payload %q is not the canonical %q", real, payload)
			}
			value = payload
		}
		attrs = expiresRE.ReplaceAllStringFunc(attrs, func(e string) string {
			if strings.Contains(e, "1970") {
				return "Expires=epoch"
			}
			return "Expires=later"
		})
		out = append(out, name+"="+value+";"+attrs)
	}
	return out
}
