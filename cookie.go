package flasksession

import (
	"net/http"
	"strings"
	"time"
)

// cookieFormat holds the Set-Cookie attributes fixed by the Config,
// precomputed once. Attribute order is Werkzeug's, so headers match
// Flask's byte for byte: Domain, Expires, Max-Age, Secure, HttpOnly,
// Path, SameSite, Partitioned.
type cookieFormat struct {
	name   string // "session="
	domain string // "; Domain=example.com" or ""
	tail   string // "; Secure; HttpOnly; Path=/; SameSite=Lax; Partitioned"
}

func newCookieFormat(cfg *Config) cookieFormat {
	f := cookieFormat{name: cfg.CookieName + "="}
	if d := cookieDomain(cfg.CookieDomain); d != "" {
		f.domain = "; Domain=" + d
	}
	var t strings.Builder
	if cfg.CookieSecure || cfg.CookiePartitioned {
		t.WriteString("; Secure")
	}
	if !cfg.DisableHTTPOnly {
		t.WriteString("; HttpOnly")
	}
	t.WriteString("; Path=")
	t.WriteString(cfg.CookiePath)
	switch cfg.CookieSameSite {
	case http.SameSiteLaxMode:
		t.WriteString("; SameSite=Lax")
	case http.SameSiteStrictMode:
		t.WriteString("; SameSite=Strict")
	case http.SameSiteNoneMode:
		t.WriteString("; SameSite=None")
	}
	if cfg.CookiePartitioned {
		t.WriteString("; Partitioned")
	}
	f.tail = t.String()
	return f
}

// cookieDomain is the Domain attribute for a configured domain, as
// Werkzeug writes it: without a port and without leading dots.
func cookieDomain(d string) string {
	d, _, _ = strings.Cut(d, ":")
	return strings.TrimLeft(d, ".")
}

// appendAttrs appends the attributes that follow the cookie's value; a
// zero expires makes a browser-session cookie.
func (f *cookieFormat) appendAttrs(dst []byte, expires time.Time) []byte {
	dst = append(dst, f.domain...)
	if !expires.IsZero() {
		dst = append(dst, "; Expires="...)
		dst = expires.UTC().AppendFormat(dst, http.TimeFormat)
	}
	return append(dst, f.tail...)
}

// deletion is the Set-Cookie value that removes the cookie, with the same
// Domain, Path, Secure, SameSite and Partitioned as when it was set.
func (f *cookieFormat) deletion() string {
	return f.name + f.domain + "; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0" + f.tail
}

// readCookie returns the first cookie called name in the request's Cookie
// headers, as Werkzeug does (browsers send the most specific Path first).
// It parses only as far as it must and does not allocate unless the value
// is quoted.
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
