package flasksession

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// Expiry makes testStore an ExpiryReader.
func (s *testStore) Expiry(ctx context.Context, id string) (time.Time, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.begin(ctx, "Expiry"); err != nil {
		return time.Time{}, false, err
	}
	r, ok := s.live(id)
	return r.expiry, ok, nil
}

// expiry returns the expiry of the record under id.
func (s *testStore) expiry(id string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recs[id].expiry
}

// plainStore hides testStore's Expiry: a Store that cannot tell expiries.
type plainStore struct{ Store }

// indexApp serves logins as flasklogin makes them (a new ID, "_user_id")
// and the user index:
//
//	GET /signin?user=U[&permanent=1]  Regenerate, _user_id = U
//	GET /signout                      Regenerate, _user_id removed
//	GET /sessions?user=U              one line per session: handle created lastseen agent [current]
//	GET /end-all?user=U[&keep=1]      EndUserSessions
//	GET /end?user=U&h=H               EndUserSession
//	GET /me                           the _user_id
func indexApp(t *testing.T, store Store, clock *fakeClock) *testApp {
	t.Helper()
	a := newTestApp(t, Config{Store: store}, withClock(clock))
	a.GET("/signin", func(c *gin.Context) {
		s := Get(c)
		s.Regenerate()
		s.Set(loginKey, c.Query("user"))
		s.SetPermanent(c.Query("permanent") != "")
	})
	a.GET("/signout", func(c *gin.Context) {
		s := Get(c)
		s.Regenerate()
		s.Delete(loginKey)
	})
	a.GET("/sessions", func(c *gin.Context) {
		infos, err := UserSessions(c, c.Query("user"))
		if err != nil {
			c.String(http.StatusInternalServerError, "%v", err)
			return
		}
		var b strings.Builder
		for _, in := range infos {
			fmt.Fprintf(&b, "%s %d %d %s", in.Handle, in.Created.Unix(), in.LastSeen.Unix(), in.UserAgent)
			if in.Current {
				b.WriteString(" current")
			}
			b.WriteString("\n")
		}
		c.String(http.StatusOK, b.String())
	})
	a.GET("/end-all", func(c *gin.Context) {
		n, err := EndUserSessions(c, c.Query("user"), c.Query("keep") != "")
		if err != nil {
			c.String(http.StatusInternalServerError, "%v", err)
			return
		}
		c.String(http.StatusOK, "%d", n)
	})
	a.GET("/end", func(c *gin.Context) {
		if err := EndUserSession(c, c.Query("user"), c.Query("h")); err != nil {
			c.String(http.StatusNotFound, "%v", err)
		}
	})
	a.GET("/me", func(c *gin.Context) {
		u, _ := Get(c).GetString(loginKey)
		c.String(http.StatusOK, u)
	})
	return a
}

// device is a client with its own User-Agent.
type device struct {
	*testClient
	agent string
}

func (d device) get(path string) *testResp {
	return d.do(http.MethodGet, path, http.Header{"User-Agent": {d.agent}})
}

// sessionLines returns /sessions's lines for user, as seen by d.
func (d device) sessions(t *testing.T, user string) []string {
	t.Helper()
	r := d.get("/sessions?user=" + user)
	if r.Status != http.StatusOK {
		t.Fatalf("/sessions: %d %s", r.Status, r.Body)
	}
	return strings.Fields(strings.ReplaceAll(strings.TrimSpace(r.Body), "\n", " | "))
}

func TestUserSessions(t *testing.T) {
	t0 := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, tt := range []struct {
		name     string
		plain    bool // the store cannot tell expiries
		lastSeen bool
	}{
		{"ExpiryReader", false, true},
		{"plain Store", true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock(t0)
			ts := newTestStore()
			ts.setClock(clock.Now)
			var store Store = ts
			if tt.plain {
				store = plainStore{ts}
			}
			a := indexApp(t, store, clock)
			phone, laptop, other := device{a.client(), "phone"}, device{a.client(), "laptop"}, device{a.client(), "tablet"}
			phone.get("/signin?user=alice&permanent=1")
			clock.Add(time.Hour)
			laptop.get("/signin?user=alice")
			other.get("/signin?user=bob")
			clock.Add(time.Hour)
			phone.get("/me") // refreshes the permanent session: last seen now

			r := laptop.get("/sessions?user=alice")
			lines := strings.Split(strings.TrimSpace(r.Body), "\n")
			if len(lines) != 2 {
				t.Fatalf("alice's sessions:\n%s", r.Body)
			}
			// Newest first: the laptop's, the current one.
			var h [2]string
			var created, seen [2]int64
			var agent [2]string
			for i, l := range lines {
				if _, err := fmt.Sscanf(l, "%s %d %d %s", &h[i], &created[i], &seen[i], &agent[i]); err != nil {
					t.Fatalf("line %q: %v", l, err)
				}
			}
			if agent != [2]string{"laptop", "phone"} || !strings.HasSuffix(lines[0], " current") || strings.HasSuffix(lines[1], " current") {
				t.Errorf("sessions:\n%s\nwant the laptop's (current), then the phone's", r.Body)
			}
			if created != [2]int64{t0.Add(time.Hour).Unix(), t0.Unix()} {
				t.Errorf("created %v", created)
			}
			wantSeen := [2]int64{t0.Add(time.Hour).Unix(), t0.Add(2 * time.Hour).Unix()}
			if !tt.lastSeen {
				wantSeen = [2]int64{time.Time{}.Unix(), time.Time{}.Unix()}
			}
			if seen != wantSeen {
				t.Errorf("last seen %v, want %v", seen, wantSeen)
			}
			for _, hd := range h {
				if strings.Contains(ts.String(), hd) {
					t.Errorf("handle %q appears in the store: it must not be a session ID", hd)
				}
			}

			// One session ended by handle: the phone is logged out.
			if r := laptop.get("/end?user=alice&h=" + h[1]); r.Status != http.StatusOK {
				t.Fatalf("/end: %d %s", r.Status, r.Body)
			}
			if got := phone.get("/me").Body; got != "" {
				t.Errorf("after /end, the phone is still %q", got)
			}
			if r := laptop.get("/end?user=alice&h=" + h[1]); r.Status != http.StatusNotFound {
				t.Errorf("ending it twice: %d %s, want ErrRecordNotFound", r.Status, r.Body)
			}
			if got := len(laptop.sessions(t, "alice")); got == 0 {
				t.Errorf("the laptop's session is gone from the list")
			}
			// bob was never touched.
			if got := other.get("/me").Body; got != "bob" {
				t.Errorf("bob's session: %q", got)
			}
		})
	}
}

// EndUserSessions ends every session of the user, or all but the
// caller's; the index forgets sessions that ended by logout.
func TestEndUserSessions(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("keepCurrent=%v", keep), func(t *testing.T) {
			clock := newFakeClock(time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC))
			ts := newTestStore()
			ts.setClock(clock.Now)
			a := indexApp(t, ts, clock)
			var devs []device
			for i := range 4 {
				d := device{a.client(), fmt.Sprint("dev", i)}
				d.get("/signin?user=alice&permanent=" + map[bool]string{true: "1"}[i%2 == 0])
				devs = append(devs, d)
			}
			stolen := devs[3].sessionValue()
			devs[3].get("/signout") // ended by itself: not counted
			target := "/end-all?user=alice"
			if keep {
				target += "&keep=1"
			}
			r := devs[0].get(target)
			if want := map[bool]string{false: "3", true: "2"}[keep]; r.Body != want {
				t.Errorf("ended %s sessions, want %s", r.Body, want)
			}
			for i, d := range devs[:3] {
				got := d.get("/me").Body
				if want := map[bool]string{true: "alice"}[keep && i == 0]; got != want {
					t.Errorf("device %d after /end-all: %q, want %q", i, got, want)
				}
			}
			replay := device{a.client(), "thief"}
			replay.SetCookie(DefaultCookieName, stolen)
			if got := replay.get("/me").Body; got != "" {
				t.Errorf("a cookie from before the logout: %q", got)
			}
			if got, want := len(devs[0].sessions(t, "alice")) > 0, keep; got != want {
				t.Errorf("sessions listed after /end-all: %v, want %v", got, want)
			}
		})
	}
}

// Concurrent logins of one user each get an entry: the index's version
// check retries instead of losing one.
func TestUserIndexConcurrentLogins(t *testing.T) {
	clock := newFakeClock(time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC))
	ts := newTestStore()
	ts.setClock(clock.Now)
	a := indexApp(t, ts, clock)
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { device{a.client(), fmt.Sprint("d", i)}.get("/signin?user=alice") })
	}
	wg.Wait()
	if errs := a.hooked.all(); len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	r := device{a.client(), "x"}.get("/sessions?user=alice")
	if got := strings.Count(r.Body, "\n"); got != n {
		t.Errorf("%d sessions listed after %d concurrent logins:\n%s", got, n, r.Body)
	}
}

// A store that fails the index: the login itself is saved, the failure is
// reported as ErrStore.
func TestUserIndexFailureKeepsLogin(t *testing.T) {
	clock := newFakeClock(time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC))
	ts := newTestStore()
	ts.setClock(clock.Now)
	a := indexApp(t, ts, clock)
	d := device{a.client(), "phone"}
	d.get("/signin?user=alice")
	ts.failWith(errors.New("disk full"), "Update")
	d.get("/signin?user=alice")
	ts.failWith(nil, "Update")
	if got := d.get("/me").Body; got != "alice" {
		t.Errorf("a login whose index write failed: %q", got)
	}
	var se *StoreError
	errs := a.hooked.all()
	if len(errs) != 1 || !errors.As(errs[0], &se) || se.Op != "index" || !errors.Is(errs[0], ErrStore) {
		t.Errorf("errors %v, want one StoreError{Op: index}", errs)
	}
}

// The cookie store has no index.
func TestUserSessionsCookieStore(t *testing.T) {
	a := newTestApp(t, Config{})
	a.GET("/", func(c *gin.Context) {
		_, err1 := UserSessions(c, "alice")
		_, err2 := EndUserSessions(c, "alice", false)
		err3 := EndUserSession(c, "alice", "h")
		c.String(http.StatusOK, "%v|%v|%v", errors.Is(err1, ErrNoStore), errors.Is(err2, ErrNoStore), errors.Is(err3, ErrNoStore))
	})
	if got := a.client().get("/").Body; got != "true|true|true" {
		t.Errorf("got %s, want ErrNoStore from each", got)
	}
}

// A session without a login that is not permanent lives
// AnonymousLifetime after its last save; a login or a permanent session
// lives as before.
func TestAnonymousLifetime(t *testing.T) {
	t0 := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, tt := range []struct {
		name   string
		cfg    Config
		target string
		want   time.Duration
	}{
		{"anonymous, default", Config{}, "/flash?m=hi", DefaultAnonymousLifetime},
		{"anonymous, configured", Config{AnonymousLifetime: time.Hour}, "/flash?m=hi", time.Hour},
		{"anonymous, capped by PermanentLifetime", Config{AnonymousLifetime: 48 * time.Hour, PermanentLifetime: 2 * time.Hour}, "/flash?m=hi", 2 * time.Hour},
		{"logged in", Config{}, "/signin?user=alice", DefaultPermanentLifetime},
		{"anonymous, permanent", Config{}, "/flash?m=hi&permanent=1", DefaultPermanentLifetime},
		{"logged out again", Config{}, "/signout", DefaultAnonymousLifetime},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock(t0)
			ts := newTestStore()
			ts.setClock(clock.Now)
			cfg := tt.cfg
			cfg.Store = ts
			a := newTestApp(t, cfg, withClock(clock))
			a.GET("/flash", func(c *gin.Context) {
				Flash(c, c.Query("m"))
				Get(c).SetPermanent(c.Query("permanent") != "")
			})
			a.GET("/signin", func(c *gin.Context) { Get(c).Set(loginKey, c.Query("user")) })
			a.GET("/signout", func(c *gin.Context) {
				s := Get(c)
				s.Regenerate()
				s.Delete(loginKey)
				s.Set("csrf_token", "x")
			})
			tc := a.client()
			if strings.HasPrefix(tt.target, "/signout") {
				tc.get("/signin?user=alice")
			}
			tc.get(tt.target)
			if got := ts.expiry(storeID(t, tc.sessionValue())); !got.Equal(t0.Add(tt.want)) {
				t.Errorf("record expires %v, want %v later", got, tt.want)
			}
		})
	}
	if err := (Config{SecretKey: testSecret, AnonymousLifetime: -1}).Validate(); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("negative AnonymousLifetime: %v", err)
	}
}

// A request that still carries the ID a login just replaced must not
// delete the new cookie in the browser: it sends no cookie at all, and
// the old record stays gone. (A request that loads the session only after
// the login finds no record and starts a new session, as for any expired
// one: the store keeps no trace of moved IDs.)
func TestGoneRecordLeavesNewCookie(t *testing.T) {
	for _, tt := range []struct {
		name, path string
		load       bool // the request loads the session before the login ends
	}{
		{"untouched, permanent (Touch)", "/idle", false},
		{"read, permanent (Touch)", "/me", false},
		{"loaded before, written after (Update)", "/slow", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock(time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC))
			ts := newTestStore()
			ts.setClock(clock.Now)
			a := indexApp(t, ts, clock)
			a.GET("/idle", func(*gin.Context) {})
			loaded, release := make(chan struct{}), make(chan struct{})
			a.GET("/slow", func(c *gin.Context) {
				Get(c).Has("cart")
				close(loaded)
				<-release
				Get(c).Set("cart", 3)
			})
			d := device{a.client(), "phone"}
			d.get("/signin?user=anon&permanent=1")
			old := d.sessionValue()
			late := device{a.client(), "phone"}
			late.SetCookie(DefaultCookieName, old)
			done := make(chan *testResp, 1)
			if tt.load {
				go func() { done <- late.get(tt.path) }()
				<-loaded
			}
			d.get("/signin?user=alice&permanent=1")
			var r *testResp
			if tt.load {
				close(release)
				r = <-done
			} else {
				r = late.get(tt.path)
			}
			if raw, ok := r.Cookie(t, DefaultCookieName); ok {
				t.Errorf("a request with the replaced ID sent %q: it would replace the new cookie", raw)
			}
			if ts.hasRecordFor(storeID(t, old)) {
				t.Errorf("the replaced record is back")
			}
		})
	}
}

// hasRecordFor reports whether a live record is stored under id.
func (s *testStore) hasRecordFor(id string) bool {
	_, ok := s.record(id)
	return ok
}

// String lists the stored records, for tests that look for a value.
func (s *testStore) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for id, r := range s.recs {
		b.WriteString(id + "=" + string(r.data) + "\n")
	}
	return b.String()
}

// A store whose Expiry fails (a Redis ACL without PEXPIRETIME) still
// lists the sessions, without LastSeen.
func TestUserSessionsExpiryRefused(t *testing.T) {
	clock := newFakeClock(time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC))
	ts := newTestStore()
	ts.setClock(clock.Now)
	a := indexApp(t, ts, clock)
	d := device{a.client(), "phone"}
	d.get("/signin?user=alice")
	ts.failWith(errors.New("NOPERM"), "Expiry")
	lines := strings.Split(strings.TrimSpace(d.get("/sessions?user=alice").Body), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], fmt.Sprintf(" %d phone", time.Time{}.Unix())) {
		t.Errorf("sessions %q, want the phone's without LastSeen", lines)
	}
}
