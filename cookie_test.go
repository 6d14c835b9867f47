package flasksession

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/flaskcookie"
)

// Table tests of cookie.go: the Set-Cookie attributes, reading the Cookie
// header as Werkzeug does, and merging Vary.

func TestCookieFormat(t *testing.T) {
	exp := time.Date(2023, 12, 15, 22, 13, 20, 0, time.UTC)
	tests := []struct {
		name     string
		cfg      Config
		set      string // with Expires exp, value V
		deletion string
	}{
		{"defaults", Config{},
			"session=V; Expires=Fri, 15 Dec 2023 22:13:20 GMT; HttpOnly; Path=/; SameSite=Lax",
			"session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/; SameSite=Lax"},
		{"Flask's defaults (no SameSite)", Config{CookieSameSite: http.SameSiteDefaultMode},
			"session=V; Expires=Fri, 15 Dec 2023 22:13:20 GMT; HttpOnly; Path=/",
			"session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/"},
		{"domain, path, secure, strict", Config{CookieDomain: "example.com", CookiePath: "/x", CookieSecure: true, CookieSameSite: http.SameSiteStrictMode},
			"session=V; Domain=example.com; Expires=Fri, 15 Dec 2023 22:13:20 GMT; Secure; HttpOnly; Path=/x; SameSite=Strict",
			"session=; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Secure; HttpOnly; Path=/x; SameSite=Strict"},
		{"leading dot dropped, partitioned forces Secure", Config{CookieName: "sid", CookieDomain: ".example.com", CookiePartitioned: true, DisableHTTPOnly: true, CookieSameSite: http.SameSiteNoneMode},
			"sid=V; Domain=example.com; Expires=Fri, 15 Dec 2023 22:13:20 GMT; Secure; Path=/; SameSite=None; Partitioned",
			"sid=; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Secure; Path=/; SameSite=None; Partitioned"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.SecretKey = testSecret
			m, err := newMiddleware(cfg, time.Now) // applies the defaults
			if err != nil {
				t.Fatal(err)
			}
			f := m.format
			got := string(f.appendAttrs(append([]byte(f.name), 'V'), exp))
			if got != tt.set {
				t.Errorf("set:\n got %q\nwant %q", got, tt.set)
			}
			noExp := string(f.appendAttrs(append([]byte(f.name), 'V'), time.Time{}))
			if want := strings.Replace(tt.set, "; Expires=Fri, 15 Dec 2023 22:13:20 GMT", "", 1); noExp != want {
				t.Errorf("browser-session cookie:\n got %q\nwant %q", noExp, want)
			}
			if d := f.deletion; d != tt.deletion {
				t.Errorf("deletion:\n got %q\nwant %q", d, tt.deletion)
			}
		})
	}
}

func TestReadCookie(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    string
		ok      bool
	}{
		{"none", nil, "", false},
		{"only", []string{"session=abc"}, "abc", true},
		{"among others", []string{"a=1; session=abc; b=2"}, "abc", true},
		{"first wins", []string{"session=first; session=second"}, "first", true},
		{"first header wins", []string{"session=first", "session=second"}, "first", true},
		{"second header", []string{"a=1", "session=abc"}, "abc", true},
		{"spaces trimmed", []string{"  session  =  abc  ;b=1"}, "abc", true},
		{"quoted", []string{`session="abc"`}, "abc", true},
		{"lone quote kept", []string{`session="abc`}, `"abc`, true},
		{"empty value", []string{"session="}, "", true},
		// Werkzeug: a bare name is that cookie with an empty value, and the first one wins.
		{"no =", []string{"session; session=abc"}, "", true},
		{"suffix name", []string{"xsession=abc"}, "", false},
		{"prefix name", []string{"session2=abc"}, "", false},
		{"value with =", []string{"session=a=b"}, "a=b", true},
		{"empty header", []string{""}, "", false},
		{"only semicolons", []string{";;;"}, "", false},
	}
	for _, tt := range tests {
		h := http.Header{}
		for _, v := range tt.headers {
			h.Add("Cookie", v)
		}
		got, ok := readCookie(h, "session")
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: readCookie(%q) = %q, %v; want %q, %v", tt.name, tt.headers, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAddVaryCookie(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"none", nil, []string{"Cookie"}},
		{"one other", []string{"Accept-Encoding"}, []string{"Accept-Encoding, Cookie"}},
		{"two others", []string{"Accept-Encoding, Accept-Language"}, []string{"Accept-Encoding, Accept-Language, Cookie"}},
		{"two headers merged", []string{"Accept-Encoding", "Accept-Language"}, []string{"Accept-Encoding, Accept-Language, Cookie"}},
		{"already there", []string{"Cookie"}, []string{"Cookie"}},
		{"already there, any case", []string{"accept-encoding, COOKIE"}, []string{"accept-encoding, COOKIE"}},
		{"already there, spaces", []string{"Origin,Cookie "}, []string{"Origin,Cookie "}},
		{"in a second header", []string{"Origin", "Cookie"}, []string{"Origin", "Cookie"}},
		{"star covers it", []string{"*"}, []string{"*"}},
		{"not a prefix match", []string{"Cookies"}, []string{"Cookies, Cookie"}},
	}
	for _, tt := range tests {
		h := http.Header{}
		for _, v := range tt.in {
			h.Add("Vary", v)
		}
		addVaryCookie(h)
		if got := h.Values("Vary"); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: Vary %q, want %q", tt.name, got, tt.want)
		}
	}
}

// Werkzeug >= 2.3 drops a :port from SESSION_COOKIE_DOMAIN; we send it,
// and browsers then reject the cookie (the session never sticks).
func TestCookieDomainDropsPortAndDots(t *testing.T) {
	cfg := Config{SecretKey: testSecret, CookieDomain: "example.com:8080"}
	if err := cfg.Validate(); err != nil {
		return // refusing it loudly is also fine
	}
	r := gin.New()
	r.Use(New(cfg))
	r.GET("/", func(c *gin.Context) { Get(c).Set("a", 1) })
	sc := serveOnce(t, r, "").Header().Get("Set-Cookie")
	if strings.Contains(sc, "Domain=example.com:8080") {
		t.Errorf("Set-Cookie %q keeps the port; Werkzeug sends Domain=example.com", sc)
	}
}

// An empty Vary value set by a handler yields "Vary: , Cookie".
func TestVaryIgnoresEmptyValues(t *testing.T) {
	r := gin.New()
	r.Use(New(Config{SecretKey: testSecret}))
	r.GET("/", func(c *gin.Context) {
		c.Writer.Header()["Vary"] = []string{""}
		Get(c).Get("a")
	})
	if v := serveOnce(t, r, "").Header().Values("Vary"); len(v) != 1 || v[0] != "Cookie" {
		t.Errorf("Vary = %q, want [Cookie]", v)
	}
}

// Werkzeug takes the first cookie called "session" even when it has no
// '=' (value ""), so Flask gives an empty session here; readCookie skips
// it and loads the second.
func TestReadCookieBareNameFirst(t *testing.T) {
	codec, _ := flaskcookie.New(flaskcookie.Config{SecretKey: testSecret})
	good, _ := codec.Encode(map[string]any{"a": 1})
	v, ok := readCookie(http.Header{"Cookie": {"session; session=" + good}}, "session")
	if ok && v != "" {
		t.Errorf("readCookie = %q, want the first occurrence (empty), as Werkzeug", v)
	}
}

// readCookie against net/http's Request.Cookie on a browser's Cookie
// header: its comment cites this benchmark.
func BenchmarkReadCookie(b *testing.B) {
	value := strings.Repeat("x", 180) + ".ZVPxAA.ZQFCiGKBptNwZUpIHmZ4DsCHjik"
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Cookie", "_ga=GA1.1.1234567890.1700000000; theme=dark; session="+value+"; csrftoken=abcdef0123456789")
	b.Run("readCookie", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if v, ok := readCookie(req.Header, "session"); !ok || v != value {
				b.Fatal("not found")
			}
		}
	})
	b.Run("Request.Cookie", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if c, err := req.Cookie("session"); err != nil || c.Value != value {
				b.Fatal("not found")
			}
		}
	})
}
