package flasksession

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// FuzzReadCookie feeds hostile Cookie headers to the parser: it must not
// panic, must return a value free of separators, and must agree with a
// plain reading of the header (the first cookie of that name wins, as in
// Werkzeug).
func FuzzReadCookie(f *testing.F) {
	for _, s := range []string{
		"session=abc",
		"a=1; session=eyJ4IjoxfQ.ZVPxAA.sig; b=2",
		"session=bad; session=good",
		`session="quoted"`,
		" session = spaced ; x=y",
		"session",
		"=;;;==",
		"session=; session=second",
		"sessionx=1; xsession=2",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		h := http.Header{"Cookie": {header}}
		v, ok := readCookie(h, DefaultCookieName)
		if strings.Contains(v, ";") {
			t.Fatalf("value %q holds a separator", v)
		}
		// Reference: split on ';', trim, first name match.
		var want string
		var found bool
		for _, part := range strings.Split(header, ";") {
			k, val, _ := strings.Cut(part, "=")
			if strings.TrimSpace(k) == DefaultCookieName {
				want, found = strings.TrimSpace(val), true
				if len(want) >= 2 && want[0] == '"' && want[len(want)-1] == '"' {
					want = want[1 : len(want)-1]
				}
				break
			}
		}
		if ok != found || v != want {
			t.Fatalf("readCookie(%q) = %q, %v; want %q, %v", header, v, ok, want, found)
		}
	})
}

// FuzzMiddlewareCookie sends any Cookie header through the middleware: the
// response is always a 200, and a session is accepted only if it carries
// the value a valid cookie would (the fuzzer cannot forge the signature).
func FuzzMiddlewareCookie(f *testing.F) {
	gin.SetMode(gin.ReleaseMode)
	key := []byte("fuzz-secret-key-0123456789")
	m, err := newMiddleware(Config{SecretKey: key}, nil)
	if err != nil {
		f.Fatal(err)
	}
	valid, err := m.backend.(*cookieBackend).codec.Encode(map[string]any{"user": "alice", "_permanent": true})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("session=" + valid)
	f.Add("session=" + valid[:len(valid)-1])
	f.Add("session=." + valid)
	f.Add("session=" + strings.ToUpper(valid))
	f.Add("session=a.b.c")
	f.Add("")

	r := gin.New()
	r.Use(gin.Recovery(), New(Config{SecretKey: key}))
	r.GET("/", func(c *gin.Context) {
		v, _ := Get(c).GetString("user")
		c.String(http.StatusOK, v)
	})
	f.Fuzz(func(t *testing.T, header string) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header["Cookie"] = []string{header}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Fatalf("status %d for Cookie %q", w.Code, header)
		}
		if body := w.Body.String(); body != "" && body != "alice" {
			t.Fatalf("session user %q from Cookie %q", body, header)
		}
	})
}
