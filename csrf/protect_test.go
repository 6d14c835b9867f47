package csrf_test

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/csrf"
)

// Flask-WTF 1.1.1's sentences (flask_wtf/csrf.py), and the statuses.
func TestReasons(t *testing.T) {
	for _, tc := range []struct {
		err    error
		reason string
		status int
	}{
		{csrf.ErrTokenMissing, "The CSRF token is missing.", 400},
		{csrf.ErrSessionTokenMissing, "The CSRF session token is missing.", 400},
		{csrf.ErrTokenExpired, "The CSRF token has expired.", 400},
		{csrf.ErrTokenInvalid, "The CSRF token is invalid.", 400},
		{csrf.ErrTokensDoNotMatch, "The CSRF tokens do not match.", 400},
		{csrf.ErrReferrerMissing, "The referrer header is missing.", 400},
		{csrf.ErrReferrerMismatch, "The referrer does not match the host.", 400},
		{csrf.ErrCrossOrigin, "The request is cross-origin.", 403},
		{errors.New("other"), "", 500},
	} {
		wrapped := errors.Join(errors.New("context"), tc.err)
		if got := csrf.Reason(wrapped); got != tc.reason {
			t.Errorf("Reason(%v) = %q, want %q", tc.err, got, tc.reason)
		}
		if got := csrf.Status(wrapped); got != tc.status {
			t.Errorf("Status(%v) = %d, want %d", tc.err, got, tc.status)
		}
		if tc.reason != "" && !strings.HasPrefix(tc.err.Error(), "csrf: ") {
			t.Errorf("%q lacks the package prefix", tc.err)
		}
	}
}

// Tokens Flask-WTF 1.1.1 (itsdangerous 2.1.2) signed for a raw token at
// 1700000000 (URLSafeTimedSerializer(key, salt="wtf-csrf-token").dumps(raw)
// with a frozen TimestampSigner.get_timestamp). The first is compressed.
func TestKnownAnswers(t *testing.T) {
	const at = 1700000000
	for _, tc := range []struct{ key, raw, token string }{
		{"dev-key", "0123456789abcdef0123456789abcdef01234567", ".eJxTMjA0MjYxNTO3sExMSk5JTcPFVwIA4koKpQ.ZVPxAA.RTTcSDVOs7g4KBVZoFDgYjHSSTM"},
		{"another key, longer than the first", "da39a3ee5e6b4b0d3255bfef95601890afd80709", "ImRhMzlhM2VlNWU2YjRiMGQzMjU1YmZlZjk1NjAxODkwYWZkODA3MDki.ZVPxAA._Zla_4QW1l4fdDIvnipcyafMkzs"},
	} {
		// One key for both, "dev-key" short as Flask's dev keys are.
		r := gin.New(flasksession.Plugin(flasksession.Config{SecretKey: []byte(tc.key), AllowWeakSecretKey: true}))
		r.Use(csrf.Protect(csrf.Config{Clock: func() time.Time { return time.Unix(at, 0) }}))
		r.GET("/seed", func(c *gin.Context) {
			flasksession.Get(c).Set("csrf_token", c.Query("raw"))
			c.String(http.StatusOK, csrf.Token(c))
		})
		r.POST("/submit", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
		base := serve(t, r)
		v := newVisitor(t)
		if got := v.do(http.MethodGet, base+"/seed?raw="+tc.raw, nil, nil); got.body != tc.token {
			t.Errorf("key %q: token %q, want Flask-WTF's %q", tc.key, got.body, tc.token)
		}
		if got := v.post(base, tc.token); got != accepted {
			t.Errorf("key %q: Flask-WTF's token refused: %v", tc.key, got)
		}
	}
}

var rawToken = regexp.MustCompile(`^[0-9a-f]{40}$`)

// Token is generate_csrf: a raw token made once per session, one signed
// token per request, the session written only when the raw token is new.
func TestToken(t *testing.T) {
	r := gin.New(flasksession.Plugin(flasksession.Config{SecretKey: []byte(testKey)}))
	k := &clock{}
	r.Use(csrf.Protect(csrf.Config{SecretKey: []byte(testKey), Clock: k.now}))
	r.GET("/twice", func(c *gin.Context) {
		a, b := csrf.Token(c), csrf.TemplateFunc(c)()
		raw, _ := flasksession.Get(c).GetString("csrf_token")
		c.String(http.StatusOK, a+" "+b+" "+raw)
	})
	base := serve(t, r)
	v := newVisitor(t)

	k.unix.Store(1700000000)
	first := strings.Fields(v.do(http.MethodGet, base+"/twice", nil, nil).body)
	if len(first) != 3 || first[0] != first[1] || !rawToken.MatchString(first[2]) {
		t.Fatalf("first request: token, token, raw = %q", first)
	}
	cookie := v.Cookie("session")
	if cookie == "" {
		t.Fatal("no session cookie after the first token")
	}
	k.unix.Store(1700000001)
	second := strings.Fields(v.do(http.MethodGet, base+"/twice", nil, nil).body)
	if second[2] != first[2] || second[0] == first[0] {
		t.Errorf("second request: raw %q (want the first's %q), token %q (want a new signing)", second[2], first[2], second[0])
	}
	if v.Cookie("session") != cookie {
		t.Errorf("the session was rewritten though its raw token did not change")
	}
	other := strings.Fields(newVisitor(t).do(http.MethodGet, base+"/twice", nil, nil).body)
	if other[2] == first[2] {
		t.Errorf("two sessions got the same raw token %q", other[2])
	}
}

func TestTokenWithoutProtect(t *testing.T) {
	r := gin.New(flasksession.Plugin(flasksession.Config{SecretKey: []byte(testKey)}))
	var got any
	r.GET("/", func(c *gin.Context) {
		defer func() { got = recover() }()
		csrf.Token(c)
	})
	newVisitor(t).do(http.MethodGet, serve(t, r)+"/", nil, nil)
	if err, _ := got.(error); !errors.Is(err, csrf.ErrNotProtected) {
		t.Errorf("Token without Protect: panic %v, want ErrNotProtected", got)
	}
}

// The cross-origin check runs before the token check and refuses even a
// valid token; requests without the browser headers go on to the token.
func TestCrossOrigin(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mod    func(*csrf.Config)
		method string
		path   string
		header http.Header // ORIGIN is replaced by the app's origin
		token  bool
		want   reply
	}{
		{"same-origin", nil, "POST", "/submit", http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {"ORIGIN"}}, true, accepted},
		{"typed in the address bar", nil, "POST", "/submit", http.Header{"Sec-Fetch-Site": {"none"}}, true, accepted},
		{"cross-site", nil, "POST", "/submit", http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}}, true, refused(csrf.ErrCrossOrigin)},
		{"same-site", nil, "POST", "/submit", http.Header{"Sec-Fetch-Site": {"same-site"}}, true, refused(csrf.ErrCrossOrigin)},
		{"cross-site, no token", nil, "POST", "/submit", http.Header{"Sec-Fetch-Site": {"cross-site"}}, false, refused(csrf.ErrCrossOrigin)},
		{"old browser, foreign Origin", nil, "POST", "/submit", http.Header{"Origin": {"https://evil.example"}}, true, refused(csrf.ErrCrossOrigin)},
		{"old browser, null Origin", nil, "POST", "/submit", http.Header{"Origin": {"null"}}, true, refused(csrf.ErrCrossOrigin)},
		{"old browser, same Origin", nil, "POST", "/submit", http.Header{"Origin": {"ORIGIN"}}, true, accepted},
		{"same Origin, no token", nil, "POST", "/submit", http.Header{"Origin": {"ORIGIN"}}, false, refused(csrf.ErrTokenMissing)},
		{"no browser headers, no token", nil, "POST", "/submit", nil, false, refused(csrf.ErrTokenMissing)},
		{"cross-site PUT", nil, "PUT", "/submit", http.Header{"Sec-Fetch-Site": {"cross-site"}}, true, refused(csrf.ErrCrossOrigin)},
		{"trusted origin", func(c *csrf.Config) { c.TrustedOrigins = []string{"https://app.example"} }, "POST", "/submit",
			http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://app.example"}}, true, accepted},
		{"trusted origin, no token", func(c *csrf.Config) { c.TrustedOrigins = []string{"https://app.example"} }, "POST", "/submit",
			http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://app.example"}}, false, refused(csrf.ErrTokenMissing)},
		{"other origin than the trusted one", func(c *csrf.Config) { c.TrustedOrigins = []string{"https://app.example"} }, "POST", "/submit",
			http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://app.example:8443"}}, true, refused(csrf.ErrCrossOrigin)},
		{"check off", func(c *csrf.Config) { c.DisableCrossOriginCheck = true }, "POST", "/submit",
			http.Header{"Sec-Fetch-Site": {"cross-site"}}, true, accepted},
		{"check off, token still checked", func(c *csrf.Config) { c.DisableCrossOriginCheck = true }, "POST", "/submit",
			http.Header{"Sec-Fetch-Site": {"cross-site"}}, false, refused(csrf.ErrTokenMissing)},
		{"exempt route", nil, "POST", "/hooks/github", http.Header{"Sec-Fetch-Site": {"cross-site"}}, false, reply{200, "hook"}},
		{"method not checked", func(c *csrf.Config) { c.Methods = []string{"POST"} }, "PUT", "/submit",
			http.Header{"Sec-Fetch-Site": {"cross-site"}}, false, accepted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := serve(t, newApp(appKeys{session: testKey}, nil, tc.mod))
			v := newVisitor(t)
			tok, _ := v.token(base)
			form := url.Values{}
			if tc.token {
				form.Set("csrf_token", tok)
			}
			h := http.Header{}
			for k, vals := range tc.header {
				for _, s := range vals {
					h.Add(k, strings.ReplaceAll(s, "ORIGIN", base))
				}
			}
			if got := v.do(tc.method, base+tc.path, form, h); got != tc.want {
				t.Errorf("%d %q, want %d %q", got.status, got.body, tc.want.status, tc.want.body)
			}
		})
	}
}

// Routes Protect leaves alone: exempt routes and groups (csrf.exempt),
// safe methods, and unmatched paths (Flask: no request.endpoint).
func TestNotChecked(t *testing.T) {
	base := serve(t, newApp(appKeys{session: testKey}, nil, func(c *csrf.Config) {
		c.ExemptGroups = []string{"/api/"} // a trailing slash is the same group
	}))
	v := newVisitor(t)
	for _, tc := range []struct {
		method, path string
		want         reply
	}{
		{"POST", "/hooks/github", reply{200, "hook"}},
		{"POST", "/api/items", reply{200, "api"}},
		{"GET", "/raw", reply{200, ""}},
		{"POST", "/nowhere", reply{404, "404 page not found"}},
		{"POST", "/hooks", reply{404, "404 page not found"}},
		{"POST", "/submit", refused(csrf.ErrTokenMissing)},
	} {
		if got := v.do(tc.method, base+tc.path, url.Values{}, nil); got != tc.want {
			t.Errorf("%s %s: %v, want %v", tc.method, tc.path, got, tc.want)
		}
	}
}

// Config fields other than the defaults.
func TestConfig(t *testing.T) {
	old := "an old key, still accepted for a while"
	for _, tc := range []struct {
		name string
		mod  func(*csrf.Config)
		run  func(t *testing.T, base string) reply
		want reply
	}{
		{"own field name", func(c *csrf.Config) { c.FieldName = "token" }, func(t *testing.T, base string) reply {
			v := newVisitor(t)
			tok := v.do(http.MethodGet, base+"/custom-token", nil, nil).body
			return v.do(http.MethodPost, base+"/submit", url.Values{"token": {tok}}, nil)
		}, accepted},
		// csrf_token ends in "token": a prefixed field, for Flask-WTF too.
		{"own field name, a field ending in it", func(c *csrf.Config) { c.FieldName = "token" }, func(t *testing.T, base string) reply {
			v := newVisitor(t)
			tok := v.do(http.MethodGet, base+"/custom-token", nil, nil).body
			return v.post(base, tok)
		}, accepted},
		{"own field name, another field", func(c *csrf.Config) { c.FieldName = "token" }, func(t *testing.T, base string) reply {
			v := newVisitor(t)
			tok := v.do(http.MethodGet, base+"/custom-token", nil, nil).body
			return v.do(http.MethodPost, base+"/submit", url.Values{"tokens": {tok}}, nil)
		}, refused(csrf.ErrTokenMissing)},
		{"own header", func(c *csrf.Config) { c.Headers = []string{"X-XSRF-Token"} }, func(t *testing.T, base string) reply {
			v := newVisitor(t)
			tok, _ := v.token(base)
			return v.do(http.MethodPost, base+"/submit", nil, http.Header{"X-Xsrf-Token": {tok}})
		}, accepted},
		{"own header, default header", func(c *csrf.Config) { c.Headers = []string{"X-XSRF-Token"} }, func(t *testing.T, base string) reply {
			v := newVisitor(t)
			tok, _ := v.token(base)
			return v.do(http.MethodPost, base+"/submit", nil, http.Header{"X-Csrftoken": {tok}})
		}, refused(csrf.ErrTokenMissing)},
		{"no time limit", func(c *csrf.Config) {
			c.TimeLimit = csrf.NoTimeLimit
			c.Clock = func() time.Time { return time.Now().AddDate(10, 0, 0) }
		}, func(t *testing.T, base string) reply {
			v := newVisitor(t)
			tok, _ := v.token(base) // signed 10 years on; checked 10 years on
			return v.do(http.MethodPost, base+"/submit", url.Values{"csrf_token": {tok}}, nil)
		}, accepted},
		{"ten second limit", func(c *csrf.Config) { c.TimeLimit = 10 * time.Second }, func(t *testing.T, base string) reply {
			v := newVisitor(t)
			tok := v.do(http.MethodGet, base+"/token-from?ago=11", nil, nil).body
			return v.post(base, tok)
		}, refused(csrf.ErrTokenExpired)},
		{"old key as a fallback", func(c *csrf.Config) { c.SecretKeyFallbacks = [][]byte{[]byte(old)} }, func(t *testing.T, base string) reply {
			v := newVisitor(t)
			tok := v.do(http.MethodGet, base+"/token-from?key="+url.QueryEscape(old), nil, nil).body
			return v.post(base, tok)
		}, accepted},
		{"old key dropped", nil, func(t *testing.T, base string) reply {
			v := newVisitor(t)
			tok := v.do(http.MethodGet, base+"/token-from?key="+url.QueryEscape(old), nil, nil).body
			return v.post(base, tok)
		}, refused(csrf.ErrTokenInvalid)},
		{"referrer check off", func(c *csrf.Config) { c.DisableSSLStrict = true }, func(t *testing.T, base string) reply {
			v := newVisitor(t)
			tok, _ := v.token(base)
			return v.do(http.MethodPost, base+"/submit", url.Values{"csrf_token": {tok}}, http.Header{"X-Forwarded-Proto": {"https"}})
		}, accepted},
		{"trusted origin as referrer", func(c *csrf.Config) { c.TrustedOrigins = []string{"https://app.example"} }, func(t *testing.T, base string) reply {
			v := newVisitor(t)
			tok, _ := v.token(base)
			return v.do(http.MethodPost, base+"/submit", url.Values{"csrf_token": {tok}},
				http.Header{"X-Forwarded-Proto": {"https"}, "Referer": {"https://APP.example/form"}})
		}, accepted},
		{"JSON body, token in a header", nil, func(t *testing.T, base string) reply {
			v := newVisitor(t)
			tok, _ := v.token(base)
			return v.postJSON(base+"/echo", `{"name":"ada"}`, http.Header{"X-CSRFToken": {tok}})
		}, reply{200, `{"name":"ada"}`}}, // the check left the body to the handler
		{"a session value that is not a string", nil, func(t *testing.T, base string) reply {
			v := newVisitor(t)
			tok, _ := v.token(base)
			v.do(http.MethodGet, base+"/spoil", nil, nil)
			return v.post(base, tok)
		}, refused(csrf.ErrTokensDoNotMatch)},
		{"a non-string session value is replaced", nil, func(t *testing.T, base string) reply {
			v := newVisitor(t)
			v.do(http.MethodGet, base+"/spoil", nil, nil)
			tok, raw := v.token(base)
			if !rawToken.MatchString(raw) {
				t.Errorf("raw token %q", raw)
			}
			return v.post(base, tok)
		}, accepted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cfg csrf.Config
			r := newApp(appKeys{session: testKey}, nil, func(c *csrf.Config) {
				if tc.mod != nil {
					tc.mod(c)
				}
				cfg = *c
			})
			r.GET("/custom-token", func(c *gin.Context) {
				tok := csrf.Token(c)
				if _, ok := flasksession.Get(c).Get("token"); !ok {
					t.Error("no raw token under the session key \"token\"")
				}
				c.String(http.StatusOK, tok)
			})
			// token-from signs the session's raw token as another app would:
			// with another key or at another time.
			r.GET("/token-from", func(c *gin.Context) {
				other := cfg
				if k := c.Query("key"); k != "" {
					other.SecretKey, other.SecretKeyFallbacks = []byte(k), nil
				}
				if s := c.Query("ago"); s != "" {
					d, _ := time.ParseDuration(s + "s")
					other.Clock = func() time.Time { return time.Now().Add(-d) }
				}
				csrf.Token(c) // a raw token in the session
				raw, _ := flasksession.Get(c).GetString("csrf_token")
				c.String(http.StatusOK, csrf.SignForTest(other, raw))
			})
			r.GET("/spoil", func(c *gin.Context) { flasksession.Get(c).Set("csrf_token", 42) })
			r.POST("/echo", func(c *gin.Context) {
				b, _ := io.ReadAll(c.Request.Body)
				c.String(http.StatusOK, string(b))
			})
			if got := tc.run(t, serve(t, r)); got != tc.want {
				t.Errorf("%d %q, want %d %q", got.status, got.body, tc.want.status, tc.want.body)
			}
		})
	}
}

func TestValidateConfig(t *testing.T) {
	key := []byte(testKey)
	for _, tc := range []struct {
		name string
		cfg  csrf.Config
		want string // "" = valid
	}{
		{"key only", csrf.Config{SecretKey: key}, ""},
		{"defaults written out", func() csrf.Config { c := csrf.DefaultConfig(); c.SecretKey = key; return c }(), ""},
		{"no key: the session's", csrf.Config{}, ""},
		{"empty fallback", csrf.Config{SecretKey: key, SecretKeyFallbacks: [][]byte{nil}}, "csrf: invalid Config.SecretKeyFallbacks: entry 0 is empty"},
		{"no methods", csrf.Config{SecretKey: key, Methods: []string{}}, "csrf: invalid Config.Methods: empty (nil means the defaults)"},
		{"empty method", csrf.Config{SecretKey: key, Methods: []string{"POST", ""}}, "csrf: invalid Config.Methods: entry 1 is empty"},
		{"empty header", csrf.Config{SecretKey: key, Headers: []string{""}}, "csrf: invalid Config.Headers: entry 0 is empty"},
		{"origin with a path", csrf.Config{SecretKey: key, TrustedOrigins: []string{"https://a.example/x"}}, `csrf: invalid Config.TrustedOrigins: "https://a.example/x" is not scheme://host[:port]`},
		{"origin without scheme", csrf.Config{SecretKey: key, TrustedOrigins: []string{"a.example"}}, `csrf: invalid Config.TrustedOrigins: "a.example" is not scheme://host[:port]`},
		{"relative exempt route", csrf.Config{SecretKey: key, ExemptRoutes: []string{"hooks"}}, `csrf: invalid Config.ExemptRoutes: "hooks" does not start with /`},
		{"relative exempt group", csrf.Config{SecretKey: key, ExemptGroups: []string{"api"}}, `csrf: invalid Config.ExemptGroups: "api" does not start with /`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if got := fmtErr(err); got != tc.want {
				t.Fatalf("Validate: %q, want %q", got, tc.want)
			}
			defer func() {
				if p := recover(); fmtErr(asErr(p)) != tc.want {
					t.Errorf("Protect panicked with %v, want %q", p, tc.want)
				}
			}()
			csrf.Protect(tc.cfg)
		})
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func asErr(p any) error {
	if p == nil {
		return nil
	}
	if err, ok := p.(error); ok {
		return err
	}
	return errors.New("not an error")
}

// ErrorHandler answers refusals (@app.errorhandler(CSRFError)); the error
// also reaches c.Errors, and the route never runs.
func TestErrorHandler(t *testing.T) {
	var seen []error
	ran := false
	r := newApp(appKeys{session: testKey}, nil, func(c *csrf.Config) {
		c.ErrorHandler = func(c *gin.Context, err error) {
			seen = append(seen, err)
			c.JSON(http.StatusTeapot, gin.H{"reason": csrf.Reason(err), "errors": len(c.Errors)})
		}
	})
	r.POST("/create", func(c *gin.Context) { ran = true })
	base := serve(t, r)
	v := newVisitor(t)
	v.token(base)
	got := v.do(http.MethodPost, base+"/create", url.Values{"csrf_token": {"abc"}}, nil)
	want := reply{http.StatusTeapot, `{"errors":1,"reason":"The CSRF token is invalid."}`}
	if got != want {
		t.Errorf("%v, want %v", got, want)
	}
	if len(seen) != 1 || !errors.Is(seen[0], csrf.ErrTokenInvalid) || ran {
		t.Errorf("handler saw %v, route ran %v", seen, ran)
	}
	// The cause stays reachable for logs.
	if !strings.HasPrefix(seen[0].Error(), "csrf: token invalid: ") {
		t.Errorf("error text %q", seen[0])
	}
}

// With DisableDefaultCheck, Protect hands out tokens and handlers call
// Check (csrf.protect()) or Validate (validate_csrf) themselves.
func TestManualCheck(t *testing.T) {
	r := newApp(appKeys{session: testKey}, nil, func(c *csrf.Config) { c.DisableDefaultCheck = true })
	r.POST("/checked", func(c *gin.Context) {
		if err := csrf.Check(c); err != nil {
			c.String(csrf.Status(err), csrf.Reason(err))
			return
		}
		c.String(http.StatusOK, "ok")
	})
	r.POST("/json", func(c *gin.Context) {
		var body struct{ Token string }
		c.BindJSON(&body)
		if err := csrf.Validate(c, body.Token); err != nil {
			c.String(csrf.Status(err), csrf.Reason(err))
			return
		}
		c.String(http.StatusOK, "ok")
	})
	base := serve(t, r)
	v := newVisitor(t)
	tok, _ := v.token(base)
	for _, tc := range []struct {
		name string
		got  reply
		want reply
	}{
		{"unchecked route", v.do(http.MethodPost, base+"/submit", url.Values{}, nil), accepted},
		{"Check, no token", v.do(http.MethodPost, base+"/checked", url.Values{}, nil), refused(csrf.ErrTokenMissing)},
		{"Check, token", v.do(http.MethodPost, base+"/checked", url.Values{"csrf_token": {tok}}, nil), accepted},
		{"Check, cross-site", v.do(http.MethodPost, base+"/checked", url.Values{"csrf_token": {tok}},
			http.Header{"Sec-Fetch-Site": {"cross-site"}}), refused(csrf.ErrCrossOrigin)},
		{"Validate, token", v.postJSON(base+"/json", `{"Token":"`+tok+`"}`, nil), accepted},
		{"Validate, tampered", v.postJSON(base+"/json", `{"Token":"x`+tok+`"}`, nil), refused(csrf.ErrTokenInvalid)},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

// A signature's last base64 character carries two unused bits. Python's
// decoder ignores them, so itsdangerous accepts four spellings of one
// signature; Protect accepts only the canonical one.
func TestStrictSignature(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	base := serve(t, newApp(appKeys{session: testKey}, nil, nil))
	v := newVisitor(t)
	tok, _ := v.token(base)
	last := strings.IndexByte(alphabet, tok[len(tok)-1])
	if last&3 != 0 {
		t.Fatalf("token %q: the last character has unused bits set", tok)
	}
	for _, bits := range []int{1, 2, 3} {
		other := tok[:len(tok)-1] + string(alphabet[last|bits])
		if got, want := v.post(base, other), refused(csrf.ErrTokenInvalid); got != want {
			t.Errorf("%q: %v, want %v", other, got, want)
		}
	}
	if got := v.post(base, tok); got != accepted {
		t.Errorf("canonical %q: %v", tok, got)
	}
}
