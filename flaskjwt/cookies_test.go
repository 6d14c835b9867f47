package flaskjwt

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// setCookies runs f in a request and returns the Set-Cookie headers, with
// token and CSRF values as V.
func setCookies(t *testing.T, f func(c *gin.Context)) []string {
	t.Helper()
	r := gin.New()
	r.GET("/", f)
	w := serve(r, req{target: "/"})
	out := w.Header().Values("Set-Cookie")
	for i, v := range out {
		name, rest, _ := strings.Cut(v, "=")
		val, attrs, _ := strings.Cut(rest, ";")
		if val != "" {
			val = "V"
		}
		out[i] = name + "=" + val + ";" + attrs
	}
	return out
}

// The attributes Werkzeug writes for Flask-JWT-Extended's set_cookie
// calls, in its order: Domain, Expires, Max-Age, Secure, HttpOnly, Path,
// SameSite. The defaults were compared with real Flask in
// TestLiveFlaskJWTExtended.
func TestCookieAttributes(t *testing.T) {
	expires := testNow.Add(PersistentCookieMaxAge * time.Second).Format(http.TimeFormat)
	for _, tc := range []struct {
		name  string
		cfg   Config
		set   []CookieOption
		unset []CookieOption
		want  []string
		gone  []string
	}{
		{"defaults, cookies", Config{TokenLocation: []Location{LocationCookies}}, nil, nil,
			[]string{"access_token_cookie=V; HttpOnly; Path=/", "csrf_access_token=V; Path=/"},
			[]string{"access_token_cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path=/", "csrf_access_token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/"}},
		{"headers only: no CSRF cookie", Config{}, nil, nil,
			[]string{"access_token_cookie=V; HttpOnly; Path=/"},
			[]string{"access_token_cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path=/"}},
		{"everything", Config{TokenLocation: []Location{LocationCookies}, CookieDomain: ".example.com", CookieSecure: true,
			CookieSameSite: http.SameSiteLaxMode, PersistentCookies: true, AccessCookiePath: "/api", AccessCSRFCookiePath: "/",
			AccessCookieName: "at", AccessCSRFCookieName: "xt"}, nil, nil,
			[]string{"at=V; Domain=example.com; Expires=" + expires + "; Max-Age=31540000; Secure; HttpOnly; Path=/api; SameSite=Lax",
				"xt=V; Domain=example.com; Expires=" + expires + "; Max-Age=31540000; Secure; Path=/; SameSite=Lax"},
			[]string{"at=; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; Path=/api; SameSite=Lax",
				"xt=; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; Path=/; SameSite=Lax"}},
		{"options", Config{TokenLocation: []Location{LocationCookies}, DisableCSRFInCookies: true, CookieSameSite: http.SameSiteStrictMode},
			[]CookieOption{MaxAge(60), Domain("a.example")}, []CookieOption{Domain("b.example")},
			[]string{"access_token_cookie=V; Domain=a.example; Expires=" + testNow.Add(time.Minute).Format(http.TimeFormat) + "; Max-Age=60; HttpOnly; Path=/; SameSite=Strict"},
			[]string{"access_token_cookie=; Domain=b.example; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path=/; SameSite=Strict"}},
	} {
		tc.cfg.SecretKey, tc.cfg.Clock = []byte(testKey), fixedClock(0)
		m := mustNew(t, tc.cfg)
		tok := mustTok(t)(m.CreateAccessToken("alice"))
		got := setCookies(t, func(c *gin.Context) {
			if err := m.SetAccessCookies(c, tok, tc.set...); err != nil {
				t.Fatal(err)
			}
		})
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: set\n%q\nwant\n%q", tc.name, got, tc.want)
		}
		got = setCookies(t, func(c *gin.Context) { m.UnsetAccessCookies(c, tc.unset...) })
		if !reflect.DeepEqual(got, tc.gone) {
			t.Errorf("%s: unset\n%q\nwant\n%q", tc.name, got, tc.gone)
		}
	}
}

func TestSetCookiesRefusesBadTokens(t *testing.T) {
	m := mustNew(t, Config{SecretKey: []byte(testKey), TokenLocation: []Location{LocationCookies}})
	old := mustNew(t, Config{SecretKey: []byte(testKey), TokenLocation: []Location{LocationCookies}, Clock: fixedClock(-time.Hour * 24 * 365)})
	noCSRF := mustNew(t, Config{SecretKey: []byte(testKey)})
	for _, tc := range []struct {
		tok  string
		kind error
	}{
		{mustTok(t)(old.CreateAccessToken("a")), ErrExpired},
		{"x", ErrInvalidToken},
		{mustTok(t)(noCSRF.CreateAccessToken("a")), ErrInvalidToken},
	} {
		var err error
		got := setCookies(t, func(c *gin.Context) { err = m.SetRefreshCookies(c, tc.tok) })
		if !errors.Is(err, tc.kind) || len(got) != 0 {
			t.Errorf("%.20s: %v, cookies %q", tc.tok, err, got)
		}
	}
	// Without the CSRF cookie nothing is decoded, but the value must still
	// be one a Set-Cookie header can carry.
	var err error
	got := setCookies(t, func(c *gin.Context) { err = noCSRF.SetAccessCookies(c, "a;b") })
	if err == nil || len(got) != 0 {
		t.Errorf("a;b: %v %q", err, got)
	}
}
