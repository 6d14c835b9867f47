package flasklogin

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
)

// The key rules are the session middleware's: at least
// flasksession.MinSecretKeyLen bytes unless AllowWeakSecretKey; and, with
// one key, an empty key is valid (the session middleware's).
func TestKeyRules(t *testing.T) {
	short := []byte("fifteen bytes!!")
	if len(short) != flasksession.MinSecretKeyLen-1 {
		t.Fatalf("short key of %d bytes", len(short))
	}
	for _, tc := range []struct {
		name string
		key  []byte
		weak bool
		want error
	}{
		{"no key: the session's", nil, false, nil},
		{"16 bytes", []byte("sixteen bytes!!!"), false, nil},
		{"15 bytes", short, false, ErrWeakSecretKey},
		{"1 byte", []byte("k"), false, ErrWeakSecretKey},
		{"15 bytes allowed", short, true, nil},
		{"1 byte allowed", []byte("k"), true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.SecretKey, cfg.AllowWeakSecretKey = tc.key, tc.weak
			err := cfg.Validate()
			if err != tc.want {
				t.Fatalf("Validate: %v, want %v", err, tc.want)
			}
			p := panicOf(func() { New(cfg) })
			if tc.want == nil && p != nil || tc.want != nil && p != tc.want {
				t.Errorf("New panicked with %#v, want %v", p, tc.want)
			}
		})
	}
	if got, want := ErrWeakSecretKey.Error(), "flasklogin: Config.SecretKey is shorter than 16 bytes"; got != want {
		t.Errorf("ErrWeakSecretKey %q, want %q", got, want)
	}
}

func TestSiteURL(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"", true},
		{"https://app.example.com", true},
		{"http://localhost:8080", true},
		{"http://127.0.0.1:5000", true},
		{"https://[::1]:8443", true},
		{"HTTPS://App.Example.com", true},
		{"https://app.example.com/", false},
		{"https://app.example.com/app", false},
		{"https://app.example.com?x=1", false},
		{"https://app.example.com?", false},
		{"https://app.example.com#top", false},
		{"https://app.example.com#", false},
		{"https://user@app.example.com", false},
		{"https://app.example.com:", false},
		{"https://app.example.com:https", false},
		{"app.example.com", false},
		{"//app.example.com", false},
		{"ftp://app.example.com", false},
		{"https://", false},
		{"https:app.example.com", false},
	} {
		cfg := testConfig()
		cfg.SiteURL = tc.url
		err := cfg.Validate()
		if tc.ok {
			if err != nil {
				t.Errorf("%q: %v, want valid", tc.url, err)
			}
			continue
		}
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != "SiteURL" || !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%q: %v, want a *ConfigError for SiteURL", tc.url, err)
			continue
		}
		if want := "flasklogin: invalid Config.SiteURL: want scheme://host[:port] with http or https and no path"; err.Error() != want {
			t.Errorf("%q: %q, want %q", tc.url, err, want)
		}
	}
}

// ConfigError has the root package's shape: Field, Msg, Err.
func TestConfigErrorShape(t *testing.T) {
	cfg := testConfig()
	cfg.RememberCookieDuration = -time.Second
	err := cfg.Validate()
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Field != "RememberCookieDuration" || ce.Msg != "negative" || ce.Err != nil {
		t.Fatalf("Validate: %#v", err)
	}
	if got, want := err.Error(), "flasklogin: invalid Config.RememberCookieDuration: negative"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, ErrInvalidConfig) || errors.Unwrap(err) != nil {
		t.Error("Is(ErrInvalidConfig), Unwrap() = nil")
	}
	inner := errors.New("inner")
	if e := (&ConfigError{Field: "X", Msg: "m", Err: inner}); !errors.Is(e, inner) || errors.Unwrap(e) != inner {
		t.Error("a ConfigError's Err is what it unwraps to")
	}
	for _, e := range []error{ErrNoSecretKey, ErrWeakSecretKey, ErrKeyMismatch, ErrNoUserLoader,
		ErrInvalidConfig, ErrNoLoginMiddleware, ErrNoSession} {
		if !strings.HasPrefix(e.Error(), "flasklogin: ") {
			t.Errorf("%q lacks the package prefix", e)
		}
		if strings.Contains(e.Error(), "Manager") {
			t.Errorf("%q speaks of a Manager, which the docs never name", e)
		}
	}
	if ErrNoManager != ErrNoLoginMiddleware {
		t.Error("ErrNoManager is not ErrNoLoginMiddleware")
	}
}

// oneKeyLoginApp has the session middleware of sess and the login middleware
// h: POST /login logs alice in with "remember me", GET / answers who is
// logged in.
func oneKeyLoginApp(sess flasksession.Config, h gin.HandlerFunc) *gin.Engine {
	r := gin.New()
	r.Use(flasksession.New(sess), h)
	r.POST("/login", func(c *gin.Context) {
		LoginUser(c, testUser{id: "alice"}, Remember(true))
		c.String(http.StatusOK, "ok")
	})
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "%s", CurrentUser(c).ID()) })
	return r
}

// issuedRememberCookie logs in on app and returns the remember cookie's value.
func issuedRememberCookie(t *testing.T, app http.Handler) string {
	t.Helper()
	w := httptest.NewRecorder()
	app.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/login", nil))
	for _, c := range w.Result().Cookies() {
		if c.Name == DefaultRememberCookieName {
			return c.Value
		}
	}
	t.Fatalf("no remember cookie: %d %v", w.Code, w.Result().Header)
	return ""
}

// restoredFrom answers GET / with only a remember cookie.
func restoredFrom(app http.Handler, remember string) string {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: DefaultRememberCookieName, Value: remember})
	w := httptest.NewRecorder()
	app.ServeHTTP(w, req)
	return w.Body.String()
}

// An empty key is the session middleware's: the remember cookie is signed
// with it, and read back with it.
func TestOneKeyRememberCookie(t *testing.T) {
	sessKey := []byte("flasklogin tests: the program's one key")
	other := []byte("flasklogin tests: a key of another program")
	for _, tc := range []struct {
		name string
		sess flasksession.Config
		key  []byte
	}{
		{"session key", flasksession.Config{SecretKey: sessKey}, sessKey},
		{"session key, fallbacks ignored", flasksession.Config{SecretKey: sessKey, SecretKeyFallbacks: [][]byte{other}}, sessKey},
		{"weak session key", flasksession.Config{SecretKey: []byte("dev"), AllowWeakSecretKey: true}, []byte("dev")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := oneKeyLoginApp(tc.sess, New(Config{UserLoader: testLoader}))
			v := issuedRememberCookie(t, app)
			if id, err := NewRememberCodec(tc.key).Decode(v); err != nil || id != "alice" {
				t.Errorf("remember cookie %q under the session key: %q, %v", v, id, err)
			}
			if _, err := NewRememberCodec([]byte(testKey)).Decode(v); err == nil {
				t.Errorf("remember cookie %q verifies under another key", v)
			}
			if got := restoredFrom(app, NewRememberCodec(tc.key).Encode("bob")); got != "bob" {
				t.Errorf("a cookie signed with the session key restores %q, want bob", got)
			}
			// Flask-Login has no fallback keys: nor does the remember cookie.
			if got := restoredFrom(app, NewRememberCodec(other).Encode("bob")); got != "" {
				t.Errorf("a cookie signed with a fallback restores %q", got)
			}
		})
	}
}

// The codec for the session's key is made once per key, not per request;
// a given key is used as it is.
func TestKeyCached(t *testing.T) {
	seen := func(t *testing.T, m *manager, key string) *manager {
		t.Helper()
		var got *manager
		r := gin.New()
		r.Use(flasksession.New(flasksession.Config{SecretKey: []byte(key)}), m.handle)
		r.GET("/", func(c *gin.Context) { got = from(c).m })
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
		if got == nil || got.codec == nil || string(got.cfg.SecretKey) != key {
			t.Fatalf("manager %+v for key %q", got, key)
		}
		return got
	}
	const a, b = "flasklogin tests: session key A", "flasklogin tests: session key B"
	m, err := newManager(Config{UserLoader: testLoader}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	ma := seen(t, m, a)
	mb := seen(t, m, b)
	if ma == m || ma == mb {
		t.Fatal("one manager for two keys")
	}
	if seen(t, m, a) != ma || seen(t, m, b) != mb {
		t.Error("a key's manager was made again")
	}
	if v := ma.codec.Encode("alice"); v != NewRememberCodec([]byte(a)).Encode("alice") {
		t.Errorf("key A's codec signs %q", v)
	}

	given, err := newManager(testConfig(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if seen(t, given, testKey) != given {
		t.Error("a given key is not used as it is")
	}
}

// panicOf runs f and returns what it panicked with.
func panicOf(f func()) (p any) {
	defer func() { p = recover() }()
	f()
	return nil
}
