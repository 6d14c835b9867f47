package flaskjwt_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/flaskjwt"
	"github.com/redis/go-redis/v9"
)

const exampleKey = "an-example-jwt-key-0123456789abcdef"

// The quick start: a login route that issues an access token, and a route
// that needs one, as Flask-JWT-Extended's basic example has.
func Example() {
	m, err := flaskjwt.New(flaskjwt.Config{SecretKey: []byte(exampleKey)})
	if err != nil {
		log.Fatal(err)
	}
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.POST("/login", func(c *gin.Context) {
		if c.PostForm("username") != "test" || c.PostForm("password") != "test" {
			c.JSON(http.StatusUnauthorized, gin.H{"msg": "Bad username or password"})
			return
		}
		token, err := m.CreateAccessToken(c.PostForm("username"))
		if err != nil {
			c.AbortWithError(http.StatusInternalServerError, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"access_token": token})
	})
	r.GET("/protected", m.Required(), func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"logged_in_as": flaskjwt.Identity(c)})
	})

	w := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/login", strings.NewReader("username=test&password=test"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.ServeHTTP(w, req)
	token := strings.Split(w.Body.String(), `"`)[3]

	for _, auth := range []string{"", "Bearer " + token} {
		w = httptest.NewRecorder()
		req = httptest.NewRequest("GET", "/protected", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		r.ServeHTTP(w, req)
		fmt.Print(w.Code, " ", w.Body.String(), "\n")
	}
	// Output:
	// 401 {"msg":"Missing Authorization Header"}
	//
	// 200 {"logged_in_as":"test"}
}

// Tokens in cookies, as a browser app keeps them: SetAccessCookies sets
// the HttpOnly token cookie and the script-readable CSRF cookie, and a
// POST needs the CSRF value back in X-CSRF-TOKEN.
func ExampleManager_SetAccessCookies() {
	m, err := flaskjwt.New(flaskjwt.Config{
		SecretKey:     []byte(exampleKey),
		TokenLocation: []flaskjwt.Location{flaskjwt.LocationCookies}, // JWT_TOKEN_LOCATION = ["cookies"]
	})
	if err != nil {
		log.Fatal(err)
	}
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.POST("/login", func(c *gin.Context) {
		token, err := m.CreateAccessToken("alice")
		if err == nil {
			err = m.SetAccessCookies(c, token)
		}
		if err != nil {
			c.AbortWithError(http.StatusInternalServerError, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"login": true})
	})
	r.POST("/logout", func(c *gin.Context) {
		m.UnsetJWTCookies(c)
		c.JSON(http.StatusOK, gin.H{"logout": true})
	})
	r.POST("/transfer", m.Required(), func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"by": flaskjwt.Identity(c)})
	})

	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest("POST", "/login", nil))
	cookies := w.Result().Cookies()
	for _, ck := range w.Result().Header.Values("Set-Cookie") {
		name, _, _ := strings.Cut(ck, "=")
		_, attrs, _ := strings.Cut(ck, ";")
		fmt.Println(name + "=...;" + attrs)
	}
	var csrf string
	for _, ck := range cookies {
		if ck.Name == "csrf_access_token" {
			csrf = ck.Value
		}
	}
	for _, header := range []string{"", csrf} {
		w = httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/transfer", nil)
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		if header != "" {
			req.Header.Set("X-CSRF-TOKEN", header)
		}
		r.ServeHTTP(w, req)
		fmt.Print(w.Code, " ", w.Body.String(), "\n")
	}
	w = httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest("POST", "/logout", nil))
	fmt.Println(strings.Join(w.Result().Header.Values("Set-Cookie"), "\n"))
	// Output:
	// access_token_cookie=...; HttpOnly; Path=/
	// csrf_access_token=...; Path=/
	// 401 {"msg":"Missing CSRF token"}
	//
	// 200 {"by":"alice"}
	// access_token_cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path=/
	// csrf_access_token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/
	// refresh_token_cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path=/
	// csrf_refresh_token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/
}

// Fresh tokens for sensitive routes, refresh tokens for new access
// tokens: @jwt_required(fresh=True) and @jwt_required(refresh=True).
func ExampleManager_Required() {
	m, err := flaskjwt.New(flaskjwt.Config{SecretKey: []byte(exampleKey)})
	if err != nil {
		log.Fatal(err)
	}
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.POST("/refresh", m.Required(flaskjwt.Refresh()), func(c *gin.Context) {
		token, err := m.CreateAccessToken(flaskjwt.Identity(c)) // not fresh
		if err != nil {
			c.AbortWithError(http.StatusInternalServerError, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"access_token": token})
	})
	r.POST("/password", m.Required(flaskjwt.Fresh()), func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"changed_for": flaskjwt.Identity(c)})
	})

	call := func(path, token string) {
		w := httptest.NewRecorder()
		req := httptest.NewRequest("POST", path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		r.ServeHTTP(w, req)
		fmt.Print(path, " ", w.Code, " ", w.Body.String(), "\n")
	}
	fresh, _ := m.CreateAccessToken("alice", flaskjwt.WithFresh())
	refresh, _ := m.CreateRefreshToken("alice")
	call("/password", fresh)
	call("/password", refresh)
	call("/refresh", fresh)
	w := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/refresh", nil)
	req.Header.Set("Authorization", "Bearer "+refresh)
	r.ServeHTTP(w, req)
	call("/password", strings.Split(w.Body.String(), `"`)[3])
	// Output:
	// /password 200 {"changed_for":"alice"}
	// /password 422 {"msg":"Only non-refresh tokens are allowed"}
	//
	// /refresh 422 {"msg":"Only refresh tokens are allowed"}
	//
	// /password 401 {"msg":"Fresh token required"}
}

// Refusals are *Error values: errors.Is tells the kind, Message and Status
// give Flask-JWT-Extended's answer.
func ExampleManager_DecodeToken() {
	past := func() time.Time { return time.Now().Add(-time.Hour) }
	old, _ := flaskjwt.New(flaskjwt.Config{SecretKey: []byte(exampleKey), Clock: past})
	m, _ := flaskjwt.New(flaskjwt.Config{SecretKey: []byte(exampleKey)})
	token, _ := old.CreateAccessToken("alice")

	_, err := m.DecodeToken(token)
	fmt.Println(errors.Is(err, flaskjwt.ErrExpired), flaskjwt.Status(err), flaskjwt.Message(err))
	t, err := m.DecodeExpiredToken(token)
	fmt.Println(t.Identity(), err)
	_, err = m.DecodeToken(token[:len(token)-2] + "xx")
	fmt.Println(errors.Is(err, flaskjwt.ErrInvalidToken), errors.Is(err, flaskjwt.ErrSignature), flaskjwt.Message(err))
	// Output:
	// true 401 Token has expired
	// alice <nil>
	// true true Signature verification failed
}

// A blocklist in Redis shared with the Flask side, as Flask-JWT-Extended's
// documentation keeps one: the revoked token's jti as the key, expiring
// with the token. The Flask side's loader is
//
//	jwt_redis_blocklist = redis.StrictRedis(host="localhost", port=6379, db=0, decode_responses=True)
//
//	@jwt.token_in_blocklist_loader
//	def check_if_token_is_revoked(jwt_header, jwt_payload):
//	    return jwt_redis_blocklist.get(jwt_payload["jti"]) is not None
//
// and its logout does jwt_redis_blocklist.set(jti, "", ex=ACCESS_EXPIRES).
func ExampleConfig_redisBlocklist() {
	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
	m, err := flaskjwt.New(flaskjwt.Config{
		SecretKey: []byte(exampleKey),
		TokenInBlocklist: func(ctx context.Context, t *flaskjwt.Token) (bool, error) {
			n, err := rdb.Exists(ctx, t.JTI()).Result()
			return n > 0, err // an error answers 500: Redis down refuses tokens
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	r := gin.New()
	r.DELETE("/logout", m.Required(), func(c *gin.Context) {
		t := flaskjwt.CurrentToken(c)
		ttl := flaskjwt.DefaultAccessTokenExpires
		if exp, ok := t.ExpiresAt(); ok {
			ttl = time.Until(exp) // no need to keep it past its expiry
		}
		if err := rdb.Set(c, t.JTI(), "", ttl).Err(); err != nil {
			c.AbortWithError(http.StatusInternalServerError, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"msg": "Access token revoked"})
	})
	_ = r.Run(":8080")
}
