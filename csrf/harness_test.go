package csrf_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/csrf"
	"github.com/ginflask/flasksession/internal/webtest"
)

// The keys of the tests: every app, Go or Python, uses testKey unless a
// test is about keys that differ.
const (
	testKey  = "csrf tests: one SECRET_KEY for every app"
	otherKey = "csrf tests: a different key, as a worker with its own"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// clock is a test clock: zero means the real time, else frozen at that
// Unix second.
type clock struct{ unix atomic.Int64 }

func (k *clock) now() time.Time {
	if s := k.unix.Load(); s != 0 {
		return time.Unix(s, 0)
	}
	return time.Now()
}

// appKeys are the keys of a test app: the session key (Flask SECRET_KEY)
// and the CSRF key (WTF_CSRF_SECRET_KEY, "" = the session key).
type appKeys struct{ session, csrf string }

// newApp is the Gin twin of testdata/flaskwtf_app.py:
//
//	GET  /token        {"token": csrf_token(), "raw": session["csrf_token"]}
//	GET  /raw          the raw token in the session, "" if none
//	POST /submit       "ok" when the token passes
//	POST /hooks/:name  exempt route; POST /api/items in an exempt group
//
// A refusal answers 400 with Flask-WTF's reason, as the Flask twin's
// CSRFError handler does.
func newApp(keys appKeys, k *clock, mod func(*csrf.Config)) *gin.Engine {
	r := gin.New(flasksession.Plugin(flasksession.Config{SecretKey: []byte(keys.session)}))
	cfg := csrf.Config{
		SecretKey:    []byte(keys.session),
		ExemptRoutes: []string{"/hooks/:name"},
		ExemptGroups: []string{"/api"},
		// The Flask twin runs behind werkzeug's ProxyFix(x_proto=1).
		IsSecure: func(r *http.Request) bool { return r.Header.Get("X-Forwarded-Proto") == "https" },
	}
	if keys.csrf != "" {
		cfg.SecretKey = []byte(keys.csrf)
		cfg.SeparateSecretKey = true // WTF_CSRF_SECRET_KEY, set on purpose
	}
	if k != nil {
		cfg.Clock = k.now
	}
	if mod != nil {
		mod(&cfg)
	}
	r.Use(csrf.Protect(cfg))
	r.GET("/token", func(c *gin.Context) {
		tok := csrf.Token(c)
		raw, _ := flasksession.Get(c).GetString("csrf_token")
		c.JSON(http.StatusOK, gin.H{"token": tok, "raw": raw})
	})
	r.GET("/raw", func(c *gin.Context) {
		raw, _ := flasksession.Get(c).GetString("csrf_token")
		c.String(http.StatusOK, raw)
	})
	r.POST("/submit", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	r.PUT("/submit", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	r.POST("/hooks/:name", func(c *gin.Context) { c.String(http.StatusOK, "hook") })
	api := r.Group("/api")
	api.POST("/items", func(c *gin.Context) { c.String(http.StatusOK, "api") })
	return r
}

// serve runs h on a loopback port until the test ends.
func serve(t testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// visitor is one browser: its cookies, as the apps wrote them, go to any
// of the apps (they share the cookie format and key).
type visitor struct {
	*webtest.Client
	t testing.TB
}

func newVisitor(t testing.TB) *visitor { return &visitor{webtest.NewHTTP(t), t} }

// reply is one answer as the tests see it.
type reply struct {
	status int
	body   string
}

func replyOf(r *webtest.Response) reply { return reply{r.Status, r.Body} }

// do sends a request with the visitor's cookies and keeps any new ones.
// form nil sends no body.
func (v *visitor) do(method, u string, form url.Values, header http.Header) reply {
	v.t.Helper()
	return replyOf(v.Do(method, u, form, header))
}

// postJSON posts body as JSON, with header.
func (v *visitor) postJSON(u, body string, header http.Header) reply {
	v.t.Helper()
	req := v.Request(http.MethodPost, u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, vs := range header {
		req.Header[k] = vs
	}
	return replyOf(v.Send(req))
}

// token asks an app for a token (and so a raw token in the session).
func (v *visitor) token(base string) (token, raw string) {
	v.t.Helper()
	r := v.do(http.MethodGet, base+"/token", nil, nil)
	var got struct{ Token, Raw string }
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &got) != nil {
		v.t.Fatalf("GET %s/token: %d %q", base, r.status, r.body)
	}
	return got.Token, got.Raw
}

// post submits a form with the token in the csrf_token field.
func (v *visitor) post(base, token string) reply {
	v.t.Helper()
	return v.do(http.MethodPost, base+"/submit", url.Values{"csrf_token": {token}}, nil)
}

// accepted is the answer to a request that passes.
var accepted = reply{http.StatusOK, "ok"}

// refused is the answer to a request refused with err, on either side.
func refused(err error) reply { return reply{csrf.Status(err), csrf.Reason(err)} }
