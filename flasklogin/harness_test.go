package flasklogin

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/flaskcookie"
	"github.com/ginflask/flasksession/internal/webtest"
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

// client is one browser: address 192.0.2.1, User-Agent test-agent/1.0,
// cookies kept as the apps write them.
type client struct{ *webtest.Client }

func newClient(t testing.TB) *client {
	c := webtest.NewHTTP(t)
	c.RemoteAddr = "192.0.2.1:41000"
	c.Header.Set("User-Agent", "test-agent/1.0")
	return &client{c}
}

// peer is a request with what identifies the client: its address and
// headers.
func (cl *client) peer() *http.Request {
	return &http.Request{RemoteAddr: cl.RemoteAddr, Header: cl.Header}
}

// identifier is the client's session identifier.
func (cl *client) identifier() string { return SessionIdentifier(cl.peer()) }

// withSession gives the client a session cookie holding values.
func (cl *client) withSession(t testing.TB, values map[string]any) *client {
	t.Helper()
	v, err := testCodec.EncodeAt(values, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cl.SetCookie("session", v)
	return cl
}

// loggedIn gives the client alice's fresh login, as login_user leaves it.
func (cl *client) loggedIn(t testing.TB) *client {
	return cl.withSession(t, map[string]any{KeyUserID: "alice", KeyFresh: true, KeyID: cl.identifier()})
}

// request is the client's request to app, for a test that changes it or
// a benchmark that sends it many times.
func (cl *client) request(app http.Handler, method, target string) *http.Request {
	cl.Handler = app
	return cl.Request(method, target, nil)
}

// result is one response as the tests see it.
type result struct {
	*webtest.Response
	t testing.TB
}

// do sends a request to app and keeps the cookies it sets.
func (cl *client) do(t testing.TB, app http.Handler, method, target string) result {
	t.Helper()
	cl.Handler = app
	return result{cl.Do(method, target, nil, nil), t}
}

// setCookie returns the response's Set-Cookie for name.
func (r result) setCookie(name string) (string, bool) {
	r.t.Helper()
	return r.Cookie(r.t, name)
}

// session decodes the session cookie the response sets; nil if it sets
// none, an empty map if it deletes it.
func (r result) session() map[string]any {
	r.t.Helper()
	sc, ok := r.setCookie("session")
	if !ok {
		return nil
	}
	if webtest.IsDeletion(sc) {
		return map[string]any{}
	}
	m, err := testCodec.Decode(r.CookieValue(r.t, "session"))
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
