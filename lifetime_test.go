package flasksession

// Table tests of the pure rules of lifetime.go and cookie.go, then the
// same rules at the HTTP level on a fake clock.

import (
	"errors"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/itsdangerous"
)

func TestDecideCookie(t *testing.T) {
	// Flask's save_session: every combination.
	tests := []struct {
		empty, modified, permanent, refresh bool
		want                                cookieAction
	}{
		{true, false, false, false, actionNone},
		{true, false, false, true, actionNone},
		{true, false, true, false, actionNone},
		{true, false, true, true, actionNone},
		{true, true, false, false, actionDelete},
		{true, true, false, true, actionDelete},
		{true, true, true, false, actionDelete},
		{true, true, true, true, actionDelete},
		{false, false, false, false, actionNone},
		{false, false, false, true, actionNone},
		{false, false, true, false, actionNone},
		{false, false, true, true, actionSet},
		{false, true, false, false, actionSet},
		{false, true, false, true, actionSet},
		{false, true, true, false, actionSet},
		{false, true, true, true, actionSet},
	}
	for _, tt := range tests {
		if got := decideCookie(tt.empty, tt.modified, tt.permanent, tt.refresh); got != tt.want {
			t.Errorf("decideCookie(empty=%v, modified=%v, permanent=%v, refresh=%v) = %v, want %v",
				tt.empty, tt.modified, tt.permanent, tt.refresh, got, tt.want)
		}
	}
}

func TestExpiresAt(t *testing.T) {
	base := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)
	zone := time.FixedZone("UTC+5", 5*3600)
	tests := []struct {
		name      string
		permanent bool
		now       time.Time
		lifetime  time.Duration
		want      time.Time
	}{
		{"not permanent", false, base, DefaultPermanentLifetime, time.Time{}},
		{"31 days", true, base, DefaultPermanentLifetime, time.Date(2023, 12, 15, 22, 13, 20, 0, time.UTC)},
		{"fraction dropped", true, base.Add(999 * time.Millisecond), time.Hour, base.Add(time.Hour)},
		{"42 s", true, base, 42 * time.Second, base.Add(42 * time.Second)},
		{"other zone gives UTC", true, base.In(zone), time.Hour, base.Add(time.Hour)},
	}
	for _, tt := range tests {
		got := expiresAt(tt.permanent, tt.now, tt.lifetime)
		if !got.Equal(tt.want) || (!got.IsZero() && got.Location() != time.UTC) {
			t.Errorf("%s: expiresAt = %v, want %v in UTC", tt.name, got, tt.want)
		}
	}
}

func TestCookieFormat(t *testing.T) {
	exp := time.Date(2023, 12, 15, 22, 13, 20, 0, time.UTC)
	tests := []struct {
		name     string
		cfg      Config
		set      string // with Expires exp, value V
		deletion string
	}{
		{"defaults", Config{},
			"session=V; Expires=Fri, 15 Dec 2023 22:13:20 GMT; HttpOnly; Path=/; SameSite=Lax",
			"session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/; SameSite=Lax"},
		{"Flask's defaults (no SameSite)", Config{CookieSameSite: http.SameSiteDefaultMode},
			"session=V; Expires=Fri, 15 Dec 2023 22:13:20 GMT; HttpOnly; Path=/",
			"session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/"},
		{"spec 3.7 example", Config{CookieDomain: "example.com", CookiePath: "/x", CookieSecure: true, CookieSameSite: http.SameSiteStrictMode},
			"session=V; Domain=example.com; Expires=Fri, 15 Dec 2023 22:13:20 GMT; Secure; HttpOnly; Path=/x; SameSite=Strict",
			"session=; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Secure; HttpOnly; Path=/x; SameSite=Strict"},
		{"leading dot dropped, partitioned forces Secure", Config{CookieName: "sid", CookieDomain: ".example.com", CookiePartitioned: true, DisableHTTPOnly: true, CookieSameSite: http.SameSiteNoneMode},
			"sid=V; Domain=example.com; Expires=Fri, 15 Dec 2023 22:13:20 GMT; Secure; Path=/; SameSite=None; Partitioned",
			"sid=; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Secure; Path=/; SameSite=None; Partitioned"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.SecretKey = testSecret
			m, err := newMiddleware(cfg, time.Now) // applies the defaults
			if err != nil {
				t.Fatal(err)
			}
			f := m.format
			got := string(f.appendAttrs(append([]byte(f.name), 'V'), exp))
			if got != tt.set {
				t.Errorf("set:\n got %q\nwant %q", got, tt.set)
			}
			noExp := string(f.appendAttrs(append([]byte(f.name), 'V'), time.Time{}))
			if want := strings.Replace(tt.set, "; Expires=Fri, 15 Dec 2023 22:13:20 GMT", "", 1); noExp != want {
				t.Errorf("browser-session cookie:\n got %q\nwant %q", noExp, want)
			}
			if d := f.deletion; d != tt.deletion {
				t.Errorf("deletion:\n got %q\nwant %q", d, tt.deletion)
			}
		})
	}
}

func TestReadCookie(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    string
		ok      bool
	}{
		{"none", nil, "", false},
		{"only", []string{"session=abc"}, "abc", true},
		{"among others", []string{"a=1; session=abc; b=2"}, "abc", true},
		{"first wins", []string{"session=first; session=second"}, "first", true},
		{"first header wins", []string{"session=first", "session=second"}, "first", true},
		{"second header", []string{"a=1", "session=abc"}, "abc", true},
		{"spaces trimmed", []string{"  session  =  abc  ;b=1"}, "abc", true},
		{"quoted", []string{`session="abc"`}, "abc", true},
		{"lone quote kept", []string{`session="abc`}, `"abc`, true},
		{"empty value", []string{"session="}, "", true},
		// Werkzeug: a bare name is that cookie with an empty value, and the first one wins.
		{"no =", []string{"session; session=abc"}, "", true},
		{"suffix name", []string{"xsession=abc"}, "", false},
		{"prefix name", []string{"session2=abc"}, "", false},
		{"value with =", []string{"session=a=b"}, "a=b", true},
		{"empty header", []string{""}, "", false},
		{"only semicolons", []string{";;;"}, "", false},
	}
	for _, tt := range tests {
		h := http.Header{}
		for _, v := range tt.headers {
			h.Add("Cookie", v)
		}
		got, ok := readCookie(h, "session")
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: readCookie(%q) = %q, %v; want %q, %v", tt.name, tt.headers, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAddVaryCookie(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"none", nil, []string{"Cookie"}},
		{"one other", []string{"Accept-Encoding"}, []string{"Accept-Encoding, Cookie"}},
		{"two others", []string{"Accept-Encoding, Accept-Language"}, []string{"Accept-Encoding, Accept-Language, Cookie"}},
		{"two headers merged", []string{"Accept-Encoding", "Accept-Language"}, []string{"Accept-Encoding, Accept-Language, Cookie"}},
		{"already there", []string{"Cookie"}, []string{"Cookie"}},
		{"already there, any case", []string{"accept-encoding, COOKIE"}, []string{"accept-encoding, COOKIE"}},
		{"already there, spaces", []string{"Origin,Cookie "}, []string{"Origin,Cookie "}},
		{"in a second header", []string{"Origin", "Cookie"}, []string{"Origin", "Cookie"}},
		{"star covers it", []string{"*"}, []string{"*"}},
		{"not a prefix match", []string{"Cookies"}, []string{"Cookies, Cookie"}},
	}
	for _, tt := range tests {
		h := http.Header{}
		for _, v := range tt.in {
			h.Add("Vary", v)
		}
		addVaryCookie(h)
		if got := h.Values("Vary"); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: Vary %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestTruthy(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want bool
	}{
		{nil, false}, {false, false}, {true, true}, {0, false}, {1, true}, {0.0, false}, {0.5, true},
		{"", false}, {"x", true}, {[]any{}, false}, {[]any{0}, true}, {map[string]any{}, false},
		{map[string]any{"a": 1}, true}, {Tuple{}, false}, {[]byte{}, false}, {int64(0), false},
		{uint(0), false}, {float32(0), false}, {big.NewInt(0), false}, {big.NewInt(7), true},
	} {
		if got := truthy(tt.v); got != tt.want {
			t.Errorf("truthy(%#v) = %v", tt.v, got)
		}
	}
}

// lifetimeApp serves /login (permanent unless ?temp), /touch (writes),
// /read, on a fake clock.
func lifetimeApp(t *testing.T, cfg Config, clock *fakeClock) (*testApp, *box[map[string]any]) {
	a := newTestApp(t, cfg, withClock(clock))
	a.GET("/login", func(c *gin.Context) {
		s := Get(c)
		s.Set("user", "alice")
		s.SetPermanent(c.Query("temp") == "")
		c.Status(http.StatusOK)
	})
	a.GET("/touch", func(c *gin.Context) {
		Get(c).Set("touched", true)
		c.Status(http.StatusOK)
	})
	var got box[map[string]any]
	a.GET("/read", sessionDump(&got))
	return a, &got
}

func expiresOf(t *testing.T, r *testResp) time.Time {
	t.Helper()
	raw, ok := r.cookie(t, "session")
	if !ok {
		t.Fatal("no Set-Cookie")
	}
	c, err := http.ParseSetCookie(raw)
	if err != nil {
		t.Fatal(err)
	}
	return c.Expires
}

// A permanent session slides: every response pushes Expires and the
// signature forward, so it lives as long as it is used.
func TestSlidingExpiry(t *testing.T) {
	start := time.Unix(1700000000, 0)
	clock := newFakeClock(start)
	a, got := lifetimeApp(t, Config{}, clock)
	cl := a.client()
	if e := expiresOf(t, cl.get("/login")); !e.Equal(start.Add(DefaultPermanentLifetime)) {
		t.Errorf("Expires %v", e)
	}
	for day := 1; day <= 3; day++ {
		clock.Add(30 * 24 * time.Hour)
		r := cl.get("/read")
		if got.get()["user"] != "alice" {
			t.Fatalf("after %d × 30 days: %v", day, got.get())
		}
		if e := expiresOf(t, r); !e.Equal(clock.Now().Add(DefaultPermanentLifetime)) {
			t.Errorf("refreshed Expires %v, want %v", e, clock.Now().Add(DefaultPermanentLifetime))
		}
	}
	// Unused for longer than the lifetime: gone, and the hook says why.
	clock.Add(DefaultPermanentLifetime + time.Second)
	cl.get("/read")
	if len(got.get()) != 0 {
		t.Errorf("idle past the lifetime: %v", got.get())
	}
	if a.hooked.count(itsdangerous.ErrSignatureExpired) != 1 {
		t.Errorf("ErrorHandler saw %v, want one expiry", a.hooked.all())
	}
}

// With refresh off, a permanent session expires a lifetime after its last
// change, however often it is read.
func TestFixedExpiry(t *testing.T) {
	start := time.Unix(1700000000, 0)
	clock := newFakeClock(start)
	a, got := lifetimeApp(t, Config{DisableRefreshEachRequest: true, PermanentLifetime: 10 * 24 * time.Hour}, clock)
	cl := a.client()
	cl.get("/login")
	for i := 0; i < 3; i++ {
		clock.Add(3 * 24 * time.Hour)
		if r := cl.get("/read"); len(r.setCookies("session")) != 0 {
			t.Errorf("read sent Set-Cookie with refresh off")
		}
	}
	// A change re-signs and moves the expiry.
	r := cl.get("/touch")
	if e := expiresOf(t, r); !e.Equal(clock.Now().Add(10 * 24 * time.Hour)) {
		t.Errorf("Expires %v after a change", e)
	}
	clock.Add(10 * 24 * time.Hour) // exactly the lifetime: still valid
	cl.get("/read")
	if got.get()["user"] != "alice" {
		t.Errorf("at exactly the lifetime: %v", got.get())
	}
	clock.Add(time.Second)
	cl.get("/read")
	if len(got.get()) != 0 {
		t.Errorf("one second past the lifetime: %v", got.get())
	}
}

// Non-permanent sessions have no Expires but the same server-side limit,
// as in Flask: an idle one dies after the lifetime.
func TestBrowserSessionMaxAge(t *testing.T) {
	clock := newFakeClock(time.Unix(1700000000, 0))
	a, got := lifetimeApp(t, Config{PermanentLifetime: time.Hour}, clock)
	cl := a.client()
	raw, _ := cl.get("/login?temp=1").cookie(t, "session")
	if strings.Contains(raw, "Expires") || strings.Contains(raw, "Max-Age") {
		t.Errorf("browser-session cookie %q has an expiry", raw)
	}
	clock.Add(time.Hour)
	if cl.get("/read"); got.get()["user"] != "alice" {
		t.Errorf("within the lifetime: %v", got.get())
	}
	clock.Add(time.Second)
	if cl.get("/read"); len(got.get()) != 0 {
		t.Errorf("past the lifetime: %v", got.get())
	}
}

// A cookie signed in the future (a clock skew between servers, or a
// forgery with the key) is refused, as itsdangerous does.
func TestFutureCookieRefused(t *testing.T) {
	clock := newFakeClock(time.Unix(1700000000, 0))
	a, got := lifetimeApp(t, Config{}, clock)
	cl := a.client()
	cl.get("/login")
	clock.Add(-time.Second)
	cl.get("/read")
	if len(got.get()) != 0 {
		t.Errorf("cookie from one second in the future: %v", got.get())
	}
	var ic *InvalidCookieError
	errs := a.hooked.all()
	if len(errs) != 1 || !errors.As(errs[0], &ic) || !errors.Is(errs[0], itsdangerous.ErrSignatureExpired) {
		t.Errorf("ErrorHandler saw %v", errs)
	}
}
