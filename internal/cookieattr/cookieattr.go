// Package cookieattr writes Set-Cookie attributes as Werkzeug's
// dump_cookie does, so that cookies the Go side sends match Flask's byte
// for byte: the session cookie and Flask-Login's remember cookie.
package cookieattr

import (
	"net/http"
	"strings"
)

// Domain is the Domain attribute's value for a configured domain, as
// Werkzeug writes it: without a port and without leading dots; "" for
// none.
func Domain(d string) string {
	d, _, _ = strings.Cut(d, ":")
	return strings.TrimLeft(d, ".")
}

// Tail is the attributes that follow Domain, Expires and Max-Age, in
// Werkzeug's order: Secure, HttpOnly, Path, SameSite, Partitioned.
func Tail(secure, httpOnly bool, path string, sameSite http.SameSite, partitioned bool) string {
	var t strings.Builder
	if secure {
		t.WriteString("; Secure")
	}
	if httpOnly {
		t.WriteString("; HttpOnly")
	}
	t.WriteString("; Path=")
	t.WriteString(path)
	switch sameSite {
	case http.SameSiteLaxMode:
		t.WriteString("; SameSite=Lax")
	case http.SameSiteStrictMode:
		t.WriteString("; SameSite=Strict")
	case http.SameSiteNoneMode:
		t.WriteString("; SameSite=None")
	}
	if partitioned {
		t.WriteString("; Partitioned")
	}
	return t.String()
}
