package flasklogin

// The attacks of the login review, each played against the documented
// setup: a new session ID at every change of who is logged in, logouts
// that stick, revocable logins.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/webtest"
	"github.com/ginflask/flasksession/memstore"
)

// tokenUsers is an app's user table with Flask-Login's alternative
// tokens: a user's ID is "name:token", and RevokeLogins draws a new token.
type tokenUsers struct {
	mu     sync.Mutex
	tokens map[string]string // name → current token
}

type tokenUser struct{ name, token string }

func (u tokenUser) ID() string { return u.name + ":" + u.token }

func newTokenUsers() *tokenUsers { return &tokenUsers{tokens: map[string]string{}} }

// user returns name's user under the current token, making one if new.
func (us *tokenUsers) user(name string) tokenUser {
	us.mu.Lock()
	defer us.mu.Unlock()
	if _, ok := us.tokens[name]; !ok {
		us.tokens[name] = rand.Text()
	}
	return tokenUser{name, us.tokens[name]}
}

func (us *tokenUsers) load(_ context.Context, id string) (User, error) {
	name, token, _ := strings.Cut(id, ":")
	us.mu.Lock()
	defer us.mu.Unlock()
	if cur, ok := us.tokens[name]; !ok || cur != token {
		return nil, nil
	}
	return tokenUser{name, token}, nil
}

func (us *tokenUsers) revoke(_ context.Context, u User) (User, error) {
	name := u.(tokenUser).name
	us.mu.Lock()
	defer us.mu.Unlock()
	us.tokens[name] = rand.Text()
	return tokenUser{name, us.tokens[name]}, nil
}

// storeApp is the documented setup on a session store (nil: cookies):
//
//	GET  /form                   stores a CSRF-like token (an anonymous session)
//	POST /login?user=U[&remember=1]
//	POST /logout
//	GET  /me                     the user's name, "anonymous", or "error"
//	POST /slow                   loads the user, waits at the gate, then flashes
//	POST /others, /everywhere    LogoutOtherDevices, LogoutEverywhere
func storeApp(t *testing.T, store flasksession.Store, users *tokenUsers) (*gin.Engine, *gate) {
	t.Helper()
	cfg := testConfig()
	cfg.UserLoader = users.load
	cfg.RevokeLogins = users.revoke
	m, err := newManager(cfg, func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	sc := flasksession.DefaultConfig()
	sc.SecretKey = []byte(testKey)
	sc.Store = store
	r := gin.New()
	r.Use(flasksession.New(sc), m.handle)
	g := &gate{}
	r.GET("/form", func(c *gin.Context) { flasksession.Get(c).Set("csrf_token", "t0k3n") })
	r.POST("/login", func(c *gin.Context) {
		LoginUser(c, users.user(c.Query("user")), Remember(c.Query("remember") != ""))
	})
	r.POST("/logout", func(c *gin.Context) { LogoutUser(c) })
	r.GET("/me", func(c *gin.Context) {
		u := CurrentUser(c)
		if !IsAuthenticated(c) {
			c.String(http.StatusOK, "anonymous")
			return
		}
		name, _, _ := strings.Cut(u.ID(), ":")
		c.String(http.StatusOK, name)
	})
	r.POST("/slow", func(c *gin.Context) {
		CurrentUser(c)
		g.hold()
		flasksession.Flash(c, "your cart was saved")
	})
	r.POST("/others", func(c *gin.Context) {
		if err := LogoutOtherDevices(c); err != nil {
			c.String(http.StatusInternalServerError, "%v", err)
		}
	})
	r.POST("/everywhere", func(c *gin.Context) {
		if err := LogoutEverywhere(c); err != nil {
			c.String(http.StatusInternalServerError, "%v", err)
		}
	})
	return r, g
}

// gate holds one request inside its handler until released.
type gate struct {
	loaded, release chan struct{}
}

func (g *gate) arm() { g.loaded, g.release = make(chan struct{}), make(chan struct{}) }

func (g *gate) hold() {
	if g.loaded == nil {
		return
	}
	close(g.loaded)
	<-g.release
}

// me is who the client is logged in as.
func me(t *testing.T, app http.Handler, cl *client) string {
	t.Helper()
	return cl.do(t, app, "GET", "/me").Body
}

// copyOf is another browser holding the same cookies.
func copyOf(t *testing.T, cl *client) *client {
	c := newClient(t)
	c.Header = cl.Header.Clone()
	for name, value := range cl.Cookies() {
		c.SetCookie(name, value)
	}
	return c
}

// stores are the session backends the attacks run against.
var stores = []struct {
	name string
	new  func() flasksession.Store
}{
	{"memstore", func() flasksession.Store { return memstore.New() }},
	{"cookie", func() flasksession.Store { return nil }},
}

// Session fixation: an ID the attacker planted before the login is worth
// nothing after it, and one stolen from a login is worth nothing after
// the logout, even once the victim logs in again in that browser.
func TestSessionFixation(t *testing.T) {
	app, _ := storeApp(t, memstore.New(), newTokenUsers())
	attacker := newClient(t)
	attacker.do(t, app, "GET", "/form")
	planted := attacker.Cookie("session")
	if planted == "" {
		t.Fatal("the form set no session cookie")
	}
	victim := newClient(t)
	victim.SetCookie("session", planted)
	victim.do(t, app, "POST", "/login?user=alice")
	if victim.Cookie("session") == planted {
		t.Errorf("the login kept the planted session ID")
	}
	if got := me(t, app, victim); got != "alice" {
		t.Fatalf("victim after login: %q", got)
	}
	if got := me(t, app, attacker); got != "anonymous" {
		t.Errorf("the attacker's planted cookie is logged in as %q", got)
	}

	stolen := copyOf(t, victim)
	victim.do(t, app, "POST", "/logout")
	victim.do(t, app, "POST", "/login?user=alice")
	if got := me(t, app, stolen); got != "anonymous" {
		t.Errorf("a cookie stolen before the logout is logged in again after the next login: %q", got)
	}
	if got := me(t, app, victim); got != "alice" {
		t.Errorf("victim after logging in again: %q", got)
	}
}

// A request that loaded the login before a logout and writes after it (a
// flash, a cart) does not bring the login back, on any cookie.
func TestLogoutRacingSlowRequest(t *testing.T) {
	app, g := storeApp(t, memstore.New(), newTokenUsers())
	victim := newClient(t)
	victim.do(t, app, "GET", "/form") // the session outlives the logout
	victim.do(t, app, "POST", "/login?user=alice")
	slow := copyOf(t, victim)
	g.arm()
	done := make(chan struct{})
	go func() { slow.do(t, app, "POST", "/slow"); close(done) }()
	<-g.loaded
	victim.do(t, app, "POST", "/logout")
	close(g.release)
	<-done
	for name, cl := range map[string]*client{"the logged-out browser": victim, "the slow request's cookie": slow} {
		if got := me(t, app, cl); got != "anonymous" {
			t.Errorf("%s is logged in as %q after the logout", name, got)
		}
	}
}

// A remember cookie copied to a second device stops working when the
// user logs out their other devices; the caller stays logged in, with a
// new remember cookie.
func TestRevokedRememberCookie(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			app, _ := storeApp(t, st.new(), newTokenUsers())
			phone := newClient(t)
			phone.do(t, app, "POST", "/login?user=alice&remember=1")
			oldRemember := phone.Cookie(DefaultRememberCookieName)
			if oldRemember == "" {
				t.Fatal("no remember cookie")
			}
			laptop := newClient(t)
			laptop.SetCookie(DefaultRememberCookieName, oldRemember)
			if got := me(t, app, laptop); got != "alice" {
				t.Fatalf("the copied remember cookie: %q", got)
			}
			thief := newClient(t)
			thief.SetCookie(DefaultRememberCookieName, oldRemember)

			res := phone.do(t, app, "POST", "/others")
			if res.Status != http.StatusOK {
				t.Fatalf("/others: %d %s", res.Status, res.Body)
			}
			if got := me(t, app, phone); got != "alice" {
				t.Errorf("the caller after LogoutOtherDevices: %q", got)
			}
			if nr := phone.Cookie(DefaultRememberCookieName); nr == "" || nr == oldRemember {
				t.Errorf("the caller's remember cookie was not renewed: %q", nr)
			}
			for name, cl := range map[string]*client{"a device logged in by it": laptop, "a replay of the old remember cookie": thief} {
				if got := me(t, app, cl); got != "anonymous" {
					t.Errorf("%s: %q after LogoutOtherDevices", name, got)
				}
			}
			// The dead remember cookie is cleared, and costs no session.
			if thief.Cookie(DefaultRememberCookieName) != "" || thief.Cookie("session") != "" {
				t.Errorf("after a replay of a revoked remember cookie the client holds %q", thief.CookieHeader())
			}
		})
	}
}

// LogoutEverywhere ends every login, the caller's too.
func TestLogoutEverywhere(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			app, _ := storeApp(t, st.new(), newTokenUsers())
			var devices []*client
			for i := range 3 {
				cl := newClient(t)
				cl.Header.Set("User-Agent", fmt.Sprint("device-", i))
				cl.do(t, app, "POST", "/login?user=alice&remember="+map[bool]string{true: "1"}[i == 1])
				devices = append(devices, cl)
			}
			bob := newClient(t)
			bob.do(t, app, "POST", "/login?user=bob")
			if res := devices[0].do(t, app, "POST", "/everywhere"); res.Status != http.StatusOK {
				t.Fatalf("/everywhere: %d %s", res.Status, res.Body)
			}
			for i, cl := range devices {
				if got := me(t, app, cl); got != "anonymous" {
					t.Errorf("device %d after LogoutEverywhere: %q", i, got)
				}
			}
			if got := me(t, app, bob); got != "bob" {
				t.Errorf("another user was logged out: %q", got)
			}
		})
	}
}

// With a server-side store, LogoutOtherDevices also deletes the other
// sessions' records, and Sessions lists what is left.
func TestLogoutOtherDevicesDeletesRecords(t *testing.T) {
	store := memstore.New()
	users := newTokenUsers()
	app, _ := storeApp(t, store, users)
	app.GET("/sessions", func(c *gin.Context) {
		infos, err := Sessions(c)
		if err != nil {
			c.String(http.StatusInternalServerError, "%v", err)
			return
		}
		var agents []string
		for _, in := range infos {
			a := in.UserAgent
			if in.Current {
				a += "*"
			}
			agents = append(agents, a)
		}
		c.String(http.StatusOK, strings.Join(agents, ","))
	})
	var devices []*client
	for i := range 3 {
		cl := newClient(t)
		cl.Header.Set("User-Agent", fmt.Sprint("device-", i))
		cl.do(t, app, "POST", "/login?user=alice")
		devices = append(devices, cl)
	}
	if got := devices[1].do(t, app, "GET", "/sessions").Body; got != "device-2,device-1*,device-0" {
		t.Errorf("sessions: %q", got)
	}
	ids := map[int]string{}
	for i, cl := range devices {
		ids[i] = cl.Cookie("session")
	}
	devices[1].do(t, app, "POST", "/others")
	if got := devices[1].do(t, app, "GET", "/sessions").Body; got != "device-1*" {
		t.Errorf("sessions after LogoutOtherDevices: %q", got)
	}
	for _, i := range []int{0, 2} {
		id := storeID(t, ids[i])
		if _, found, _ := store.Find(context.Background(), id); found {
			t.Errorf("device %d's record survived LogoutOtherDevices", i)
		}
	}
}

func TestRevokeErrors(t *testing.T) {
	app, _ := storeApp(t, nil, newTokenUsers())
	cl := newClient(t)
	if got := cl.do(t, app, "POST", "/others").Body; !strings.Contains(got, ErrNotLoggedIn.Error()) {
		t.Errorf("anonymous /others: %q", got)
	}
	cfg := testConfig()
	noRevoke := newTestApp(t, cfg, func(r *gin.Engine) {
		r.POST("/others", func(c *gin.Context) {
			c.String(http.StatusOK, "%v", errors.Is(LogoutOtherDevices(c), ErrNoRevokeLogins))
		})
	})
	if got := newClient(t).loggedIn(t).do(t, noRevoke, "POST", "/others").Body; got != "true" {
		t.Errorf("without RevokeLogins: ErrNoRevokeLogins = %s", got)
	}
	same := testConfig()
	same.RevokeLogins = func(_ context.Context, u User) (User, error) { return u, nil }
	sameApp := newTestApp(t, same, func(r *gin.Engine) {
		r.POST("/others", func(c *gin.Context) {
			err := LogoutOtherDevices(c)
			c.String(http.StatusOK, "%v", err)
		})
	})
	if got := newClient(t).loggedIn(t).do(t, sameApp, "POST", "/others").Body; !strings.Contains(got, "kept the user's ID") {
		t.Errorf("a RevokeLogins that keeps the ID: %q", got)
	}
}

// A loader's answer for an unknown user: a nil pointer in the interface
// or ErrUserNotFound is anonymous; any other error is a 500.
func TestLoaderShapes(t *testing.T) {
	type dbUser struct{ testUser }
	users := map[string]*dbUser{"alice": {testUser{id: "alice"}}}
	for _, tc := range []struct {
		name   string
		loader func(context.Context, string) (User, error)
		status int
		body   string
	}{
		{"typed nil", func(_ context.Context, id string) (User, error) { return users[id], nil }, http.StatusOK, "anonymous"},
		{"ErrUserNotFound", func(context.Context, string) (User, error) { return nil, ErrUserNotFound }, http.StatusOK, "anonymous"},
		{"wrapped not found", func(context.Context, string) (User, error) {
			return nil, fmt.Errorf("users: %w: %w", sql.ErrNoRows, ErrUserNotFound)
		}, http.StatusOK, "anonymous"},
		{"other error", func(context.Context, string) (User, error) { return nil, errDatabase }, http.StatusInternalServerError, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.UserLoader = tc.loader
			app := newTestApp(t, cfg, func(r *gin.Engine) {
				r.GET("/", LoginRequired(OnUnauthorized(func(c *gin.Context) { c.String(http.StatusOK, "anonymous") })), whoami)
			})
			cl := newClient(t).withSession(t, map[string]any{KeyUserID: "deleted", KeyFresh: true})
			res := cl.do(t, app, "GET", "/")
			if res.Status != tc.status || res.Body != tc.body {
				t.Errorf("%d %q, want %d %q", res.Status, res.Body, tc.status, tc.body)
			}
		})
	}
}

// "_id" uses gin's c.ClientIP(): equal to Flask-Login's identifier
// without a forged header, and not fooled by one the engine does not
// trust.
func TestIdentifierClientIP(t *testing.T) {
	var got string
	r := gin.New()
	if err := r.SetTrustedProxies([]string{"10.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	m, err := newManager(testConfig(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	sc := flasksession.DefaultConfig()
	sc.SecretKey = []byte(testKey)
	r.Use(flasksession.New(sc), m.handle)
	r.GET("/", func(c *gin.Context) { got = from(c).identifier() })
	for _, tc := range []struct {
		name, peer, xff string
		want            func(req *http.Request) string
	}{
		{"no header", "192.0.2.1:1234", "", SessionIdentifier},
		{"through the trusted proxy", "10.0.0.1:1234", "198.51.100.7", SessionIdentifier},
		{"forged from a client", "192.0.2.1:1234", "198.51.100.7", func(req *http.Request) string { return identifierFor("192.0.2.1", true, req) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", "/", nil)
			req.RemoteAddr = tc.peer
			req.Header.Set("User-Agent", "ua")
			if tc.xff != "" {
				req.Header.Set("X-Forwarded-For", tc.xff)
			}
			r.ServeHTTP(httptest.NewRecorder(), req)
			if want := tc.want(req); got != want {
				t.Errorf("identifier %s, want %s", got, want)
			}
		})
	}
	if SessionIdentifier(&http.Request{RemoteAddr: "192.0.2.1:1", Header: http.Header{"X-Forwarded-For": {"198.51.100.7"}}}) == identifierFor("192.0.2.1", true, &http.Request{Header: http.Header{}}) {
		t.Errorf("Flask-Login's identifier should follow the forged header (the reason for using ClientIP)")
	}
}

// storeID is the session ID in a server-side session cookie.
func storeID(t *testing.T, cookie string) string {
	t.Helper()
	return strings.TrimSuffix(webtest.SignedID(t, []byte(testKey), cookie), ":p")
}

// Without a LoginView, an anonymous request gets Werkzeug's 401 page and
// one log line names the Config field to set.
func TestMissingLoginView(t *testing.T) {
	var log strings.Builder
	old := gin.DefaultErrorWriter
	gin.DefaultErrorWriter = &log
	defer func() { gin.DefaultErrorWriter = old }()
	missingViewLogged.Delete("LoginView")
	cfg := testConfig()
	cfg.LoginView = ""
	app := newTestApp(t, cfg, func(r *gin.Engine) { r.GET("/private", LoginRequired(), whoami) })
	for range 2 {
		res := newClient(t).do(t, app, "GET", "/private")
		if res.Status != http.StatusUnauthorized || !strings.Contains(res.Body, "<title>401 Unauthorized</title>") ||
			res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("%d %q %q", res.Status, res.Header.Get("Content-Type"), res.Body)
		}
	}
	if n := strings.Count(log.String(), "no Config.LoginView"); n != 1 {
		t.Errorf("log %q: want one line naming Config.LoginView", log.String())
	}
}

// A LoginView on another host gets an absolute next only from
// Config.SiteURL, never from the Host header the client sent.
func TestLoginRedirectSiteURL(t *testing.T) {
	for _, tc := range []struct{ site, want string }{
		{"", "https://auth.example/login?next=%2Fprivate"},
		{"https://app.example", "https://auth.example/login?next=https%3A%2F%2Fapp.example%2Fprivate"},
	} {
		cfg := testConfig()
		cfg.LoginView, cfg.SiteURL = "https://auth.example/login", tc.site
		app := newTestApp(t, cfg, func(r *gin.Engine) { r.GET("/private", LoginRequired(), whoami) })
		cl := newClient(t)
		req := cl.request(app, "GET", "/private")
		req.Host = "evil.example"
		if got := cl.Send(req).Location(); got != tc.want {
			t.Errorf("SiteURL %q: Location %q, want %q", tc.site, got, tc.want)
		}
	}
}
