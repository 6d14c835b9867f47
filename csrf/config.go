package csrf

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
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
// stands for; the zero value plus a SecretKey is Flask-WTF's defaults with
// the cross-origin check on.
type Config struct {
	// SecretKey signs the tokens (WTF_CSRF_SECRET_KEY, which defaults to
	// Flask's SECRET_KEY: pass the session's key unless the Flask side sets
	// WTF_CSRF_SECRET_KEY). Required. Every worker and instance, Go or
	// Python, must use the same key, or each refuses the others' tokens.
	SecretKey []byte

	// SecretKeyFallbacks are old keys, oldest first, that still verify
	// tokens but never sign new ones, for rotating SecretKey without
	// refusing the forms already rendered. Flask-WTF has no such setting.
	SecretKeyFallbacks [][]byte

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

// ErrNoSecretKey is Validate's error for a Config without SecretKey.
var ErrNoSecretKey = errors.New("csrf: no secret key")

// Validate reports what is wrong with c, if anything.
func (c Config) Validate() error {
	if len(c.SecretKey) == 0 {
		return ErrNoSecretKey
	}
	for i, k := range c.SecretKeyFallbacks {
		if len(k) == 0 {
			return errors.New("csrf: secret key fallback " + strconv.Itoa(i) + " is empty")
		}
	}
	if c.Methods != nil && len(c.Methods) == 0 {
		return errors.New("csrf: Methods is empty (nil means the defaults)")
	}
	for _, m := range c.Methods {
		if m == "" {
			return errors.New("csrf: empty method in Methods")
		}
	}
	for _, h := range c.Headers {
		if h == "" {
			return errors.New("csrf: empty header name in Headers")
		}
	}
	for _, o := range c.TrustedOrigins {
		if err := http.NewCrossOriginProtection().AddTrustedOrigin(o); err != nil {
			return errors.New("csrf: trusted origin " + strconv.Quote(o) + ": want scheme://host[:port]")
		}
	}
	for _, r := range c.ExemptRoutes {
		if !strings.HasPrefix(r, "/") {
			return errors.New("csrf: exempt route " + strconv.Quote(r) + " does not start with /")
		}
	}
	for _, g := range c.ExemptGroups {
		if !strings.HasPrefix(g, "/") {
			return errors.New("csrf: exempt group " + strconv.Quote(g) + " does not start with /")
		}
	}
	return nil
}
