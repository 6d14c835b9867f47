package bench

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// The limit: the work a Flask cookie session cannot avoid, written by hand
// with the standard library and no flasksession code, so that
// flasksession's overhead can be given as a multiple of it. Per request it
// reads the Cookie header; verifies itsdangerous's signature and the max
// age; decodes the base64 payload; scans the JSON into a map (only what
// the benchmark session holds: strings, ints, a list of strings); and for
// a change encodes the map as Flask writes it, signs it, and sends one
// Set-Cookie and Vary: Cookie, byte for byte as flasksession does
// (TestLimitMatchesFlaskSession). An untouched request that carries a
// cookie still has to learn whether it is permanent (Flask's refresh
// rule), but decodes no values, and verifies only a session that claims
// to be permanent: no other is sent again, valid or not.
//
// It keeps hash state and buffers in a sync.Pool and reads the clock once
// per request, as a careful hand-written version would. It is no session
// library: no compressed payloads, no escapes in strings it reads, no
// floats, no nested objects, no key rotation, no permanent sessions.

// limitMaxAge is Flask's default PERMANENT_SESSION_LIFETIME, which bounds
// every session cookie's age, permanent or not; flasksession's default too.
const limitMaxAge = 31 * 24 * 60 * 60

// limitAttrs follow the value in the Set-Cookie header: flasksession's
// defaults (Werkzeug's attribute order).
const limitAttrs = "; HttpOnly; Path=/; SameSite=Lax"

var (
	errLimitCookie    = errors.New("limit: invalid cookie")
	errLimitJSON      = errors.New("limit: JSON outside the benchmark session's types")
	errLimitPermanent = errors.New("limit: permanent sessions are not part of the limit")

	limitVary = []string{"Cookie"}
)

// limit signs and verifies with one secret key.
type limit struct {
	scratch sync.Pool // *limitScratch
}

// limitScratch is one request's reusable state.
type limitScratch struct {
	mac  hash.Hash // HMAC-SHA1 keyed with the derived key
	in   []byte    // the cookie's value and its decoded payload; the Set-Cookie header
	out  []byte    // the JSON to send
	sum  [sha1.Size]byte
	want [sha1.Size]byte
}

// newLimit derives the signing key once, as itsdangerous's "hmac" key
// derivation does with Flask's salt.
func newLimit(secret []byte) *limit {
	d := hmac.New(sha1.New, secret)
	d.Write([]byte("cookie-session"))
	key := d.Sum(nil)
	l := &limit{}
	l.scratch.New = func() any { return &limitScratch{mac: hmac.New(sha1.New, key)} }
	return l
}

// limitCookie returns the value of the first "session" cookie in the
// Cookie headers, without allocating.
func limitCookie(h http.Header) (string, bool) {
	for _, line := range h["Cookie"] {
		if v, ok := limitCookieIn(line); ok {
			return v, true
		}
	}
	return "", false
}

// limitCookieIn returns the value of the first "session" cookie in one
// Cookie header's value, without allocating.
func limitCookieIn(line string) (string, bool) {
	for line != "" {
		var part string
		part, line, _ = strings.Cut(line, ";")
		k, v, _ := strings.Cut(part, "=")
		if strings.TrimSpace(k) == cookieName {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// verify checks value's signature and age at now and returns its payload
// part, copied into s.in.
func (l *limit) verify(s *limitScratch, value string, now int64) ([]byte, error) {
	s.in = append(s.in[:0], value...)
	dot := strings.LastIndexByte(value, '.')
	if dot < 0 || len(value)-dot-1 != base64.RawURLEncoding.EncodedLen(sha1.Size) {
		return nil, errLimitCookie
	}
	signed, sig := s.in[:dot], s.in[dot+1:]
	if _, err := base64.RawURLEncoding.Decode(s.want[:], sig); err != nil {
		return nil, errLimitCookie
	}
	s.mac.Reset()
	s.mac.Write(signed)
	if !hmac.Equal(s.mac.Sum(s.sum[:0]), s.want[:]) {
		return nil, errLimitCookie
	}
	dot = strings.LastIndexByte(value[:dot], '.')
	if dot < 0 || len(signed)-dot-1 > base64.RawURLEncoding.EncodedLen(8) {
		return nil, errLimitCookie
	}
	var ts [8]byte
	n, err := base64.RawURLEncoding.Decode(ts[:], signed[dot+1:])
	if err != nil {
		return nil, errLimitCookie
	}
	copy(ts[8-n:], ts[:n])
	clear(ts[:8-n])
	signedAt := int64(binary.BigEndian.Uint64(ts[:]))
	if signedAt > now || signedAt < now-limitMaxAge {
		return nil, errLimitCookie
	}
	payload := signed[:dot]
	if len(payload) > 0 && payload[0] == '.' {
		return nil, errLimitCookie // compressed: the benchmark session never is
	}
	return payload, nil
}

// decode verifies value and decodes its payload's JSON into s.in.
func (l *limit) decode(s *limitScratch, value string, now int64) ([]byte, error) {
	payload, err := l.verify(s, value, now)
	if err != nil {
		return nil, err
	}
	// The JSON goes after the cookie in s.in, never over the payload.
	start := len(s.in)
	s.in = slices.Grow(s.in, base64.RawURLEncoding.DecodedLen(len(payload)))
	n, err := base64.RawURLEncoding.Decode(s.in[start:cap(s.in)], payload)
	if err != nil {
		return nil, errLimitCookie
	}
	return s.in[start : start+n], nil
}

// load returns the request's session: the cookie's values, or an empty
// map when there is no valid cookie (Flask's rule for bad cookies).
func (l *limit) load(h http.Header, now int64) map[string]any {
	value, ok := limitCookie(h)
	return l.loadValue(value, ok, now)
}

// loadValue is load on the session cookie's value; ok is false when the
// request has no session cookie.
func (l *limit) loadValue(value string, ok bool, now int64) map[string]any {
	if !ok {
		return map[string]any{}
	}
	s := l.scratch.Get().(*limitScratch)
	defer l.scratch.Put(s)
	js, err := l.decode(s, value, now)
	if err != nil {
		return map[string]any{}
	}
	m, err := scanSession(string(js))
	if err != nil {
		return map[string]any{}
	}
	return m
}

// permanent reports whether the request's cookie holds a valid permanent
// session, scanning only the top level of its JSON. A session that is not
// permanent is not sent again, valid or not, so only one that claims to be
// permanent is verified.
func (l *limit) permanent(h http.Header, now int64) bool {
	value, ok := limitCookie(h)
	return l.permanentValue(value, ok, now)
}

// permanentValue is permanent on the session cookie's value; ok is false
// when the request has no session cookie.
func (l *limit) permanentValue(value string, ok bool, now int64) bool {
	if !ok {
		return false
	}
	s := l.scratch.Get().(*limitScratch)
	defer l.scratch.Put(s)
	if sig := strings.LastIndexByte(value, '.'); sig > 0 {
		if ts := strings.LastIndexByte(value[:sig], '.'); ts > 0 {
			js, err := base64.RawURLEncoding.AppendDecode(s.in[:0], []byte(value[:ts]))
			s.in = js
			if err == nil {
				if p, err := scanPermanent(js); err == nil && !p {
					return false
				}
			}
		}
	}
	js, err := l.decode(s, value, now)
	if err != nil {
		return false
	}
	p, _ := scanPermanent(js)
	return p
}

// save encodes m as Flask does, signs it at now and sets the Set-Cookie
// and Vary headers.
func (l *limit) save(h http.Header, m map[string]any, now int64) error {
	v, err := l.setCookie(m, now)
	if err != nil {
		return err
	}
	h["Set-Cookie"] = []string{v}
	h["Vary"] = limitVary[:1:1]
	return nil
}

// setCookie encodes m as Flask does, signs it at now and returns the
// Set-Cookie header's value: one allocation, the string.
func (l *limit) setCookie(m map[string]any, now int64) (string, error) {
	if p, _ := m["_permanent"].(bool); p {
		return "", errLimitPermanent
	}
	s := l.scratch.Get().(*limitScratch)
	defer l.scratch.Put(s)
	js, err := appendSession(s.out[:0], m)
	if err != nil {
		return "", err
	}
	s.out = js
	b := append(s.in[:0], cookieName+"="...)
	b = base64.RawURLEncoding.AppendEncode(b, js)
	b = l.appendSignature(s, b, len(cookieName)+1, now)
	b = append(b, limitAttrs...)
	s.in = b
	return string(b), nil
}

// appendSignature appends the timestamp now and the signature of
// b[payload:] and the timestamp, as itsdangerous's TimestampSigner does.
func (l *limit) appendSignature(s *limitScratch, b []byte, payload int, now int64) []byte {
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(now))
	i := 0
	for i < 7 && ts[i] == 0 {
		i++
	}
	b = append(b, '.')
	b = base64.RawURLEncoding.AppendEncode(b, ts[i:])
	s.mac.Reset()
	s.mac.Write(b[payload:])
	b = append(b, '.')
	return base64.RawURLEncoding.AppendEncode(b, s.mac.Sum(s.sum[:0]))
}

// vary marks a response that depends on the session, as Flask does when
// the session was read.
func (l *limit) vary(h http.Header) { h["Vary"] = limitVary[:1:1] }

// scanSession parses a JSON object holding strings without escapes,
// integers, booleans, null and lists of strings. Keys and strings are
// substrings of js: one allocation for the text, none per string.
func scanSession(js string) (map[string]any, error) {
	m := make(map[string]any, 8)
	i := skipSpace(js, 0)
	if i == len(js) || js[i] != '{' {
		return nil, errLimitJSON
	}
	i = skipSpace(js, i+1)
	if i < len(js) && js[i] == '}' {
		return m, trailing(js, i+1)
	}
	for {
		k, j, err := scanString(js, i)
		if err != nil {
			return nil, err
		}
		if j = skipSpace(js, j); j == len(js) || js[j] != ':' {
			return nil, errLimitJSON
		}
		var v any
		if v, i, err = scanValue(js, skipSpace(js, j+1)); err != nil {
			return nil, err
		}
		m[k] = v
		if i = skipSpace(js, i); i == len(js) {
			return nil, errLimitJSON
		}
		switch js[i] {
		case ',':
			i = skipSpace(js, i+1)
		case '}':
			if len(m) == 1 && k != "" && k[0] == ' ' {
				return nil, errLimitJSON // a tagged value, not a session
			}
			return m, trailing(js, i+1)
		default:
			return nil, errLimitJSON
		}
	}
}

func scanValue(js string, i int) (any, int, error) {
	if i == len(js) {
		return nil, i, errLimitJSON
	}
	switch c := js[i]; {
	case c == '"':
		return scanString(js, i)
	case c == '-' || '0' <= c && c <= '9':
		j := i + 1
		for j < len(js) && '0' <= js[j] && js[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(js[i:j])
		if err != nil || j < len(js) && (js[j] == '.' || js[j] == 'e' || js[j] == 'E') {
			return nil, i, errLimitJSON
		}
		return n, j, nil
	case c == '[':
		list := make([]any, 0, 4)
		i = skipSpace(js, i+1)
		if i < len(js) && js[i] == ']' {
			return list, i + 1, nil
		}
		for {
			s, j, err := scanString(js, i)
			if err != nil {
				return nil, i, err
			}
			list = append(list, s)
			if i = skipSpace(js, j); i == len(js) {
				return nil, i, errLimitJSON
			}
			switch js[i] {
			case ',':
				i = skipSpace(js, i+1)
			case ']':
				return list, i + 1, nil
			default:
				return nil, i, errLimitJSON
			}
		}
	}
	for _, lit := range [...]struct {
		text string
		v    any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(js[i:], lit.text) {
			return lit.v, i + len(lit.text), nil
		}
	}
	return nil, i, errLimitJSON
}

// scanString returns the string starting at js[i] and the index after it;
// strings with escapes or control characters are refused.
func scanString(js string, i int) (string, int, error) {
	if i == len(js) || js[i] != '"' {
		return "", i, errLimitJSON
	}
	for j := i + 1; j < len(js); j++ {
		switch c := js[j]; {
		case c == '"':
			return js[i+1 : j], j + 1, nil
		case c == '\\' || c < 0x20:
			return "", j, errLimitJSON
		}
	}
	return "", len(js), errLimitJSON
}

func skipSpace(js string, i int) int {
	for i < len(js) && (js[i] == ' ' || js[i] == '\t' || js[i] == '\n' || js[i] == '\r') {
		i++
	}
	return i
}

func trailing(js string, i int) error {
	if skipSpace(js, i) != len(js) {
		return errLimitJSON
	}
	return nil
}

// scanPermanent reports whether the top level of a session's JSON has
// "_permanent": true, skipping every other value without decoding it.
func scanPermanent(js []byte) (bool, error) {
	permanent := false
	i := skipSpaceB(js, 0)
	if i == len(js) || js[i] != '{' {
		return false, errLimitJSON
	}
	for i = skipSpaceB(js, i+1); i < len(js) && js[i] != '}'; {
		k0, k1, err := skipValue(js, i)
		if err != nil || js[k0] != '"' {
			return false, errLimitJSON
		}
		if k1 = skipSpaceB(js, k1); k1 == len(js) || js[k1] != ':' {
			return false, errLimitJSON
		}
		v0 := skipSpaceB(js, k1+1)
		_, v1, err := skipValue(js, v0)
		if err != nil {
			return false, err
		}
		if string(js[k0:k1]) == `"_permanent"` {
			permanent = string(js[v0:v1]) == "true"
		}
		if i = skipSpaceB(js, v1); i < len(js) && js[i] == ',' {
			i = skipSpaceB(js, i+1)
		}
	}
	if i == len(js) {
		return false, errLimitJSON
	}
	return permanent, nil
}

// skipValue returns the bounds of the JSON value at js[i]: a string (any
// escapes), a number or literal, or a nested array or object.
func skipValue(js []byte, i int) (int, int, error) {
	start, depth := i, 0
	for ; i < len(js); i++ {
		switch js[i] {
		case '"':
			for i++; i < len(js) && js[i] != '"'; i++ {
				if js[i] == '\\' {
					i++
				}
			}
			if i >= len(js) {
				return start, i, errLimitJSON
			}
		case '[', '{':
			depth++
			continue
		case ']', '}':
			depth--
		case ',', ':', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return start, i, nonEmpty(start, i)
			}
			continue
		default:
			continue
		}
		switch {
		case depth == 0: // the end of a string or of our array or object
			return start, i + 1, nil
		case depth < 0: // the end of the enclosing object: a scalar ends here
			return start, i, nonEmpty(start, i)
		}
	}
	if depth != 0 || i == start {
		return start, i, errLimitJSON
	}
	return start, i, nil
}

func nonEmpty(start, end int) error {
	if end == start {
		return errLimitJSON
	}
	return nil
}

func skipSpaceB(js []byte, i int) int {
	for i < len(js) && (js[i] == ' ' || js[i] == '\t' || js[i] == '\n' || js[i] == '\r') {
		i++
	}
	return i
}

// appendSession appends m's JSON as Flask writes a session: keys sorted,
// compact, ASCII only. A one-key session whose key is a tag (Flask would
// escape it) and values outside the benchmark's types are refused.
func appendSession(dst []byte, m map[string]any) ([]byte, error) {
	var arr [8]string
	keys := arr[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) == 1 && keys[0] != "" && keys[0][0] == ' ' {
		return nil, errLimitJSON
	}
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		var err error
		if dst, err = appendValue(dst, m[k]); err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

func appendValue(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case string:
		return appendString(dst, v), nil
	case int:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case nil:
		return append(dst, "null"...), nil
	case []string:
		dst = append(dst, '[')
		for i, s := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, s)
		}
		return append(dst, ']'), nil
	case []any:
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			s, ok := e.(string)
			if !ok {
				return nil, errLimitJSON
			}
			dst = appendString(dst, s)
		}
		return append(dst, ']'), nil
	}
	return nil, errLimitJSON
}

// appendString quotes s as Python's json.dumps does with ensure_ascii,
// copying runs of plain ASCII at once.
func appendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		start = i
		switch r {
		case '"', '\\':
			dst = append(dst, '\\', byte(r))
		case '\n':
			dst = append(dst, `\n`...)
		case '\r':
			dst = append(dst, `\r`...)
		case '\t':
			dst = append(dst, `\t`...)
		case '\b':
			dst = append(dst, `\b`...)
		case '\f':
			dst = append(dst, `\f`...)
		default:
			if r > 0xffff {
				r -= 0x10000
				dst = append(dst, '\\', 'u', 'd', hex[8+(r>>18)&3], hex[(r>>14)&15], hex[(r>>10)&15])
				r = 0xdc00 | r&0x3ff
			}
			dst = append(dst, '\\', 'u', hex[r>>12&15], hex[r>>8&15], hex[r>>4&15], hex[r&15])
		}
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// ginLimit is the limit as a gin app, beside ginFlaskSession: the same
// routes and answers, with the session work done by hand in each handler.
func ginLimit(_ testing.TB, sc scenario) http.Handler {
	l := newLimit(signingKey)
	r := gin.New()
	save := func(c *gin.Context, m map[string]any, now int64) bool {
		if err := l.save(c.Writer.Header(), m, now); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return false
		}
		return true
	}
	r.GET("/setup", func(c *gin.Context) {
		now := time.Now().Unix()
		m := l.load(c.Request.Header, now)
		m["username"] = username
		m["user_id"] = userID
		m["roles"] = roles
		m["csrf_token"] = csrfToken
		m["login_at"] = loginAt
		if save(c, m, now) {
			c.String(http.StatusOK, "ok")
		}
	})
	r.GET("/", map[scenario]gin.HandlerFunc{
		untouched: func(c *gin.Context) { c.String(http.StatusOK, "ok") },
		untouchedCookie: func(c *gin.Context) {
			if l.permanent(c.Request.Header, time.Now().Unix()) {
				// Flask would refresh it; the limit does not.
				c.String(http.StatusInternalServerError, errLimitPermanent.Error())
				return
			}
			c.String(http.StatusOK, "ok")
		},
		newSet: func(c *gin.Context) {
			now := time.Now().Unix()
			m := l.load(c.Request.Header, now)
			m["username"] = username
			if save(c, m, now) {
				c.String(http.StatusOK, "ok")
			}
		},
		readOnly: func(c *gin.Context) {
			m := l.load(c.Request.Header, time.Now().Unix())
			v, _ := m["username"].(string)
			l.vary(c.Writer.Header())
			c.String(http.StatusOK, v)
		},
		readModifySave: func(c *gin.Context) {
			now := time.Now().Unix()
			m := l.load(c.Request.Header, now)
			v, _ := m["username"].(string)
			m["login_at"] = loginAt + 1
			if save(c, m, now) {
				c.String(http.StatusOK, v)
			}
		},
	}[sc])
	return r
}
