package flasksession

import (
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ginflask/flasksession/internal/cookieattr"
)

// cookieFormat holds the Set-Cookie attributes fixed by the Config,
// precomputed once. Attribute order is Werkzeug's, so headers match
// Flask's byte for byte: Domain, Expires, Max-Age, Secure, HttpOnly,
// Path, SameSite, Partitioned.
type cookieFormat struct {
	cookieName string // "session"
	name       string // "session="
	domain     string // "; Domain=example.com" or ""
	tail       string // "; Secure; HttpOnly; Path=/; SameSite=Lax; Partitioned"
	deletion   string // the Set-Cookie value that removes the cookie

	expires atomic.Pointer[expiresAttr] // the latest Expires attribute
}

// expiresAttr is a formatted Expires attribute and its Unix second:
// permanent sessions saved in the same second share it.
type expiresAttr struct {
	sec  int64
	attr string
}

func newCookieFormat(cfg *Config) *cookieFormat {
	f := &cookieFormat{cookieName: cfg.CookieName, name: cfg.CookieName + "="}
	if d := cookieattr.Domain(cfg.CookieDomain); d != "" {
		f.domain = "; Domain=" + d
	}
	// A partitioned cookie must be Secure, as browsers require.
	f.tail = cookieattr.Tail(cfg.CookieSecure || cfg.CookiePartitioned, !cfg.DisableHTTPOnly,
		cfg.CookiePath, cfg.CookieSameSite, cfg.CookiePartitioned)
	// Same Domain, Path, Secure, SameSite and Partitioned as when set.
	f.deletion = f.name + f.domain + "; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0" + f.tail
	return f
}

// appendAttrs appends the attributes that follow the cookie's value; a
// zero expires makes a browser-session cookie.
func (f *cookieFormat) appendAttrs(dst []byte, expires time.Time) []byte {
	dst = append(dst, f.domain...)
	if !expires.IsZero() {
		dst = append(dst, f.expiresAttr(expires)...)
	}
	return append(dst, f.tail...)
}

// expiresAttr formats "; Expires=..." once per second.
func (f *cookieFormat) expiresAttr(t time.Time) string {
	sec := t.Unix()
	if e := f.expires.Load(); e != nil && e.sec == sec {
		return e.attr
	}
	e := &expiresAttr{sec: sec, attr: "; Expires=" + t.UTC().Format(http.TimeFormat)}
	f.expires.Store(e)
	return e.attr
}

// readCookie returns the first cookie called name in the request's Cookie
// headers, as Werkzeug does (browsers send the most specific Path first).
// It parses only as far as it must and does not allocate: about 60 ns
// where http.Request.Cookie, which parses every cookie, takes 550 ns and
// two allocations (BenchmarkReadCookie), a sixth of the middleware's
// whole cost on a read-only request.
func readCookie(h http.Header, name string) (string, bool) {
	for _, line := range h["Cookie"] {
		for len(line) > 0 {
			var part string
			if i := strings.IndexByte(line, ';'); i >= 0 {
				part, line = line[:i], line[i+1:]
			} else {
				part, line = line, ""
			}
			// A part with no '=' is a name with an empty value, as in Werkzeug.
			k, v, _ := strings.Cut(part, "=")
			if strings.TrimSpace(k) != name {
				continue
			}
			v = strings.TrimSpace(v)
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v, true
		}
	}
	return "", false
}

var varyCookie = []string{"Cookie"}

// addVaryCookie adds "Cookie" to the Vary header unless it is there
// already, merging into one value as Werkzeug does
// ("Accept-Encoding, Cookie").
func addVaryCookie(h http.Header) {
	vals := h["Vary"]
	for _, v := range vals {
		for tok := range strings.SplitSeq(v, ",") {
			tok = strings.TrimSpace(tok)
			if tok == "*" || strings.EqualFold(tok, "Cookie") {
				return
			}
		}
	}
	var merged []string
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			merged = append(merged, v)
		}
	}
	if len(merged) == 0 {
		// Full slice expression: an Add to the header copies, never writes
		// into the shared array.
		h["Vary"] = varyCookie[:1:1]
		return
	}
	h["Vary"] = []string{strings.Join(append(merged, "Cookie"), ", ")}
}
