package flasksession

// Regression tests from a review of the middleware: each pinned a defect,
// now fixed.

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/flaskcookie"
	gsessions "github.com/gorilla/sessions"
)

func serveOnce(t *testing.T, r *gin.Engine, cookie string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	return w
}

// Session.Decode(key, nil) must return an error, not panic: convert
// rejects the nil dst, then building the TypeError calls
// reflect.TypeOf(nil).String().
func TestDecodeNilDstIsAnError(t *testing.T) {
	r := gin.New()
	r.Use(New(Config{SecretKey: testSecret}))
	var err error
	var panicked any
	r.GET("/", func(c *gin.Context) {
		s := Get(c)
		s.Set("k", map[string]any{"a": 1})
		func() {
			defer func() { panicked = recover() }()
			err = s.Decode("k", nil)
		}()
	})
	serveOnce(t, r, "")
	if panicked != nil {
		t.Fatalf("Decode(key, nil) panicked: %v", panicked)
	}
	if err == nil {
		t.Fatal("Decode(key, nil) returned nil")
	}
}

// A second Save after a failed one returns nil although nothing was saved.
func TestSaveAgainAfterFailedSaveKeepsTheError(t *testing.T) {
	r := gin.New()
	r.Use(New(Config{SecretKey: testSecret, MaxCookieSize: 100}))
	var first, second error
	r.GET("/", func(c *gin.Context) {
		s := Get(c)
		s.Set("big", strings.Repeat("x", 500))
		first = s.Save()
		second = s.Save()
	})
	w := serveOnce(t, r, "")
	if !errors.Is(first, ErrCookieTooLarge) {
		t.Fatalf("first Save = %v, want ErrCookieTooLarge", first)
	}
	if len(w.Result().Cookies()) != 0 {
		t.Fatalf("a cookie was sent")
	}
	if second == nil {
		t.Errorf("second Save = nil, but the session was not saved")
	}
}

// noCookieStore is a gin-contrib store whose Save writes no cookie.
type noCookieStore struct{}

func (noCookieStore) Get(r *http.Request, name string) (*gsessions.Session, error) {
	return gsessions.NewSession(noCookieStore{}, name), nil
}
func (noCookieStore) New(r *http.Request, name string) (*gsessions.Session, error) {
	return gsessions.NewSession(noCookieStore{}, name), nil
}
func (noCookieStore) Save(*http.Request, http.ResponseWriter, *gsessions.Session) error { return nil }
func (noCookieStore) Options(sessions.Options)                                          {}

// A store that saves no cookie is a store problem, yet it is reported as
// ErrUnserializable ("session value cannot be stored") and not ErrStore.
func TestStoreWithoutCookieIsAStoreError(t *testing.T) {
	r := gin.New()
	r.Use(New(Config{Store: noCookieStore{}}))
	var err error
	r.GET("/", func(c *gin.Context) {
		s := Get(c)
		s.Set("a", 1)
		err = s.Save()
	})
	serveOnce(t, r, "")
	if err == nil {
		t.Fatal("Save = nil")
	}
	if errors.Is(err, ErrUnserializable) {
		t.Errorf("Save = %q matches ErrUnserializable; the values were fine", err)
	}
	if !errors.Is(err, ErrStore) {
		t.Errorf("Save = %q does not match ErrStore", err)
	}
}

// CookiePartitioned adds Secure but not Partitioned to CookieStore cookies.
func TestCookieStorePartitioned(t *testing.T) {
	st, err := NewCookieStore(Config{SecretKey: testSecret, CookiePartitioned: true, CookieSameSite: http.SameSiteNoneMode})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	sess, _ := st.New(req, "session")
	sess.Values["a"] = 1
	w := httptest.NewRecorder()
	if err := st.Save(req, w, sess); err != nil {
		t.Fatal(err)
	}
	sc := w.Header().Get("Set-Cookie")
	if !strings.Contains(sc, "Partitioned") {
		t.Errorf("Set-Cookie %q lacks Partitioned", sc)
	}
}

// Werkzeug >= 2.3 drops a :port from SESSION_COOKIE_DOMAIN; we send it,
// and browsers then reject the cookie (the session never sticks).
func TestCookieDomainDropsPortAndDots(t *testing.T) {
	cfg := Config{SecretKey: testSecret, CookieDomain: "example.com:8080"}
	if err := cfg.Validate(); err != nil {
		return // refusing it loudly is also fine
	}
	r := gin.New()
	r.Use(New(cfg))
	r.GET("/", func(c *gin.Context) { Get(c).Set("a", 1) })
	sc := serveOnce(t, r, "").Header().Get("Set-Cookie")
	if strings.Contains(sc, "Domain=example.com:8080") {
		t.Errorf("Set-Cookie %q keeps the port; Werkzeug sends Domain=example.com", sc)
	}
}

// An empty Vary value set by a handler yields "Vary: , Cookie".
func TestVaryIgnoresEmptyValues(t *testing.T) {
	r := gin.New()
	r.Use(New(Config{SecretKey: testSecret}))
	r.GET("/", func(c *gin.Context) {
		c.Writer.Header()["Vary"] = []string{""}
		Get(c).Get("a")
	})
	if v := serveOnce(t, r, "").Header().Values("Vary"); len(v) != 1 || v[0] != "Cookie" {
		t.Errorf("Vary = %q, want [Cookie]", v)
	}
}

// Werkzeug takes the first cookie called "session" even when it has no
// '=' (value ""), so Flask gives an empty session here; readCookie skips
// it and loads the second.
func TestReadCookieBareNameFirst(t *testing.T) {
	codec, _ := flaskcookie.New(flaskcookie.Options{SecretKey: testSecret})
	good, _ := codec.Encode(map[string]any{"a": 1})
	v, ok := readCookie(http.Header{"Cookie": {"session; session=" + good}}, "session")
	if ok && v != "" {
		t.Errorf("readCookie = %q, want the first occurrence (empty), as Werkzeug", v)
	}
}

// Registering the middleware twice (engine and group) makes the outer
// copy refresh a permanent session from the request's cookie after the
// inner copy saved the change; the stale cookie comes last and wins.
func TestRegisteredTwiceOneSessionOneCookie(t *testing.T) {
	cfg := Config{SecretKey: testSecret}
	codec, _ := flaskcookie.New(flaskcookie.Options{SecretKey: testSecret})
	old, _ := codec.EncodeAt(map[string]any{PermanentKey: true, "n": 1}, time.Now())
	r := gin.New()
	r.Use(New(cfg))
	g := r.Group("/", New(cfg))
	g.GET("/", func(c *gin.Context) { Get(c).Set("n", 2); c.String(200, "ok") })
	cookies := serveOnce(t, r, "session="+old).Result().Cookies()
	if len(cookies) == 0 {
		t.Fatal("no cookie")
	}
	last := cookies[len(cookies)-1]
	got, err := codec.Decode(last.Value)
	if err != nil {
		t.Fatal(err)
	}
	if got["n"] != 2 {
		t.Errorf("%d Set-Cookie headers; the last (which the browser keeps) has n=%v, want 2", len(cookies), got["n"])
	}
}

// flakyStore fails its first New (a Redis timeout, say), then works.
type flakyStore struct {
	noCookieStore
	fails int
}

func (s *flakyStore) New(r *http.Request, name string) (*gsessions.Session, error) {
	gs := gsessions.NewSession(s, name)
	if s.fails > 0 {
		s.fails--
		return gs, errors.New("i/o timeout")
	}
	return gs, nil
}
func (s *flakyStore) Save(_ *http.Request, w http.ResponseWriter, gs *gsessions.Session) error {
	if gs.ID == "" {
		gs.ID = "new-id"
	}
	http.SetCookie(w, &http.Cookie{Name: gs.Name(), Value: gs.ID})
	return nil
}

// A store that fails on load, with no ErrorHandler set, leaves no trace in
// c.Errors; a handler that then writes anything (a flash, a counter)
// replaces the client's session ID: the user is logged out by a blip.
func TestStoreLoadFailureKeepsTheClientSession(t *testing.T) {
	r := gin.New()
	r.Use(New(Config{Store: &flakyStore{fails: 1}}))
	var ginErrs int
	r.GET("/", func(c *gin.Context) {
		Flash(c, "hello")
		c.String(200, "ok")
		ginErrs = len(c.Errors)
	})
	w := serveOnce(t, r, "session=old-id")
	if ginErrs == 0 {
		t.Errorf("store load failure: nothing in c.Errors (ErrorHandler is the only place it goes)")
	}
	if sc := w.Header().Get("Set-Cookie"); strings.HasPrefix(sc, "session=new-id") {
		t.Errorf("after a failed load the client's session was replaced: %q", sc)
	}
}
