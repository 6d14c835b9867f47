package main

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ginflask/flasksession/flaskcookie"
	"github.com/ginflask/flasksession/taggedjson"
)

// trickyName is a user name that needs HTML escaping and, in the remember
// cookie, Werkzeug's quoting.
const (
	trickyName   = `Zoë <b>&"'; x,y`
	trickyEscape = `Zoë &lt;b&gt;&amp;&#34;&#39;; x,y`
)

// apps are the Gin app and flask_app.py, running on one key.
type apps struct{ gin, flask string }

// pairs are both directions: log in on one, read on the other.
func (a apps) pairs() []struct{ name, in, other string } {
	return []struct{ name, in, other string }{
		{"flask to gin", a.flask, a.gin},
		{"gin to flask", a.gin, a.flask},
	}
}

// TestCrossLogin runs the accounts app and flask_app.py (Debian's Flask 2.2
// and Flask-Login 0.6.2) side by side on one SECRET_KEY and shows each
// scenario of Flask-Login's state in both directions.
func TestCrossLogin(t *testing.T) {
	basic := startApps(t, "basic")
	strong := startApps(t, "strong")

	t.Run("same state", func(t *testing.T) { sameState(t, basic) })
	t.Run("same state after logout others", func(t *testing.T) { sameStateAfterRevoke(t, basic) })
	t.Run("same pages", func(t *testing.T) { samePages(t, basic) })
	for _, p := range basic.pairs() {
		t.Run(p.name, func(t *testing.T) {
			t.Run("login", func(t *testing.T) { loginSeen(t, p.in, p.other) })
			t.Run("remember cookie only", func(t *testing.T) { rememberOnly(t, p.in, p.other) })
			t.Run("logout", func(t *testing.T) { logoutSeen(t, p.in, p.other) })
			t.Run("basic protection", func(t *testing.T) { otherAgent(t, p.in, p.other, false) })
		})
	}
	for _, p := range strong.pairs() {
		t.Run(p.name+", strong", func(t *testing.T) { otherAgent(t, p.in, p.other, true) })
	}
	t.Run("login required", func(t *testing.T) { sameRedirect(t, basic) })
	t.Run("csrf", func(t *testing.T) { csrfAcross(t, basic) })
}

// logIn logs cl in on base as name, with remember-me if asked, and
// checks the redirect to next (or "/").
func logIn(t *testing.T, cl *client, base, name string, remember bool, next string) response {
	t.Helper()
	form := url.Values{"username": {name}}
	if remember {
		form.Set("remember", "y")
	}
	target := "/login"
	if next != "" {
		target += "?next=" + url.QueryEscape(next)
	}
	r := cl.postForm(base, target, form)
	want := next
	if want == "" {
		want = "/"
	}
	if r.Status != http.StatusFound || r.Location() != want {
		t.Fatalf("login on %s: %d %q, want 302 %q", base, r.Status, r.Location(), want)
	}
	if _, ok := r.setCookie("remember_token"); ok != remember {
		t.Fatalf("login on %s, remember %v: Set-Cookie %v", base, remember, r.setCookies())
	}
	return r
}

// loginSeen: logged in on one side, the other side's /private shows the
// user, fresh, and both render the same page.
func loginSeen(t *testing.T, in, other string) {
	cl := newClient(t)
	logIn(t, cl, in, trickyName, false, "/private")
	r := cl.get(other + "/private")
	if r.Status != http.StatusOK || r.line() != "Private page of "+trickyEscape+" (fresh)" {
		t.Errorf("other side's /private: %d %q", r.Status, r.line())
	}
	if !slices.Equal(r.flashes(), []string{"message: Logged in."}) {
		t.Errorf("other side's flashes: %q", r.flashes())
	}
	// Each page signs the session's CSRF token anew: the signatures differ
	// when the second ticks between the two.
	back := cl.get(in + "/private")
	want := strings.Replace(r.Body, "\n<ul class=\"flashes\">\n<li class=\"message\">Logged in.</li>\n</ul>", "", 1)
	if masked(back) != strings.Replace(want, r.token(), "TOKEN", 1) {
		t.Errorf("the two pages differ:\n%s\n%s", back.Body, r.Body)
	}
}

// rememberOnly: with only the remember cookie left, each side restores
// the other's login, not fresh, and sets a new session; /settings then asks
// for a fresh login.
func rememberOnly(t *testing.T, in, other string) {
	for _, base := range []string{in, other} {
		cl := newClient(t)
		logIn(t, cl, in, trickyName, true, "")
		cl.SetCookie("session", "")
		r := cl.get(base + "/")
		if r.line() != "Hello, "+trickyEscape {
			t.Errorf("%s with the remember cookie only: %q", base, r.line())
		}
		if v, _ := r.setCookie("session"); v == "" {
			t.Errorf("%s set no new session: %v", base, r.setCookies())
		}
		if r := cl.get(base + "/private"); r.line() != "Private page of "+trickyEscape+" (not fresh)" {
			t.Errorf("%s /private: %q", base, r.line())
		}
		for _, b := range []string{in, other} {
			r := cl.get(b + "/settings")
			if r.Status != http.StatusFound || r.Location() != "/login?next=%2Fsettings" {
				t.Errorf("%s /settings after a restore on %s: %d %q, want a redirect to log in again", b, base, r.Status, r.Location())
			}
			if f := cl.get(b + "/login").flashes(); !slices.Equal(f, []string{"message: Please reauthenticate to access this page."}) {
				t.Errorf("%s /login after /settings: flashes %q", b, f)
			}
		}
		// Logging in again makes it fresh.
		logIn(t, cl, other, trickyName, false, "/settings")
		if r := cl.get(in + "/settings"); r.line() != "Settings of "+trickyEscape {
			t.Errorf("%s /settings after logging in again: %d %q", in, r.Status, r.line())
		}
	}
}

// logoutSeen: logged out on the other side, logged out on both, and the
// remember cookie cleared.
func logoutSeen(t *testing.T, in, other string) {
	cl := newClient(t)
	logIn(t, cl, in, "alice", true, "")
	r := cl.logout(other)
	if v, ok := r.setCookie("remember_token"); !ok || v != "" {
		t.Errorf("logout did not clear the remember cookie: %v", r.setCookies())
	}
	for _, b := range []string{in, other} {
		if r := cl.get(b + "/"); r.line() != "Hello, anonymous" {
			t.Errorf("%s after logout: %q", b, r.line())
		}
		if r := cl.get(b + "/private"); r.Status != http.StatusFound {
			t.Errorf("%s /private after logout: %d", b, r.Status)
		}
	}
}

// otherAgent: the session used with another User-Agent. Strong protection
// logs it out on both sides (and clears the remember cookie); basic marks
// it not fresh.
func otherAgent(t *testing.T, in, other string, strong bool) {
	for _, base := range []string{in, other} {
		cl := newClient(t)
		logIn(t, cl, in, "alice", strong, "")
		cl.Header.Set("User-Agent", "another-browser/2.0")
		r := cl.get(base + "/private")
		switch {
		case strong:
			if r.Status != http.StatusFound || !strings.HasPrefix(r.Location(), "/login?next=") {
				t.Errorf("strong, %s /private from another agent: %d %q, want a redirect to log in", base, r.Status, r.Location())
			}
			if v, ok := r.setCookie("remember_token"); !ok || v != "" {
				t.Errorf("strong, %s: remember cookie not cleared: %v", base, r.setCookies())
			}
			if r := cl.get(in + "/"); r.line() != "Hello, anonymous" {
				t.Errorf("strong, %s afterwards: %q", in, r.line())
			}
		default:
			if r.line() != "Private page of alice (not fresh)" {
				t.Errorf("basic, %s /private from another agent: %d %q", base, r.Status, r.line())
			}
			cl.Header.Set("User-Agent", "accounts-test/1.0") // back, but the login stays stale
			if r := cl.get(in + "/private"); r.line() != "Private page of alice (not fresh)" {
				t.Errorf("basic, %s afterwards: %q", in, r.line())
			}
		}
	}
}

// sameRedirect: /private when logged out redirects to the same
// /login?next=... URL and flashes the same message on both sides.
func sameRedirect(t *testing.T, a apps) {
	for _, target := range []string{"/private", "/private?x=1&y=a%20b", "/private?q=caf%C3%A9&r=%2F", "/private?a=b/c?d"} {
		var got []string
		for _, base := range []string{a.gin, a.flask} {
			cl := newClient(t)
			r := cl.get(base + target)
			f := cl.get(base + r.Location()).flashes()
			got = append(got, r.Location())
			if r.Status != http.StatusFound || !slices.Equal(f, []string{"message: Please log in to access this page."}) {
				t.Errorf("%s%s: %d, flashes %q", base, target, r.Status, f)
			}
		}
		if got[0] != got[1] {
			t.Errorf("%s: gin redirects to %q, flask to %q", target, got[0], got[1])
		}
	}
	// The redirect leads back after login, on either side.
	for _, base := range []string{a.gin, a.flask} {
		cl := newClient(t)
		r := cl.get(base + "/private?x=1")
		next, _ := url.ParseQuery(strings.TrimPrefix(r.Location(), "/login?"))
		logIn(t, cl, base, "alice", false, next.Get("next"))
		for _, unsafe := range []string{"https://evil.example/", "//evil.example/", `/\evil.example`} {
			if r := cl.postForm(base, "/login?next="+url.QueryEscape(unsafe), url.Values{"username": {"a"}}); r.Location() != "/" {
				t.Errorf("%s followed next=%q: %q", base, unsafe, r.Location())
			}
		}
	}
}

// sameState: the same request gives the same session and the same remember
// cookie on both sides: Flask-Login's keys, types and values, byte for
// byte after decoding.
func sameState(t *testing.T, a apps) {
	codec, err := flaskcookie.New(flaskcookie.Config{SecretKey: []byte(testKey)})
	if err != nil {
		t.Fatal(err)
	}
	var sessions []map[string]any
	var remembers []string
	for _, base := range []string{a.gin, a.flask} {
		r := logIn(t, newClient(t), base, trickyName, true, "")
		s, err := codec.Decode(r.CookieValue(t, "session"))
		if err != nil {
			t.Fatalf("%s session cookie: %v", base, err)
		}
		sessions = append(sessions, s)
		// The expiry is 365 days ahead on both; the seconds may differ.
		rc, _ := r.Cookie(t, "remember_token")
		if m := expiresRE.FindString(rc); m != "" {
			exp, err := time.Parse(http.TimeFormat, strings.TrimPrefix(m, "Expires="))
			if d := time.Until(exp); err != nil || d < 364*24*time.Hour || d > 366*24*time.Hour {
				t.Errorf("%s remember cookie expires %q", base, m)
			}
		}
		remembers = append(remembers, expiresRE.ReplaceAllString(rc, "Expires=..."))
	}
	sameSession(t, sessions[0], sessions[1])
	if remembers[0] != remembers[1] || !strings.Contains(remembers[0], "; Expires=...; HttpOnly; Path=/") {
		t.Errorf("remember cookie:\n gin  %s\n flask %s", remembers[0], remembers[1])
	}
}

// sameSession compares the sessions the two apps wrote, key by key; each
// app's form drew its own raw CSRF token.
func sameSession(t *testing.T, gin, flask map[string]any) {
	t.Helper()
	if len(gin) != len(flask) {
		t.Errorf("session keys: gin %v, flask %v", gin, flask)
	}
	for k, v := range flask {
		if k == "csrf_token" {
			if !rawTokenRE.MatchString(fmt.Sprint(v)) || !rawTokenRE.MatchString(fmt.Sprint(gin[k])) {
				t.Errorf("session[%q]: gin %#v, flask %#v; want 40 hex digits", k, gin[k], v)
			}
			continue
		}
		if !equalValue(gin[k], v) {
			t.Errorf("session[%q]: gin %#v, flask %#v", k, gin[k], v)
		}
	}
}

var (
	expiresRE  = regexp.MustCompile(`Expires=[^;]+`)
	rawTokenRE = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// samePages: for each login state, every page answers the same on both
// sides: status, redirect and HTML byte for byte.
func samePages(t *testing.T, a apps) {
	states := []struct {
		name  string
		setup func(cl *client)
	}{
		{"anonymous", func(*client) {}},
		{"logged in", func(cl *client) { logIn(t, cl, a.gin, trickyName, false, ""); cl.get(a.gin + "/") }},
		{"remembered", func(cl *client) {
			logIn(t, cl, a.flask, "bob", true, "")
			cl.SetCookie("session", "")
		}},
	}
	for _, st := range states {
		for _, page := range []string{"/", "/login", "/private", "/settings", "/logout", "/nowhere"} {
			cl := newClient(t)
			st.setup(cl)
			saved := cl.Cookies()
			g := cl.get(a.gin + page)
			cl.ClearCookies()
			for name, value := range saved {
				cl.SetCookie(name, value)
			}
			f := cl.get(a.flask + page)
			// Each side draws its own raw token for the login form.
			if (g.token() == "") != (f.token() == "") {
				t.Errorf("%s %s: CSRF token gin %q, flask %q", st.name, page, g.token(), f.token())
			}
			g.Body, f.Body = masked(g), masked(f)
			if g.Status != f.Status || g.Location() != f.Location() || (g.Status == http.StatusOK && g.Body != f.Body) {
				t.Errorf("%s %s:\ngin   %d %q\n%s\nflask %d %q\n%s", st.name, page, g.Status, g.Location(), g.Body, f.Status, f.Location(), f.Body)
			}
		}
	}
	// Bad login forms: no field (400), an empty name (400, the form again
	// with an error flashed).
	for _, form := range []url.Values{{"user": {"x"}}, {"username": {""}}} {
		g, f := newClient(t).postForm(a.gin, "/login", form), newClient(t).postForm(a.flask, "/login", form)
		if g.Status != http.StatusBadRequest || f.Status != http.StatusBadRequest {
			t.Errorf("POST /login %v: gin %d, flask %d, want 400", form, g.Status, f.Status)
		}
		g.Body, f.Body = masked(g), masked(f)
		if form.Has("username") && (g.Body != f.Body || !slices.Equal(g.flashes(), []string{"error: Please enter a user name."})) {
			t.Errorf("POST /login %v:\ngin\n%s\nflask\n%s", form, g.Body, f.Body)
		}
	}
}

// masked is the page with its form's CSRF token replaced by "TOKEN": each
// app draws its own raw token, and signs it with the second it renders in.
func masked(r response) string {
	if tok := r.token(); tok != "" {
		return strings.Replace(r.Body, tok, "TOKEN", 1)
	}
	return r.Body
}

// equalValue compares decoded session values, flash tuples included.
func equalValue(a, b any) bool {
	la, ok1 := a.([]any)
	lb, ok2 := b.([]any)
	if ok1 && ok2 {
		return slices.EqualFunc(la, lb, equalValue)
	}
	ta, ok1 := a.(taggedjson.Tuple)
	tb, ok2 := b.(taggedjson.Tuple)
	if ok1 && ok2 {
		return slices.EqualFunc(ta, tb, equalValue)
	}
	return a == b
}
