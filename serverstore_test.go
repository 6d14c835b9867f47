package flasksession

// Server-side sessions (Config.Store) on gin-contrib's memstore, gorilla's
// FilesystemStore and a real Redis (gin-contrib's redis store set up by
// redisstore), beside the cookie store for comparison: every test runs
// the same requests on each and states where the cookie store differs.
//
// The Redis cases start redis-server on a free loopback port (see
// internal/redistest) and skip when it is not installed, or fail under
// FLASKSESSION_REQUIRE_REAL=1.

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
	"math/big"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/memstore"
	ginredis "github.com/gin-contrib/sessions/redis"
	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/internal/redistest"
	"github.com/ginflask/flasksession/redisstore"
	"github.com/ginflask/flasksession/taggedjson"
	redigo "github.com/gomodule/redigo/redis"
	"github.com/google/uuid"
	"github.com/gorilla/securecookie"
	gsessions "github.com/gorilla/sessions"
)

// storeHashKey signs the stores' session-ID cookies.
var storeHashKey = []byte("flasksession server-store test hash key, 40b")

// backendCase is one place sessions live: in the cookie, or in a store.
type backendCase struct {
	name   string
	server bool
	// open returns a store over this case's backend. Each call is a new
	// instance, as another process would have, where the store can share
	// (filesystem, Redis); memstore lives in one process, so it returns the
	// same one.
	open  func() sessions.Store
	redis *redistest.Server // Redis cases only
}

type backendKind struct {
	name  string
	setup func(t *testing.T) *backendCase
}

var (
	cookieKind = backendKind{"cookie", func(*testing.T) *backendCase {
		return &backendCase{name: "cookie"}
	}}
	memKind = backendKind{"memstore", func(*testing.T) *backendCase {
		s := newMemStore()
		return &backendCase{name: "memstore", server: true, open: func() sessions.Store { return s }}
	}}
	fsKind = backendKind{"filesystem", func(t *testing.T) *backendCase {
		dir := t.TempDir()
		return &backendCase{name: "filesystem", server: true, open: func() sessions.Store { return newFSStore(dir) }}
	}}
	redisKind = backendKind{"redis", func(t *testing.T) *backendCase {
		srv := redistest.Start(t)
		return &backendCase{name: "redis", server: true, redis: srv, open: func() sessions.Store {
			s, err := redisstore.NewStore(4, "tcp", srv.Addr, "", "", storeHashKey)
			if err != nil {
				t.Fatalf("redisstore.NewStore: %v", err)
			}
			t.Cleanup(func() { closeRedisStore(s) })
			return s
		}}
	}}
	// redisGobKind is gin-contrib's Redis store as it comes (gob records,
	// 4096-byte cap), to show what redisstore.Configure changes.
	redisGobKind = backendKind{"redis-gob", func(t *testing.T) *backendCase {
		srv := redistest.Start(t)
		return &backendCase{name: "redis-gob", server: true, redis: srv, open: func() sessions.Store {
			s, err := ginredis.NewStore(4, "tcp", srv.Addr, "", "", storeHashKey)
			if err != nil {
				t.Fatalf("redis.NewStore: %v", err)
			}
			t.Cleanup(func() { closeRedisStore(s) })
			return s
		}}
	}}
	allKinds    = []backendKind{cookieKind, memKind, fsKind, redisKind}
	serverKinds = []backendKind{memKind, fsKind, redisKind}
)

func newMemStore() sessions.Store { return memstore.NewStore(storeHashKey) }

// fsStore is gorilla's FilesystemStore as a gin-contrib Store, which adds
// only the Options method; gin-contrib has no filesystem store of its own.
type fsStore struct{ *gsessions.FilesystemStore }

func newFSStore(dir string) fsStore {
	s := gsessions.NewFilesystemStore(dir, storeHashKey)
	s.MaxLength(0) // securecookie's 4096-byte cap would refuse large sessions
	return fsStore{s}
}

// Options sets the store's default options.
func (s fsStore) Options(o sessions.Options) { s.FilesystemStore.Options = o.ToGorillaOptions() }

func closeRedisStore(s sessions.Store) {
	if rs, err := ginredis.GetRedisStore(s); err == nil {
		_ = rs.Close()
	}
}

// forEach runs f once per backend kind, each in its own subtest.
func forEach(t *testing.T, kinds []backendKind, f func(t *testing.T, b *backendCase)) {
	t.Helper()
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) { f(t, k.setup(t)) })
	}
}

// config returns cfg using this backend: for server cases a new store
// instance from open.
func (b *backendCase) config(cfg Config) Config {
	if b.server {
		cfg.Store = b.open()
	}
	return cfg
}

// app is a test app on this backend with the routes below.
func (b *backendCase) app(t *testing.T, cfg Config, opts ...appOption) *testApp {
	t.Helper()
	a := newTestApp(t, b.config(cfg), opts...)
	sessionRoutes(a)
	return a
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

// storeID returns the session ID inside a store's cookie value, failing
// the test if the value is not one.
func storeID(t *testing.T, value string) string {
	t.Helper()
	var id string
	if err := securecookie.DecodeMulti(DefaultCookieName, value, &id, securecookie.CodecsFromPairs(storeHashKey)...); err != nil {
		t.Fatalf("cookie value %q is not a store's signed ID: %v", value, err)
	}
	if id == "" {
		t.Fatalf("cookie value %q holds an empty ID", value)
	}
	return id
}

// hasRecord reports whether the backend holds a record under id, asking
// a fresh store instance through the gorilla API (and for Redis, Redis
// itself).
func (b *backendCase) hasRecord(t *testing.T, id string) bool {
	t.Helper()
	enc, err := securecookie.EncodeMulti(DefaultCookieName, id, securecookie.CodecsFromPairs(storeHashKey)...)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: DefaultCookieName, Value: enc})
	gs, err := b.open().New(req, DefaultCookieName)
	found := err == nil && len(gs.Values) > 0
	if b.redis != nil {
		n, err := redigo.Int(b.redisDo(t, "EXISTS", "session_"+id), nil)
		if err != nil {
			t.Fatal(err)
		}
		if (n == 1) != found {
			t.Fatalf("Redis EXISTS says %d, the store says found=%v", n, found)
		}
	}
	return found
}

// redisDo runs one Redis command on a new connection.
func (b *backendCase) redisDo(t *testing.T, cmd string, args ...any) any {
	t.Helper()
	conn, err := redigo.Dial("tcp", b.redis.Addr)
	if err != nil {
		t.Fatalf("dial Redis: %v", err)
	}
	defer conn.Close()
	v, err := conn.Do(cmd, args...)
	if err != nil {
		t.Fatalf("Redis %s %v: %v", cmd, args, err)
	}
	return v
}

// ttl is the Redis TTL of the record under id.
func (b *backendCase) ttl(t *testing.T, id string) time.Duration {
	t.Helper()
	n, err := redigo.Int64(b.redisDo(t, "TTL", "session_"+id), nil)
	if err != nil {
		t.Fatal(err)
	}
	return time.Duration(n) * time.Second
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
	forEach(t, append(allKinds, redisGobKind), func(t *testing.T, b *backendCase) {
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
		raw, ok := r.cookie(t, DefaultCookieName)
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
		if b.server {
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
		raw, _ = r.cookie(t, DefaultCookieName)
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
					if _, sets := r.cookie(t, DefaultCookieName); sets != st.setsAt {
						t.Errorf("step %d: Set-Cookie sent = %v, want %v", i, sets, st.setsAt)
					}
				}
				if n := a.hooked.count(ErrInvalidCookie); n != 1 {
					t.Errorf("ErrorHandler saw %d expired sessions, want 1: %v", n, a.hooked.all())
				}
				if !b.server {
					return
				}
				// An expired record is not revived: the next save gets a new
				// ID and deletes the stale record.
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

// On Redis the record's TTL follows the same rules: it is the lifetime
// for browser-session and permanent sessions alike (not gin-contrib's 20
// minutes, not zero), and a request renews it exactly when it re-sends the
// cookie.
func TestServerStore_RedisTTL(t *testing.T) {
	const lifetime = 2 * time.Hour
	const shortened = 100 * time.Second
	b := redisKind.setup(t)
	inRange := func(t *testing.T, d time.Duration) {
		t.Helper()
		if d <= shortened || d > lifetime {
			t.Errorf("TTL %v, want about %v", d, lifetime)
		}
	}
	tests := []struct {
		name      string
		login     string
		noRefresh bool
		renewed   bool // a read-only request renews the TTL
	}{
		{"browser-session", "/login", false, false},
		{"permanent/refresh", "/login?permanent=1", false, true},
		{"permanent/no-refresh", "/login?permanent=1", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := b.app(t, Config{PermanentLifetime: lifetime, DisableRefreshEachRequest: tt.noRefresh})
			tc := a.client()
			tc.get(tt.login)
			id := storeID(t, tc.sessionValue())
			inRange(t, b.ttl(t, id))

			b.redisDo(t, "EXPIRE", "session_"+id, int(shortened/time.Second))
			if r := tc.get("/whoami"); r.Body != "alice" {
				t.Fatalf("whoami = %q", r.Body)
			}
			if ttl := b.ttl(t, id); tt.renewed {
				inRange(t, ttl)
			} else if ttl > shortened || ttl <= 0 {
				t.Errorf("a read-only request changed the TTL to %v", ttl)
			}

			b.redisDo(t, "EXPIRE", "session_"+id, int(shortened/time.Second))
			tc.get("/touch") // modified: always saved
			inRange(t, b.ttl(t, id))

			tc.get("/logout")
			if b.hasRecord(t, id) {
				t.Errorf("record still in Redis after Destroy")
			}
		})
	}
}

// The Redis record is readable JSON: saved_at and the session in Flask's
// tagged JSON, byte for byte.
func TestServerStore_RedisRecordIsJSON(t *testing.T) {
	b := redisKind.setup(t)
	clock := newFakeClock(time.Unix(1700000000, 0))
	a := b.app(t, Config{}, withClock(clock))
	a.GET("/set", func(c *gin.Context) {
		s := Get(c)
		s.Set("user", "alice")
		s.Set("roles", Tuple{"admin", []byte("x")})
		s.SetPermanent(true)
		c.String(http.StatusOK, "ok")
	})
	tc := a.client()
	tc.get("/set")
	id := storeID(t, tc.sessionValue())
	raw, err := redigo.String(b.redisDo(t, "GET", "session_"+id), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"saved_at":1700000000,"session":{"_permanent":true,"roles":{" t":["admin",{" b":"eA=="}]},"user":"alice"}}`
	if raw != want {
		t.Errorf("Redis holds\n%s\nwant\n%s", raw, want)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		t.Errorf("not JSON: %v", err)
	}
}

// Two engines with their own store instances over one backend share
// sessions; Destroy on one logs the user out on both, even for a copy of
// the old cookie. A cookie session cannot be revoked that way.
func TestServerStore_SharedAcrossEngines(t *testing.T) {
	forEach(t, []backendKind{cookieKind, fsKind, redisKind}, func(t *testing.T, b *backendCase) {
		one := b.app(t, Config{})
		two := b.app(t, Config{})
		c1, c2 := one.client(), two.client()
		c1.get("/login?user=bob")
		cookie := c1.sessionValue()
		c2.setCookie(DefaultCookieName, cookie)
		if r := c2.get("/whoami"); r.Body != "bob" {
			t.Fatalf("engine two sees %q, want bob", r.Body)
		}
		c2.get("/touch")
		if b.server && c2.sessionValue() != cookie {
			t.Errorf("a save on engine two changed the ID cookie")
		}
		r := c2.get("/logout")
		if raw, _ := r.cookie(t, DefaultCookieName); !isDeletion(raw) {
			t.Errorf("logout sent %q, want a deletion cookie", raw)
		}
		// Replay the cookie from before the logout on both engines.
		for _, c := range []*testClient{c1, c2} {
			c.setCookie(DefaultCookieName, cookie)
			got := c.get("/whoami").Body
			switch {
			case b.server && got != "":
				t.Errorf("after Destroy, the old cookie still logs in as %q", got)
			case !b.server && got != "bob":
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
		if _, ok := r.cookie(t, DefaultCookieName); !ok {
			t.Fatalf("Regenerate sent no cookie")
		}
		if tc.get("/whoami").Body != "carol" {
			t.Fatalf("the new cookie lost the session")
		}
		replay := a.client()
		replay.setCookie(DefaultCookieName, old)
		got := replay.get("/whoami").Body
		if !b.server {
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

// A 20 KB session works on every store; a cookie cannot hold it, and
// gin-contrib's Redis store as it comes refuses it.
func TestServerStore_Large(t *testing.T) {
	// Random text, so the cookie store cannot compress it into a cookie.
	rnd := rand.New(rand.NewPCG(1, 2))
	raw := make([]byte, 15<<10)
	for i := range raw {
		raw[i] = byte(rnd.Uint32())
	}
	big := base64.StdEncoding.EncodeToString(raw) // 20 KB
	forEach(t, append(allKinds, redisGobKind), func(t *testing.T, b *backendCase) {
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
		case "redis-gob":
			if errs := a.ginErrs.all(); len(errs) == 0 || !errors.Is(errs[0], ErrStore) {
				t.Errorf("unconfigured Redis store: got %v, want an ErrStore (4096-byte cap)", errs)
			}
			return
		}
		if r.Body != "<nil>" {
			t.Fatalf("Save: %s", r.Body)
		}
		raw, _ := r.cookie(t, DefaultCookieName)
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
	forEach(t, serverKinds, func(t *testing.T, b *backendCase) {
		a := b.app(t, Config{})
		tc := a.client()
		tc.get("/login")
		old := tc.sessionValue()
		tc.get("/logout")
		replay := a.client()
		replay.setCookie(DefaultCookieName, old)
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
	forEach(t, serverKinds, func(t *testing.T, b *backendCase) {
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
// ErrorHandler only), and a write gets a fresh, valid ID.
func TestServerStore_TamperedID(t *testing.T) {
	forEach(t, serverKinds, func(t *testing.T, b *backendCase) {
		a := b.app(t, Config{})
		tc := a.client()
		foreign, _ := securecookie.EncodeMulti(DefaultCookieName, "ATTACKERCHOSENID", securecookie.CodecsFromPairs([]byte("some other key, not the store's"))...)
		for _, v := range []string{"garbage", foreign} {
			a.hooked.reset()
			tc.setCookie(DefaultCookieName, v)
			if got := tc.get("/whoami").Body; got != "" {
				t.Errorf("%q: logged in as %q", v, got)
			}
			if n := a.hooked.count(ErrInvalidCookie); n != 1 {
				t.Errorf("%q: ErrorHandler saw %v, want one ErrInvalidCookie", v, a.hooked.all())
			}
			tc.get("/login")
			if id := storeID(t, tc.sessionValue()); id == "ATTACKERCHOSENID" || !b.hasRecord(t, id) {
				t.Errorf("%q: bad new ID %q", v, id)
			}
		}
		if errs := a.ginErrs.all(); len(errs) != 0 {
			t.Errorf("c.Errors: %v", errs)
		}
	})
}

// With Redis down, requests get an empty session, each failure is reported
// once (ErrStore in c.Errors and the ErrorHandler), nothing is saved over
// the session the store could not read, and the client keeps its cookie.
func TestServerStore_RedisDown(t *testing.T) {
	b := redisKind.setup(t)
	a := b.app(t, Config{})
	tc := a.client()
	tc.get("/login")
	cookie := tc.sessionValue()
	b.redis.Stop()
	if got := tc.get("/whoami").Body; got != "" {
		t.Errorf("whoami with Redis down = %q", got)
	}
	if n := a.hooked.count(ErrStore); n != 1 {
		t.Errorf("ErrorHandler saw %v, want one ErrStore on load", a.hooked.all())
	}
	if n := a.ginErrs.count(ErrStore); n != 1 {
		t.Errorf("c.Errors: %v, want one ErrStore on load", a.ginErrs.all())
	}
	r := tc.get("/login")
	if _, ok := r.cookie(t, DefaultCookieName); ok {
		t.Errorf("a failed save still sent a cookie")
	}
	if n := a.ginErrs.count(ErrStore); n != 2 {
		t.Errorf("c.Errors: %v, want one more ErrStore for /login", a.ginErrs.all())
	}
	if tc.sessionValue() != cookie {
		t.Errorf("the client's cookie changed")
	}
	for _, err := range a.hooked.all() {
		if !strings.HasPrefix(err.Error(), "flasksession: ") {
			t.Errorf("message %q lacks the prefix", err)
		}
	}
}

// Many clients at once on one store: each sees only its own session.
func TestServerStore_Concurrent(t *testing.T) {
	forEach(t, serverKinds, func(t *testing.T, b *backendCase) {
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

// A record that does not parse (written by hand, or by another program)
// gives an empty session and is replaced under a new ID on the next save.
func TestServerStore_RedisBadRecord(t *testing.T) {
	b := redisKind.setup(t)
	a := b.app(t, Config{})
	tc := a.client()
	for _, bad := range []string{
		`{"saved_at":1,"session":{"user":}}`,    // not JSON inside
		`{"saved_at":1,"session":{" b":"%%%"}}`, // bad tag content
		"\x0e\xff\x81\x04\x01\x02",              // a gob record
		`{"session":["user"]}`,                  // not an object
	} {
		a.hooked.reset()
		tc.get("/login")
		id := storeID(t, tc.sessionValue())
		b.redisDo(t, "SET", "session_"+id, bad)
		if got := tc.get("/whoami").Body; got != "" {
			t.Errorf("%q: logged in as %q", bad, got)
		}
		if n := a.hooked.count(ErrInvalidCookie); n != 1 {
			t.Errorf("%q: ErrorHandler saw %v, want one ErrInvalidCookie", bad, a.hooked.all())
		}
		tc.get("/login")
		if storeID(t, tc.sessionValue()) == id || b.hasRecord(t, id) {
			t.Errorf("%q: the bad record was kept or its ID reused", bad)
		}
	}
}

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
