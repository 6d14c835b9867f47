package main

import (
	"maps"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ginflask/flasksession/internal/exampletest"
	"github.com/ginflask/flasksession/internal/flaskoracle"
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
var debianFlask = flaskoracle.Python{Name: "flask2.2", Path: "/usr/bin/python3", Flask: "2.2"}

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

// client is one browser: a User-Agent and cookies kept as the servers
// wrote them (Go's cookiejar drops the octal escapes Werkzeug writes),
// shared by both apps as browsers share cookies across ports.
type client struct {
	t       *testing.T
	agent   string
	cookies map[string]string
	http    *http.Client
}

func newClient(t *testing.T) *client {
	return &client{t: t, agent: "accounts-test/1.0", cookies: map[string]string{}, http: exampletest.HTTPClient(nil)}
}

// response is one answer as the tests see it.
type response struct {
	status    int
	body      string
	location  string
	setCookie map[string]string // name → value; "" for a deletion
	rawCookie map[string]string // name → the whole Set-Cookie header
}

// get and post send a request with the client's cookies, keep the cookies
// the answer sets, and do not follow redirects.
func (cl *client) get(u string) response { return cl.do("GET", u, nil) }

func (cl *client) post(u string, form url.Values) response { return cl.do("POST", u, form) }

func (cl *client) do(method, u string, form url.Values) response {
	cl.t.Helper()
	req := exampletest.NewRequest(cl.t, method, u, form)
	req.Header.Set("User-Agent", cl.agent)
	var pairs []string
	for _, k := range slices.Sorted(maps.Keys(cl.cookies)) {
		pairs = append(pairs, k+"="+cl.cookies[k])
	}
	if len(pairs) > 0 {
		req.Header.Set("Cookie", strings.Join(pairs, "; "))
	}
	resp, b := exampletest.Fetch(cl.t, cl.http, req)
	r := response{status: resp.StatusCode, body: b, location: resp.Header.Get("Location"), setCookie: map[string]string{}, rawCookie: map[string]string{}}
	for _, sc := range resp.Header.Values("Set-Cookie") {
		name, rest, _ := strings.Cut(sc, "=")
		value, attrs, _ := strings.Cut(rest, ";")
		if strings.Contains(attrs, "Max-Age=0") {
			value = ""
			delete(cl.cookies, name)
		} else {
			cl.cookies[name] = value
		}
		r.setCookie[name] = value
		r.rawCookie[name] = sc
	}
	return r
}

var tokenRE = regexp.MustCompile(`<input type="hidden" name="csrf_token" value="([^"]*)">`)

// token is the CSRF token of the page's form, "" if none.
func (r response) token() string {
	m := tokenRE.FindStringSubmatch(r.body)
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
	if r.status != http.StatusOK || r.token() == "" {
		cl.t.Fatalf("GET %s/login: %d, no CSRF token in the form:\n%s", base, r.status, r.body)
	}
	return r.token()
}

// pageToken opens base+path and returns the CSRF token of its form.
func (cl *client) pageToken(base, path string) string {
	cl.t.Helper()
	r := cl.get(base + path)
	if r.status != http.StatusOK || r.token() == "" {
		cl.t.Fatalf("GET %s%s: %d, no CSRF token in the form:\n%s", base, path, r.status, r.body)
	}
	return r.token()
}

// logout submits base's logout form (GET /logout, then its POST) and
// checks the redirect home.
func (cl *client) logout(base string) response {
	cl.t.Helper()
	r := cl.post(base+"/logout", url.Values{"csrf_token": {cl.pageToken(base, "/logout")}})
	if r.status != http.StatusFound || r.location != "/" {
		cl.t.Errorf("POST %s/logout: %d %q, want 302 /", base, r.status, r.location)
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
func (r response) line() string { return exampletest.StatusLine(r.body) }

// flashes lists the page's flashed messages as "category: message".
func (r response) flashes() []string { return exampletest.Flashes(r.body) }
