package flasklogin

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"net/http"
	"regexp"
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

// unquoteCookieValue is Werkzeug 2.2's _cookie_unquote: a value in double
// quotes loses them, and inside, \ooo (first digit 0-3) is an octal byte
// and \x is x.
func unquoteCookieValue(v string) string {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return v
	}
	v = v[1 : len(v)-1]
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' || i+1 == len(v) || v[i+1] == '\n' {
			b.WriteByte(c)
			continue
		}
		if i+3 < len(v) && '0' <= v[i+1] && v[i+1] <= '3' && isOctal(v[i+2]) && isOctal(v[i+3]) {
			b.WriteByte((v[i+1]-'0')<<6 | (v[i+2]-'0')<<3 | (v[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(v[i+1])
		i++
	}
	return b.String()
}

func isOctal(c byte) bool { return '0' <= c && c <= '7' }

// cookiePair is Werkzeug 2.2's cookie regex (werkzeug._internal._cookie_re),
// matched at the start of what is left of the header.
var cookiePair = regexp.MustCompile(`^([^=;]*)(?:` + pySpace + `*=` + pySpace + `*("(?:[^\\"]|\\.)*"|(?:.*?)))?` + pySpace + `*;`)

// pySpace is Python's \s in a bytes pattern.
const pySpace = `[ \t\n\r\f\v]`

// readCookie returns the first cookie called name in the request, parsed
// as Werkzeug 2.2 parses the Cookie header (the parser Flask-Login 0.6.2
// runs under), and whether there is one. Several Cookie headers are read
// as one, joined with "," as Werkzeug's server joins repeated headers.
func readCookie(h http.Header, name string) (string, bool) {
	lines := h["Cookie"]
	if len(lines) == 0 {
		return "", false
	}
	s := strings.Join(lines, ",")
	var v string
	var ok bool
	if strings.ContainsAny(s, "\"\n") {
		v, ok = readCookieRegexp(s, name)
	} else {
		v, ok = readCookieSimple(s, name)
	}
	if !ok {
		return "", false
	}
	return strings.ToValidUTF8(v, "\uFFFD"), true
}

// readCookieRegexp runs Werkzeug's regexp over s.
func readCookieRegexp(s, name string) (string, bool) {
	s += ";"
	for i, n := 0, len(s)-1; i < n; {
		m := cookiePair.FindStringSubmatchIndex(s[i:])
		if m == nil {
			break
		}
		key := strings.Trim(s[i+m[2]:i+m[3]], pySpaces)
		val := ""
		if m[4] >= 0 {
			val = s[i+m[4] : i+m[5]]
		}
		i += m[1]
		if key == name {
			return unquoteCookieValue(val), true
		}
	}
	return "", false
}

// readCookieSimple is what the regexp does to s when s holds no '"' and
// no newline: ';'-separated pairs, the key up to the first '=' and
// trimmed, the value after it trimmed; FuzzReadCookieSimple holds the two
// to the same answers.
func readCookieSimple(s, name string) (string, bool) {
	for s != "" {
		var part string
		part, s, _ = strings.Cut(s, ";")
		k, v, _ := strings.Cut(part, "=")
		if strings.Trim(k, pySpaces) == name {
			return strings.Trim(v, pySpaces), true
		}
	}
	return "", false
}

const pySpaces = " \t\n\r\f\v"

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
