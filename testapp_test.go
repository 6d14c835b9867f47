package flasksession

// Test-only helpers shared by the HTTP-level tests: a Gin app behind a real
// httptest.Server, a webtest client that carries cookies by hand (so
// tests see every Set-Cookie byte), a fake clock and error recorders.

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/flaskcookie"
	"github.com/ginflask/flasksession/internal/webtest"
)

func init() { gin.SetMode(gin.TestMode) }

// testSecret is the key most tests use; it is long enough for Validate.
var testSecret = []byte("flasksession test secret key, 32b")

// fakeClock is a settable clock for newMiddleware.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// errLog collects errors from several goroutines.
type errLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errLog) add(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *errLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

func (l *errLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = nil
}

// count returns how many logged errors match target.
func (l *errLog) count(target error) int {
	n := 0
	for _, e := range l.all() {
		if errors.Is(e, target) {
			n++
		}
	}
	return n
}

// box hands a value from a handler to the test goroutine.
type box[T any] struct {
	mu sync.Mutex
	v  T
}

func (b *box[T]) put(v T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.v = v
}

func (b *box[T]) get() T {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.v
}

// testApp is a Gin engine with the session middleware, served by a real
// httptest.Server that starts on the first request. Routes are added on
// the embedded engine before that.
type testApp struct {
	*gin.Engine
	t       testing.TB
	cfg     Config
	hooked  *errLog // what Config.ErrorHandler saw
	ginErrs *errLog // what c.Errors held after the middleware returned
	once    sync.Once
	srv     *httptest.Server
}

type appOption func(*appSetup)

type appSetup struct {
	clock  *fakeClock
	before []gin.HandlerFunc // middleware registered before the session middleware
}

// withClock runs the middleware on a fake clock (newMiddleware).
func withClock(c *fakeClock) appOption { return func(s *appSetup) { s.clock = c } }

// withBefore registers middleware ahead of the session middleware.
func withBefore(h ...gin.HandlerFunc) appOption {
	return func(s *appSetup) { s.before = append(s.before, h...) }
}

func newTestApp(t testing.TB, cfg Config, opts ...appOption) *testApp {
	t.Helper()
	var setup appSetup
	for _, o := range opts {
		o(&setup)
	}
	if cfg.SecretKey == nil {
		cfg.SecretKey = testSecret
	}
	a := &testApp{Engine: gin.New(), t: t, hooked: &errLog{}, ginErrs: &errLog{}}
	user := cfg.ErrorHandler
	cfg.ErrorHandler = func(c *gin.Context, err error) {
		a.hooked.add(err)
		if user != nil {
			user(c, err)
		}
	}
	a.cfg = cfg
	// Outermost: record c.Errors once the session middleware is done.
	a.Use(func(c *gin.Context) {
		c.Next()
		for _, e := range c.Errors {
			a.ginErrs.add(e.Err)
		}
	})
	a.Use(setup.before...)
	if setup.clock != nil {
		m, err := newMiddleware(cfg, setup.clock.Now)
		if err != nil {
			t.Fatalf("newMiddleware: %v", err)
		}
		a.Use(m.handle)
	} else {
		a.Use(New(cfg))
	}
	return a
}

func (a *testApp) url() string {
	a.once.Do(func() {
		a.srv = httptest.NewServer(a.Engine)
		a.t.Cleanup(a.srv.Close)
	})
	return a.srv.URL
}

// codec decodes cookies of this app without an age check.
func (a *testApp) codec() *flaskcookie.Codec {
	a.t.Helper()
	c, err := flaskcookie.New(flaskcookie.Config{SecretKey: a.cfg.SecretKey, SecretKeyFallbacks: a.cfg.SecretKeyFallbacks, MaxAge: -1})
	if err != nil {
		a.t.Fatalf("flaskcookie.New: %v", err)
	}
	return c
}

// decode verifies a cookie value of this app and returns its session.
func (a *testApp) decode(value string) map[string]any {
	a.t.Helper()
	m, err := a.codec().Decode(value)
	if err != nil {
		a.t.Fatalf("cookie %q does not decode: %v", value, err)
	}
	return m
}

// testClient is one browser on the app, a webtest.Client (cookies kept
// by hand as the app wrote them) whose targets are paths on the app's
// server.
type testClient struct {
	*webtest.Client
	app *testApp
}

// testResp is a finished response.
type testResp = webtest.Response

func (a *testApp) client() *testClient {
	return &testClient{Client: webtest.NewHTTP(a.t), app: a}
}

func (tc *testClient) get(path string) *testResp { return tc.do(http.MethodGet, path, nil) }

func (tc *testClient) post(path string) *testResp { return tc.do(http.MethodPost, path, nil) }

// do sends one request to the app with the client's cookies and keeps
// the cookies the response sets; each must parse. hdr adds request
// headers; its Cookie, if any, replaces the client's.
func (tc *testClient) do(method, path string, hdr http.Header) *testResp {
	tc.app.t.Helper()
	r := tc.Do(method, tc.app.url()+path, nil, hdr)
	for _, raw := range r.Header.Values("Set-Cookie") {
		if _, err := http.ParseSetCookie(raw); err != nil {
			tc.app.t.Fatalf("bad Set-Cookie %q: %v", raw, err)
		}
	}
	return r
}

// sessionValue is the session cookie value the client holds.
func (tc *testClient) sessionValue() string { return tc.Cookie(DefaultCookieName) }

// sessionDump returns a handler that records the request's session in b
// (key -> value) and answers with the number of keys.
func sessionDump(b *box[map[string]any]) gin.HandlerFunc {
	return func(c *gin.Context) {
		s := Get(c)
		m := map[string]any{}
		for _, k := range s.Keys() {
			v, _ := s.Get(k)
			m[k] = v
		}
		b.put(m)
		c.String(http.StatusOK, "%d", len(m))
	}
}
