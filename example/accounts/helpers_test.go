package main

import (
	"maps"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/ginflask/flasksession/internal/exampletest"
	"github.com/ginflask/flasksession/internal/flaskoracle"
	"github.com/ginflask/flasksession/internal/webtest"
)

// testKey is the SECRET_KEY both apps get in the tests.
const testKey = "accounts-test-key-0123456789abcdef"

// program is the Gin app, built once by TestMain.
var program exampletest.Program

func TestMain(m *testing.M) { exampletest.Main(m, &program) }

// startGin runs the built app on a free loopback port with the test key,
// the session protection mode and the users' tokens in tokensDir (the
// revoked JWTs in its subdirectory blocklist) until the test ends; it
// returns the base URL.
func startGin(t *testing.T, protection, tokensDir string) string {
	t.Helper()
	base, _ := exampletest.Start(t, program, "SECRET_KEY="+testKey, "SESSION_PROTECTION="+protection, "TOKENS_DIR="+tokensDir, "JWT_BLOCKLIST_DIR="+blocklistDir(tokensDir))
	return base
}

// blocklistDir is the JWT blocklist the tests give apps with tokensDir.
func blocklistDir(tokensDir string) string { return filepath.Join(tokensDir, "blocklist") }

// debianFlask is Debian's Flask 2.2 with Flask-Login 0.6.2.
var debianFlask = flaskoracle.Debian

// flaskModules are what flask_app.py imports beyond Flask.
var flaskModules = []exampletest.PythonModule{
	{Import: "flask_login", Debian: "python3-flask-login"},
	{Import: "flask_wtf", Debian: "python3-flaskext.wtf"},
	{Import: "flask_jwt_extended", Debian: "python3-python-flask-jwt-extended"},
}

// startFlask serves flask_app.py under Debian's Python with the test key,
// the protection mode and the tokens in tokensDir.
func startFlask(t *testing.T, protection, tokensDir string) string {
	t.Helper()
	env := map[string]string{"SECRET_KEY": testKey, "SESSION_PROTECTION": protection, "TOKENS_DIR": tokensDir, "JWT_BLOCKLIST_DIR": blocklistDir(tokensDir)}
	return exampletest.StartFlask(t, debianFlask, env, flaskModules...)
}

// startApps runs both apps with the protection mode on one key and one
// token directory of the test's own, so they share their users.
func startApps(t *testing.T, protection string) apps {
	t.Helper()
	dir := t.TempDir()
	return apps{gin: startGin(t, protection, dir), flask: startFlask(t, protection, dir)}
}

// client is one browser (User-Agent accounts-test/1.0) with cookies kept
// as the servers wrote them, shared by both apps as browsers share
// cookies across ports; redirects are not followed.
type client struct {
	*webtest.Client
	t *testing.T
}

func newClient(t *testing.T) *client {
	c := webtest.NewHTTP(t)
	c.Header.Set("User-Agent", "accounts-test/1.0")
	return &client{c, t}
}

// response is one answer as the tests see it.
type response struct {
	*webtest.Response
	t *testing.T
}

func (cl *client) get(u string) response { return response{cl.Get(u), cl.t} }

func (cl *client) post(u string, form url.Values) response { return response{cl.Post(u, form), cl.t} }

// setCookie is the value r sets for the cookie name, "" for a deletion;
// ok is false when r does not set it.
func (r response) setCookie(name string) (value string, ok bool) {
	r.t.Helper()
	raw, ok := r.Cookie(r.t, name)
	if !ok || webtest.IsDeletion(raw) {
		return "", ok
	}
	return r.CookieValue(r.t, name), true
}

// setCookies lists every Set-Cookie header of r.
func (r response) setCookies() []string { return r.Header.Values("Set-Cookie") }

var tokenRE = regexp.MustCompile(`<input type="hidden" name="csrf_token" value="([^"]*)">`)

// token is the CSRF token of the page's form, "" if none.
func (r response) token() string {
	m := tokenRE.FindStringSubmatch(r.Body)
	if m == nil {
		return ""
	}
	return m[1]
}

// loginToken opens base's login form, as a browser does before posting
// it, and returns the form's CSRF token. The page takes any flashes.
func (cl *client) loginToken(base string) string {
	cl.t.Helper()
	r := cl.get(base + "/login")
	if r.Status != http.StatusOK || r.token() == "" {
		cl.t.Fatalf("GET %s/login: %d, no CSRF token in the form:\n%s", base, r.Status, r.Body)
	}
	return r.token()
}

// pageToken opens base+path and returns the CSRF token of its form.
func (cl *client) pageToken(base, path string) string {
	cl.t.Helper()
	r := cl.get(base + path)
	if r.Status != http.StatusOK || r.token() == "" {
		cl.t.Fatalf("GET %s%s: %d, no CSRF token in the form:\n%s", base, path, r.Status, r.Body)
	}
	return r.token()
}

// logout submits base's logout form (GET /logout, then its POST) and
// checks the redirect home.
func (cl *client) logout(base string) response {
	cl.t.Helper()
	r := cl.post(base+"/logout", url.Values{"csrf_token": {cl.pageToken(base, "/logout")}})
	if r.Status != http.StatusFound || r.Location() != "/" {
		cl.t.Errorf("POST %s/logout: %d %q, want 302 /", base, r.Status, r.Location())
	}
	return r
}

// postForm posts form to base+path with the CSRF token of base's login
// form, as submitting that form does.
func (cl *client) postForm(base, path string, form url.Values) response {
	cl.t.Helper()
	form = maps.Clone(form)
	form.Set("csrf_token", cl.loginToken(base))
	return cl.post(base+path, form)
}

// line is the page's status line, as the HTML has it (escaped).
func (r response) line() string { return exampletest.StatusLine(r.Body) }

// flashes lists the page's flashed messages as "category: message".
func (r response) flashes() []string { return exampletest.Flashes(r.Body) }
