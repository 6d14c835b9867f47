package storetest

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/webtest"
)

// RunMiddleware runs the middleware's server-side guarantees end to end on
// the stores newStore returns: real requests through gin and
// flasksession.New with the store as Config.Store, as an attacker would
// send them. Slow requests are held at a gate inside their handler, so
// every race is played in a fixed order, without sleeps.
//
// The subtests: a logout sticks against a slow request that loaded the
// session before it (changing the session or not, permanent or not); a
// slow read-only request never erases a write made meanwhile; of two
// requests that both change the session the later wins as a whole, or,
// with Config.DetectConflicts, fails with ErrConflict; Regenerate kills
// the old ID; two engines on one store share sessions and logouts; a
// 20 KB session works.
func RunMiddleware(t *testing.T, newStore func(t *testing.T) flasksession.Store) {
	t.Helper()
	RunMiddlewareConfig(t, flasksession.Config{}, newStore)
}

// RunMiddlewareConfig is RunMiddleware with the apps configured as base,
// for a setting that changes how records or cookies look, such as
// Config.FlaskSession. The suite sets base's SecretKey, Store,
// DetectConflicts and ErrorHandler itself.
func RunMiddlewareConfig(t *testing.T, base flasksession.Config, newStore func(t *testing.T) flasksession.Store) {
	t.Helper()
	for _, st := range middlewareTests {
		t.Run(st.name, func(t *testing.T) { st.run(t, env{newStore(t), base}) })
	}
}

// env is what a middleware test builds its apps from.
type env struct {
	store flasksession.Store
	base  flasksession.Config
}

var middlewareTests = []struct {
	name string
	run  func(t *testing.T, e env)
}{
	{"LogoutSticks", testLogoutSticks},
	{"ReadNeverErasesWrite", testReadNeverErasesWrite},
	{"LaterWriteWins", testLaterWriteWins},
	{"Regenerate", testRegenerate},
	{"SharedEngines", testSharedEngines},
	{"LargeSession", testLargeSession},
}

// testKey signs the session IDs of the apps below.
var testKey = []byte("storetest: 32 bytes of test key!")

// gate holds a request inside its handler: loaded is closed once it has
// loaded the session, and it waits for release.
type gate struct {
	loaded, release chan struct{}
}

func newGate() *gate { return &gate{make(chan struct{}), make(chan struct{})} }

// app is a gin engine with the middleware on a store, and the session
// errors it reported.
type app struct {
	*gin.Engine
	t    testing.TB
	mu   sync.Mutex
	errs []error
	gate *gate // used by /slow
}

// newApp serves:
//
//	POST /login?permanent=1   new ID (Regenerate), user=alice
//	GET  /get?k=K             the value of K
//	POST /set?k=K&v=V         sets K
//	POST /logout              Destroy
//	POST /slow?k=K&v=V        loads, waits at the gate, then sets K if given
//	POST /idle                waits at the gate, never using the session
func (e env) newApp(t testing.TB, detectConflicts bool) *app {
	gin.SetMode(gin.TestMode) // no route listing on stdout
	a := &app{Engine: gin.New(), t: t}
	cfg := e.base
	cfg.SecretKey, cfg.Store, cfg.DetectConflicts = testKey, e.store, detectConflicts
	cfg.ErrorHandler = func(_ *gin.Context, err error) {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.errs = append(a.errs, err)
	}
	a.Use(flasksession.New(cfg))
	a.POST("/login", func(c *gin.Context) {
		s := flasksession.Get(c)
		s.Regenerate()
		s.Set("user", "alice")
		s.SetPermanent(c.Query("permanent") == "1")
	})
	a.GET("/get", func(c *gin.Context) {
		v, _ := flasksession.Get(c).GetString(c.Query("k"))
		c.String(http.StatusOK, "%s", v)
	})
	a.POST("/set", func(c *gin.Context) {
		flasksession.Get(c).Set(c.Query("k"), c.Query("v"))
	})
	a.POST("/logout", func(c *gin.Context) {
		flasksession.Get(c).Destroy()
	})
	a.POST("/slow", func(c *gin.Context) {
		s := flasksession.Get(c)
		s.Has("user") // loads the session
		close(a.gate.loaded)
		<-a.gate.release
		if k := c.Query("k"); k != "" {
			s.Set(k, c.Query("v"))
		}
	})
	a.POST("/idle", func(*gin.Context) {
		close(a.gate.loaded) // the session is not even loaded
		<-a.gate.release
	})
	return a
}

func (a *app) errors() []error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]error(nil), a.errs...)
}

// do sends a request with the session cookie value (none if "") and
// returns the response.
func (a *app) do(method, target, cookie string) *webtest.Response {
	c := webtest.New(a.t, a)
	c.SetCookie(flasksession.DefaultCookieName, cookie)
	return c.Do(method, target, nil, nil)
}

// get returns the session value of k for cookie.
func (a *app) get(k, cookie string) string {
	return a.do(http.MethodGet, "/get?k="+k, cookie).Body
}

// slow starts a /slow request and returns once it has loaded the
// session; wait releases it and returns its response.
func (a *app) slow(target, cookie string) (wait func() *webtest.Response) {
	a.gate = newGate()
	g := a.gate
	done := make(chan *webtest.Response, 1)
	go func() { done <- a.do(http.MethodPost, target, cookie) }()
	<-g.loaded
	return func() *webtest.Response {
		close(g.release)
		return <-done
	}
}

// sessionCookie returns the session cookie r sets: its value, and
// whether it is a deletion.
func (a *app) sessionCookie(r *webtest.Response) (value string, deleted, set bool) {
	raw, ok := r.Cookie(a.t, flasksession.DefaultCookieName)
	if !ok {
		return "", false, false
	}
	return r.CookieValue(a.t, flasksession.DefaultCookieName), webtest.IsDeletion(raw), true
}

// login logs alice in and returns the session cookie, after checking
// that it gives alice if check is set (a read that refreshes a permanent
// session).
func login(t *testing.T, a *app, permanent, check bool) string {
	t.Helper()
	target := "/login"
	if permanent {
		target += "?permanent=1"
	}
	v, deleted, set := a.sessionCookie(a.do(http.MethodPost, target, ""))
	if !set || deleted {
		t.Fatalf("login set no session cookie; errors %v", a.errors())
	}
	if !check {
		return v
	}
	if got := a.get("user", v); got != "alice" {
		t.Fatalf("after login, user = %q, want alice; errors %v", got, a.errors())
	}
	return v
}

// A request that loaded the session before a logout cannot bring it
// back when it ends, whether it changed the session or not: neither the
// stolen cookie nor any cookie that request sets gives a session.
func testLogoutSticks(t *testing.T, e env) {
	for _, tc := range []struct {
		name      string
		permanent bool
		slow      string
	}{
		{"slow write", false, "/slow?k=cart&v=3"},
		{"slow write, permanent", true, "/slow?k=cart&v=3"},
		{"slow read, permanent", true, "/slow"},
		{"slow read", false, "/slow"},
		{"slow request not using the session, permanent", true, "/idle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := e.newApp(t, false)
			stolen := login(t, a, tc.permanent, true)
			wait := a.slow(tc.slow, stolen)
			if _, deleted, set := a.sessionCookie(a.do(http.MethodPost, "/logout", stolen)); !set || !deleted {
				t.Fatalf("logout sent no deletion cookie; errors %v", a.errors())
			}
			slowCookie, deleted, set := a.sessionCookie(wait())
			for _, c := range []string{stolen, slowCookie} {
				if c == "" {
					continue
				}
				if got := a.get("user", c); got != "" {
					t.Errorf("after the logout, a cookie gives user %q (slow request's cookie: set %v, deletion %v)", got, set, deleted)
				}
			}
		})
	}
}

// A permanent session's refresh by a slow read-only request does not
// rewrite the data another request saved meanwhile.
func testReadNeverErasesWrite(t *testing.T, e env) {
	for _, slow := range []string{"/slow", "/idle"} {
		t.Run(slow[1:], func(t *testing.T) {
			a := e.newApp(t, false)
			c := login(t, a, true, false) // no read before the race
			wait := a.slow(slow, c)
			a.do(http.MethodPost, "/set?k=cart&v=3", c)
			if got := a.get("cart", c); got != "3" {
				t.Fatalf("cart = %q after saving it, want 3; errors %v", got, a.errors())
			}
			wait()
			if got := a.get("cart", c); got != "3" {
				t.Errorf("after a slow read-only request ended, cart = %q, want 3 (the write was erased)", got)
			}
			if got := a.get("user", c); got != "alice" {
				t.Errorf("user = %q, want alice", got)
			}
		})
	}
}

// Of two requests that both change a session, the later commit wins as
// a whole; with DetectConflicts it fails with ErrConflict instead.
func testLaterWriteWins(t *testing.T, e env) {
	for _, detect := range []bool{false, true} {
		name := "last wins"
		if detect {
			name = "DetectConflicts"
		}
		t.Run(name, func(t *testing.T) {
			a := e.newApp(t, detect)
			c := login(t, a, false, true)
			wait := a.slow("/slow?k=b&v=2", c)
			a.do(http.MethodPost, "/set?k=a&v=1", c)
			wait()
			gotA, gotB := a.get("a", c), a.get("b", c)
			var conflict bool
			for _, err := range a.errors() {
				conflict = conflict || errors.Is(err, flasksession.ErrConflict)
			}
			switch {
			case !detect && (gotA != "" || gotB != "2" || conflict):
				t.Errorf("a=%q b=%q, ErrConflict reported %v; want the later save whole: a=\"\" b=\"2\", no conflict", gotA, gotB, conflict)
			case detect && (gotA != "1" || gotB != "" || !conflict):
				t.Errorf("a=%q b=%q, ErrConflict reported %v; want the earlier save kept: a=\"1\" b=\"\", and ErrConflict", gotA, gotB, conflict)
			}
		})
	}
}

// A new ID at login: the cookie from before gives no session.
func testRegenerate(t *testing.T, e env) {
	a := e.newApp(t, false)
	before := login(t, a, false, true)
	v, deleted, set := a.sessionCookie(a.do(http.MethodPost, "/login", before))
	if !set || deleted || v == before {
		t.Fatalf("second login: cookie set %v, deletion %v, same value %v", set, deleted, v == before)
	}
	if got := a.get("user", v); got != "alice" {
		t.Errorf("new cookie: user %q, want alice", got)
	}
	if got := a.get("user", before); got != "" {
		t.Errorf("cookie from before Regenerate: user %q, want none", got)
	}
}

// Two engines on one store share a session, and a logout on one ends it
// on the other.
func testSharedEngines(t *testing.T, e env) {
	a, b := e.newApp(t, false), e.newApp(t, false)
	c := login(t, a, true, true)
	if got := b.get("user", c); got != "alice" {
		t.Fatalf("other engine: user %q, want alice", got)
	}
	b.do(http.MethodPost, "/logout", c)
	if got := a.get("user", c); got != "" {
		t.Errorf("after a logout on the other engine: user %q, want none", got)
	}
}

// A session far larger than a cookie can hold.
func testLargeSession(t *testing.T, e env) {
	a := e.newApp(t, false)
	c := login(t, a, false, true)
	big := strings.Repeat("0123456789", 2<<10) // 20 KB
	a.do(http.MethodPost, "/set?k=big&v="+big, c)
	if got := a.get("big", c); got != big {
		t.Errorf("20 KB value read back as %d bytes; errors %v", len(got), a.errors())
	}
}
