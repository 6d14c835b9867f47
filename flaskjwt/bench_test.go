package flaskjwt

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"
)

// discard is a ResponseWriter that keeps nothing, so that the benchmark
// measures the check rather than a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkVerifyAccessToken compares the middleware verifying a
// Flask-JWT-Extended access token, routed through Gin, with golang-jwt
// parsing the same token by hand (HS256 only, as the middleware allows),
// bare and inside a Gin handler.
func BenchmarkVerifyAccessToken(b *testing.B) {
	m := mustNew(b, Config{SecretKey: []byte(testKey)})
	token := mustTok(b)(m.CreateAccessToken("alice", WithClaims(map[string]any{"role": "admin"})))
	key := []byte(testKey)
	keyFunc := func(*jwt.Token) (any, error) { return key, nil }
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}))
	gin.SetMode(gin.ReleaseMode)

	serve := func(b *testing.B, h gin.HandlerFunc, handler gin.HandlerFunc) {
		r := gin.New()
		if h != nil {
			r.GET("/p", h, handler)
		} else {
			r.GET("/p", handler)
		}
		req := httptest.NewRequest("GET", "/p", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		w := &discard{h: http.Header{}}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			r.ServeHTTP(w, req)
		}
	}

	b.Run("impl=middleware", func(b *testing.B) {
		serve(b, m.Required(), func(c *gin.Context) {
			if Identity(c) != "alice" {
				b.Fatal("no identity")
			}
		})
	})
	b.Run("impl=golang-jwt", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			t, err := parser.Parse(token, keyFunc)
			if err != nil || t.Claims.(jwt.MapClaims)["sub"] != "alice" {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=golang-jwt-in-gin", func(b *testing.B) {
		serve(b, nil, func(c *gin.Context) {
			raw, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
			t, err := parser.Parse(raw, keyFunc)
			if !ok || err != nil || t.Claims.(jwt.MapClaims)["sub"] != "alice" {
				b.Fatal(err)
			}
		})
	})
}
