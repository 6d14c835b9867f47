package flasksession

// Table tests of the pure rules of lifetime.go and cookie.go, then the
// same rules at the HTTP level on a fake clock.

import (
	"errors"
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
	raw, ok := r.Cookie(t, "session")
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
		if r := cl.get("/read"); len(r.SetCookies("session")) != 0 {
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
	raw, _ := cl.get("/login?temp=1").Cookie(t, "session")
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

func TestRecordExpiry(t *testing.T) {
	now := time.Date(2031, 1, 2, 3, 4, 5, 600, time.UTC)
	cookie := time.Date(2031, 2, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range []struct {
		name    string
		expires time.Time
		want    time.Time
	}{
		{"browser session: a lifetime after the save, in whole seconds", time.Time{}, time.Date(2031, 1, 2, 4, 4, 5, 0, time.UTC)},
		{"permanent: with the cookie", cookie, cookie},
	} {
		if got := recordExpiry(now, tt.expires, time.Hour); !got.Equal(tt.want) {
			t.Errorf("%s: recordExpiry = %v, want %v", tt.name, got, tt.want)
		}
	}
}
