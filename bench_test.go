package flasksession

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/flaskcookie"
)

// Whole requests through gin, in process. Each scenario runs once on a bare
// engine (the baseline) and once with the middleware; the session's
// overhead is the difference:
//
//	go test -run '^$' -bench Request -benchmem -count 6 . | benchstat -
//
// Scenarios follow the issue: untouched session; new session, set one key;
// valid 5-key cookie, read one key; same cookie, read, modify one key, save.

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
			Get(c).Set("username", "alice")
			c.String(http.StatusOK, "ok")
		}, ok},
		{"ReadOnly", true, func(c *gin.Context) {
			v, _ := Get(c).GetString("username")
			c.String(http.StatusOK, v)
		}, func(c *gin.Context) { c.String(http.StatusOK, "alice") }},
		{"ReadModifySave", true, func(c *gin.Context) {
			s := Get(c)
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
	codec, err := flaskcookie.New(flaskcookie.Options{SecretKey: benchKey})
	if err != nil {
		b.Fatal(err)
	}
	cookie, err := codec.Encode(benchValues())
	if err != nil {
		b.Fatal(err)
	}
	for _, sc := range benchScenarios() {
		for _, withSession := range []bool{false, true} {
			name := sc.name + "/bare"
			r := gin.New()
			if withSession {
				name = sc.name + "/session"
				r.Use(New(Config{SecretKey: benchKey}))
				r.GET("/", sc.handler)
			} else {
				r.GET("/", sc.bare)
			}
			b.Run(name, func(b *testing.B) {
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
				if withSession && sc.name != "Untouched" && sc.name != "ReadOnly" && len(w.h["Set-Cookie"]) != 1 {
					b.Fatalf("no Set-Cookie: %v", w.h)
				}
			})
		}
	}
	_ = time.Second
}
