package redisstore_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	ginredis "github.com/gin-contrib/sessions/redis"
	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/flaskcookie"
	"github.com/ginflask/flasksession/internal/redistest"
	"github.com/ginflask/flasksession/redisstore"
)

// Whole requests through gin, in process, on the cookie store and on a
// real Redis (redis-server on loopback, one connection round trip per
// load or save), beside a bare engine:
//
//	go test -run '^$' -bench Request -benchmem -count 6 ./redisstore | benchstat -
//
// Scenarios as in the root package's BenchmarkRequest: untouched session;
// new session, set one key; valid 5-key session, read one key; same, read,
// modify one key, save.

var benchKey = []byte("bench-secret-key-0123456789")

func benchValues() map[string]any {
	return map[string]any{
		"username":   "alice",
		"user_id":    42,
		"roles":      []any{"admin", "editor"},
		"csrf_token": "3f786850e387550fdab836ed7e6dc881de23001b",
		"login_at":   1700000000,
	}
}

type benchScenario struct {
	name    string
	cookie  bool
	handler gin.HandlerFunc // with the session
	bare    gin.HandlerFunc // the same answer without it
}

func benchScenarios() []benchScenario {
	ok := func(c *gin.Context) { c.String(http.StatusOK, "ok") }
	return []benchScenario{
		{"Untouched", false, ok, ok},
		{"NewSet", false, func(c *gin.Context) {
			flasksession.Get(c).Set("username", "alice")
			c.String(http.StatusOK, "ok")
		}, ok},
		{"ReadOnly", true, func(c *gin.Context) {
			v, _ := flasksession.Get(c).GetString("username")
			c.String(http.StatusOK, v)
		}, func(c *gin.Context) { c.String(http.StatusOK, "alice") }},
		{"ReadModifySave", true, func(c *gin.Context) {
			s := flasksession.Get(c)
			v, _ := s.GetString("username")
			s.Set("login_at", 1700000001)
			c.String(http.StatusOK, v)
		}, func(c *gin.Context) { c.String(http.StatusOK, "alice") }},
	}
}

// discardWriter is a reusable ResponseWriter, so the benchmark measures
// gin and the session rather than httptest.ResponseRecorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

func BenchmarkRequest(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	defer gin.SetMode(gin.TestMode)
	codec, err := flaskcookie.New(flaskcookie.Options{SecretKey: benchKey})
	if err != nil {
		b.Fatal(err)
	}
	flaskCookie, err := codec.Encode(benchValues())
	if err != nil {
		b.Fatal(err)
	}
	srv := redistest.Start(b)
	store, err := redisstore.NewStore(8, "tcp", srv.Addr, "", "", hashKey)
	if err != nil {
		b.Fatal(err)
	}
	closeStore(b, store)
	redisCookie := seedRedis(b, store)

	for _, sc := range benchScenarios() {
		for _, backend := range []string{"bare", "cookie", "redis"} {
			r := gin.New()
			cookie := ""
			switch backend {
			case "bare":
				r.GET("/", sc.bare)
			case "cookie":
				r.Use(flasksession.New(flasksession.Config{SecretKey: benchKey}))
				r.GET("/", sc.handler)
				cookie = flaskCookie
			case "redis":
				r.Use(flasksession.New(flasksession.Config{Store: store}))
				r.GET("/", sc.handler)
				cookie = redisCookie
			}
			b.Run(sc.name+"/"+backend, func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				if sc.cookie {
					req.Header.Set("Cookie", "session="+cookie)
				}
				w := &discardWriter{h: make(http.Header)}
				b.ReportAllocs()
				for b.Loop() {
					clear(w.h)
					r.ServeHTTP(w, req)
				}
				wantSet := backend != "bare" && (sc.name == "NewSet" || sc.name == "ReadModifySave")
				if got := len(w.h["Set-Cookie"]) == 1; got != wantSet {
					b.Fatalf("Set-Cookie sent = %v, want %v: %v", got, wantSet, w.h)
				}
			})
		}
	}
}

// seedRedis stores the 5-key session through the middleware and returns
// its ID cookie value.
func seedRedis(b *testing.B, store ginredis.Store) string {
	r := gin.New()
	r.Use(flasksession.New(flasksession.Config{Store: store}))
	r.GET("/seed", func(c *gin.Context) {
		s := flasksession.Get(c)
		for k, v := range benchValues() {
			s.Set(k, v)
		}
		c.String(http.StatusOK, "%v", s.Save())
	})
	return sessionCookie(b, do(r, "/seed", ""))
}
