package flaskjwt

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

type req struct {
	method, target string
	headers        map[string]string
	body           string
}

func serve(r http.Handler, q req) *httptest.ResponseRecorder {
	if q.method == "" {
		q.method = "GET"
	}
	hr := httptest.NewRequest(q.method, q.target, strings.NewReader(q.body))
	for k, v := range q.headers {
		hr.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, hr)
	return w
}

func echo(c *gin.Context) {
	c.JSON(200, gin.H{"id": Identity(c), "loc": RequestLocation(c), "user": CurrentUser(c)})
}

// The Authorization header as Flask-JWT-Extended reads it; the same forms
// run against real Flask in TestLiveFlaskJWTExtended.
func TestHeaderForms(t *testing.T) {
	m := mustNew(t, Config{SecretKey: []byte(testKey)})
	tok := mustTok(t)(m.CreateAccessToken("alice"))
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.GET("/p", m.Required(), echo)
	const missingType = "Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'"
	const bad = "Bad Authorization header. Expected 'Authorization: Bearer <JWT>'"
	for _, tc := range []struct {
		auth   string
		status int
		body   string
	}{
		{"", 401, `{"msg":"Missing Authorization Header"}`},
		{" ,, ", 401, `{"msg":"Missing Authorization Header"}`},
		{"Bearer " + tok, 200, ""},
		{"\x85Bearer\xa0" + tok + "\x1f,", 200, ""},
		{"Basic Zm9v,Bearer " + tok, 200, ""},
		{"Bearer " + tok + ",  Basic Zm9v", 200, ""},
		{"Bearer", 422, `{"msg":"` + bad + `"}`},
		{"Bearer a b", 422, `{"msg":"` + bad + `"}`},
		{"bearer " + tok, 401, `{"msg":"` + missingType + `"}`},
		{"Bearer a, Bearer b", 401, `{"msg":"` + missingType + `"}`},
		{"Bearer a, , Basic b", 422, `{"msg":"Not enough segments"}`},
		{"Bearer é", 422, `{"msg":"Not enough segments"}`},
	} {
		w := serve(r, req{target: "/p", headers: map[string]string{"Authorization": tc.auth}})
		if w.Code != tc.status || tc.body != "" && w.Body.String() != tc.body+"\n" {
			t.Errorf("%q: %d %s, want %d %s", tc.auth, w.Code, w.Body, tc.status, tc.body)
		}
		if w.Code != 200 && w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%q: Content-Type %q", tc.auth, w.Header().Get("Content-Type"))
		}
	}

	bare := mustNew(t, Config{SecretKey: []byte(testKey), NoHeaderType: true, HeaderName: "X-Token", ErrorMessageKey: "error"})
	r = gin.New()
	r.GET("/p", bare.Required(), echo)
	for _, tc := range []struct {
		auth, body string
		status     int
	}{
		{tok, "", 200},
		{"Bearer " + tok, `{"error":"Bad X-Token header. Expected 'X-Token: <JWT>'"}`, 422},
		{"", `{"error":"Missing X-Token Header"}`, 401},
	} {
		w := serve(r, req{target: "/p", headers: map[string]string{"X-Token": tc.auth}})
		if w.Code != tc.status || tc.body != "" && w.Body.String() != tc.body+"\n" {
			t.Errorf("bare %q: %d %s, want %d %s", tc.auth, w.Code, w.Body, tc.status, tc.body)
		}
	}
}

func TestLocations(t *testing.T) {
	m := mustNew(t, Config{SecretKey: []byte(testKey), QueryStringValuePrefix: "Bearer ",
		TokenLocation: []Location{LocationHeaders, LocationCookies, LocationQueryString, LocationJSON}})
	access := mustTok(t)(m.CreateAccessToken("alice"))
	refresh := mustTok(t)(m.CreateRefreshToken("alice"))
	csrf := mustDecode(t, m, access).CSRF()
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Any("/p", m.Required(), func(c *gin.Context) {
		body, _ := c.GetRawData()
		c.JSON(200, gin.H{"loc": RequestLocation(c), "body": string(body)})
	})
	r.POST("/r", m.Required(Refresh(), Locations(LocationJSON)), echo)
	r.GET("/q", m.Required(Locations(LocationQueryString)), echo)
	r.Any("/o", m.Required(Optional()), echo)
	const all = `Missing JWT in headers, cookies, query_string or json (Missing Authorization Header; Missing cookie \"access_token_cookie\"; Missing 'jwt' query paramater; Invalid content-type. Must be application/json.)`
	jsonCT := map[string]string{"Content-Type": "application/json"}
	for _, tc := range []struct {
		name   string
		q      req
		status int
		body   string
	}{
		{"nothing", req{target: "/p"}, 401, `{"msg":"` + all + `"}`},
		{"query", req{target: "/p?jwt=Bearer+" + access}, 200, `{"body":"","loc":"query_string"}`},
		{"query without prefix", req{target: "/p?jwt=" + access}, 422, `{"msg":"Invalid value for query parameter 'jwt'. Expected the value to start with 'Bearer '"}`},
		{"query only", req{target: "/q"}, 401, `{"msg":"Missing 'jwt' query paramater"}`},
		{"json", req{method: "POST", target: "/p", headers: jsonCT, body: `{"access_token":"` + access + `"}`}, 200, `{"body":"{\"access_token\":\"` + access + `\"}","loc":"json"}`},
		{"json +json type", req{method: "POST", target: "/p", headers: map[string]string{"Content-Type": "application/vnd.api+json; charset=utf-8"}, body: `{"access_token":"` + access + `"}`}, 200, ""},
		{"json without the key", req{method: "POST", target: "/p", headers: jsonCT, body: `{"x":1}`}, 401, ""},
		{"json not json", req{method: "POST", target: "/p", headers: jsonCT, body: `{`}, 401, ""},
		{"json number", req{method: "POST", target: "/p", headers: jsonCT, body: `{"access_token":5}`}, 422, `{"msg":"Invalid token type. Token must be a <class 'bytes'>"}`},
		{"json refresh", req{method: "POST", target: "/r", headers: jsonCT, body: `{"refresh_token":"` + refresh + `"}`}, 200, ""},
		{"json refresh, access key", req{method: "POST", target: "/r", headers: jsonCT, body: `{"access_token":"` + refresh + `"}`}, 401, `{"msg":"Missing \"refresh_token\" key in json data."}`},
		{"cookie on GET", req{target: "/p", headers: map[string]string{"Cookie": "access_token_cookie=" + access}}, 200, ""},
		{"cookie on POST", req{method: "POST", target: "/p", headers: map[string]string{"Cookie": "access_token_cookie=" + access}}, 401, `{"msg":"Missing CSRF token"}`},
		{"cookie on POST, header present too", req{method: "POST", target: "/p", headers: map[string]string{"Cookie": "access_token_cookie=" + access, "Authorization": "Bearer x"}}, 422, `{"msg":"Not enough segments"}`},
		{"header first, invalid", req{target: "/p", headers: map[string]string{"Cookie": "access_token_cookie=" + access, "Authorization": "Bearer x"}}, 422, `{"msg":"Not enough segments"}`},
		{"cookie, csrf", req{method: "PATCH", target: "/p", headers: map[string]string{"Cookie": "access_token_cookie=" + access, "X-Csrf-Token": csrf}}, 200, ""},
		{"optional, nothing", req{target: "/o"}, 200, `{"id":null,"loc":"","user":null}`},
		{"optional, bad token", req{target: "/o", headers: map[string]string{"Authorization": "Bearer x"}}, 422, ""},
		{"optional, CSRF missing", req{method: "POST", target: "/o", headers: map[string]string{"Cookie": "access_token_cookie=" + access}}, 401, `{"msg":"Missing CSRF token"}`},
		{"OPTIONS", req{method: "OPTIONS", target: "/p"}, 200, `{"body":"","loc":""}`},
	} {
		w := serve(r, tc.q)
		if w.Code != tc.status || tc.body != "" && strings.TrimSuffix(w.Body.String(), "\n") != tc.body {
			t.Errorf("%s: %d %s, want %d %s", tc.name, w.Code, w.Body, tc.status, tc.body)
		}
	}
}

func TestCSRFForm(t *testing.T) {
	m := mustNew(t, Config{SecretKey: []byte(testKey), TokenLocation: []Location{LocationCookies}, CSRFCheckForm: true, CSRFMethods: []string{"POST"}})
	access := mustTok(t)(m.CreateAccessToken("alice"))
	csrf := mustDecode(t, m, access).CSRF()
	r := gin.New()
	r.Any("/p", m.Required(), echo)
	cookie := "access_token_cookie=" + access
	form := map[string]string{"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
	for _, tc := range []struct {
		name   string
		q      req
		status int
	}{
		{"form field", req{method: "POST", target: "/p", headers: form, body: "csrf_token=" + csrf}, 200},
		{"wrong form field", req{method: "POST", target: "/p", headers: form, body: "csrf_token=x"}, 401},
		{"no field", req{method: "POST", target: "/p", headers: form, body: "a=b"}, 401},
		{"PUT is not a CSRF method here", req{method: "PUT", target: "/p", headers: map[string]string{"Cookie": cookie}}, 200},
	} {
		if w := serve(r, tc.q); w.Code != tc.status {
			t.Errorf("%s: %d %s", tc.name, w.Code, w.Body)
		}
	}
	// Without CSRF protection no csrf claim is made and none is asked for.
	off := mustNew(t, Config{SecretKey: []byte(testKey), TokenLocation: []Location{LocationCookies}, DisableCookieCSRFProtect: true})
	tok := mustTok(t)(off.CreateAccessToken("alice"))
	if mustDecode(t, off, tok).CSRF() != "" {
		t.Error("csrf claim with protection off")
	}
	r = gin.New()
	r.POST("/p", off.Required(), echo)
	if w := serve(r, req{method: "POST", target: "/p", headers: map[string]string{"Cookie": "access_token_cookie=" + tok}}); w.Code != 200 {
		t.Errorf("protection off: %d %s", w.Code, w.Body)
	}
}

func TestHooks(t *testing.T) {
	boom := errors.New("store down")
	var handled error
	m := mustNew(t, Config{
		SecretKey: []byte(testKey),
		TokenInBlocklist: func(_ context.Context, tok *Token) (bool, error) {
			switch tok.Identity() {
			case "revoked":
				return true, nil
			case "broken":
				return false, boom
			}
			return false, nil
		},
		VerifyClaims: func(tok *Token) bool { return tok.Claims["role"] != "guest" },
		UserLookup: func(_ context.Context, tok *Token) (any, error) {
			if tok.Identity() == "ghost" || tok.Identity() == nil {
				return nil, nil
			}
			return "user:" + pyStr(tok.Identity()), nil
		},
	})
	r := gin.New()
	r.GET("/p", m.Required(), echo)
	for _, tc := range []struct {
		id     any
		claims map[string]any
		status int
		body   string
	}{
		{"alice", nil, 200, `{"id":"alice","loc":"headers","user":"user:alice"}`},
		{"revoked", nil, 401, `{"msg":"Token has been revoked"}`},
		{"broken", nil, 500, ""},
		{"alice", map[string]any{"role": "guest"}, 400, `{"msg":"User claims verification failed"}`},
		{"ghost", nil, 401, `{"msg":"Error loading the user ghost"}`},
		{nil, nil, 401, `{"msg":"Error loading the user None"}`},
		{12, nil, 200, `{"id":12,"loc":"headers","user":"user:12"}`},
	} {
		tok := mustTok(t)(m.CreateAccessToken(tc.id, WithClaims(tc.claims)))
		w := serve(r, req{target: "/p", headers: map[string]string{"Authorization": "Bearer " + tok}})
		if w.Code != tc.status || strings.TrimSuffix(w.Body.String(), "\n") != tc.body {
			t.Errorf("%v: %d %s, want %d %s", tc.id, w.Code, w.Body, tc.status, tc.body)
		}
	}

	custom := mustNew(t, Config{SecretKey: []byte(testKey), ErrorHandler: func(c *gin.Context, err error) {
		handled = err
		c.String(Status(err), "custom: %s", Message(err))
	}})
	r = gin.New()
	r.GET("/p", custom.Required(), echo)
	w := serve(r, req{target: "/p"})
	if w.Code != 401 || w.Body.String() != "custom: Missing Authorization Header" || !errors.Is(handled, ErrNoAuthorization) {
		t.Errorf("ErrorHandler: %d %s %v", w.Code, w.Body, handled)
	}
}

func TestVerifyAndAccessors(t *testing.T) {
	m := mustNew(t, Config{SecretKey: []byte(testKey)})
	tok := mustTok(t)(m.CreateAccessToken("alice", WithClaims(map[string]any{"k": "v"})))
	r := gin.New()
	var verified *Token
	var verr error
	r.GET("/v", func(c *gin.Context) {
		verified, verr = m.Verify(c)
		if verr == nil {
			c.JSON(200, gin.H{"claims": Claims(c)["k"], "header": Header(c)["alg"], "same": CurrentToken(c) == verified})
		}
	})
	r.GET("/unprotected", func(c *gin.Context) {
		defer func() {
			if recover() != ErrNotVerified {
				t.Error("Identity without Required did not panic with ErrNotVerified")
			}
		}()
		Identity(c)
	})
	w := serve(r, req{target: "/v", headers: map[string]string{"Authorization": "Bearer " + tok}})
	if w.Body.String() != `{"claims":"v","header":"HS256","same":true}` || verified.Location != LocationHeaders {
		t.Errorf("Verify: %s %v", w.Body, verified)
	}
	serve(r, req{target: "/v"})
	if !errors.Is(verr, ErrNoAuthorization) {
		t.Errorf("Verify without token: %v", verr)
	}
	serve(r, req{target: "/unprotected"})
	defer func() {
		if err, _ := recover().(error); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("Required with a bad location: %v", err)
		}
	}()
	m.Required(Locations("body"))
}

// One Manager serves many goroutines: the pooled HMACs and the Rand
// mutex hold under -race.
func TestConcurrentUse(t *testing.T) {
	m := mustNew(t, Config{SecretKey: []byte(testKey), Rand: strings.NewReader(strings.Repeat("r", 1<<16)), TokenLocation: []Location{LocationCookies}})
	r := gin.New()
	r.GET("/p", m.Required(), echo)
	done := make(chan error)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 100; i++ {
				tok, err := m.CreateAccessToken(i)
				if err != nil {
					done <- err
					return
				}
				if w := serve(r, req{target: "/p", headers: map[string]string{"Cookie": "access_token_cookie=" + tok}}); w.Code != 200 {
					done <- errors.New(w.Body.String())
					return
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
