package flasklogin

import (
	"crypto/sha512"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/ginflask/flasksession/internal/pyrepr"
)

// SessionIdentifier is Flask-Login's _create_identifier for r: the hex
// SHA-512 of "ADDR|AGENT", where ADDR is the first entry of
// X-Forwarded-For (else the peer's IP) and AGENT the User-Agent, each
// written as Python 3 writes a bytes object in an f-string (b'...'), or
// None when absent. Flask-Login stores it under "_id" at login and
// compares it on every request for session protection.
//
// Like Flask-Login it trusts X-Forwarded-For as sent, so a client can
// choose its ADDR; the User-Agent is what strong protection really pins.
func SessionIdentifier(r *http.Request) string {
	if xff, ok := r.Header["X-Forwarded-For"]; ok {
		// Werkzeug's server joins repeated headers with ","; the first
		// entry is the first header's.
		addr, _, _ := strings.Cut(latin1ToUTF8(xff[0]), ",")
		return identifierFor(strings.Trim(addr, " \t\n\r\v\f"), true, r)
	}
	host := remoteHost(r.RemoteAddr)
	return identifierFor(host, host != "", r)
}

// identifierFor is _create_identifier with addr as the client's address
// (None unless hasAddr).
func identifierFor(addr string, hasAddr bool, r *http.Request) string {
	var buf [256]byte
	b := buf[:0]
	if hasAddr {
		b = pyrepr.AppendBytesRepr(b, addr)
	} else {
		b = append(b, "None"...)
	}
	b = append(b, '|')
	if ua, ok := r.Header["User-Agent"]; ok {
		b = pyrepr.AppendBytesRepr(b, latin1ToUTF8(strings.Join(ua, ",")))
	} else {
		b = append(b, "None"...)
	}
	sum := sha512.Sum512(b)
	return hex.EncodeToString(sum[:])
}

// remoteHost is WSGI's REMOTE_ADDR: the peer address without its port.
func remoteHost(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// latin1ToUTF8 is what a header value goes through on its way to
// Flask-Login: WSGI decodes its bytes as Latin-1, Flask-Login encodes the
// text as UTF-8.
func latin1ToUTF8(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			b := make([]byte, 0, len(s)+8)
			for j := 0; j < len(s); j++ {
				b = utf8.AppendRune(b, rune(s[j]))
			}
			return string(b)
		}
	}
	return s
}
