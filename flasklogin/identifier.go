package flasklogin

import (
	"crypto/sha512"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
	"unicode/utf8"
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
	var b strings.Builder
	if xff, ok := r.Header["X-Forwarded-For"]; ok {
		// Werkzeug's server joins repeated headers with ","; the first
		// entry is the first header's.
		addr, _, _ := strings.Cut(latin1ToUTF8(xff[0]), ",")
		writeBytesRepr(&b, strings.Trim(addr, " \t\n\r\v\f"))
	} else if host := remoteHost(r.RemoteAddr); host != "" {
		writeBytesRepr(&b, host)
	} else {
		b.WriteString("None")
	}
	b.WriteByte('|')
	if ua, ok := r.Header["User-Agent"]; ok {
		writeBytesRepr(&b, latin1ToUTF8(strings.Join(ua, ",")))
	} else {
		b.WriteString("None")
	}
	sum := sha512.Sum512([]byte(b.String()))
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

// writeBytesRepr writes Python 3's repr() of the bytes s: b'...', or
// b"..." when s holds a single quote and no double quote.
func writeBytesRepr(b *strings.Builder, s string) {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	const hexDigits = "0123456789abcdef"
	b.WriteByte('b')
	b.WriteByte(quote)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == quote || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20 || c >= 0x7F:
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(quote)
}
