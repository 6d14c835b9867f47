package flasklogin

import (
	"errors"
	"github.com/ginflask/flasksession/taggedjson"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
)

// rememberCookie is the Set-Cookie the default Config writes for id,
// expiring d after testNow.
func rememberCookie(id string, d time.Duration) string {
	return "remember_token=" + quoteCookieValue(NewRememberCodec([]byte(testKey)).Encode(id)) +
		"; Expires=" + testNow.Add(d).Format(http.TimeFormat) + "; HttpOnly; Path=/"
}

const rememberDeletion = "remember_token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"

func TestLoginUser(t *testing.T) {
	cl := newClient(t)
	ident := cl.identifier()
	for _, tc := range []struct {
		name     string
		user     User
		opts     []LoginOption
		ok       bool
		session  map[string]any // what the response saves
		remember string         // the remember Set-Cookie, "" for none
	}{
		{"plain", testUser{id: "alice"}, nil, true,
			map[string]any{KeyUserID: "alice", KeyFresh: true, KeyID: ident}, ""},
		{"remember", testUser{id: "alice"}, []LoginOption{Remember(true)}, true,
			map[string]any{KeyUserID: "alice", KeyFresh: true, KeyID: ident}, rememberCookie("alice", 365*24*time.Hour)},
		{"remember off", testUser{id: "alice"}, []LoginOption{Remember(false)}, true,
			map[string]any{KeyUserID: "alice", KeyFresh: true, KeyID: ident}, ""},
		{"duration", testUser{id: "alice"}, []LoginOption{Remember(true), Duration(90*time.Minute + 1500*time.Nanosecond)}, true,
			map[string]any{KeyUserID: "alice", KeyFresh: true, KeyID: ident, KeyRememberSeconds: 5400.000001}, rememberCookie("alice", 90*time.Minute)},
		{"duration without remember", testUser{id: "alice"}, []LoginOption{Duration(time.Hour)}, true,
			map[string]any{KeyUserID: "alice", KeyFresh: true, KeyID: ident}, ""},
		{"not fresh", testUser{id: "alice"}, []LoginOption{NotFresh()}, true,
			map[string]any{KeyUserID: "alice", KeyFresh: false, KeyID: ident}, ""},
		{"inactive", testUser{id: "bob", inactive: true}, []LoginOption{Remember(true)}, false, nil, ""},
		{"inactive forced", testUser{id: "bob", inactive: true}, []LoginOption{Force()}, true,
			map[string]any{KeyUserID: "bob", KeyFresh: true, KeyID: ident}, ""},
		{"quoted id", testUser{id: `Zoë "x"; y`}, []LoginOption{Remember(true)}, true,
			map[string]any{KeyUserID: `Zoë "x"; y`, KeyFresh: true, KeyID: ident}, rememberCookie(`Zoë "x"; y`, 365*24*time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ok bool
			var seen User
			app := newTestApp(t, testConfig(), func(r *gin.Engine) {
				r.POST("/login", func(c *gin.Context) {
					ok = LoginUser(c, tc.user, tc.opts...)
					seen = CurrentUser(c)
					c.String(http.StatusOK, "done")
				})
			})
			res := newClient(t).do(t, app, "POST", "/login")
			if ok != tc.ok {
				t.Errorf("LoginUser = %v, want %v", ok, tc.ok)
			}
			if want := tc.user; !tc.ok {
				if seen != Anonymous {
					t.Errorf("CurrentUser after a refused login = %#v", seen)
				}
			} else if seen != want {
				t.Errorf("CurrentUser after login = %#v, want %#v", seen, want)
			}
			if got := res.session(); !reflect.DeepEqual(got, tc.session) {
				t.Errorf("session %#v, want %#v", got, tc.session)
			}
			got, _ := res.setCookie("remember_token")
			if got != tc.remember {
				t.Errorf("remember cookie\n got %q\nwant %q", got, tc.remember)
			}
		})
	}
}

func TestLogoutUser(t *testing.T) {
	for _, tc := range []struct {
		name         string
		session      map[string]any
		cookie       string // the request's remember cookie, "" for none
		wantSession  map[string]any
		wantRemember string
	}{
		{"logged in", map[string]any{KeyUserID: "alice", KeyFresh: true, "x": 1}, "",
			map[string]any{"x": 1}, ""},
		{"logged in, remembered", map[string]any{KeyUserID: "alice", KeyFresh: true, KeyRememberSeconds: 60.0, "x": 1}, "junk",
			map[string]any{"x": 1}, rememberDeletion},
		{"remember cookie only", nil, "anything",
			map[string]any{}, rememberDeletion},
		{"keeps _remember_seconds without a cookie", map[string]any{KeyUserID: "alice", KeyRememberSeconds: 60.0}, "",
			map[string]any{KeyRememberSeconds: 60.0}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := newTestApp(t, testConfig(), func(r *gin.Engine) {
				r.GET("/logout", func(c *gin.Context) {
					LogoutUser(c)
					if IsAuthenticated(c) {
						t.Error("still authenticated after LogoutUser")
					}
					c.Status(http.StatusNoContent)
				})
			})
			cl := newClient(t)
			if tc.session != nil {
				s := map[string]any{KeyID: cl.identifier()}
				for k, v := range tc.session {
					s[k] = v
				}
				cl.withSession(t, s)
			}
			if tc.cookie != "" {
				cl.SetCookie("remember_token", tc.cookie)
			}
			res := cl.do(t, app, "GET", "/logout")
			got := res.session()
			if len(tc.wantSession) == 0 && tc.session == nil {
				// A session that only held "_remember" is never saved.
				if len(got) != 0 {
					t.Errorf("session %#v, want none", got)
				}
			} else if !reflect.DeepEqual(got, tc.wantSession) {
				t.Errorf("session %#v, want %#v", got, tc.wantSession)
			}
			if rc, _ := res.setCookie("remember_token"); rc != tc.wantRemember {
				t.Errorf("remember cookie %q, want %q", rc, tc.wantRemember)
			}
		})
	}
}

// TestCurrentUser covers _load_user: the session first, then the remember
// cookie, and what each leaves in the session.
func TestCurrentUser(t *testing.T) {
	codec := NewRememberCodec([]byte(testKey))
	ident := newClient(t).identifier()
	for _, tc := range []struct {
		name        string
		session     map[string]any // nil: no session cookie
		cookie      string         // raw remember cookie, "" for none
		want        string         // whoami's answer
		wantSession map[string]any // nil: no session Set-Cookie
		wantErr     bool
	}{
		{"nobody", nil, "", "anonymous", nil, false},
		{"from the session", map[string]any{KeyUserID: "alice", KeyFresh: true, KeyID: ident}, "", "alice fresh", nil, false},
		{"int user id", map[string]any{KeyUserID: 42, KeyFresh: true, KeyID: ident}, "", "42 fresh", nil, false},
		{"from the remember cookie", nil, codec.Encode("alice"), "alice not fresh",
			map[string]any{KeyUserID: "alice", KeyFresh: false}, false},
		{"quoted remember cookie", nil, quoteCookieValue(codec.Encode("Ada Lovelace")), "Ada Lovelace not fresh",
			map[string]any{KeyUserID: "Ada Lovelace", KeyFresh: false}, false},
		{"unknown session user, cookie", map[string]any{KeyUserID: "ghost", KeyFresh: true, KeyID: ident}, codec.Encode("bob"), "bob not fresh",
			map[string]any{KeyUserID: "bob", KeyFresh: false, KeyID: ident}, false},
		// Flask-Login puts ghost2 into the session; the cookie is cleared
		// here instead (a revoked token must not cost a session a request).
		{"unknown user in the cookie", nil, codec.Encode("ghost2"), "anonymous", nil, false},
		{"tampered cookie", nil, codec.Encode("alice")[:20] + "x" + codec.Encode("alice")[21:], "anonymous", nil, false},
		{"cookie being cleared", map[string]any{KeyRemember: "clear", KeyID: ident}, codec.Encode("alice"), "anonymous",
			map[string]any{KeyID: ident}, false},
		{"loader error", map[string]any{KeyUserID: "broken", KeyID: ident}, codec.Encode("alice"), "anonymous", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var errs []*gin.Error
			app := newTestApp(t, testConfig(), func(r *gin.Engine) {
				r.GET("/", func(c *gin.Context) {
					whoami(c)
					errs = c.Errors
				})
			})
			cl := newClient(t)
			if tc.session != nil {
				cl.withSession(t, tc.session)
			}
			if tc.cookie != "" {
				cl.SetCookie("remember_token", tc.cookie)
			}
			res := cl.do(t, app, "GET", "/")
			if res.Body != tc.want {
				t.Errorf("answer %q, want %q", res.Body, tc.want)
			}
			if got := res.session(); !reflect.DeepEqual(got, tc.wantSession) {
				t.Errorf("session %#v, want %#v", got, tc.wantSession)
			}
			if _, ok := res.setCookie("remember_token"); ok != (tc.name == "cookie being cleared" || tc.name == "unknown user in the cookie") {
				t.Errorf("remember Set-Cookie: %v", res.Header.Values("Set-Cookie"))
			}
			var le *LoadError
			if gotErr := len(errs) == 1 && errors.As(errs[0].Err, &le) && le.ID == "broken"; gotErr != tc.wantErr {
				t.Errorf("c.Errors %v, want a LoadError: %v", errs, tc.wantErr)
			}
		})
	}
}

func TestSessionProtection(t *testing.T) {
	other := newClient(t)
	other.Header.Set("User-Agent", "another-agent")
	codec := NewRememberCodec([]byte(testKey))
	for _, tc := range []struct {
		name        string
		mode        Protection
		session     map[string]any // with _id from another client
		cookie      bool           // the request carries alice's remember cookie
		want        string
		wantSession map[string]any // nil: none saved
		clear       bool           // the remember cookie is cleared
	}{
		{"basic", ProtectionBasic, map[string]any{KeyUserID: "alice", KeyFresh: true}, false,
			"alice not fresh", map[string]any{KeyUserID: "alice", KeyFresh: false}, false},
		{"basic, already stale", ProtectionBasic, map[string]any{KeyUserID: "alice", KeyFresh: false}, false,
			"alice not fresh", nil, false},
		{"basic, fresh 0", ProtectionBasic, map[string]any{KeyUserID: "alice", KeyFresh: 0}, false,
			"alice not fresh", map[string]any{KeyUserID: "alice", KeyFresh: false}, false},
		{"basic, only a flash", ProtectionBasic, map[string]any{"_flashes": []any{}}, false,
			"anonymous", map[string]any{"_flashes": []any{}, KeyFresh: false}, false},
		{"strong", ProtectionStrong, map[string]any{KeyUserID: "alice", KeyFresh: true, KeyRememberSeconds: 5.0, KeyNext: "/x", "keep": "me"}, true,
			"anonymous", map[string]any{"keep": "me"}, true},
		{"strong, permanent", ProtectionStrong, map[string]any{KeyUserID: "alice", KeyFresh: true, "_permanent": true}, false,
			"alice not fresh", map[string]any{KeyUserID: "alice", KeyFresh: false, "_permanent": true}, false},
		{"off", ProtectionOff, map[string]any{KeyUserID: "alice", KeyFresh: true}, false,
			"alice fresh", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.SessionProtection = tc.mode
			app := newTestApp(t, cfg, func(r *gin.Engine) { r.GET("/", whoami) })
			s := map[string]any{KeyID: other.identifier()}
			for k, v := range tc.session {
				s[k] = v
			}
			cl := newClient(t).withSession(t, s)
			if tc.cookie {
				cl.SetCookie("remember_token", codec.Encode("alice"))
			}
			res := cl.do(t, app, "GET", "/")
			if res.Body != tc.want {
				t.Errorf("answer %q, want %q", res.Body, tc.want)
			}
			wantSession := tc.wantSession
			if wantSession != nil {
				wantSession = map[string]any{}
				for k, v := range tc.wantSession {
					wantSession[k] = v
				}
				if tc.mode != ProtectionStrong || tc.session["_permanent"] == true {
					wantSession[KeyID] = other.identifier()
				}
			}
			if got := res.session(); !reflect.DeepEqual(got, wantSession) {
				t.Errorf("session %#v, want %#v", got, wantSession)
			}
			if rc, _ := res.setCookie("remember_token"); (rc == rememberDeletion) != tc.clear {
				t.Errorf("remember Set-Cookie %q, cleared: want %v", rc, tc.clear)
			}
		})
	}
	// The same client is never affected, in any mode.
	for _, mode := range []Protection{ProtectionBasic, ProtectionStrong} {
		cfg := testConfig()
		cfg.SessionProtection = mode
		app := newTestApp(t, cfg, func(r *gin.Engine) { r.GET("/", whoami) })
		res := newClient(t).loggedIn(t).do(t, app, "GET", "/")
		if res.Body != "alice fresh" || res.session() != nil {
			t.Errorf("%v, same client: %q, session %v", mode, res.Body, res.session())
		}
	}
}

func TestLoginRequired(t *testing.T) {
	teapot := func(c *gin.Context) { c.AbortWithStatusJSON(http.StatusTeapot, gin.H{"error": "login"}) }
	for _, tc := range []struct {
		name     string
		cfg      func(*Config)
		route    []gin.HandlerFunc
		method   string
		target   string
		logged   bool
		status   int
		location string
		flashes  []any
	}{
		{"anonymous", nil, []gin.HandlerFunc{LoginRequired()}, "GET", "/private?a=1",
			false, http.StatusFound, "/login?next=%2Fprivate%3Fa%3D1",
			[]any{taggedjson.Tuple{"message", DefaultLoginMessage}}},
		{"logged in", nil, []gin.HandlerFunc{LoginRequired()}, "GET", "/private", true, http.StatusOK, "", nil},
		// Anonymous OPTIONS never reaches the handler (Flask-Login runs the view).
		{"options", nil, []gin.HandlerFunc{LoginRequired()}, "OPTIONS", "/private", false, http.StatusNoContent, "", nil},
		{"options, logged in", nil, []gin.HandlerFunc{LoginRequired()}, "OPTIONS", "/private", true, http.StatusOK, "", nil},
		{"no login view", func(c *Config) { c.LoginView = "" }, []gin.HandlerFunc{LoginRequired()}, "GET", "/private",
			false, http.StatusUnauthorized, "", nil},
		{"message and category", func(c *Config) { c.LoginMessage, c.LoginMessageCategory = "Log in first", "info" },
			[]gin.HandlerFunc{LoginRequired()}, "GET", "/private", false, http.StatusFound, "/login?next=%2Fprivate",
			[]any{taggedjson.Tuple{"info", "Log in first"}}},
		{"no message", func(c *Config) { c.NoLoginMessage = true }, []gin.HandlerFunc{LoginRequired()}, "GET", "/private",
			false, http.StatusFound, "/login?next=%2Fprivate", nil},
		{"config handler", func(c *Config) { c.Unauthorized = teapot }, []gin.HandlerFunc{LoginRequired()}, "GET", "/private",
			false, http.StatusTeapot, "", nil},
		{"route handler", nil, []gin.HandlerFunc{LoginRequired(OnUnauthorized(teapot))}, "GET", "/private",
			false, http.StatusTeapot, "", nil},
		{"fresh, anonymous", nil, []gin.HandlerFunc{FreshLoginRequired()}, "GET", "/settings",
			false, http.StatusFound, "/login?next=%2Fsettings", []any{taggedjson.Tuple{"message", DefaultLoginMessage}}},
		{"fresh, fresh", nil, []gin.HandlerFunc{FreshLoginRequired()}, "GET", "/settings", true, http.StatusOK, "", nil},
		{"fresh, options", nil, []gin.HandlerFunc{FreshLoginRequired()}, "OPTIONS", "/settings", false, http.StatusNoContent, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			ran := false
			app := newTestApp(t, cfg, func(r *gin.Engine) {
				path, _, _ := strings.Cut(tc.target, "?")
				r.Handle(tc.method, path, append(tc.route, func(c *gin.Context) { ran = true; c.String(http.StatusOK, "ok") })...)
			})
			cl := newClient(t)
			if tc.logged {
				cl.loggedIn(t)
			}
			res := cl.do(t, app, tc.method, tc.target)
			if res.Status != tc.status || res.Location() != tc.location {
				t.Errorf("%d %q, want %d %q", res.Status, res.Location(), tc.status, tc.location)
			}
			if ran != (tc.status == http.StatusOK) {
				t.Errorf("handler ran: %v", ran)
			}
			got, _ := res.session()["_flashes"].([]any)
			if !reflect.DeepEqual(got, tc.flashes) {
				t.Errorf("flashes %#v, want %#v", got, tc.flashes)
			}
		})
	}
}

func TestFreshLoginRequiredNotFresh(t *testing.T) {
	teapot := func(c *gin.Context) { c.AbortWithStatus(http.StatusTeapot) }
	for _, tc := range []struct {
		name     string
		cfg      func(*Config)
		opts     []RequireOption
		status   int
		location string
		flashes  []any
	}{
		{"refresh view", nil, nil, http.StatusFound, "/reauth?next=%2Fsettings", []any{taggedjson.Tuple{"message", DefaultRefreshMessage}}},
		{"no refresh view", func(c *Config) { c.RefreshView = "" }, nil, http.StatusUnauthorized, "", nil},
		{"no message", func(c *Config) { c.NoRefreshMessage = true }, nil, http.StatusFound, "/reauth?next=%2Fsettings", nil},
		{"config handler", func(c *Config) { c.NeedsRefresh = teapot }, nil, http.StatusTeapot, "", nil},
		{"route handler", nil, []RequireOption{OnNeedsRefresh(teapot)}, http.StatusTeapot, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			app := newTestApp(t, cfg, func(r *gin.Engine) {
				r.GET("/settings", FreshLoginRequired(tc.opts...), func(c *gin.Context) { c.String(http.StatusOK, "ok") })
			})
			cl := newClient(t)
			cl.withSession(t, map[string]any{KeyUserID: "alice", KeyFresh: false, KeyID: cl.identifier()})
			res := cl.do(t, app, "GET", "/settings")
			if res.Status != tc.status || res.Location() != tc.location {
				t.Errorf("%d %q, want %d %q", res.Status, res.Location(), tc.status, tc.location)
			}
			got, _ := res.session()["_flashes"].([]any)
			if !reflect.DeepEqual(got, tc.flashes) {
				t.Errorf("flashes %#v, want %#v", got, tc.flashes)
			}
		})
	}
}

func TestLoaderErrorAnswers500(t *testing.T) {
	for _, mw := range []gin.HandlerFunc{LoginRequired(), FreshLoginRequired()} {
		app := newTestApp(t, testConfig(), func(r *gin.Engine) {
			r.GET("/private", mw, func(c *gin.Context) { c.String(http.StatusOK, "ok") })
		})
		cl := newClient(t)
		cl.withSession(t, map[string]any{KeyUserID: "broken", KeyID: cl.identifier()})
		if res := cl.do(t, app, "GET", "/private"); res.Status != http.StatusInternalServerError {
			t.Errorf("loader error: %d, want 500", res.Status)
		}
	}
}

func TestConfirmLoginAndLoginRemembered(t *testing.T) {
	codec := NewRememberCodec([]byte(testKey))
	app := newTestApp(t, testConfig(), func(r *gin.Engine) {
		r.GET("/remembered", func(c *gin.Context) {
			if LoginRemembered(c) {
				c.String(http.StatusOK, "yes")
			} else {
				c.String(http.StatusOK, "no")
			}
		})
		r.POST("/confirm", func(c *gin.Context) { CurrentUser(c); ConfirmLogin(c); whoami(c) })
	})
	for _, tc := range []struct {
		name    string
		cookie  string
		session map[string]any
		want    string
	}{
		{"none", "", nil, "no"},
		{"valid", codec.Encode("alice"), nil, "yes"},
		{"forged", "alice|" + strings.Repeat("0", 128), nil, "no"},
		{"being cleared", codec.Encode("alice"), map[string]any{KeyRemember: "clear"}, "no"},
	} {
		cl := newClient(t)
		if tc.cookie != "" {
			cl.SetCookie("remember_token", tc.cookie)
		}
		if tc.session != nil {
			cl.withSession(t, tc.session)
		}
		if res := cl.do(t, app, "GET", "/remembered"); res.Body != tc.want {
			t.Errorf("LoginRemembered, %s: %q, want %q", tc.name, res.Body, tc.want)
		}
	}
	// Restored from the cookie (not fresh), then confirmed: fresh, with
	// this client's identifier.
	cl := newClient(t)
	cl.SetCookie("remember_token", codec.Encode("alice"))
	res := cl.do(t, app, "POST", "/confirm")
	want := map[string]any{KeyUserID: "alice", KeyFresh: true, KeyID: cl.identifier()}
	if res.Body != "alice fresh" || !reflect.DeepEqual(res.session(), want) {
		t.Errorf("after ConfirmLogin: %q, session %#v", res.Body, res.session())
	}
}

// TestRememberCookieAfterRequest covers _update_remember_cookie and the
// cookie's attributes.
func TestRememberCookieAfterRequest(t *testing.T) {
	enc := quoteCookieValue(NewRememberCodec([]byte(testKey)).Encode("alice"))
	for _, tc := range []struct {
		name    string
		cfg     func(*Config)
		session map[string]any // _id is added
		want    string         // the remember Set-Cookie, "" for none
	}{
		{"nothing to do", nil, map[string]any{KeyUserID: "alice"}, ""},
		{"set", nil, map[string]any{KeyUserID: "alice", KeyRemember: "set"}, rememberCookie("alice", 365*24*time.Hour)},
		{"set without a user", nil, map[string]any{KeyRemember: "set"}, ""},
		{"clear", nil, map[string]any{KeyRemember: "clear"}, rememberDeletion},
		{"other value", nil, map[string]any{KeyUserID: "alice", KeyRemember: "maybe"}, ""},
		{"float seconds", nil, map[string]any{KeyUserID: "alice", KeyRemember: "set", KeyRememberSeconds: 90.5}, rememberCookie("alice", 90*time.Second)},
		{"int seconds", nil, map[string]any{KeyUserID: "alice", KeyRemember: "set", KeyRememberSeconds: 60}, rememberCookie("alice", time.Minute)},
		// Flask-Login 0.6.2 sets a remember cookie here (its issue #824);
		// only a remembered login is refreshed (TestRefreshOnlyRemembered).
		{"refresh each request, not remembered", func(c *Config) { c.RememberCookieRefreshEachRequest = true }, map[string]any{KeyUserID: "alice"}, ""},
		{"refresh each request, anonymous", func(c *Config) { c.RememberCookieRefreshEachRequest = true }, map[string]any{"x": 1}, ""},
		{"duration", func(c *Config) { c.RememberCookieDuration = time.Hour }, map[string]any{KeyUserID: "alice", KeyRemember: "set"}, rememberCookie("alice", time.Hour)},
		{"attributes", func(c *Config) {
			c.RememberCookieName, c.RememberCookieDomain, c.RememberCookiePath = "rt", ".example.com:8080", "/app"
			c.RememberCookieSecure, c.RememberCookieDisableHTTPOnly, c.RememberCookieSameSite = true, true, http.SameSiteStrictMode
		}, map[string]any{KeyUserID: "alice", KeyRemember: "set"},
			"rt=" + enc + "; Domain=example.com; Expires=" + testNow.Add(365*24*time.Hour).Format(http.TimeFormat) + "; Secure; Path=/app; SameSite=Strict"},
		{"attributes, clear", func(c *Config) {
			c.RememberCookieName, c.RememberCookieDomain, c.RememberCookiePath = "rt", "example.com", "/app"
			c.RememberCookieSecure, c.RememberCookieSameSite = true, http.SameSiteLaxMode
		}, map[string]any{KeyRemember: "clear"},
			"rt=; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/app"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			app := newTestApp(t, cfg, func(r *gin.Engine) { r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "ok") }) })
			cl := newClient(t)
			s := map[string]any{KeyID: cl.identifier()}
			for k, v := range tc.session {
				s[k] = v
			}
			res := cl.withSession(t, s).do(t, app, "GET", "/")
			name := cfg.RememberCookieName
			if name == "" {
				name = DefaultRememberCookieName
			}
			if got, _ := res.setCookie(name); got != tc.want {
				t.Errorf("remember Set-Cookie\n got %q\nwant %q", got, tc.want)
			}
			if sess := res.session(); sess != nil && sess[KeyRemember] != nil {
				t.Errorf("the saved session still has _remember: %#v", sess)
			}
		})
	}
}

// With RememberCookieRefreshEachRequest, the remember cookie is sent again
// only to a login that asked to be remembered: one whose request carries a
// valid remember cookie for the session's user.
func TestRefreshOnlyRemembered(t *testing.T) {
	codec := NewRememberCodec([]byte(testKey))
	for _, tc := range []struct {
		name, remember, want string
	}{
		{"remembered", codec.Encode("alice"), rememberCookie("alice", 365*24*time.Hour)},
		{"not remembered", "", ""},
		{"another user's cookie", codec.Encode("bob"), ""},
		{"forged cookie", "alice|00", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.RememberCookieRefreshEachRequest = true
			app := newTestApp(t, cfg, func(r *gin.Engine) { r.GET("/", whoami) })
			cl := newClient(t).loggedIn(t)
			if tc.remember != "" {
				cl.SetCookie(DefaultRememberCookieName, quoteCookieValue(tc.remember))
			}
			res := cl.do(t, app, "GET", "/")
			if got, _ := res.setCookie(DefaultRememberCookieName); got != tc.want {
				t.Errorf("remember Set-Cookie\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestWriteHooks: whichever way the handler writes, the remember cookie
// and the session without "_remember" go out with the headers.
func TestWriteHooks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(c *gin.Context)
	}{
		{"String", func(c *gin.Context) { c.String(http.StatusOK, "ok") }},
		{"JSON", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"ok": true}) }},
		{"Redirect", func(c *gin.Context) { c.Redirect(http.StatusFound, "/") }},
		{"Writer.Write", func(c *gin.Context) { c.Writer.Write([]byte("ok")) }},
		{"Writer.WriteString", func(c *gin.Context) { c.Writer.WriteString("ok") }},
		{"WriteHeaderNow", func(c *gin.Context) { c.Writer.WriteHeader(http.StatusAccepted); c.Writer.WriteHeaderNow() }},
		{"Flush", func(c *gin.Context) { c.Writer.Flush() }},
		{"ResponseController.Flush", func(c *gin.Context) { http.NewResponseController(c.Writer).Flush() }},
		{"Status only", func(c *gin.Context) { c.Status(http.StatusNoContent) }},
		{"nothing", func(c *gin.Context) {}},
		{"write twice", func(c *gin.Context) { c.Writer.WriteString("a"); c.Writer.WriteString("b") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := newTestApp(t, testConfig(), func(r *gin.Engine) {
				r.POST("/login", func(c *gin.Context) {
					LoginUser(c, testUser{id: "alice"}, Remember(true))
					tc.write(c)
				})
			})
			res := newClient(t).do(t, app, "POST", "/login")
			if got, _ := res.setCookie("remember_token"); got != rememberCookie("alice", 365*24*time.Hour) {
				t.Errorf("remember Set-Cookie %q", got)
			}
			sess := res.session()
			if sess[KeyUserID] != "alice" || sess[KeyRemember] != nil {
				t.Errorf("session %#v", sess)
			}
		})
	}
}

// A Flask-Login bug kept for compatibility: a login restored from the
// remember cookie has no "_id", so under strong protection the next request
// logs it out and clears the cookie.
func TestStrongProtectionDropsRestoredLogin(t *testing.T) {
	cfg := testConfig()
	cfg.SessionProtection = ProtectionStrong
	app := newTestApp(t, cfg, func(r *gin.Engine) { r.GET("/", whoami) })
	cl := newClient(t)
	cl.SetCookie("remember_token", NewRememberCodec([]byte(testKey)).Encode("alice"))
	if res := cl.do(t, app, "GET", "/"); res.Body != "alice not fresh" {
		t.Fatalf("restored: %q", res.Body)
	}
	res := cl.do(t, app, "GET", "/")
	if rc, _ := res.setCookie("remember_token"); res.Body != "anonymous" || rc != rememberDeletion {
		t.Errorf("next request: %q, remember Set-Cookie %q", res.Body, rc)
	}
}

func TestMiddlewareOrder(t *testing.T) {
	m, err := newManager(testConfig(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	sc := flasksession.DefaultConfig()
	sc.SecretKey = []byte(testKey)
	for _, tc := range []struct {
		name string
		use  []gin.HandlerFunc
		want error // the panic value itself
	}{
		{"login before session", []gin.HandlerFunc{m.handle, flasksession.New(sc)}, ErrNoSession},
		{"no login middleware", []gin.HandlerFunc{flasksession.New(sc)}, ErrNoLoginMiddleware},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := gin.New()
			r.Use(tc.use...)
			var got any
			r.GET("/", func(c *gin.Context) { CurrentUser(c) })
			func() {
				defer func() { got = recover() }()
				r.ServeHTTP(httptest.NewRecorder(), newClient(t).request(r, "GET", "/"))
			}()
			if got != tc.want {
				t.Errorf("panic %#v, want %v", got, tc.want)
			}
		})
	}
	// Registered twice: one remember cookie.
	r := gin.New()
	r.Use(flasksession.New(sc), m.handle, m.handle)
	r.POST("/login", func(c *gin.Context) { LoginUser(c, testUser{id: "a"}, Remember(true)); c.String(200, "ok") })
	res := newClient(t).do(t, r, "POST", "/login")
	n := 0
	for _, sc := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(sc, "remember_token=") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("registered twice: %d remember cookies", n)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want error
	}{
		{"ok", func(*Config) {}, nil},
		{"no key: the session's", func(c *Config) { c.SecretKey = nil }, nil},
		{"no loader", func(c *Config) { c.UserLoader = nil }, ErrNoUserLoader},
		{"protection", func(c *Config) { c.SessionProtection = 7 }, ErrInvalidConfig},
		{"duration", func(c *Config) { c.RememberCookieDuration = -time.Second }, ErrInvalidConfig},
		{"samesite none", func(c *Config) { c.RememberCookieSameSite = http.SameSiteNoneMode }, ErrInvalidConfig},
		{"login view name", func(c *Config) { c.LoginView = "login" }, ErrInvalidConfig},
		{"refresh view name", func(c *Config) { c.RefreshView = "reauth" }, ErrInvalidConfig},
		{"absolute views", func(c *Config) { c.LoginView, c.RefreshView = "https://auth.example/login", "http://x/r" }, nil},
		{"samesite none secure", func(c *Config) { c.RememberCookieSameSite, c.RememberCookieSecure = http.SameSiteNoneMode, true }, nil},
	} {
		cfg := testConfig()
		tc.edit(&cfg)
		if err := cfg.Validate(); !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
			t.Errorf("%s: Validate() = %v, want %v", tc.name, err, tc.want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("New with an invalid Config did not panic")
		}
	}()
	New(Config{})
}

// Handlers may call the package from goroutines they start, on c.Copy().
func TestConcurrentUse(t *testing.T) {
	app := newTestApp(t, testConfig(), func(r *gin.Engine) {
		r.GET("/", func(c *gin.Context) {
			var wg sync.WaitGroup
			for range 8 {
				cc := c.Copy()
				wg.Go(func() {
					if CurrentUser(cc).ID() != "alice" || !LoginFresh(cc) {
						t.Error("a goroutine saw another user")
					}
				})
			}
			wg.Wait()
			c.String(http.StatusOK, "ok")
		})
	})
	cl := newClient(t)
	cl.SetCookie("remember_token", NewRememberCodec([]byte(testKey)).Encode("alice"))
	cl.withSession(t, map[string]any{KeyUserID: "alice", KeyFresh: true, KeyID: cl.identifier()})
	if res := cl.do(t, app, "GET", "/"); res.Status != http.StatusOK {
		t.Fatal(res.Status)
	}
}

// A response written past the middleware's hook cannot get the remember
// cookie: the request's errors say so.
func TestHeadersWrittenPastTheHook(t *testing.T) {
	var errs []*gin.Error
	m, err := newManager(testConfig(), func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	sc := flasksession.DefaultConfig()
	sc.SecretKey = []byte(testKey)
	r := gin.New()
	var raw gin.ResponseWriter
	r.Use(func(c *gin.Context) { raw = c.Writer; c.Next(); errs = c.Errors }, flasksession.New(sc), m.handle)
	r.POST("/login", func(c *gin.Context) {
		LoginUser(c, testUser{id: "alice"}, Remember(true))
		raw.WriteString("too early")
	})
	res := newClient(t).do(t, r, "POST", "/login")
	if _, ok := res.setCookie("remember_token"); ok {
		t.Error("a remember cookie after the headers went out")
	}
	found := false
	for _, e := range errs {
		found = found || errors.Is(e.Err, ErrHeadersWritten)
	}
	if !found {
		t.Errorf("c.Errors %v, want ErrHeadersWritten", errs)
	}
}
