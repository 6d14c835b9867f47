package csrf_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/csrf"
)

// BenchmarkSign is the signing alone: itsdangerous's dumps(raw).
func BenchmarkSign(b *testing.B) {
	sign := csrf.NewSigner(csrf.Config{SecretKey: []byte(testKey)})
	b.ReportAllocs()
	for b.Loop() {
		sign("0123456789abcdef0123456789abcdef01234567")
	}
}

// BenchmarkTokenNewSession is a form page for a visitor without a session:
// a new raw token in a new session, signed, and the cookie written.
func BenchmarkTokenNewSession(b *testing.B) {
	r := newApp(appKeys{session: testKey}, nil, nil)
	req := httptest.NewRequest(http.MethodGet, "/token", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkProtectedPOST is a form post that passes every check. Its
// Unprotected twin is the same app and post with the check turned off
// (DisableDefaultCheck): the difference is what Protect costs.
func BenchmarkProtectedPOST(b *testing.B)   { benchPOST(b, true) }
func BenchmarkUnprotectedPOST(b *testing.B) { benchPOST(b, false) }

func benchPOST(b *testing.B, protect bool) {
	r := gin.New(flasksession.Plugin(flasksession.Config{SecretKey: []byte(testKey)}))
	r.Use(csrf.Protect(csrf.Config{SecretKey: []byte(testKey), DisableDefaultCheck: !protect}))
	r.GET("/token", func(c *gin.Context) { c.String(http.StatusOK, csrf.Token(c)) })
	r.POST("/login", func(c *gin.Context) {
		flasksession.Get(c).Get("username")
		c.String(http.StatusOK, c.PostForm("username"))
	})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/token", nil))
	cookie := w.Result().Cookies()[0]
	body := url.Values{"csrf_token": {w.Body.String()}, "username": {"ada"}}.Encode()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.AddCookie(cookie)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}
