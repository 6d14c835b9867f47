package flasksession

// Test-only helpers shared by the HTTP-level tests: a Gin app behind a real
// httptest.Server, a client that carries cookies by hand (so tests see
// every Set-Cookie byte), a fake clock and error recorders.

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/flaskcookie"
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

// testClient carries cookies between requests by hand: a Set-Cookie with
// a value stores it, one with Max-Age=0 or an empty value removes it.
// Expires is ignored, so fake clocks in the past do not matter.
type testClient struct {
	t       testing.TB
	app     *testApp
	hc      *http.Client
	cookies map[string]string
	order   []string
}

func (a *testApp) client() *testClient {
	return &testClient{
		t:       a.t,
		app:     a,
		hc:      &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		cookies: map[string]string{},
	}
}

// testResp is a finished response.
type testResp struct {
	Status int
	Header http.Header
	Body   string
}

// setCookies returns the raw Set-Cookie header values for name.
func (r *testResp) setCookies(name string) []string {
	var out []string
	for _, v := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, name+"=") {
			out = append(out, v)
		}
	}
	return out
}

// cookie returns the only Set-Cookie for name, failing if there are
// several; ok is false when there is none.
func (r *testResp) cookie(t testing.TB, name string) (raw string, ok bool) {
	t.Helper()
	cs := r.setCookies(name)
	switch len(cs) {
	case 0:
		return "", false
	case 1:
		return cs[0], true
	}
	t.Fatalf("%d Set-Cookie headers for %q: %q", len(cs), name, cs)
	return "", false
}

// cookieValue returns the value of the only Set-Cookie for name.
func (r *testResp) cookieValue(t testing.TB, name string) string {
	t.Helper()
	raw, ok := r.cookie(t, name)
	if !ok {
		t.Fatalf("no Set-Cookie for %q; headers: %v", name, r.Header)
	}
	c, err := http.ParseSetCookie(raw)
	if err != nil {
		t.Fatalf("bad Set-Cookie %q: %v", raw, err)
	}
	return c.Value
}

// isDeletion reports whether a raw Set-Cookie removes the cookie.
func isDeletion(raw string) bool {
	c, err := http.ParseSetCookie(raw)
	return err == nil && (c.Value == "" || c.MaxAge < 0)
}

// vary returns the Vary header values.
func (r *testResp) vary() []string { return r.Header.Values("Vary") }

func (tc *testClient) get(path string) *testResp { return tc.do(http.MethodGet, path, nil) }

func (tc *testClient) post(path string) *testResp { return tc.do(http.MethodPost, path, nil) }

// do sends one request with the client's cookies and stores the cookies
// the response sets. hdr adds request headers.
func (tc *testClient) do(method, path string, hdr http.Header) *testResp {
	tc.t.Helper()
	req, err := http.NewRequest(method, tc.app.url()+path, nil)
	if err != nil {
		tc.t.Fatalf("%s %s: %v", method, path, err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	if ch := tc.cookieHeader(); ch != "" && req.Header.Get("Cookie") == "" {
		req.Header.Set("Cookie", ch)
	}
	resp, err := tc.hc.Do(req)
	if err != nil {
		tc.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tc.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	tc.store(resp.Header)
	return &testResp{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
}

func (tc *testClient) store(h http.Header) {
	for _, raw := range h.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(raw)
		if err != nil {
			tc.t.Fatalf("bad Set-Cookie %q: %v", raw, err)
		}
		if c.Value == "" || c.MaxAge < 0 {
			tc.setCookie(c.Name, "")
		} else {
			tc.setCookie(c.Name, c.Value)
		}
	}
}

// setCookie sets (or with "" removes) a cookie the client sends.
func (tc *testClient) setCookie(name, value string) {
	if value == "" {
		delete(tc.cookies, name)
		return
	}
	if _, ok := tc.cookies[name]; !ok {
		tc.order = append(tc.order, name)
	}
	tc.cookies[name] = value
}

func (tc *testClient) cookieHeader() string {
	var parts []string
	for _, n := range tc.order {
		if v, ok := tc.cookies[n]; ok {
			parts = append(parts, n+"="+v)
		}
	}
	return strings.Join(parts, "; ")
}

// sessionValue is the session cookie value the client holds.
func (tc *testClient) sessionValue() string { return tc.cookies[DefaultCookieName] }

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
