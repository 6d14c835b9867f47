package flaskjwt

import (
	"bytes"
	"crypto/hmac"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ginflask/flasksession/internal/pyrepr"
	"github.com/google/uuid"
)

// Token is a verified token: what Flask-JWT-Extended's get_jwt(),
// get_jwt_header() and get_jwt_request_location() return.
type Token struct {
	// Raw is the encoded token.
	Raw string
	// Claims is the payload (get_jwt()), with JSON numbers as json.Number
	// so that large integer identities keep every digit. As in
	// Flask-JWT-Extended, a missing type is filled in as "access", a missing
	// fresh as false and a missing jti as nil.
	Claims map[string]any
	// Location is where the token was found (get_jwt_request_location());
	// empty for a token given to DecodeToken.
	Location Location

	header        []byte // JSON; decoded by Header on demand
	identityClaim string
}

// Header returns the token's JOSE header (get_jwt_header()), decoded anew
// on each call.
func (t *Token) Header() map[string]any {
	var h map[string]any
	dec := json.NewDecoder(bytes.NewReader(t.header))
	dec.UseNumber()
	if dec.Decode(&h) != nil || h == nil {
		return map[string]any{}
	}
	return h
}

// Identity returns the identity claim (get_jwt_identity()): whatever JSON
// the token carries under Config.IdentityClaim, a string for tokens that
// name users by text, json.Number for numeric IDs.
func (t *Token) Identity() any { return t.Claims[t.identityClaim] }

// Type returns the type claim: "access" or "refresh".
func (t *Token) Type() string {
	s, _ := t.Claims["type"].(string)
	return s
}

// JTI returns the jti claim (get_jti()), the token's unique ID, or "".
func (t *Token) JTI() string {
	s, _ := t.Claims["jti"].(string)
	return s
}

// CSRF returns the csrf claim (get_csrf_token()), or "" for a token made
// without cookies in the token locations.
func (t *Token) CSRF() string {
	s, _ := t.Claims["csrf"].(string)
	return s
}

// Fresh reports whether the token counts as fresh at now, as
// jwt_required(fresh=True) decides: fresh true, or a fresh timestamp not
// yet past.
func (t *Token) Fresh(now time.Time) bool {
	switch f := t.Claims["fresh"].(type) {
	case bool:
		return f
	case json.Number:
		v, err := strconv.ParseFloat(string(f), 64)
		return err == nil && v >= float64(now.UnixMicro())/1e6
	}
	return false
}

// ExpiresAt returns the exp claim as a time, if the token has a numeric one.
func (t *Token) ExpiresAt() (time.Time, bool) { return t.timeClaim("exp") }

// IssuedAt returns the iat claim as a time, if the token has a numeric one.
func (t *Token) IssuedAt() (time.Time, bool) { return t.timeClaim("iat") }

func (t *Token) timeClaim(name string) (time.Time, bool) {
	n, ok := t.Claims[name].(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

var b64 = base64.RawURLEncoding.Strict()

// headerSegment is PyJWT's header for alg, encoded: its keys are sorted.
func headerSegment(alg string) string {
	return b64.EncodeToString([]byte(`{"alg":"` + alg + `","typ":"JWT"}`))
}

// isB64URL reports whether s is canonical-alphabet unpadded base64url of a
// possible length; PyJWT's decoder is laxer (it skips stray characters).
func isB64URL(s string) bool {
	if len(s)%4 == 1 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isB64URLChar(s[i]) {
			return false
		}
	}
	return true
}

// decodeSegment decodes canonical unpadded base64url only.
func decodeSegment(s string) ([]byte, error) {
	if !isB64URL(s) {
		return nil, errNotB64
	}
	return b64.DecodeString(s)
}

var errNotB64 = jsonError("not base64url")

func isB64URLChar(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// decodeObject reads a JSON object with numbers as json.Number, refusing
// anything after it, as Python's json.loads does.
func decodeObject(b []byte) (map[string]any, error) {
	i := 0
	for i < len(b) && isJSONSpace(b[i]) {
		i++
	}
	if i == len(b) || b[i] != '{' {
		return nil, errNotObject
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	for _, c := range b[dec.InputOffset():] {
		if !isJSONSpace(c) {
			return nil, errExtraData
		}
	}
	return m, nil
}

type jsonError string

func (e jsonError) Error() string { return string(e) }

const (
	errNotObject = jsonError("must be a json object")
	errExtraData = jsonError("Extra data")
)

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// decode verifies raw as Flask-JWT-Extended's decode_token does, in its
// order, so that a token refused on both sides is refused with the same
// message: the unverified parse, the kid check, the algorithm, the
// signature, iat, nbf, exp, iss, aud, the identity claim, the CSRF value.
// An expired token is reported only when every later check passes, as
// Flask-JWT-Extended decodes it again with allow_expired to report it.
func (m *Manager) decode(raw, csrfValue string, allowExpired bool) (*Token, *Error) {
	last := strings.LastIndexByte(raw, '.')
	if last < 0 {
		return nil, invalid(ErrMalformed, "Not enough segments")
	}
	signed := raw[:last]
	first := strings.IndexByte(signed, '.')
	if first < 0 {
		return nil, invalid(ErrMalformed, "Not enough segments")
	}
	hdrSeg, paySeg, sigSeg := raw[:first], raw[first+1:last], raw[last+1:]

	// PyJWT's own header is the common case: known without decoding it.
	alg, known := m.headerAlgs[hdrSeg]
	var header []byte
	var hdrMap map[string]any
	if known {
		header = m.headerJSON[alg]
	} else {
		var err error
		if header, err = decodeSegment(hdrSeg); err != nil {
			return nil, invalid(ErrMalformed, "Invalid header padding")
		}
		if hdrMap, err = decodeObject(header); err != nil {
			return nil, invalid(ErrMalformed, "Invalid header string: "+err.Error())
		}
	}
	payload, err := decodeSegment(paySeg)
	if err != nil {
		return nil, invalid(ErrMalformed, "Invalid payload padding")
	}
	// The signature is compared encoded, in verifySignature.
	if !isB64URL(sigSeg) {
		return nil, invalid(ErrMalformed, "Invalid crypto padding")
	}
	claims, err := decodeObject(payload)
	if err != nil {
		return nil, invalid(ErrMalformed, "Invalid payload string: "+err.Error())
	}
	if !known {
		if kid, ok := hdrMap["kid"]; ok {
			if _, ok := kid.(string); !ok {
				return nil, invalid(ErrMalformed, "Key ID header parameter must be a string")
			}
		}
		s, _ := hdrMap["alg"].(string)
		if s == "" || !slices.Contains(m.cfg.DecodeAlgorithms, s) {
			return nil, invalid(ErrAlgorithm, "The specified alg value is not allowed")
		}
		alg = s
	}
	if !m.verifySignature(alg, signed, sigSeg) {
		return nil, invalid(ErrSignature, "Signature verification failed")
	}

	t := &Token{Raw: raw, Claims: claims, header: header, identityClaim: m.cfg.IdentityClaim}
	now := m.cfg.Clock()
	nowSec := float64(now.Unix())
	leeway := m.cfg.DecodeLeeway.Seconds()
	if v, ok := claims["iat"]; ok {
		f, ok := pyNumber(v)
		if !ok {
			return nil, invalid(ErrClaim, "Issued At claim (iat) must be an integer.")
		}
		if f > nowSec+leeway {
			return nil, invalid(ErrNotYetValid, "The token is not yet valid (iat)")
		}
	}
	if v, ok := claims["nbf"]; ok {
		f, ok := pyNumber(v)
		if !ok {
			return nil, invalid(ErrClaim, "Not Before claim (nbf) must be an integer.")
		}
		if math.Trunc(f) > nowSec+leeway {
			return nil, invalid(ErrNotYetValid, "The token is not yet valid (nbf)")
		}
	}
	expired := false
	if v, ok := claims["exp"]; ok {
		f, ok := pyNumber(v)
		if !ok {
			return nil, invalid(ErrClaim, "Expiration Time claim (exp) must be an integer.")
		}
		expired = math.Trunc(f) <= nowSec-leeway
	}
	if iss := m.cfg.DecodeIssuer; iss != "" {
		v, ok := claims["iss"]
		if !ok {
			return nil, invalid(ErrClaim, `Token is missing the "iss" claim`)
		}
		if s, _ := v.(string); s != iss {
			return nil, invalid(ErrClaim, "Invalid issuer")
		}
	}
	if m.cfg.DecodeAudience != nil {
		if e := checkAudience(claims["aud"], m.cfg.DecodeAudience); e != nil {
			return nil, e
		}
	}
	if _, ok := claims[m.cfg.IdentityClaim]; !ok {
		return nil, invalid(ErrClaim, "Missing claim: "+m.cfg.IdentityClaim)
	}
	if _, ok := claims["type"]; !ok {
		claims["type"] = "access"
	}
	if _, ok := claims["fresh"]; !ok {
		claims["fresh"] = false
	}
	if _, ok := claims["jti"]; !ok {
		claims["jti"] = nil
	}
	if csrfValue != "" {
		v, ok := claims["csrf"]
		if !ok {
			return nil, invalid(ErrClaim, "Missing claim: csrf")
		}
		s, _ := v.(string)
		if subtle.ConstantTimeCompare([]byte(s), []byte(csrfValue)) != 1 {
			return nil, &Error{Kind: ErrCSRF, Msg: "CSRF double submit tokens do not match", Status: 401, Token: t}
		}
	}
	if expired && !allowExpired {
		return nil, &Error{Kind: ErrExpired, Msg: "Token has expired", Status: 401, Token: t}
	}
	return t, nil
}

// pyNumber is int(v) succeeding in PyJWT's claim checks: a JSON number,
// or a bool (Python's True is 1). Strings, which Python may accept or
// fail on with a server error, are refused.
func pyNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return f, err == nil
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// checkAudience is PyJWT's _validate_aud with an audience configured.
func checkAudience(aud any, want []string) *Error {
	if !pyTruthy(aud) {
		return invalid(ErrClaim, `Token is missing the "aud" claim`)
	}
	var have []string
	switch a := aud.(type) {
	case string:
		have = []string{a}
	case []any:
		for _, v := range a {
			s, ok := v.(string)
			if !ok {
				return invalid(ErrClaim, "Invalid claim format in token")
			}
			have = append(have, s)
		}
	default:
		return invalid(ErrClaim, "Invalid claim format in token")
	}
	for _, w := range want {
		if slices.Contains(have, w) {
			return nil
		}
	}
	return invalid(ErrClaim, "Invalid audience")
}

// pyTruthy is Python's bool() of a JSON value.
func pyTruthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return err != nil || f != 0
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// verifySignature compares the MAC of signed, encoded, with sigSeg in
// constant time. Only canonical encodings match: PyJWT also accepts a few
// variants of a signature's last character.
func (m *Manager) verifySignature(alg, signed, sigSeg string) bool {
	pool := m.macs[alg]
	h := pool.Get().(*macState)
	h.buf = append(h.buf[:0], signed...)
	h.mac.Reset()
	h.mac.Write(h.buf)
	var sum [64]byte
	mac := h.mac.Sum(sum[:0])
	var enc [88]byte
	n := b64.EncodedLen(len(mac))
	b64.Encode(enc[:n], mac)
	ok := equalString(enc[:n], sigSeg)
	pool.Put(h)
	return ok
}

// equalString is subtle.ConstantTimeCompare without converting s.
func equalString(a []byte, s string) bool {
	if len(a) != len(s) {
		return false
	}
	var v byte
	for i := range a {
		v |= a[i] ^ s[i]
	}
	return subtle.ConstantTimeByteEq(v, 0) == 1
}

// claim is one entry of a payload being built, in Python's dict order.
type claim struct {
	key string
	val any
}

type orderedClaims []claim

// set is dict assignment: an existing key keeps its place.
func (o *orderedClaims) set(k string, v any) {
	for i := range *o {
		if (*o)[i].key == k {
			(*o)[i].val = v
			return
		}
	}
	*o = append(*o, claim{k, v})
}

// pyFloat is a float written as Python's json.dumps writes it (1.0, not 1).
type pyFloat float64

// encode makes a token as Flask-JWT-Extended's _encode_jwt does: the same
// claims in the same order, integer times, a uuid4 jti, the csrf claim
// when cookies are a location with CSRF protection, and the payload JSON
// written as Python's json.dumps writes it (compact, ASCII only).
func (m *Manager) encode(identity any, typ string, o *tokenOptions) (string, error) {
	now := m.cfg.Clock()
	sec := now.Unix()
	var cl orderedClaims
	switch {
	case o.freshFor != 0:
		cl.set("fresh", pyFloat(float64(now.Add(o.freshFor).UnixMicro())/1e6))
	default:
		cl.set("fresh", o.fresh)
	}
	cl.set("iat", sec)
	jti, err := m.uuid4()
	if err != nil {
		return "", err
	}
	cl.set("jti", jti)
	cl.set("type", typ)
	cl.set(m.cfg.IdentityClaim, identity)
	if !m.cfg.OmitNBF {
		cl.set("nbf", sec)
	}
	if m.csrfProtect {
		c, err := m.uuid4()
		if err != nil {
			return "", err
		}
		cl.set("csrf", c)
	}
	switch len(m.cfg.EncodeAudience) {
	case 0:
	case 1:
		cl.set("aud", m.cfg.EncodeAudience[0])
	default:
		cl.set("aud", m.cfg.EncodeAudience)
	}
	if m.cfg.EncodeIssuer != "" {
		cl.set("iss", m.cfg.EncodeIssuer)
	}
	exp := o.expires
	if exp == 0 {
		exp = m.cfg.AccessTokenExpires
		if typ == "refresh" {
			exp = m.cfg.RefreshTokenExpires
		}
	}
	if exp > 0 {
		cl.set("exp", now.Add(exp).Unix())
	}
	if m.cfg.AdditionalClaims != nil {
		setSorted(&cl, m.cfg.AdditionalClaims(identity))
	}
	setSorted(&cl, o.claims)

	buf := make([]byte, 0, 256)
	buf = append(buf, '{')
	for i, c := range cl {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendPyJSONString(buf, c.key)
		buf = append(buf, ':')
		if buf, err = appendPyJSON(buf, c.val); err != nil {
			return "", err
		}
	}
	buf = append(buf, '}')

	var s strings.Builder
	s.Grow(len(m.signHeader) + 1 + b64.EncodedLen(len(buf)) + 1 + 86)
	s.WriteString(m.signHeader)
	s.WriteByte('.')
	s.WriteString(b64.EncodeToString(buf))
	signed := s.String()
	mac := hmac.New(m.hashes[m.cfg.Algorithm], m.cfg.SecretKey)
	mac.Write([]byte(signed))
	return signed + "." + b64.EncodeToString(mac.Sum(nil)), nil
}

func setSorted(cl *orderedClaims, extra map[string]any) {
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		cl.set(k, extra[k])
	}
}

// uuid4 is str(uuid.uuid4()).
func (m *Manager) uuid4() (string, error) {
	if m.cfg.Rand == nil {
		u, err := uuid.NewRandom()
		return u.String(), err
	}
	m.randMu.Lock()
	defer m.randMu.Unlock()
	u, err := uuid.NewRandomFromReader(m.cfg.Rand)
	return u.String(), err
}

// appendPyJSON writes v as Python's json.dumps(v, separators=(",", ":"))
// does for the same JSON value: no HTML escaping, non-ASCII as \u escapes,
// floats of pyFloat with their ".0". Go maps come out with sorted keys.
func appendPyJSON(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		return appendPyJSONString(dst, x), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case pyFloat:
		return pyrepr.AppendFloat(dst, float64(x), 64), nil
	case nil:
		return append(dst, "null"...), nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return dst, err
	}
	return appendASCII(dst, bytes.TrimSuffix(b.Bytes(), []byte("\n"))), nil
}

// appendASCII turns the non-ASCII characters of valid JSON text into \u
// escapes (surrogate pairs above U+FFFF), as ensure_ascii does; outside
// strings JSON has none.
func appendASCII(dst, js []byte) []byte {
	for _, r := range string(js) {
		dst = appendRuneASCII(dst, r)
	}
	return dst
}

func appendRuneASCII(dst []byte, r rune) []byte {
	const hex = "0123456789abcdef"
	if r < 0x80 {
		return append(dst, byte(r))
	}
	u := func(dst []byte, c rune) []byte {
		return append(dst, '\\', 'u', hex[c>>12&0xf], hex[c>>8&0xf], hex[c>>4&0xf], hex[c&0xf])
	}
	if r > 0xffff {
		r -= 0x10000
		dst = u(dst, 0xd800+(r>>10))
		return u(dst, 0xdc00+(r&0x3ff))
	}
	return u(dst, r)
}

// appendPyJSONString is json.dumps(s) with ensure_ascii.
func appendPyJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for _, r := range s {
		switch {
		case r == '"':
			dst = append(dst, '\\', '"')
		case r == '\\':
			dst = append(dst, '\\', '\\')
		case r == '\n':
			dst = append(dst, '\\', 'n')
		case r == '\r':
			dst = append(dst, '\\', 'r')
		case r == '\t':
			dst = append(dst, '\\', 't')
		case r == '\b':
			dst = append(dst, '\\', 'b')
		case r == '\f':
			dst = append(dst, '\\', 'f')
		case r < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		default:
			dst = appendRuneASCII(dst, r)
		}
	}
	return append(dst, '"')
}

// pyStr is Python's str() of a claim value, for "Error loading the user
// <identity>"; containers come out as JSON.
func pyStr(v any) string {
	if n, ok := v.(json.Number); ok {
		if strings.ContainsAny(string(n), ".eE") {
			if f, err := strconv.ParseFloat(string(n), 64); err == nil {
				return string(pyrepr.AppendFloat(nil, f, 64))
			}
		}
		return string(n)
	}
	if s, ok := pyrepr.Str(v); ok {
		return s
	}
	b, _ := appendPyJSON(nil, v)
	return string(b)
}
