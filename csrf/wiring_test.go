package csrf_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/csrf"
)

// Wiring mistakes show at the first request: a panic with an error value
// whose message names the call that fixes it, which gin.Recovery answers
// with 500 and logs.
func TestWiring(t *testing.T) {
	sess := flasksession.New(flasksession.Config{SecretKey: []byte(testKey)})
	token := func(c *gin.Context) { c.String(http.StatusOK, csrf.Token(c)) }
	for _, tc := range []struct {
		name string
		use  []gin.HandlerFunc
		want error // nil: the request is served
		msg  string
	}{
		{"no session middleware", []gin.HandlerFunc{csrf.Protect(csrf.Config{})}, csrf.ErrNoSession,
			"csrf: no session: register r.Use(flasksession.New(cfg)) before csrf.Protect"},
		{"session middleware after Protect", []gin.HandlerFunc{csrf.Protect(csrf.Config{}), sess}, csrf.ErrNoSession,
			"csrf: no session: register r.Use(flasksession.New(cfg)) before csrf.Protect"},
		{"no session middleware, own key", []gin.HandlerFunc{csrf.Protect(csrf.Config{SecretKey: []byte(testKey)})}, csrf.ErrNoSession,
			"csrf: no session: register r.Use(flasksession.New(cfg)) before csrf.Protect"},
		{"no Protect", []gin.HandlerFunc{sess}, csrf.ErrNotProtected,
			"csrf: csrf.Protect did not run for this request: register r.Use(csrf.Protect(cfg)) after flasksession.New"},
		{"another key", []gin.HandlerFunc{sess, csrf.Protect(csrf.Config{SecretKey: []byte(otherKey)})}, csrf.ErrKeyMismatch,
			"csrf: Config.SecretKey differs from the session middleware's SecretKey"},
		{"the session's fallback as the key", []gin.HandlerFunc{
			flasksession.New(flasksession.Config{SecretKey: []byte(testKey), SecretKeyFallbacks: [][]byte{[]byte(otherKey)}}),
			csrf.Protect(csrf.Config{SecretKey: []byte(otherKey)})}, csrf.ErrKeyMismatch,
			"csrf: Config.SecretKey differs from the session middleware's SecretKey"},
		{"the session's key, given again", []gin.HandlerFunc{sess, csrf.Protect(csrf.Config{SecretKey: []byte(testKey)})}, nil, ""},
		{"a separate key, on purpose", []gin.HandlerFunc{sess, csrf.Protect(csrf.Config{SecretKey: []byte(otherKey), SeparateSecretKey: true})}, nil, ""},
		{"the session's key, taken", []gin.HandlerFunc{sess, csrf.Protect(csrf.Config{})}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got any
			r := gin.New()
			r.Use(gin.CustomRecoveryWithWriter(io.Discard, func(c *gin.Context, v any) {
				got = v
				c.AbortWithStatus(http.StatusInternalServerError)
			}))
			r.Use(tc.use...)
			r.GET("/", token)
			w := httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
			if tc.want == nil {
				if got != nil || w.Code != http.StatusOK {
					t.Fatalf("%d, panic %v; want 200", w.Code, got)
				}
				return
			}
			err, _ := got.(error)
			if err != tc.want || !errors.Is(err, tc.want) || w.Code != http.StatusInternalServerError {
				t.Fatalf("%d, panic %#v; want 500 and the error value %v", w.Code, got, tc.want)
			}
			if err.Error() != tc.msg {
				t.Errorf("message %q, want %q", err, tc.msg)
			}

			// gin.Recovery itself: 500, and the message in its log.
			var log bytes.Buffer
			r = gin.New()
			r.Use(gin.RecoveryWithWriter(&log))
			r.Use(tc.use...)
			r.GET("/", token)
			w = httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
			if w.Code != http.StatusInternalServerError || !strings.Contains(log.String(), tc.msg) {
				t.Errorf("gin.Recovery: %d, log %q", w.Code, log.String())
			}
		})
	}
}
