package bench

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	gcsessions "github.com/gin-contrib/sessions"
	gccookie "github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	gorilla "github.com/gorilla/sessions"
)

// Whole requests, in process, through each library on the same five
// scenarios. Every subject answers the same body; a bare router (gin or
// net/http) answering that body without a session is the baseline, and a
// subject's cost is its time, bytes and allocations minus the baseline's.
//
//	go test -run '^$' -bench . -benchmem -count 6 | benchstat -
//
// run.sh runs these in rounds, interleaved with Flask and the load test,
// and prints the overheads and ratios.

// The same session for every subject: a logged-in user. gin-contrib and
// gorilla keep it with gob, which knows all these types without Register.
const (
	cookieName = "session"
	username   = "alice"
	userID     = 42
	csrfToken  = "3f786850e387550fdab836ed7e6dc881de23001b"
	loginAt    = int64(1700000000)
)

var roles = []string{"admin", "editor"}

// Keys: 32 bytes each, the size gorilla/securecookie recommends for HMAC
// and the size of an AES-256 key.
var (
	signingKey    = []byte("bench-secret-key-0123456789abcde")
	encryptionKey = []byte("bench-encryption-key-0123456789a")
)

// scenario is one of the five requests every subject serves.
type scenario int

const (
	untouched       scenario = iota // no cookie; the handler never looks at the session
	untouchedCookie                 // the 5-key cookie; the handler never looks at the session
	newSet                          // no cookie; set one key; a cookie is saved
	readOnly                        // the 5-key cookie; read one key
	readModifySave                  // the 5-key cookie; read one key, change one, save
)

var scenarios = []scenario{untouched, untouchedCookie, newSet, readOnly, readModifySave}

func (s scenario) String() string {
	return [...]string{"Untouched", "UntouchedCookie", "NewSet", "ReadOnly", "ReadModifySave"}[s]
}

// sendsCookie: the request carries the 5-key session cookie.
func (s scenario) sendsCookie() bool {
	return s == untouchedCookie || s == readOnly || s == readModifySave
}

// saves: the response must set the session cookie. The session is not
// permanent, so an untouched one is never sent again.
func (s scenario) saves() bool { return s == newSet || s == readModifySave }

// body is what every subject answers, with or without a session: the
// username read from the session, or "ok".
func (s scenario) body() string {
	if s == readOnly || s == readModifySave {
		return username
	}
	return "ok"
}

// subject builds a handler serving sc at "/" and, at "/setup", a route
// that saves the 5-key session, used once to mint the request's cookie.
type subject struct {
	name  string
	build func(tb testing.TB, sc scenario) http.Handler
}

var ginSubjects = []subject{
	{"bare", ginBare},
	{"flasksession", ginFlaskSession},
	{"limit", ginLimit}, // limit_test.go: the unavoidable work, by hand
	{"gincontrib-cookie", func(_ testing.TB, sc scenario) http.Handler {
		return ginContrib(sc, gccookie.NewStore(signingKey))
	}},
	{"gincontrib-cookie-enc", func(_ testing.TB, sc scenario) http.Handler {
		return ginContrib(sc, gccookie.NewStore(signingKey, encryptionKey))
	}},
}

var netHTTPSubjects = []subject{
	{"bare", netHTTPBare},
	{"gorilla-cookie", gorillaCookie},
	{"scs-memstore", scsMemstore},
}

func ginBare(_ testing.TB, sc scenario) http.Handler {
	r := gin.New()
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, sc.body()) })
	return r
}

func ginFlaskSession(_ testing.TB, sc scenario) http.Handler {
	return flaskSessionApp(sc, flasksession.Config{SecretKey: signingKey})
}

// flaskSessionApp serves sc with flasksession configured by cfg (a cookie
// session, or a server-side store: redis_test.go).
func flaskSessionApp(sc scenario, cfg flasksession.Config) http.Handler {
	r := gin.New()
	r.Use(flasksession.New(cfg))
	r.GET("/setup", func(c *gin.Context) {
		s := flasksession.Get(c)
		s.Set("username", username)
		s.Set("user_id", userID)
		s.Set("roles", roles)
		s.Set("csrf_token", csrfToken)
		s.Set("login_at", loginAt)
		c.String(http.StatusOK, "ok")
	})
	r.GET("/", map[scenario]gin.HandlerFunc{
		untouched:       func(c *gin.Context) { c.String(http.StatusOK, "ok") },
		untouchedCookie: func(c *gin.Context) { c.String(http.StatusOK, "ok") },
		newSet: func(c *gin.Context) {
			flasksession.Get(c).Set("username", username)
			c.String(http.StatusOK, "ok")
		},
		readOnly: func(c *gin.Context) {
			v, _ := flasksession.Get(c).GetString("username")
			c.String(http.StatusOK, v)
		},
		readModifySave: func(c *gin.Context) {
			s := flasksession.Get(c)
			v, _ := s.GetString("username")
			s.Set("login_at", loginAt+1)
			c.String(http.StatusOK, v)
		},
	}[sc])
	return r
}

// ginContrib uses gin-contrib/sessions as its README does: Default(c),
// Get/Set, and Save after a change.
func ginContrib(sc scenario, store gcsessions.Store) http.Handler {
	r := gin.New()
	r.Use(gcsessions.Sessions(cookieName, store))
	r.GET("/setup", func(c *gin.Context) {
		s := gcsessions.Default(c)
		s.Set("username", username)
		s.Set("user_id", userID)
		s.Set("roles", roles)
		s.Set("csrf_token", csrfToken)
		s.Set("login_at", loginAt)
		if err := s.Save(); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "ok")
	})
	r.GET("/", map[scenario]gin.HandlerFunc{
		untouched:       func(c *gin.Context) { c.String(http.StatusOK, "ok") },
		untouchedCookie: func(c *gin.Context) { c.String(http.StatusOK, "ok") },
		newSet: func(c *gin.Context) {
			s := gcsessions.Default(c)
			s.Set("username", username)
			if err := s.Save(); err != nil {
				c.String(http.StatusInternalServerError, err.Error())
				return
			}
			c.String(http.StatusOK, "ok")
		},
		readOnly: func(c *gin.Context) {
			v, _ := gcsessions.Default(c).Get("username").(string)
			c.String(http.StatusOK, v)
		},
		readModifySave: func(c *gin.Context) {
			s := gcsessions.Default(c)
			v, _ := s.Get("username").(string)
			s.Set("login_at", loginAt+1)
			if err := s.Save(); err != nil {
				c.String(http.StatusInternalServerError, err.Error())
				return
			}
			c.String(http.StatusOK, v)
		},
	}[sc])
	return r
}

func netHTTPBare(_ testing.TB, sc scenario) http.Handler {
	mux := http.NewServeMux()
	body := []byte(sc.body())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	return mux
}

// gorillaCookie uses gorilla/sessions as its README does: store.Get, the
// Values map, and Save after a change.
func gorillaCookie(_ testing.TB, sc scenario) http.Handler {
	store := gorilla.NewCookieStore(signingKey)
	mux := http.NewServeMux()
	ok := []byte("ok")
	save := func(w http.ResponseWriter, r *http.Request, s *gorilla.Session) bool {
		if err := s.Save(r, w); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return false
		}
		return true
	}
	mux.HandleFunc("GET /setup", func(w http.ResponseWriter, r *http.Request) {
		s, _ := store.Get(r, cookieName)
		s.Values["username"] = username
		s.Values["user_id"] = userID
		s.Values["roles"] = roles
		s.Values["csrf_token"] = csrfToken
		s.Values["login_at"] = loginAt
		if save(w, r, s) {
			w.Write(ok)
		}
	})
	mux.HandleFunc("GET /{$}", map[scenario]http.HandlerFunc{
		untouched:       func(w http.ResponseWriter, r *http.Request) { w.Write(ok) },
		untouchedCookie: func(w http.ResponseWriter, r *http.Request) { w.Write(ok) },
		newSet: func(w http.ResponseWriter, r *http.Request) {
			s, _ := store.Get(r, cookieName)
			s.Values["username"] = username
			if save(w, r, s) {
				w.Write(ok)
			}
		},
		readOnly: func(w http.ResponseWriter, r *http.Request) {
			s, _ := store.Get(r, cookieName)
			v, _ := s.Values["username"].(string)
			w.Write([]byte(v))
		},
		readModifySave: func(w http.ResponseWriter, r *http.Request) {
			s, _ := store.Get(r, cookieName)
			v, _ := s.Values["username"].(string)
			s.Values["login_at"] = loginAt + 1
			if save(w, r, s) {
				w.Write([]byte(v))
			}
		},
	}[sc])
	return mux
}

// scsMemstore uses scs v2 as its README does: New() with its in-memory
// store, LoadAndSave around the mux, Put and Get*.
func scsMemstore(_ testing.TB, sc scenario) http.Handler {
	// The same store without the cleanup goroutine, which would keep every
	// session of this benchmark alive (its heap slowing the benchmarks
	// after it) and cannot be stopped without a data race (StopCleanup
	// reads the channel the goroutine sets). New's own store stays empty.
	return scsApp(sc, memstore.NewWithCleanupInterval(0))
}

// scsApp serves sc with an scs session manager on store, LoadAndSave
// around the mux.
func scsApp(sc scenario, store scs.Store) http.Handler {
	sm := scs.New()
	sm.Store = store
	mux := http.NewServeMux()
	ok := []byte("ok")
	mux.HandleFunc("GET /setup", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		sm.Put(ctx, "username", username)
		sm.Put(ctx, "user_id", userID)
		sm.Put(ctx, "roles", roles)
		sm.Put(ctx, "csrf_token", csrfToken)
		sm.Put(ctx, "login_at", loginAt)
		w.Write(ok)
	})
	mux.HandleFunc("GET /{$}", map[scenario]http.HandlerFunc{
		untouched:       func(w http.ResponseWriter, r *http.Request) { w.Write(ok) },
		untouchedCookie: func(w http.ResponseWriter, r *http.Request) { w.Write(ok) },
		newSet: func(w http.ResponseWriter, r *http.Request) {
			sm.Put(r.Context(), "username", username)
			w.Write(ok)
		},
		readOnly: func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(sm.GetString(r.Context(), "username")))
		},
		readModifySave: func(w http.ResponseWriter, r *http.Request) {
			v := sm.GetString(r.Context(), "username")
			sm.Put(r.Context(), "login_at", loginAt+1)
			w.Write([]byte(v))
		},
	}[sc])
	return sm.LoadAndSave(mux)
}

// discardWriter is a reusable ResponseWriter, so the benchmark measures
// the router and the session rather than httptest.ResponseRecorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// mintCookie runs h's /setup route once and returns its session cookie
// as a Cookie header value.
func mintCookie(tb testing.TB, h http.Handler) string {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/setup", nil))
	for _, c := range rec.Result().Cookies() {
		if c.Name == cookieName {
			return c.Name + "=" + c.Value
		}
	}
	tb.Fatalf("/setup set no %q cookie: %d %q %v", cookieName, rec.Code, rec.Body, rec.Header())
	return ""
}

// check serves one request and fails unless the subject answered as the
// scenario requires: the body (so a read found the cookie's value) and a
// Set-Cookie exactly when the session was changed (never, when bare).
func check(tb testing.TB, sc scenario, bare bool, h http.Handler, req *http.Request) {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Body.String() != sc.body() {
		tb.Fatalf("%v: got %d %q, want 200 %q", sc, rec.Code, rec.Body, sc.body())
	}
	set := strings.Contains(strings.Join(rec.Header().Values("Set-Cookie"), ";"), cookieName+"=")
	if want := sc.saves() && !bare; set != want {
		tb.Fatalf("%v: Set-Cookie %q, want one: %v", sc, rec.Header().Values("Set-Cookie"), want)
	}
}

func benchSubjects(b *testing.B, subjects []subject) {
	gin.SetMode(gin.ReleaseMode)
	for _, sc := range scenarios {
		for _, sub := range subjects {
			b.Run(sc.String()+"/"+sub.name, func(b *testing.B) {
				h := sub.build(b, sc)
				tmpl := httptest.NewRequest(http.MethodGet, "/", nil)
				if sc.sendsCookie() && sub.name != "bare" {
					tmpl.Header.Set("Cookie", mintCookie(b, h))
				}
				req := new(http.Request)
				*req = *tmpl
				check(b, sc, sub.name == "bare", h, req)

				w := &discardWriter{h: make(http.Header)}
				b.ReportAllocs()
				for b.Loop() {
					// gorilla/sessions caches sessions in the request
					// (*r = *r.WithContext): start each request afresh.
					*req = *tmpl
					clear(w.h)
					h.ServeHTTP(w, req)
				}
			})
		}
	}
}

// BenchmarkGin: gin, bare and with flasksession and gin-contrib/sessions.
func BenchmarkGin(b *testing.B) { benchSubjects(b, ginSubjects) }

// BenchmarkNetHTTP: net/http's ServeMux, bare and with gorilla/sessions
// and scs.
func BenchmarkNetHTTP(b *testing.B) { benchSubjects(b, netHTTPSubjects) }

// TestSubjects checks every subject on every scenario, so a broken peer
// setup fails fast instead of benchmarking an error page.
func TestSubjects(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	for _, group := range [][]subject{ginSubjects, netHTTPSubjects} {
		for _, sub := range group {
			for _, sc := range scenarios {
				t.Run(sub.name+"/"+sc.String(), func(t *testing.T) {
					h := sub.build(t, sc)
					req := httptest.NewRequest(http.MethodGet, "/", nil)
					if sc.sendsCookie() && sub.name != "bare" {
						req.Header.Set("Cookie", mintCookie(t, h))
					}
					check(t, sc, sub.name == "bare", h, req)
				})
			}
		}
	}
}
