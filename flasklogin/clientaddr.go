package flasklogin

import (
	"crypto/sha512"
	"encoding/hex"
	"net/http"
	"strings"
)

// identifier is the request's session identifier ("_id") with the client
// address gin gives (c.ClientIP(): X-Forwarded-For and X-Real-IP only as
// far as the engine's trusted proxies vouch for them), where Flask-Login
// trusts X-Forwarded-For as sent. The two agree unless a client forges
// the header.
func (st *state) identifier() string {
	return identifierFor(st.c.ClientIP(), st.req)
}

// identifierFor is Flask-Login's _create_identifier with addr as the
// client's address ("" for none).
func identifierFor(addr string, r *http.Request) string {
	var b strings.Builder
	if addr != "" {
		writeBytesRepr(&b, addr)
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
