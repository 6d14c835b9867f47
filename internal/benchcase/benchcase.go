// Package benchcase holds the request scenarios the module's benchmarks
// share, so the cookie store, the Redis store and the peers are measured
// on the same work.
package benchcase

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/flaskcookie"
	"github.com/ginflask/flasksession/flaskrecord"
)

// Key is the secret key of the benchmarks' cookie sessions.
var Key = []byte("bench-secret-key-0123456789")

// Values is the 5-key, ~150-byte session of the benchmarks: a username, a
// user ID, a list of roles, a 40-hex CSRF token and a Unix timestamp.
func Values() map[string]any {
	return map[string]any{
		"username":   "alice",
		"user_id":    42,
		"roles":      []any{"admin", "editor"},
		"csrf_token": "3f786850e387550fdab836ed7e6dc881de23001b",
		"login_at":   1700000000,
	}
}

// Cookie returns the Values session as a Flask cookie signed with Key.
func Cookie(b *testing.B) string {
	codec, err := flaskcookie.New(flaskcookie.Config{SecretKey: Key})
	if err != nil {
		b.Fatal(err)
	}
	v, err := codec.Encode(Values())
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// Seed stores the Values session, permanent or not, through the
// middleware configured as cfg (a server-side store), and returns the
// cookie value that carries it.
func Seed(tb testing.TB, cfg flasksession.Config, permanent bool) string {
	tb.Helper()
	r := gin.New()
	r.Use(flasksession.New(cfg))
	r.GET("/seed", func(c *gin.Context) {
		s := flasksession.Get(c)
		for k, v := range Values() {
			s.Set(k, v)
		}
		s.SetPermanent(permanent)
	})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/seed", nil))
	for _, c := range w.Result().Cookies() {
		if c.Name == flasksession.DefaultCookieName && c.Value != "" {
			return c.Value
		}
	}
	tb.Fatalf("seeding sent no session cookie: %v", w.Header())
	return ""
}

// RunStore benchmarks each scenario on a server-side store, permanent and
// not (where the request carries a session), with each record format:
// the middleware's own (tagged JSON) and Config.FlaskSession's pickles
// and msgpack. Each runs as b.Run(scenario + "/records=" + format);
// before and after, if not nil, run around the timed part, for a store's
// own metrics (round trips).
func RunStore(b *testing.B, store flasksession.Store, before, after func(b *testing.B)) {
	gin.SetMode(gin.ReleaseMode)
	defer gin.SetMode(gin.TestMode)
	records := []struct {
		name string
		fs   *flasksession.FlaskSession
	}{
		{"taggedjson", nil},
		{"pickle", &flasksession.FlaskSession{Codec: flaskrecord.Codec{Format: flaskrecord.Pickle}, UseSigner: true}},
		{"msgpack", &flasksession.FlaskSession{Codec: flaskrecord.Codec{Format: flaskrecord.MsgPack}, UseSigner: true}},
	}
	for _, sc := range Scenarios() {
		for _, permanent := range []bool{false, true} {
			if permanent && !sc.Cookie {
				continue
			}
			name := sc.Name
			if permanent {
				name += "Permanent"
			}
			for _, rec := range records {
				b.Run(name+"/records="+rec.name, func(b *testing.B) {
					cfg := flasksession.Config{SecretKey: Key, Store: store, FlaskSession: rec.fs}
					r := gin.New()
					r.Use(flasksession.New(cfg))
					r.GET("/", sc.Handler)
					cookie := ""
					if sc.Cookie {
						cookie = Seed(b, cfg, permanent)
					}
					if before != nil {
						before(b)
					}
					Run(b, r, cookie, sc.Saves || permanent)
					if after != nil {
						after(b)
					}
				})
			}
		}
	}
}

// Scenario is one kind of request, with the session and without it.
type Scenario struct {
	Name    string
	Cookie  bool            // the request carries the Values session
	Saves   bool            // the response sets the cookie
	Handler gin.HandlerFunc // with the session
	Bare    gin.HandlerFunc // the same answer without it
}

// Scenarios are the five requests of the benchmarks: no cookie, session
// untouched; valid 5-key cookie, session untouched (not permanent, so
// nothing is saved); no cookie, set one key; valid 5-key cookie, read one
// key; the same, read one, modify one, save.
func Scenarios() []Scenario {
	ok := func(c *gin.Context) { c.String(http.StatusOK, "ok") }
	alice := func(c *gin.Context) { c.String(http.StatusOK, "alice") }
	return []Scenario{
		{"Untouched", false, false, ok, ok},
		{"UntouchedCookie", true, false, ok, ok},
		{"NewSet", false, true, func(c *gin.Context) {
			flasksession.Get(c).Set("username", "alice")
			c.String(http.StatusOK, "ok")
		}, ok},
		{"ReadOnly", true, false, func(c *gin.Context) {
			v, _ := flasksession.Get(c).GetString("username")
			c.String(http.StatusOK, v)
		}, alice},
		{"ReadModifySave", true, true, func(c *gin.Context) {
			s := flasksession.Get(c)
			v, _ := s.GetString("username")
			s.Set("login_at", 1700000001)
			c.String(http.StatusOK, v)
		}, alice},
	}
}

// discardWriter is a reusable ResponseWriter, so a benchmark measures gin
// and the session rather than httptest.ResponseRecorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// Run benchmarks GET / on r, sending cookie as the session cookie if it
// is not empty, and checks that a Set-Cookie went out exactly when
// wantSet says.
func Run(b *testing.B, r *gin.Engine, cookie string, wantSet bool) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if cookie != "" {
		req.Header.Set("Cookie", flasksession.DefaultCookieName+"="+cookie)
	}
	w := &discardWriter{h: make(http.Header)}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		r.ServeHTTP(w, req)
	}
	if got := len(w.h["Set-Cookie"]) == 1; got != wantSet {
		b.Fatalf("Set-Cookie sent = %v, want %v: %v", got, wantSet, w.h)
	}
}
