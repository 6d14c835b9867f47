package csrf

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
)

// Flask-WTF's defaults, which the zero Config stands for.
const (
	// DefaultFieldName is the form field and session key of the token
	// (WTF_CSRF_FIELD_NAME).
	DefaultFieldName = "csrf_token"
	// DefaultTimeLimit is how long a token is accepted
	// (WTF_CSRF_TIME_LIMIT = 3600).
	DefaultTimeLimit = time.Hour
	// NoTimeLimit as Config.TimeLimit accepts tokens of any age, for the
	// life of the session (WTF_CSRF_TIME_LIMIT = None).
	NoTimeLimit time.Duration = -1
)

// DefaultMethods are the checked methods (WTF_CSRF_METHODS).
func DefaultMethods() []string { return []string{"POST", "PUT", "PATCH", "DELETE"} }

// DefaultHeaders are the headers a token may come in when the form has
// none (WTF_CSRF_HEADERS).
func DefaultHeaders() []string { return []string{"X-CSRFToken", "X-CSRF-Token"} }

// Config configures Protect. Each field names the Flask-WTF setting it
// stands for; the zero value is Flask-WTF's defaults, with the cross-origin
// check on, signing with the session middleware's key.
type Config struct {
	// SecretKey signs the tokens (WTF_CSRF_SECRET_KEY). Leave it empty:
	// the tokens are then signed with the session middleware's SecretKey
	// and checked with its SecretKeyFallbacks too, as Flask-WTF defaults to
	// SECRET_KEY, and the program names its key once. A key given here
	// must be the session middleware's (else the first request panics
	// with ErrKeyMismatch) unless SeparateSecretKey says it is meant to
	// differ. Every worker and instance, Go or Python, must use the same
	// key, or each refuses the others' tokens.
	SecretKey []byte

	// SeparateSecretKey says SecretKey is deliberately not the session
	// middleware's key: the Flask side sets WTF_CSRF_SECRET_KEY apart from
	// SECRET_KEY. It requires SecretKey and turns off the ErrKeyMismatch
	// check.
	SeparateSecretKey bool

	// SecretKeyFallbacks are old keys, oldest first, that still verify
	// tokens but never sign new ones, for rotating SecretKey without
	// refusing the forms already rendered. Flask-WTF has no such setting.
	// They go with SecretKey: with SecretKey empty, the session
	// middleware's fallbacks apply and this must be empty too. Each must be
	// as long as SecretKey must be: a fallback forges tokens as well as the
	// key does.
	SecretKeyFallbacks [][]byte

	// AllowWeakSecretKey accepts a SecretKey (and fallbacks) shorter than
	// flasksession.MinSecretKeyLen, for sharing tokens with an existing
	// Flask app whose WTF_CSRF_SECRET_KEY is short.
	AllowWeakSecretKey bool

	// TimeLimit is the oldest token accepted (WTF_CSRF_TIME_LIMIT). Zero
	// means DefaultTimeLimit (one hour); NoTimeLimit (any negative value)
	// accepts tokens for the life of the session.
	TimeLimit time.Duration

	// Methods are the methods checked (WTF_CSRF_METHODS). Nil means
	// DefaultMethods: POST, PUT, PATCH, DELETE.
	Methods []string

	// FieldName is the form field the token is posted in and the session
	// key of the raw token (WTF_CSRF_FIELD_NAME). Empty means "csrf_token".
	FieldName string

	// Headers are where a token is looked for when the form has none
	// (WTF_CSRF_HEADERS). Nil means DefaultHeaders: X-CSRFToken,
	// X-CSRF-Token.
	Headers []string

	// DisableSSLStrict turns off the Referer check of HTTPS requests
	// (WTF_CSRF_SSL_STRICT = False). By default an HTTPS request must carry
	// a Referer on https://HOST/ (or on a TrustedOrigins origin).
	DisableSSLStrict bool

	// IsSecure tells HTTPS requests apart for the Referer check (Flask's
	// request.is_secure). Nil means r.TLS != nil; behind a proxy that ends
	// TLS, return whether the proxy says https (as werkzeug's ProxyFix makes
	// Flask do), or the check never runs.
	IsSecure func(r *http.Request) bool

	// TrustedOrigins are other origins ("https://app.example.com", scheme
	// and host, with a port if not the default) whose requests pass the
	// cross-origin check and whose Referer passes the HTTPS check.
	TrustedOrigins []string

	// DisableCrossOriginCheck turns off the check that runs before the token
	// check: a non-safe request a browser marks as cross-origin
	// (Sec-Fetch-Site other than same-origin or none, or else an Origin
	// header not matching Host) is refused with ErrCrossOrigin, as
	// net/http.CrossOriginProtection does. Flask-WTF has no such check.
	DisableCrossOriginCheck bool

	// DisableDefaultCheck makes Protect only hand out tokens; handlers call
	// Check themselves (WTF_CSRF_CHECK_DEFAULT = False and csrf.protect()).
	DisableDefaultCheck bool

	// ExemptRoutes are route patterns, as registered (c.FullPath(), e.g.
	// "/hooks/:name"), that Protect does not check (csrf.exempt(view)).
	ExemptRoutes []string

	// ExemptGroups are route prefixes, as given to Group (e.g. "/api"),
	// whose routes Protect does not check (csrf.exempt(blueprint)).
	ExemptGroups []string

	// ErrorHandler answers a refused request (Flask's
	// @app.errorhandler(CSRFError)). Reason(err) is Flask-WTF's text and
	// Status(err) the status Protect would use. Nil answers
	// Status(err) with Reason(err) as text/plain. Either way the error goes
	// to c.Errors and the request is aborted.
	ErrorHandler func(c *gin.Context, err error)

	// Clock returns the current time for signing and checking tokens. Nil
	// means time.Now; tests set it.
	Clock func() time.Time
}

// DefaultConfig returns Flask-WTF's defaults written out, without a key.
func DefaultConfig() Config {
	return Config{
		TimeLimit: DefaultTimeLimit,
		Methods:   DefaultMethods(),
		FieldName: DefaultFieldName,
		Headers:   DefaultHeaders(),
	}
}

// Validate reports what is wrong with c, if anything: the errors match
// ErrNoSecretKey, ErrWeakSecretKey or ErrInvalidConfig, and errors.As
// finds a *ConfigError for any field but the key. An empty SecretKey is
// valid: it stands for the session middleware's.
func (c Config) Validate() error {
	switch {
	case len(c.SecretKey) == 0 && c.SeparateSecretKey:
		return &ConfigError{Field: "SecretKey", Msg: "empty, with SeparateSecretKey set", Err: ErrNoSecretKey}
	case len(c.SecretKey) == 0 && len(c.SecretKeyFallbacks) > 0:
		return &ConfigError{Field: "SecretKeyFallbacks", Msg: "set without SecretKey", Err: ErrNoSecretKey}
	case len(c.SecretKey) > 0 && len(c.SecretKey) < flasksession.MinSecretKeyLen && !c.AllowWeakSecretKey:
		return ErrWeakSecretKey
	}
	for i, k := range c.SecretKeyFallbacks {
		switch {
		case len(k) == 0:
			return &ConfigError{Field: "SecretKeyFallbacks", Msg: "entry " + strconv.Itoa(i) + " is empty"}
		case len(k) < flasksession.MinSecretKeyLen && !c.AllowWeakSecretKey:
			// A fallback verifies tokens as well as the key does: a short
			// one is as easy to guess.
			return &ConfigError{Field: "SecretKeyFallbacks", Msg: "entry " + strconv.Itoa(i) + " is shorter than " + strconv.Itoa(flasksession.MinSecretKeyLen) + " bytes", Err: ErrWeakSecretKey}
		}
	}
	if c.Methods != nil && len(c.Methods) == 0 {
		return &ConfigError{Field: "Methods", Msg: "empty (nil means the defaults)"}
	}
	for i, m := range c.Methods {
		if m == "" {
			return &ConfigError{Field: "Methods", Msg: "entry " + strconv.Itoa(i) + " is empty"}
		}
	}
	for i, h := range c.Headers {
		if h == "" {
			return &ConfigError{Field: "Headers", Msg: "entry " + strconv.Itoa(i) + " is empty"}
		}
	}
	for _, o := range c.TrustedOrigins {
		if err := http.NewCrossOriginProtection().AddTrustedOrigin(o); err != nil {
			return &ConfigError{Field: "TrustedOrigins", Msg: strconv.Quote(o) + " is not scheme://host[:port]"}
		}
	}
	for _, r := range c.ExemptRoutes {
		if !strings.HasPrefix(r, "/") {
			return &ConfigError{Field: "ExemptRoutes", Msg: strconv.Quote(r) + " does not start with /"}
		}
	}
	for _, g := range c.ExemptGroups {
		if !strings.HasPrefix(g, "/") {
			return &ConfigError{Field: "ExemptGroups", Msg: strconv.Quote(g) + " does not start with /"}
		}
	}
	return nil
}
