package flasksession

// Server-side sessions (Config.Store) beside the cookie store: every test
// runs the same requests on each and states where the cookie store
// differs. The store here is testStore, a map with call counters and
// failure injection; the real stores (memstore, redisstore, filestore,
// contribstore) run package storetest's suites, which repeat the
// guarantees below against them.

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"math"
	"math/big"
	"math/rand/v2"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/internal/webtest"
	"github.com/ginflask/flasksession/itsdangerous"
	"github.com/ginflask/flasksession/taggedjson"
	"github.com/google/uuid"
)

// testStore is a Store in a map, with the expiry read off a settable
// clock, a count of calls per method, and errors to inject per method.
type testStore struct {
	mu    sync.Mutex
	recs  map[string]testRecord
	now   func() time.Time
	calls map[string]int
	fail  map[string]error // method name → the error it returns
}

type testRecord struct {
	data   []byte
	expiry time.Time
}

func newTestStore() *testStore {
	return &testStore{recs: map[string]testRecord{}, now: time.Now, calls: map[string]int{}, fail: map[string]error{}}
}

// begin counts a call and returns the injected error, if any; s.mu is held.
func (s *testStore) begin(ctx context.Context, op string) error {
	s.calls[op]++
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.fail[op]
}

// live returns the record under id unless it expired; s.mu is held.
func (s *testStore) live(id string) (testRecord, bool) {
	r, ok := s.recs[id]
	if ok && !s.now().Before(r.expiry) {
		delete(s.recs, id)
		return r, false
	}
	return r, ok
}

func (s *testStore) Find(ctx context.Context, id string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.begin(ctx, "Find"); err != nil {
		return nil, false, err
	}
	r, ok := s.live(id)
	return append([]byte(nil), r.data...), ok, nil
}

func (s *testStore) Create(ctx context.Context, id string, data []byte, expiry time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.begin(ctx, "Create"); err != nil {
		return err
	}
	if _, ok := s.live(id); ok {
		return ErrRecordExists
	}
	s.recs[id] = testRecord{append([]byte(nil), data...), expiry}
	return nil
}

func (s *testStore) Update(ctx context.Context, id string, old, data []byte, expiry time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.begin(ctx, "Update"); err != nil {
		return err
	}
	r, ok := s.live(id)
	if !ok {
		return ErrRecordNotFound
	}
	if old != nil && string(old) != string(r.data) {
		return ErrConflict
	}
	s.recs[id] = testRecord{append([]byte(nil), data...), expiry}
	return nil
}

func (s *testStore) Touch(ctx context.Context, id string, expiry time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.begin(ctx, "Touch"); err != nil {
		return err
	}
	r, ok := s.live(id)
	if !ok {
		return ErrRecordNotFound
	}
	r.expiry = expiry
	s.recs[id] = r
	return nil
}

func (s *testStore) Delete(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.begin(ctx, "Delete"); err != nil {
		return err
	}
	delete(s.recs, id)
	return nil
}

// record returns the data stored under id, if any.
func (s *testStore) record(id string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.live(id)
	return r.data, ok
}

// count returns how often op was called.
func (s *testStore) count(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// failWith makes the methods ops return err (nil: work again).
func (s *testStore) failWith(err error, ops ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, op := range ops {
		s.fail[op] = err
	}
}

func (s *testStore) setClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// backendCase is one place sessions live: in the cookie, or in a store.
type backendCase struct {
	name  string
	store *testStore // nil for the cookie store
}

type backendKind struct {
	name  string
	setup func(t *testing.T) *backendCase
}

var (
	cookieKind = backendKind{"cookie", func(*testing.T) *backendCase { return &backendCase{name: "cookie"} }}
	memKind    = backendKind{"store", func(*testing.T) *backendCase { return &backendCase{name: "store", store: newTestStore()} }}
	allKinds   = []backendKind{cookieKind, memKind}
)

// forEach runs f once per backend kind, each in its own subtest.
func forEach(t *testing.T, kinds []backendKind, f func(t *testing.T, b *backendCase)) {
	t.Helper()
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) { f(t, k.setup(t)) })
	}
}

func (b *backendCase) server() bool { return b.store != nil }

// config returns cfg using this backend.
func (b *backendCase) config(cfg Config) Config {
	if b.server() {
		cfg.Store = b.store
	}
	return cfg
}

// app is a test app on this backend with the routes below; a fake clock
// drives the store's expiry too.
func (b *backendCase) app(t *testing.T, cfg Config, opts ...appOption) *testApp {
	t.Helper()
	var setup appSetup
	for _, o := range opts {
		o(&setup)
	}
	if b.server() && setup.clock != nil {
		b.store.setClock(setup.clock.Now)
	}
	a := newTestApp(t, b.config(cfg), opts...)
	sessionRoutes(a)
	return a
}

// storeID returns the session ID inside a store's cookie value, failing
// the test unless it is one signed with testSecret.
func storeID(t *testing.T, value string) string {
	t.Helper()
	id := strings.TrimSuffix(webtest.SignedID(t, testSecret, value), permanentSuffix)
	if n, err := base64.RawURLEncoding.DecodeString(id); err != nil || len(n) < 16 {
		t.Fatalf("session ID %q is not 128 bits or more of URL-safe base64", id)
	}
	return id
}

// hasRecord reports whether the store holds a live record under id.
func (b *backendCase) hasRecord(t *testing.T, id string) bool {
	t.Helper()
	_, ok := b.store.record(id)
	return ok
}

// sessionRoutes are the handlers most tests use.
func sessionRoutes(a *testApp) {
	a.GET("/login", func(c *gin.Context) {
		s := Get(c)
		s.Set("user", c.DefaultQuery("user", "alice"))
		if c.Query("permanent") != "" {
			s.SetPermanent(true)
		}
		c.String(http.StatusOK, "ok")
	})
	a.GET("/whoami", func(c *gin.Context) {
		u, _ := Get(c).GetString("user")
		c.String(http.StatusOK, u)
	})
	a.GET("/touch", func(c *gin.Context) {
		Get(c).Set("touched", true)
		c.String(http.StatusOK, "ok")
	})
	a.GET("/logout", func(c *gin.Context) {
		Get(c).Destroy()
		c.String(http.StatusOK, "bye")
	})
	a.GET("/logout-flash", func(c *gin.Context) {
		Get(c).Destroy()
		Flash(c, "logged out")
		c.String(http.StatusOK, "bye")
	})
	a.GET("/regenerate", func(c *gin.Context) {
		Get(c).Regenerate()
		if u := c.Query("user"); u != "" {
			Get(c).Set("user", u)
		}
		c.String(http.StatusOK, "ok")
	})
	a.GET("/flash", func(c *gin.Context) {
		if cat := c.Query("cat"); cat != "" {
			Flash(c, c.Query("m"), cat)
		} else {
			Flash(c, c.Query("m"))
		}
		c.String(http.StatusOK, "ok")
	})
	a.GET("/flashes", func(c *gin.Context) {
		var parts []string
		for _, f := range Flashes(c) {
			parts = append(parts, f.Category+":"+fmt.Sprint(f.Message))
		}
		c.String(http.StatusOK, strings.Join(parts, ","))
	})
}

// Every value type the cookie store carries comes back from each store as
// the same Go value, with no gob.Register anywhere in this module.
func TestServerStore_ValueTypes(t *testing.T) {
	type point struct {
		X, Y int
	}
	huge, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	values := map[string]any{
		"str":      "héllo ☃ 𝄞 <&>",
		"empty":    "",
		"int":      42,
		"neg":      -7,
		"maxint64": int64(math.MaxInt64),
		"bigint":   huge,
		"float":    2.0,
		"tenth":    0.1,
		"tiny":     1e-05,
		"inf":      math.Inf(-1),
		"bool":     false,
		"none":     nil,
		"tuple":    Tuple{1, "a", true, nil},
		"bytes":    []byte{0, 1, 0xfe, 0xff},
		"html":     template.HTML("<b>bold</b>"),
		"uuid":     uuid.MustParse("5f0c1b8e-2d3a-4c5b-9e6f-7a8b9c0d1e2f"),
		"time":     time.Date(2024, 2, 29, 12, 30, 45, 0, time.UTC),
		"list":     []any{1, "two", 3.5, []any{Tuple{}, map[string]any{}}},
		"nested": map[string]any{
			"cart":  []any{map[string]any{"sku": "A-1", "qty": 2, "price": 9.99}},
			"tags":  Tuple{"x", []byte("y")},
			" t":    "a key that looks like a tag",
			"when":  time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC),
			"inner": map[string]any{"deeper": map[string]any{"markup": template.HTML("<i>i</i>")}},
		},
		"struct": point{X: 1, Y: 2},
	}
	enc, err := taggedjson.Marshal(values)
	if err != nil {
		t.Fatal(err)
	}
	want, err := taggedjson.UnmarshalObject(enc)
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := map[string]any{
		"int": 0, "maxint64": 0, "bigint": (*big.Int)(nil), "float": 0.0, "tuple": Tuple(nil),
		"bytes": []byte(nil), "html": template.HTML(""), "uuid": uuid.UUID{}, "time": time.Time{},
		"struct": map[string]any(nil), "list": []any(nil), "nested": map[string]any(nil),
	}
	forEach(t, allKinds, func(t *testing.T, b *backendCase) {
		a := b.app(t, Config{MaxCookieSize: -1})
		a.GET("/set", func(c *gin.Context) {
			s := Get(c)
			for k, v := range values {
				s.Set(k, v)
			}
			c.String(http.StatusOK, "ok")
		})
		var got box[map[string]any]
		a.GET("/dump", sessionDump(&got))
		tc := a.client()
		if r := tc.get("/set"); r.Status != http.StatusOK {
			t.Fatalf("/set: %d %s", r.Status, r.Body)
		}
		if errs := a.ginErrs.all(); len(errs) != 0 {
			t.Fatalf("save errors: %v", errs)
		}
		tc.get("/dump")
		g := got.get()
		if !reflect.DeepEqual(g, want) {
			for k := range want {
				if !reflect.DeepEqual(g[k], want[k]) {
					t.Errorf("%s: got %#v, want %#v", k, g[k], want[k])
				}
			}
			t.Fatalf("session differs from the cookie store's round trip")
		}
		for k, typ := range wantTypes {
			if reflect.TypeOf(g[k]) != reflect.TypeOf(typ) {
				t.Errorf("%s came back as %T, want %T", k, g[k], typ)
			}
		}
		if f := g["float"].(float64); f != 2.0 {
			t.Errorf("float = %v", f)
		}
		if n := g["bigint"].(*big.Int); n.Cmp(huge) != 0 {
			t.Errorf("bigint = %v", n)
		}
		if errs := a.hooked.all(); len(errs) != 0 {
			t.Errorf("errors: %v", errs)
		}
	})
}

func TestServerStore_Flashes(t *testing.T) {
	forEach(t, allKinds, func(t *testing.T, b *backendCase) {
		a := b.app(t, Config{})
		tc := a.client()
		tc.get("/flash?m=hello")
		tc.get("/flash?m=oops&cat=error")
		if r := tc.get("/flashes"); r.Body != "message:hello,error:oops" {
			t.Errorf("flashes = %q", r.Body)
		}
		if r := tc.get("/flashes"); r.Body != "" {
			t.Errorf("flashes shown twice: %q", r.Body)
		}
	})
}

// The cookie carries Flask's attributes and, for a store, only its signed
// ID: the store's own Set-Cookie is not sent.
func TestServerStore_CookieAttributes(t *testing.T) {
	const secret = "only-in-the-store-7f3a"
	now := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	forEach(t, allKinds, func(t *testing.T, b *backendCase) {
		clock := newFakeClock(now)
		a := b.app(t, Config{PermanentLifetime: 2 * time.Hour}, withClock(clock))
		tc := a.client()

		r := tc.get("/login?user=" + secret)
		raw, ok := r.Cookie(t, DefaultCookieName)
		if !ok {
			t.Fatalf("no session cookie: %v", r.Header)
		}
		if n := len(r.Header.Values("Set-Cookie")); n != 1 {
			t.Errorf("%d Set-Cookie headers, want 1: %q", n, r.Header.Values("Set-Cookie"))
		}
		value, attrs, _ := strings.Cut(raw, ";")
		value = strings.TrimPrefix(value, DefaultCookieName+"=")
		if attrs != " HttpOnly; Path=/; SameSite=Lax" {
			t.Errorf("browser-session cookie attributes %q, want Flask's with SameSite=Lax and no Expires", attrs)
		}
		if b.server() {
			if strings.Contains(raw, secret) {
				t.Errorf("the cookie carries the data: %q", raw)
			}
			if _, err := a.codec().Decode(value); err == nil {
				t.Errorf("the cookie is a Flask data cookie, not an ID")
			}
			if id := storeID(t, value); !b.hasRecord(t, id) {
				t.Errorf("no record under the cookie's ID %q", id)
			}
		} else if a.decode(value)["user"] != secret {
			t.Errorf("cookie store cookie does not hold the session")
		}

		r = tc.get("/login?permanent=1")
		raw, _ = r.Cookie(t, DefaultCookieName)
		_, attrs, _ = strings.Cut(raw, ";")
		wantAttrs := " Expires=" + now.Add(2*time.Hour).Format(http.TimeFormat) + "; HttpOnly; Path=/; SameSite=Lax"
		if attrs != wantAttrs {
			t.Errorf("permanent cookie attributes %q, want %q", attrs, wantAttrs)
		}
	})
}

// Expiry follows Config.PermanentLifetime and the refresh rule on every
// store, as with cookies: measured on a fake clock against the record's
// saved_at.
func TestServerStore_Lifetime(t *testing.T) {
	// lifeStep moves the clock, then asks /whoami.
	type lifeStep struct {
		advance  time.Duration
		loggedIn bool // the user is still logged in
		setsAt   bool // the response re-sends the cookie
	}
	const lifetime = time.Hour
	t0 := time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name      string
		login     string
		noRefresh bool
		steps     []lifeStep
	}{
		{"permanent/refresh", "/login?permanent=1", false, []lifeStep{
			{lifetime - time.Second, true, true},
			{lifetime - time.Second, true, true}, // the refresh moved the expiry
			{lifetime + time.Second, false, false},
		}},
		{"browser-session", "/login", false, []lifeStep{
			{lifetime - time.Second, true, false},
			{2 * time.Second, false, false}, // saved lifetime+1s ago
		}},
		{"permanent/no-refresh", "/login?permanent=1", true, []lifeStep{
			{lifetime - time.Second, true, false},
			{2 * time.Second, false, false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEach(t, allKinds, func(t *testing.T, b *backendCase) {
				clock := newFakeClock(t0)
				a := b.app(t, Config{PermanentLifetime: lifetime, DisableRefreshEachRequest: tt.noRefresh}, withClock(clock))
				tc := a.client()
				tc.get(tt.login)
				first := tc.sessionValue()
				for i, st := range tt.steps {
					clock.Add(st.advance)
					r := tc.get("/whoami")
					if got := r.Body == "alice"; got != st.loggedIn {
						t.Fatalf("step %d (+%v): logged in = %v, want %v", i, st.advance, got, st.loggedIn)
					}
					if _, sets := r.Cookie(t, DefaultCookieName); sets != st.setsAt {
						t.Errorf("step %d: Set-Cookie sent = %v, want %v", i, sets, st.setsAt)
					}
				}
				// An expired cookie is reported; an expired record is just
				// gone, as after a logout.
				if n, want := a.hooked.count(ErrInvalidCookie), map[bool]int{false: 1, true: 0}[b.server()]; n != want {
					t.Errorf("ErrorHandler saw %d expired sessions, want %d: %v", n, want, a.hooked.all())
				}
				if !b.server() {
					return
				}
				// An expired record is not revived: the next save gets a new ID.
				old := storeID(t, first)
				tc.get("/login")
				if id := storeID(t, tc.sessionValue()); id == old {
					t.Errorf("an expired session's ID was reused")
				}
				if b.hasRecord(t, old) {
					t.Errorf("the expired record is still stored")
				}
			})
		})
	}
}

// Two engines with their own store instances over one backend share
// sessions; Destroy on one logs the user out on both, even for a copy of
// the old cookie. A cookie session cannot be revoked that way.
func TestServerStore_SharedAcrossEngines(t *testing.T) {
	forEach(t, allKinds, func(t *testing.T, b *backendCase) {
		one := b.app(t, Config{})
		two := b.app(t, Config{})
		c1, c2 := one.client(), two.client()
		c1.get("/login?user=bob")
		cookie := c1.sessionValue()
		c2.SetCookie(DefaultCookieName, cookie)
		if r := c2.get("/whoami"); r.Body != "bob" {
			t.Fatalf("engine two sees %q, want bob", r.Body)
		}
		c2.get("/touch")
		if b.server() && c2.sessionValue() != cookie {
			t.Errorf("a save on engine two changed the ID cookie")
		}
		r := c2.get("/logout")
		if raw, _ := r.Cookie(t, DefaultCookieName); !webtest.IsDeletion(raw) {
			t.Errorf("logout sent %q, want a deletion cookie", raw)
		}
		// Replay the cookie from before the logout on both engines.
		for _, c := range []*testClient{c1, c2} {
			c.SetCookie(DefaultCookieName, cookie)
			got := c.get("/whoami").Body
			switch {
			case b.server() && got != "":
				t.Errorf("after Destroy, the old cookie still logs in as %q", got)
			case !b.server() && got != "bob":
				t.Errorf("cookie store: the old cookie should stay valid until it expires, got %q", got)
			}
		}
	})
}

// Regenerate gives a new ID; the old cookie no longer works and the new
// one does. The cookie store only re-signs.
func TestServerStore_Regenerate(t *testing.T) {
	forEach(t, allKinds, func(t *testing.T, b *backendCase) {
		a := b.app(t, Config{})
		tc := a.client()
		tc.get("/login?user=carol")
		old := tc.sessionValue()
		r := tc.get("/regenerate")
		if _, ok := r.Cookie(t, DefaultCookieName); !ok {
			t.Fatalf("Regenerate sent no cookie")
		}
		if tc.get("/whoami").Body != "carol" {
			t.Fatalf("the new cookie lost the session")
		}
		replay := a.client()
		replay.SetCookie(DefaultCookieName, old)
		got := replay.get("/whoami").Body
		if !b.server() {
			if got != "carol" {
				t.Errorf("cookie store: the old cookie should stay valid, got %q", got)
			}
			return
		}
		if got != "" {
			t.Errorf("the old cookie still works after Regenerate: %q", got)
		}
		oldID, newID := storeID(t, old), storeID(t, tc.sessionValue())
		if oldID == newID {
			t.Fatalf("Regenerate kept the ID")
		}
		if b.hasRecord(t, oldID) || !b.hasRecord(t, newID) {
			t.Errorf("records: old %v, new %v; want only the new one", b.hasRecord(t, oldID), b.hasRecord(t, newID))
		}
		// Regenerate on a first visit just stores one record.
		fresh := a.client()
		fresh.get("/regenerate?user=dave")
		if !b.hasRecord(t, storeID(t, fresh.sessionValue())) {
			t.Errorf("no record after Regenerate on a new session")
		}
	})
}

// A 20 KB session works on a store; a cookie cannot hold it.
func TestServerStore_Large(t *testing.T) {
	// Random text, so the cookie store cannot compress it into a cookie.
	rnd := rand.New(rand.NewPCG(1, 2))
	raw := make([]byte, 15<<10)
	for i := range raw {
		raw[i] = byte(rnd.Uint32())
	}
	big := base64.StdEncoding.EncodeToString(raw) // 20 KB
	forEach(t, allKinds, func(t *testing.T, b *backendCase) {
		a := b.app(t, Config{})
		a.GET("/big", func(c *gin.Context) {
			Get(c).Set("blob", big)
			err := Get(c).Save()
			c.String(http.StatusOK, "%v", err)
		})
		a.GET("/len", func(c *gin.Context) {
			v, _ := Get(c).GetString("blob")
			c.String(http.StatusOK, "%d", len(v))
		})
		tc := a.client()
		r := tc.get("/big")
		switch b.name {
		case "cookie":
			if errs := a.ginErrs.all(); len(errs) == 0 || !errors.Is(errs[0], ErrCookieTooLarge) {
				t.Errorf("cookie store: got %v, want ErrCookieTooLarge", a.ginErrs.all())
			}
			return
		}
		if r.Body != "<nil>" {
			t.Fatalf("Save: %s", r.Body)
		}
		raw, _ := r.Cookie(t, DefaultCookieName)
		if len(raw) > 300 {
			t.Errorf("Set-Cookie is %d bytes; the data should stay in the store", len(raw))
		}
		if got := tc.get("/len").Body; got != fmt.Sprint(len(big)) {
			t.Errorf("read back %s bytes, want %d", got, len(big))
		}
	})
}

// A cookie whose record is gone (destroyed elsewhere, expired) gives an
// empty session, and a write then gets a new ID rather than reviving the
// old one.
func TestServerStore_GoneRecordNotRevived(t *testing.T) {
	forEach(t, []backendKind{memKind}, func(t *testing.T, b *backendCase) {
		a := b.app(t, Config{})
		tc := a.client()
		tc.get("/login")
		old := tc.sessionValue()
		tc.get("/logout")
		replay := a.client()
		replay.SetCookie(DefaultCookieName, old)
		if got := replay.get("/whoami").Body; got != "" {
			t.Fatalf("destroyed session still logs in: %q", got)
		}
		replay.get("/flash?m=hi")
		if storeID(t, replay.sessionValue()) == storeID(t, old) {
			t.Errorf("a write revived the destroyed ID")
		}
		if b.hasRecord(t, storeID(t, old)) {
			t.Errorf("the destroyed record is back")
		}
		if errs := a.hooked.all(); len(errs) != 0 {
			t.Errorf("a gone record is not an error worth reporting: %v", errs)
		}
	})
}

// Destroy followed by a write in the same request (a "logged out" flash)
// must still end the old ID: the old cookie gets a session without the
// flash, and the new data goes under a new ID.
func TestServerStore_DestroyThenWrite(t *testing.T) {
	forEach(t, []backendKind{memKind}, func(t *testing.T, b *backendCase) {
		a := b.app(t, Config{})
		tc := a.client()
		tc.get("/login")
		old := tc.sessionValue()
		tc.get("/logout-flash")
		if storeID(t, tc.sessionValue()) == storeID(t, old) {
			t.Errorf("Destroy then Flash kept the old session ID: a copy of the old cookie stays live")
		}
		if b.hasRecord(t, storeID(t, old)) {
			t.Errorf("the old record survives Destroy")
		}
		if got := tc.get("/flashes").Body; got != "message:logged out" {
			t.Errorf("flashes after logout = %q", got)
		}
	})
}

// A forged or foreign ID cookie gives an empty session (reported to the
// ErrorHandler only) and never reaches the store; an unknown ID that
// verifies is never adopted; a write gets a fresh, valid ID.
func TestServerStore_TamperedID(t *testing.T) {
	forEach(t, []backendKind{memKind}, func(t *testing.T, b *backendCase) {
		a := b.app(t, Config{})
		tc := a.client()
		const chosen = "ATTACKERCHOSENIDATTACKERCHOSENIDATTACKERCH"
		sign := func(key string) string {
			s, _ := itsdangerous.NewSigner([][]byte{[]byte(key)}, itsdangerous.SignerConfig{Salt: []byte(idSalt), KeyDerivation: itsdangerous.DeriveHMAC})
			return string(s.Sign([]byte(chosen)))
		}
		for _, tt := range []struct {
			name, value string
			reaches     bool // the ID verifies, so the store is asked for it
		}{
			{"garbage", "garbage", false},
			{"another key", sign("some other key, not this app's"), false},
			{"unknown ID", sign(string(testSecret)), true},
		} {
			a.hooked.reset()
			finds := b.store.count("Find")
			tc.SetCookie(DefaultCookieName, tt.value)
			if got := tc.get("/whoami").Body; got != "" {
				t.Errorf("%s: logged in as %q", tt.name, got)
			}
			if reached := b.store.count("Find") > finds; reached != tt.reaches {
				t.Errorf("%s: the store was asked for it: %v, want %v", tt.name, reached, tt.reaches)
			}
			if n, want := a.hooked.count(ErrInvalidCookie), map[bool]int{false: 1, true: 0}[tt.reaches]; n != want {
				t.Errorf("%s: ErrorHandler saw %v, want %d ErrInvalidCookie", tt.name, a.hooked.all(), want)
			}
			tc.get("/login")
			if id := storeID(t, tc.sessionValue()); id == chosen || !b.hasRecord(t, id) {
				t.Errorf("%s: bad new ID %q", tt.name, id)
			}
		}
		if b.hasRecord(t, chosen) {
			t.Errorf("the client's chosen ID was adopted")
		}
		if errs := a.ginErrs.all(); len(errs) != 0 {
			t.Errorf("c.Errors: %v", errs)
		}
	})
}

// Many clients at once on one store: each sees only its own session.
func TestServerStore_Concurrent(t *testing.T) {
	forEach(t, []backendKind{memKind}, func(t *testing.T, b *backendCase) {
		a := b.app(t, Config{})
		a.url()
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				tc := a.client()
				name := fmt.Sprint("user", i)
				for range 3 {
					tc.get("/login?user=" + name)
					if got := tc.get("/whoami").Body; got != name {
						t.Errorf("client %d sees %q", i, got)
					}
				}
			})
		}
		wg.Wait()
	})
}

// gate holds a request in its handler until the test opens it.
type gate struct {
	in   chan struct{} // the handler has loaded the session
	open chan struct{}
}

func newGate() *gate { return &gate{in: make(chan struct{}), open: make(chan struct{})} }

// wait blocks the handler; it gives up after a while so a broken test
// cannot hang.
func (g *gate) wait() {
	close(g.in)
	select {
	case <-g.open:
	case <-time.After(10 * time.Second):
	}
}

// slowRoutes add handlers that load the session, wait at a gate and
// then do their work: a slow upload, a slow page.
func slowRoutes(a *testApp, g *gate) {
	a.GET("/slow-write", func(c *gin.Context) {
		s := Get(c)
		s.Get("user")
		g.wait()
		s.Set("upload", "done")
		c.String(http.StatusOK, "ok")
	})
	a.GET("/slow-read", func(c *gin.Context) {
		u, _ := Get(c).GetString("user")
		g.wait()
		c.String(http.StatusOK, u)
	})
}

// inFlight runs path on tc in the background, returns once its handler
// waits at g, and returns a function that opens g and waits for the
// response.
func inFlight(t *testing.T, tc *testClient, g *gate, path string) func() *testResp {
	done := make(chan *testResp, 1)
	go func() { done <- tc.get(path) }()
	select {
	case <-g.in:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s never reached its handler", path)
	}
	return func() *testResp {
		close(g.open)
		return <-done
	}
}

// Attack 1: whoever holds a stolen cookie keeps a slow request in flight;
// the victim logs out meanwhile; the slow request, which loaded the
// session before the logout, must not bring the record back, whether it
// changed the session or only refreshed a permanent one. The stolen
// cookie, replayed, is logged out.
func TestServerStore_LogoutSticks(t *testing.T) {
	for _, path := range []string{"/slow-write", "/slow-read"} {
		t.Run(strings.TrimPrefix(path, "/"), func(t *testing.T) {
			b := memKind.setup(t)
			a := b.app(t, Config{})
			g := newGate()
			slowRoutes(a, g)
			victim := a.client()
			victim.get("/login?user=victim&permanent=1")
			stolen := victim.sessionValue()
			id := storeID(t, stolen)

			thief := a.client()
			thief.SetCookie(DefaultCookieName, stolen)
			finish := inFlight(t, thief, g, path)
			if r := victim.get("/logout"); !webtest.IsDeletion(r.SetCookies(DefaultCookieName)[0]) {
				t.Fatalf("logout sent %q", r.SetCookies(DefaultCookieName))
			}
			r := finish()
			if b.hasRecord(t, id) {
				t.Fatalf("the slow request brought the logged-out record back")
			}
			if raw, ok := r.Cookie(t, DefaultCookieName); ok && !webtest.IsDeletion(raw) {
				t.Errorf("the slow request got a live session cookie: %q", raw)
			}
			replay := a.client()
			replay.SetCookie(DefaultCookieName, stolen)
			if got := replay.get("/whoami").Body; got != "" {
				t.Errorf("the stolen cookie still logs in as %q", got)
			}
			if n := len(b.store.recs); n != 0 {
				t.Errorf("%d records left after the logout, want 0", n)
			}
		})
	}
}

// Attack 2: a slow read-only request on a permanent session must not
// write its stale copy over a change another request saved meanwhile:
// the refresh only extends the expiry.
func TestServerStore_ReadNeverErasesWrite(t *testing.T) {
	b := memKind.setup(t)
	a := b.app(t, Config{})
	g := newGate()
	slowRoutes(a, g)
	tc := a.client()
	tc.get("/login?user=alice&permanent=1")
	id := storeID(t, tc.sessionValue())
	finish := inFlight(t, tc, g, "/slow-read")
	tc.get("/touch") // a write while the read is in flight
	updates := b.store.count("Update")
	r := finish()
	if r.Body != "alice" {
		t.Fatalf("slow read = %q", r.Body)
	}
	if raw, ok := r.Cookie(t, DefaultCookieName); !ok || !strings.Contains(raw, "Expires=") {
		t.Errorf("the read did not refresh the permanent cookie: %q", raw)
	}
	data, _ := b.store.record(id)
	if m, _ := taggedjson.UnmarshalObject(data); m["touched"] != true {
		t.Errorf("the write was erased by the read: record %s", data)
	}
	if n := b.store.count("Update"); n != updates {
		t.Errorf("the read-only request rewrote the record (%d updates)", n-updates)
	}
	if b.store.count("Touch") == 0 {
		t.Errorf("the read-only request did not touch the record")
	}
}

// Store calls per request: a request that neither reads nor writes a
// permanent session refreshes it with one Touch and no Find (the cookie
// says it is permanent); one that reads it, with a Find and a Touch; a
// browser-session one nobody uses costs nothing. None rewrites data.
func TestServerStore_StoreCalls(t *testing.T) {
	b := memKind.setup(t)
	a := b.app(t, Config{})
	a.GET("/nothing", func(c *gin.Context) { c.String(http.StatusOK, "") })
	for _, tt := range []struct {
		login, path          string
		finds, touches, sets int
		refreshed            bool
	}{
		{"/login?permanent=1", "/nothing", 0, 1, 0, true},
		{"/login?permanent=1", "/whoami", 1, 1, 0, true},
		{"/login", "/nothing", 0, 0, 0, false},
		{"/login", "/whoami", 1, 0, 0, false},
		{"/login", "/touch", 1, 0, 1, true},
	} {
		tc := a.client()
		tc.get(tt.login)
		calls := func() [3]int {
			return [3]int{b.store.count("Find"), b.store.count("Touch"), b.store.count("Update") + b.store.count("Create")}
		}
		before := calls()
		r := tc.get(tt.path)
		after := calls()
		if got := [3]int{after[0] - before[0], after[1] - before[1], after[2] - before[2]}; got != [3]int{tt.finds, tt.touches, tt.sets} {
			t.Errorf("%s then %s: finds, touches, writes = %v, want %v", tt.login, tt.path, got, [3]int{tt.finds, tt.touches, tt.sets})
		}
		if _, ok := r.Cookie(t, DefaultCookieName); ok != tt.refreshed {
			t.Errorf("%s then %s: cookie sent %v, want %v", tt.login, tt.path, ok, tt.refreshed)
		}
	}
}

// Two requests change one session at once: the later commit wins as a
// whole; with DetectConflicts it fails with ErrConflict instead, and the
// earlier one's data stays.
func TestServerStore_Conflicts(t *testing.T) {
	for _, detect := range []bool{false, true} {
		t.Run(fmt.Sprint("DetectConflicts=", detect), func(t *testing.T) {
			b := memKind.setup(t)
			a := b.app(t, Config{DetectConflicts: detect})
			g := newGate()
			slowRoutes(a, g)
			tc := a.client()
			tc.get("/login?user=alice")
			id := storeID(t, tc.sessionValue())
			finish := inFlight(t, tc, g, "/slow-write")
			tc.get("/touch")
			finish()
			data, _ := b.store.record(id)
			m, _ := taggedjson.UnmarshalObject(data)
			if detect {
				if m["touched"] != true || m["upload"] != nil {
					t.Errorf("record %s: want the first commit's data only", data)
				}
				if a.ginErrs.count(ErrConflict) != 1 || a.hooked.count(ErrConflict) != 1 {
					t.Errorf("c.Errors %v, ErrorHandler %v: want ErrConflict once in each", a.ginErrs.all(), a.hooked.all())
				}
				return
			}
			if m["upload"] != "done" || m["touched"] != nil {
				t.Errorf("record %s: want the later commit's data as a whole", data)
			}
			if errs := a.ginErrs.all(); len(errs) != 0 {
				t.Errorf("errors: %v", errs)
			}
		})
	}
}

// Attack 3: a logout while the store refuses writes, or is down, still
// sends the deletion cookie, and the failure reaches c.Errors and the
// error handler. A save while it fails sends nothing: the client keeps
// its cookie.
func TestServerStore_LogoutWhileStoreFails(t *testing.T) {
	down := errors.New("connection refused")
	for _, tt := range []struct {
		name string
		ops  []string
	}{
		{"refuses writes", []string{"Create", "Update", "Touch", "Delete"}},
		{"down", []string{"Find", "Create", "Update", "Touch", "Delete"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := memKind.setup(t)
			a := b.app(t, Config{})
			tc := a.client()
			tc.get("/login?user=alice")
			cookie := tc.sessionValue()
			b.store.failWith(down, tt.ops...)

			r := tc.get("/touch")
			if _, ok := r.Cookie(t, DefaultCookieName); ok {
				t.Errorf("a failed save sent a cookie")
			}
			if tc.sessionValue() != cookie {
				t.Fatalf("the client's cookie changed")
			}
			a.ginErrs.reset()
			a.hooked.reset()
			r = tc.get("/logout")
			if raw, ok := r.Cookie(t, DefaultCookieName); !ok || !webtest.IsDeletion(raw) {
				t.Errorf("logout with the store failing sent %q, want the deletion cookie", raw)
			}
			if a.ginErrs.count(ErrStore) == 0 || a.hooked.count(ErrStore) == 0 {
				t.Errorf("c.Errors %v, ErrorHandler %v: want the store failure in each", a.ginErrs.all(), a.hooked.all())
			}
			if tc.sessionValue() != "" {
				t.Errorf("the browser still holds the session cookie")
			}
		})
	}
}

// Session IDs are minted here, 256 random bits each, and signed with
// SecretKey; a cookie signed with a fallback key still verifies, and the
// next save re-signs it with the current key.
func TestServerStore_IDsAndKeyRotation(t *testing.T) {
	b := memKind.setup(t)
	oldKey := []byte("the previous secret key, 32 bytes")
	old := newTestApp(t, b.config(Config{SecretKey: oldKey}))
	sessionRoutes(old)
	tc := old.client()
	tc.get("/login?user=erin")
	signedOld := tc.sessionValue()

	cur := b.app(t, Config{SecretKeyFallbacks: [][]byte{oldKey}})
	rot := cur.client()
	rot.SetCookie(DefaultCookieName, signedOld)
	if got := rot.get("/whoami").Body; got != "erin" {
		t.Fatalf("a cookie signed with the fallback key: whoami = %q", got)
	}
	rot.get("/touch")
	id := storeID(t, rot.sessionValue()) // verifies with testSecret only
	seen := map[string]bool{id: true}
	for range 20 {
		c := cur.client()
		c.get("/login")
		id := storeID(t, c.sessionValue())
		if seen[id] || len(id) != 43 {
			t.Fatalf("ID %q: repeated or not 43 characters", id)
		}
		seen[id] = true
	}
}

// A store that fails on load: the request gets an empty session, the
// failure goes to c.Errors and the error handler, and nothing is saved
// over the session the store could not read.
func TestServerStore_LoadFailure(t *testing.T) {
	b := memKind.setup(t)
	a := b.app(t, Config{})
	tc := a.client()
	tc.get("/login?user=alice")
	cookie := tc.sessionValue()
	b.store.failWith(errors.New("i/o timeout"), "Find")
	r := tc.get("/flash?m=hello")
	if _, ok := r.Cookie(t, DefaultCookieName); ok {
		t.Errorf("after a failed load a cookie was sent: %q", r.SetCookies(DefaultCookieName))
	}
	if a.ginErrs.count(ErrStore) != 1 || a.hooked.count(ErrStore) != 1 {
		t.Errorf("c.Errors %v, ErrorHandler %v: want ErrStore once in each", a.ginErrs.all(), a.hooked.all())
	}
	b.store.failWith(nil, "Find")
	if tc.sessionValue() != cookie || tc.get("/whoami").Body != "alice" {
		t.Errorf("the session did not survive the failed load")
	}
}

// A forged permanent mark never reaches the store: the mark makes the
// middleware check the signature, which fails; a cookie without the mark
// is not even checked on a request that does not use the session.
func TestServerStore_PermanentMarkForged(t *testing.T) {
	b := memKind.setup(t)
	a := b.app(t, Config{})
	a.GET("/nothing", func(c *gin.Context) { c.String(http.StatusOK, "") })
	tc := a.client()
	tc.get("/login") // not permanent
	value := tc.sessionValue()
	dot := strings.LastIndexByte(value, '.')
	for _, tt := range []struct {
		name, cookie string
		rejected     int
	}{
		{"mark added", value[:dot] + permanentSuffix + value[dot:], 1},
		{"unmarked, bad signature", value[:dot] + ".AAAA", 0},
	} {
		a.hooked.reset()
		calls := b.store.count("Find") + b.store.count("Touch")
		c := a.client()
		c.SetCookie(DefaultCookieName, tt.cookie)
		if _, ok := c.get("/nothing").Cookie(t, DefaultCookieName); ok {
			t.Errorf("%s: a cookie was sent", tt.name)
		}
		if n := b.store.count("Find") + b.store.count("Touch"); n != calls {
			t.Errorf("%s: the store was called %d times", tt.name, n-calls)
		}
		if n := a.hooked.count(ErrInvalidCookie); n != tt.rejected {
			t.Errorf("%s: %d rejected cookies reported, want %d", tt.name, n, tt.rejected)
		}
	}
}
