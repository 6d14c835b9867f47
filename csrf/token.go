package csrf

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/itsdangerous"
	"github.com/ginflask/flasksession/taggedjson"
)

// Salt is the salt Flask-WTF signs tokens with.
const Salt = "wtf-csrf-token"

// newSerializer is Flask-WTF's URLSafeTimedSerializer(secret_key,
// salt="wtf-csrf-token"): itsdangerous's defaults otherwise (django-concat
// key derivation, HMAC-SHA1), JSON as Python writes it.
func newSerializer(keys [][]byte) (*itsdangerous.URLSafeTimedSerializer, error) {
	return itsdangerous.NewURLSafeTimedSerializer(keys, itsdangerous.SignerConfig{Salt: []byte(Salt)}, pythonJSON{})
}

// pythonJSON is itsdangerous's JSON codec as Python writes it (ASCII only),
// so a token signed here is the one Flask-WTF signs.
type pythonJSON struct{}

func (pythonJSON) Marshal(v any) ([]byte, error) { return taggedjson.Marshal(v) }

func (pythonJSON) Unmarshal(data []byte, v any) error {
	x, err := taggedjson.Unmarshal(data)
	if err != nil {
		return err
	}
	*v.(*any) = x
	return nil
}

// newRawToken is Flask-WTF's hashlib.sha1(os.urandom(64)).hexdigest().
func newRawToken() string {
	var b [64]byte
	rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
	sum := sha1.Sum(b[:])
	return hex.EncodeToString(sum[:])
}

// request is Protect's state for one request: Flask-WTF's g.csrf_token.
type request struct {
	p     *protector
	ser   *itsdangerous.URLSafeTimedSerializer // the key's, for this request's session
	mu    sync.Mutex                           // a handler's goroutines may share the token
	token string
}

type ctxKey struct{}

func state(c *gin.Context) *request {
	v, _ := c.Get(ctxKey{})
	st, ok := v.(*request)
	if !ok {
		panic(ErrNotProtected)
	}
	return st
}

// Token returns the request's signed CSRF token, for the form field
// FieldName or a header: Flask-WTF's generate_csrf(), {{ csrf_token() }}.
// The raw token (40 hex digits) is kept in the session under FieldName,
// made there if missing; every call during one request returns the same
// signed token. A Flask-WTF app on the same keys accepts it, and Protect
// accepts the tokens that app makes.
//
// Call it before the response starts (before c.HTML, not inside the
// template): a new raw token is saved with the session, and the session
// goes out with the first byte of the response.
//
// It panics with ErrNotProtected if Protect did not run for c, and as
// flasksession.Get does if the session middleware did not.
func Token(c *gin.Context) string {
	st := state(c)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.token == "" {
		st.token = st.p.generate(st.ser, flasksession.Get(c))
	}
	return st.token
}

// TemplateFunc returns the request's token as a function of no arguments,
// for template data: with gin.H{"csrf_token": csrf.TemplateFunc(c)} the
// template writes {{call .csrf_token}} where Jinja writes
// {{ csrf_token() }}. The token is made when TemplateFunc is called, not
// when the template calls it: a new raw token must reach the session
// before the page's first byte sends the session cookie.
func TemplateFunc(c *gin.Context) func() string {
	tok := Token(c)
	return func() string { return tok }
}

// generate is generate_csrf without the per-request cache.
func (p *protector) generate(ser *itsdangerous.URLSafeTimedSerializer, s *flasksession.Session) string {
	raw, _ := s.Get(p.field)
	str, ok := raw.(string)
	if !ok {
		// Flask-WTF replaces a value it cannot sign; any non-string would
		// never match a token, so replace those too.
		str = newRawToken()
		s.Set(p.field, str)
	}
	return p.sign(ser, str)
}

// sign is the serializer's dumps(raw) at the current time.
func (p *protector) sign(ser *itsdangerous.URLSafeTimedSerializer, raw string) string {
	tok, err := ser.DumpsAt(raw, p.now())
	if err != nil {
		panic(fmt.Errorf("csrf: signing a string failed: %w", err)) // cannot happen
	}
	return string(tok)
}

// Validate checks a signed token against the request's session:
// Flask-WTF's validate_csrf(data). It returns nil, ErrTokenMissing,
// ErrSessionTokenMissing, ErrTokenExpired, ErrTokenInvalid or
// ErrTokensDoNotMatch, in that order of checking. It panics with
// ErrNotProtected if Protect did not run for c.
func Validate(c *gin.Context, token string) error {
	st := state(c)
	return st.p.validate(c, st.ser, token)
}

func (p *protector) validate(c *gin.Context, ser *itsdangerous.URLSafeTimedSerializer, data string) error {
	if data == "" {
		return ErrTokenMissing
	}
	stored, ok := flasksession.Get(c).Get(p.field)
	if !ok {
		return ErrSessionTokenMissing
	}
	return p.match(ser, data, stored)
}

// match checks a non-empty signed token against the session's raw token.
func (p *protector) match(ser *itsdangerous.URLSafeTimedSerializer, data string, stored any) error {
	var got any
	if _, err := ser.LoadsAt([]byte(data), &got, p.timeLimit, p.now()); err != nil {
		if errors.Is(err, itsdangerous.ErrSignatureExpired) {
			return &causeError{ErrTokenExpired, err}
		}
		return &causeError{ErrTokenInvalid, err}
	}
	a, ok1 := stored.(string)
	b, ok2 := got.(string)
	if !ok1 || !ok2 || !hmac.Equal([]byte(a), []byte(b)) {
		return ErrTokensDoNotMatch
	}
	return nil
}
