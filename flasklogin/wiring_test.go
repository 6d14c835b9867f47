package flasklogin_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/flasklogin"
)

func wiringLoader(context.Context, string) (flasklogin.User, error) { return nil, nil }

// Wiring mistakes show at the first request: a panic with an error value
// whose message names the call that fixes it, which gin.Recovery answers
// with 500 and logs.
func TestWiring(t *testing.T) {
	key := []byte("flasklogin wiring tests: one key")
	sess := flasksession.New(flasksession.Config{SecretKey: key})
	login := flasklogin.New(flasklogin.Config{UserLoader: wiringLoader})
	const (
		noSession = "flasklogin: no session: register r.Use(flasksession.New(cfg)) before flasklogin.New"
		noLogin   = "flasklogin: flasklogin.New did not run for this request: register r.Use(flasklogin.New(cfg)) after flasksession.New"
		mismatch  = "flasklogin: Config.SecretKey differs from the session middleware's SecretKey"
	)
	current := func(c *gin.Context) { c.String(http.StatusOK, "[%s]", flasklogin.CurrentUser(c).ID()) }
	for _, tc := range []struct {
		name  string
		use   []gin.HandlerFunc
		route []gin.HandlerFunc
		want  error // nil: the request is served
		msg   string
	}{
		{"no session middleware", []gin.HandlerFunc{login}, nil, flasklogin.ErrNoSession, noSession},
		{"session middleware after New", []gin.HandlerFunc{login, sess}, nil, flasklogin.ErrNoSession, noSession},
		{"CurrentUser without New", []gin.HandlerFunc{sess}, nil, flasklogin.ErrNoLoginMiddleware, noLogin},
		{"LoginRequired without New", []gin.HandlerFunc{sess}, []gin.HandlerFunc{flasklogin.LoginRequired()}, flasklogin.ErrNoLoginMiddleware, noLogin},
		{"FreshLoginRequired without New", []gin.HandlerFunc{sess}, []gin.HandlerFunc{flasklogin.FreshLoginRequired()}, flasklogin.ErrNoLoginMiddleware, noLogin},
		{"another key", []gin.HandlerFunc{sess, flasklogin.New(flasklogin.Config{
			SecretKey: []byte("flasklogin wiring tests: another"), UserLoader: wiringLoader})}, nil, flasklogin.ErrKeyMismatch, mismatch},
		{"the session's key, given again", []gin.HandlerFunc{sess, flasklogin.New(flasklogin.Config{
			SecretKey: key, UserLoader: wiringLoader})}, nil, nil, ""},
		{"the session's key, taken", []gin.HandlerFunc{sess, login}, nil, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			serve := func(recovery gin.HandlerFunc) *httptest.ResponseRecorder {
				r := gin.New()
				r.Use(recovery)
				r.Use(tc.use...)
				r.GET("/", append(tc.route, current)...)
				w := httptest.NewRecorder()
				r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
				return w
			}
			var got any
			w := serve(gin.CustomRecoveryWithWriter(io.Discard, func(c *gin.Context, v any) {
				got = v
				c.AbortWithStatus(http.StatusInternalServerError)
			}))
			if tc.want == nil {
				if got != nil || w.Code != http.StatusOK || w.Body.String() != "[]" {
					t.Fatalf("%d %q, panic %v; want 200", w.Code, w.Body, got)
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
			if tc.want == flasklogin.ErrNoLoginMiddleware && !errors.Is(err, flasklogin.ErrNoManager) {
				t.Error("the deprecated ErrNoManager does not match")
			}

			// gin.Recovery itself: 500, and the message in its log.
			var log bytes.Buffer
			if w := serve(gin.RecoveryWithWriter(&log)); w.Code != http.StatusInternalServerError || !strings.Contains(log.String(), tc.msg) {
				t.Errorf("gin.Recovery: %d, log %q", w.Code, log.String())
			}
		})
	}
}
