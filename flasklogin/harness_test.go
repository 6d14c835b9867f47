package flasklogin

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/flaskcookie"
)

const testKey = "flasklogin-test-key-0123456789ab"

// testNow is the tests' clock for remember cookie expiry.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testUser is a user of the tests; IDs starting with "ghost" are unknown
// to the loader, "broken" makes it fail.
type testUser struct {
	id       string
	inactive bool
}

func (u testUser) ID() string     { return u.id }
func (u testUser) IsActive() bool { return !u.inactive }

var errDatabase = errors.New("database down")

func testLoader(_ context.Context, id string) (User, error) {
	switch {
	case strings.HasPrefix(id, "ghost"):
		return nil, nil
	case id == "broken":
		return nil, errDatabase
	}
	return testUser{id: id}, nil
}

func init() { gin.SetMode(gin.TestMode) }

// testConfig is the Config the tests start from.
func testConfig() Config {
	return Config{SecretKey: []byte(testKey), UserLoader: testLoader, LoginView: "/login", RefreshView: "/reauth"}
}

// newTestApp is an engine with the session and login middleware (clock
// testNow) and the routes.
func newTestApp(t testing.TB, cfg Config, routes func(r *gin.Engine)) *gin.Engine {
	t.Helper()
	m, err := newManager(cfg, func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	sc := flasksession.DefaultConfig()
	sc.SecretKey = []byte(testKey)
	r := gin.New()
	r.Use(flasksession.New(sc), m.handle)
	routes(r)
	return r
}

var testCodec = func() *flaskcookie.Codec {
	c, err := flaskcookie.New(flaskcookie.Config{SecretKey: []byte(testKey)})
	if err != nil {
		panic(err)
	}
	return c
}()

// client is one browser: its address, User-Agent and cookies (raw
// values, sent as they are).
type client struct {
	addr, agent string
	cookies     map[string]string
}

func newClient() *client {
	return &client{addr: "192.0.2.1", agent: "test-agent/1.0", cookies: map[string]string{}}
}

// request builds a request from the client.
func (cl *client) request(method, target string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	r.RemoteAddr = cl.addr + ":41000"
	r.Header.Set("User-Agent", cl.agent)
	var parts []string
	for k, v := range cl.cookies {
		parts = append(parts, k+"="+v)
	}
	if len(parts) > 0 {
		r.Header.Set("Cookie", strings.Join(parts, "; "))
	}
	return r
}

// identifier is the client's session identifier.
func (cl *client) identifier() string { return SessionIdentifier(cl.request("GET", "/")) }

// withSession gives the client a session cookie holding values.
func (cl *client) withSession(t testing.TB, values map[string]any) *client {
	t.Helper()
	v, err := testCodec.EncodeAt(values, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cl.cookies["session"] = v
	return cl
}

// loggedIn gives the client alice's fresh login, as login_user leaves it.
func (cl *client) loggedIn(t testing.TB) *client {
	return cl.withSession(t, map[string]any{KeyUserID: "alice", KeyFresh: true, KeyID: cl.identifier()})
}

// result is one response as the tests see it.
type result struct {
	*httptest.ResponseRecorder
	t *testing.T
}

// do sends the request to app and keeps the cookies it sets.
func (cl *client) do(t *testing.T, app http.Handler, method, target string) result {
	t.Helper()
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, cl.request(method, target))
	for _, sc := range rec.Result().Header.Values("Set-Cookie") {
		name, rest, _ := strings.Cut(sc, "=")
		value, attrs, _ := strings.Cut(rest, ";")
		if strings.Contains(attrs, "Max-Age=0") {
			delete(cl.cookies, name)
		} else {
			cl.cookies[name] = value
		}
	}
	return result{rec, t}
}

// setCookie returns the response's Set-Cookie for name.
func (r result) setCookie(name string) (string, bool) {
	for _, sc := range r.Result().Header.Values("Set-Cookie") {
		if strings.HasPrefix(sc, name+"=") {
			return sc, true
		}
	}
	return "", false
}

// session decodes the session cookie the response sets; nil if it sets
// none, an empty map if it deletes it.
func (r result) session() map[string]any {
	r.t.Helper()
	sc, ok := r.setCookie("session")
	if !ok {
		return nil
	}
	v, _, _ := strings.Cut(strings.TrimPrefix(sc, "session="), ";")
	if v == "" {
		return map[string]any{}
	}
	m, err := testCodec.Decode(v)
	if err != nil {
		r.t.Fatalf("session cookie %q: %v", sc, err)
	}
	return m
}

// whoami is a route answering the current user's ID and freshness.
func whoami(c *gin.Context) {
	u := CurrentUser(c)
	fresh := "not fresh"
	if LoginFresh(c) {
		fresh = "fresh"
	}
	if !IsAuthenticated(c) {
		c.String(http.StatusOK, "anonymous")
		return
	}
	c.String(http.StatusOK, u.ID()+" "+fresh)
}
