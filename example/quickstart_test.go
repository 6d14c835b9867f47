package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
)

const testKey = "example-test-key-0123456789abcdef"

// A name that needs HTML escaping. Go's html/template and Jinja escape
// these characters alike (a '+' would differ: Go writes &#43;).
const (
	trickyName   = `Zoë <b>&"'`
	trickyEscape = `Zoë &lt;b&gt;&amp;&#34;&#39;`
)

// walkQuickstart walks Flask's quickstart against the app at base: it
// must answer exactly as example/flask_app.py does.
func walkQuickstart(t *testing.T, base string) { walkQuickstartSameSite(t, base, http.SameSiteLaxMode) }

// walkQuickstartSameSite is walkQuickstart for an app whose cookie has
// the given SameSite, as http.ParseSetCookie reads it: Flask-Session
// 0.3.2 sends no SameSite attribute (the zero value).
func walkQuickstartSameSite(t *testing.T, base string, sameSite http.SameSite) {
	b := newBrowser(t)

	p := b.get(base + "/")
	if p.Status != 200 || p.loginLine() != "You are not logged in" || len(p.flashes()) != 0 {
		t.Fatalf("GET / first: %d %q %q", p.Status, p.loginLine(), p.flashes())
	}
	if len(p.setCookies()) != 0 {
		t.Errorf("GET / without a session set a cookie: %q", p.setCookies())
	}

	p = b.get(base + "/login")
	for _, want := range []string{`<form method="post">`, `name="username"`, `type="checkbox" name="remember"`, `type="submit"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("GET /login lacks %q:\n%s", want, p.Body)
		}
	}

	p = b.post(base+"/login", url.Values{"username": {trickyName}})
	if p.Status != http.StatusFound || p.Location() != "/" {
		t.Fatalf("POST /login: %d Location %q, want 302 to /", p.Status, p.Location())
	}
	if len(p.setCookies()) != 1 || strings.Contains(p.setCookies()[0], "Expires=") {
		t.Errorf("POST /login without remember me: Set-Cookie %q, want one browser-session cookie", p.setCookies())
	}

	p = b.get(base + "/")
	if got, want := p.loginLine(), "Logged in as "+trickyEscape; got != want {
		t.Errorf("GET / after login: %q, want %q", got, want)
	}
	if got := p.flashes(); !slices.Equal(got, []string{"message: Logged in"}) {
		t.Errorf("GET / after login: flashes %q, want [message: Logged in]", got)
	}
	// Flashes are shown once.
	p = b.get(base + "/")
	if p.loginLine() != "Logged in as "+trickyEscape || len(p.flashes()) != 0 {
		t.Errorf("GET / again: %q %q", p.loginLine(), p.flashes())
	}

	p = b.get(base + "/logout")
	if p.Status != http.StatusFound || p.Location() != "/" {
		t.Fatalf("GET /logout: %d Location %q", p.Status, p.Location())
	}
	p = b.get(base + "/")
	if p.loginLine() != "You are not logged in" || !slices.Equal(p.flashes(), []string{"message: Logged out"}) {
		t.Errorf("GET / after logout: %q %q", p.loginLine(), p.flashes())
	}

	// Remember me: a cookie that outlives the browser, for 31 days.
	before := time.Now()
	p = b.post(base+"/login", url.Values{"username": {"bob"}, "remember": {"1"}})
	after := time.Now()
	if p.Status != http.StatusFound || len(p.setCookies()) != 1 {
		t.Fatalf("POST /login with remember me: %d %q", p.Status, p.setCookies())
	}
	c, err := http.ParseSetCookie(p.setCookies()[0])
	if err != nil {
		t.Fatal(err)
	}
	lifetime := 31 * 24 * time.Hour
	if lo, hi := before.Add(lifetime).Truncate(time.Second), after.Add(lifetime); c.Expires.Before(lo) || c.Expires.After(hi) {
		t.Errorf("remember me: Expires %v, want 31 days from now (%v .. %v)", c.Expires, lo, hi)
	}
	if !c.HttpOnly || c.Path != "/" || c.SameSite != sameSite {
		t.Errorf("cookie attributes: %q", p.setCookies()[0])
	}
	p = b.get(base + "/")
	if p.loginLine() != "Logged in as bob" {
		t.Errorf("GET / after remembered login: %q", p.loginLine())
	}
	// A permanent session is refreshed on every response, as in Flask.
	if len(p.setCookies()) != 1 || !strings.Contains(p.setCookies()[0], "Expires=") {
		t.Errorf("GET / with a permanent session: Set-Cookie %q, want a refreshed permanent cookie", p.setCookies())
	}
	b.get(base + "/logout")
	if p = b.get(base + "/"); p.loginLine() != "You are not logged in" {
		t.Errorf("GET / after the second logout: %q", p.loginLine())
	}

	// request.form["username"] missing: 400, nothing stored.
	p = b.post(base+"/login", url.Values{"remember": {"1"}})
	if p.Status != http.StatusBadRequest {
		t.Errorf("POST /login without username: %d, want 400", p.Status)
	}
	// An empty name is still a login ("username" in session).
	b.post(base+"/login", url.Values{"username": {""}})
	if p = b.get(base + "/"); p.loginLine() != "Logged in as " {
		t.Errorf("GET / after logging in as \"\": %q", p.loginLine())
	}
}

func testConfig(key string) flasksession.Config {
	cfg := flasksession.DefaultConfig()
	cfg.SecretKey = []byte(key)
	return cfg
}

// The app in process, under the race detector.
func TestQuickstartInProcess(t *testing.T) {
	gin.SetMode(gin.TestMode)
	srv := httptest.NewServer(newRouter(testConfig(testKey)))
	defer srv.Close()
	walkQuickstart(t, srv.URL)
}

// The built program, as `go run ./example` runs it.
func TestQuickstartProgram(t *testing.T) {
	base, _ := startExample(t, testKey)
	walkQuickstart(t, base)
}

// Without SECRET_KEY the program still runs, on a random key, and says so.
func TestProgramWithoutKey(t *testing.T) {
	base, output := startExample(t, "")
	if out := output(); !strings.Contains(out, "WARNING: SECRET_KEY is not set") || !strings.Contains(out, "will not survive a restart") {
		t.Errorf("no loud warning about the missing key:\n%s", out)
	}
	walkQuickstart(t, base)

	// Two such processes have different keys.
	other, _ := startExample(t, "")
	b := newBrowser(t)
	b.post(base+"/login", url.Values{"username": {"alice"}})
	if p := b.get(other + "/"); p.loginLine() != "You are not logged in" {
		t.Errorf("a second keyless process accepted the first one's cookie: %q", p.loginLine())
	}
}

// Processes sharing a key share sessions; one with another key does not.
// The browser sends its cookies to every port, as cookies ignore ports,
// so the three processes are like instances behind one domain.
func TestProcessesShareSessions(t *testing.T) {
	a, _ := startExample(t, testKey)
	b, _ := startExample(t, testKey)
	c, _ := startExample(t, "another-key-0123456789abcdef")
	br := newBrowser(t)

	br.post(a+"/login", url.Values{"username": {"alice"}})
	p := br.get(b + "/")
	if p.loginLine() != "Logged in as alice" || !slices.Equal(p.flashes(), []string{"message: Logged in"}) {
		t.Errorf("B did not accept A's login: %q %q", p.loginLine(), p.flashes())
	}
	p = br.get(c + "/")
	if p.loginLine() != "You are not logged in" {
		t.Errorf("C, with another key, accepted the cookie: %q", p.loginLine())
	}
	if len(p.setCookies()) != 0 {
		t.Errorf("C answered a foreign cookie with Set-Cookie %q; it should leave it alone", p.setCookies())
	}
	// C left the cookie alone, so A still sees the login.
	if p = br.get(a + "/"); p.loginLine() != "Logged in as alice" || len(p.flashes()) != 0 {
		t.Errorf("A after C: %q %q", p.loginLine(), p.flashes())
	}
	br.get(b + "/logout")
	p = br.get(a + "/")
	if p.loginLine() != "You are not logged in" || !slices.Equal(p.flashes(), []string{"message: Logged out"}) {
		t.Errorf("A after logging out on B: %q %q", p.loginLine(), p.flashes())
	}
	// C's own login is not seen by A.
	br2 := newBrowser(t)
	br2.post(c+"/login", url.Values{"username": {"mallory"}})
	if p = br2.get(a + "/"); p.loginLine() != "You are not logged in" {
		t.Errorf("A accepted a cookie signed with C's key: %q", p.loginLine())
	}
}
