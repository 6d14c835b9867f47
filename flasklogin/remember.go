package flasklogin

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ginflask/flasksession/internal/cookieattr"
)

// RememberCodec signs and verifies remember cookie values as Flask-Login's
// encode_cookie and decode_cookie do: "user_id|digest", where digest is
// the lowercase hex HMAC-SHA512 of the user ID's UTF-8 bytes, keyed by the
// app's SECRET_KEY.
type RememberCodec struct {
	key []byte
}

// NewRememberCodec returns the codec for a SECRET_KEY given as
// flasksession.Config.SecretKey holds it (the UTF-8 bytes of Flask's str
// key). Flask-Login encodes a str key as Latin-1, not UTF-8: for a key of
// Latin-1 text the two differ only above U+007F, and the codec converts;
// any other key is used as is (a Python bytes key).
func NewRememberCodec(secretKey []byte) *RememberCodec {
	return &RememberCodec{key: latin1Key(secretKey)}
}

// latin1Key is Flask-Login's _secret_key: key.encode("latin1") for a str
// key, whose UTF-8 bytes we are given.
func latin1Key(key []byte) []byte {
	if !utf8.Valid(key) {
		return key
	}
	out := make([]byte, 0, len(key))
	for _, r := range string(key) {
		if r > 0xFF {
			return key
		}
		out = append(out, byte(r))
	}
	return out
}

// Encode returns the cookie value for a user ID: Flask-Login's
// encode_cookie.
func (rc *RememberCodec) Encode(userID string) string {
	return userID + "|" + rc.digest(userID)
}

// Decode verifies a cookie value and returns the user ID in it: Flask-Login's
// decode_cookie. It splits at the last "|" and compares digests in constant
// time; anything else is ErrBadRememberCookie.
func (rc *RememberCodec) Decode(value string) (string, error) {
	i := strings.LastIndexByte(value, '|')
	if i < 0 {
		return "", ErrBadRememberCookie
	}
	payload, digest := value[:i], value[i+1:]
	if !hmac.Equal([]byte(rc.digest(payload)), []byte(digest)) {
		return "", ErrBadRememberCookie
	}
	return payload, nil
}

func (rc *RememberCodec) digest(payload string) string {
	m := hmac.New(sha512.New, rc.key)
	m.Write([]byte(payload))
	return hex.EncodeToString(m.Sum(nil))
}

// Werkzeug 2.2's cookie value quoting (werkzeug._internal._cookie_quote),
// the one Flask-Login 0.6.2 runs under: bytes outside legalCookieByte
// quote the whole value; of those, ',' ';' '"' '\\', controls and bytes
// from 0x7F up are escaped.
func quoteCookieValue(v string) string {
	legal := true
	for i := 0; i < len(v); i++ {
		if !legalCookieByte(v[i]) {
			legal = false
			break
		}
	}
	if legal {
		return v
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case legalCookieByte(c):
			b.WriteByte(c)
		case c == ',':
			b.WriteString(`\054`)
		case c == ';':
			b.WriteString(`\073`)
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7F:
			b.WriteByte('\\')
			b.WriteByte('0' + c>>6)
			b.WriteByte('0' + c>>3&7)
			b.WriteByte('0' + c&7)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func legalCookieByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("/=!#$%&'*+-.^_`|~:", c) >= 0
}

// cookieFormat writes the remember cookie's Set-Cookie values as
// Werkzeug's dump_cookie does, attributes in its order.
type cookieFormat struct {
	name     string
	domain   string // "; Domain=..." or ""
	setTail  string // "; Secure; HttpOnly; Path=/; SameSite=Lax"
	clearEnd string // the whole deletion header
}

func newCookieFormat(cfg *Config) cookieFormat {
	f := cookieFormat{name: cfg.RememberCookieName}
	if d := cookieattr.Domain(cfg.RememberCookieDomain); d != "" {
		f.domain = "; Domain=" + d
	}
	f.setTail = cookieattr.Tail(cfg.RememberCookieSecure, !cfg.RememberCookieDisableHTTPOnly,
		cfg.RememberCookiePath, cfg.RememberCookieSameSite, false)
	// Flask-Login's _clear_cookie passes only the name, domain and path.
	f.clearEnd = f.name + "=" + f.domain + "; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=" + cfg.RememberCookiePath
	return f
}

// set is the Set-Cookie value that stores value until expires.
func (f *cookieFormat) set(value string, expires time.Time) string {
	return f.name + "=" + quoteCookieValue(value) + f.domain + "; Expires=" + expires.UTC().Format(http.TimeFormat) + f.setTail
}

// clear is the Set-Cookie value that deletes the cookie.
func (f *cookieFormat) clear() string { return f.clearEnd }
