package flasksession

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

// The allocations a request spends on its session, over the same app
// without it: what the benchmarks in bench/ report, held here so that a
// change that adds one fails a test. The 5-key session is the benchmarks'.
func TestRequestAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	session := map[string]any{
		"username": "alice", "user_id": 42, "roles": []any{"admin", "editor"},
		"csrf_token": "3f786850e387550fdab836ed7e6dc881de23001b", "login_at": 1700000000,
	}
	ok := func(c *gin.Context) { c.String(http.StatusOK, "ok") }
	for _, tt := range []struct {
		name    string
		store   bool // server-side, in a testStore
		cookie  bool // the request carries the session
		handler gin.HandlerFunc
		max     float64
	}{
		{"Untouched", false, false, ok, 1},
		{"UntouchedCookie", false, true, ok, 1},
		{"NewSet", false, false, func(c *gin.Context) { Get(c).Set("username", "alice"); ok(c) }, 4},
		{"ReadOnly", false, true, func(c *gin.Context) { v, _ := Get(c).GetString("username"); c.String(http.StatusOK, v) }, 11},
		{"ReadModifySave", false, true, func(c *gin.Context) {
			s := Get(c)
			v, _ := s.GetString("username")
			s.Set("login_at", 1700000001)
			c.String(http.StatusOK, v)
		}, 12},
		// A server-side session not marked permanent: nothing opened.
		{"UntouchedCookie/server", true, true, ok, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{SecretKey: testSecret}
			if tt.store {
				cfg.Store = newTestStore()
			}
			a := newTestApp(t, cfg)
			a.GET("/setup", func(c *gin.Context) {
				for k, v := range session {
					Get(c).Set(k, v)
				}
			})
			a.GET("/", tt.handler)
			bare := gin.New()
			bare.Use(func(c *gin.Context) { c.Next() }) // as newTestApp's outermost
			bare.GET("/", ok)
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.cookie {
				req.Header.Set("Cookie", "session="+a.client().get("/setup").CookieValue(t, "session"))
			}
			w := &discardWriter{h: http.Header{}}
			serve := func(h http.Handler) func() {
				return func() { clear(w.h); h.ServeHTTP(w, req) }
			}
			got := testing.AllocsPerRun(50, serve(a.Engine)) - testing.AllocsPerRun(50, serve(bare))
			if got > tt.max {
				t.Errorf("%v allocations over bare gin, want at most %v", got, tt.max)
			}
		})
	}
}

// discardWriter is a ResponseWriter that keeps only its header map.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}
