package csrf

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/ginflask/flasksession"
)

// Configuration and wiring errors. Protect panics with the first kind at
// startup; the wiring errors are panics at the first request (gin.Recovery
// answers 500 and logs them), as early as Gin lets a middleware see its
// neighbours.
var (
	// ErrNoSecretKey: Config.SeparateSecretKey or SecretKeyFallbacks is set
	// without Config.SecretKey. Leave all three empty to sign with the
	// session middleware's keys, or set SecretKey to the Flask side's
	// WTF_CSRF_SECRET_KEY; genkey makes a key:
	// go run github.com/ginflask/flasksession/cmd/flasksession genkey.
	ErrNoSecretKey = errors.New("csrf: Config.SecretKey is empty")

	// ErrWeakSecretKey: Config.SecretKey, or a fallback, is shorter than
	// flasksession.MinSecretKeyLen. Leave SecretKey empty to use the
	// session middleware's key, use a longer random key (genkey makes one:
	// go run github.com/ginflask/flasksession/cmd/flasksession genkey), or
	// set Config.AllowWeakSecretKey to share tokens with an existing Flask
	// app whose key is short.
	ErrWeakSecretKey = fmt.Errorf("csrf: Config.SecretKey is shorter than %d bytes", flasksession.MinSecretKeyLen)

	// ErrInvalidConfig: a Config field other than the key is invalid;
	// errors.As finds the *ConfigError that names it.
	ErrInvalidConfig = errors.New("csrf: invalid Config")

	// ErrKeyMismatch: Config.SecretKey is not the SecretKey of the session
	// middleware that runs for the request; Protect panics with it at its
	// first request. Leave Config.SecretKey empty: Protect then signs with the
	// session middleware's key. Set Config.SeparateSecretKey only when the
	// Flask side really sets a WTF_CSRF_SECRET_KEY of its own.
	ErrKeyMismatch = errors.New("csrf: Config.SecretKey differs from the session middleware's SecretKey")

	// ErrNoSession: Protect ran without the session middleware before it,
	// and panics with it at its first request: the raw token lives in the
	// session, and the session middleware holds the key. Register
	// r.Use(flasksession.New(cfg)) before csrf.Protect.
	ErrNoSession = errors.New("csrf: no session: register r.Use(flasksession.New(cfg)) before csrf.Protect")

	// ErrNotProtected is the panic value of Token, Check and Validate on a
	// request that Protect did not see.
	ErrNotProtected = errors.New("csrf: csrf.Protect did not run for this request: register r.Use(csrf.Protect(cfg)) after flasksession.New")
)

// ConfigError reports an invalid Config field.
type ConfigError struct {
	Field string // the Config field, e.g. "TrustedOrigins"
	Msg   string // what is wrong
	Err   error  // a sentinel it also matches, such as ErrWeakSecretKey; may be nil
}

// Error says which field is wrong and how.
func (e *ConfigError) Error() string {
	return "csrf: invalid Config." + e.Field + ": " + e.Msg
}

// Is makes a *ConfigError match ErrInvalidConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Unwrap returns the sentinel the error also matches, if any.
func (e *ConfigError) Unwrap() error { return e.Err }

// refusal is a sentinel error that carries Flask-WTF's reason text.
type refusal struct {
	msg    string
	reason string
	status int
}

func (e *refusal) Error() string { return e.msg }

// The reasons Protect, Check and Validate refuse a request, one sentinel
// each, for errors.Is. Reason gives the text Flask-WTF shows for each.
var (
	// ErrTokenMissing: the request carries no token, in the form field or
	// the headers. Reason: "The CSRF token is missing."
	ErrTokenMissing error = &refusal{"csrf: token missing", "The CSRF token is missing.", http.StatusBadRequest}
	// ErrSessionTokenMissing: the session holds no raw token, often because
	// the session cookie itself was refused (a different SECRET_KEY, e.g. one
	// drawn at random per worker). Reason: "The CSRF session token is missing."
	ErrSessionTokenMissing error = &refusal{"csrf: session token missing", "The CSRF session token is missing.", http.StatusBadRequest}
	// ErrTokenExpired: the token is validly signed but older than
	// Config.TimeLimit, or dated in the future. Reason: "The CSRF token has
	// expired."
	ErrTokenExpired error = &refusal{"csrf: token expired", "The CSRF token has expired.", http.StatusBadRequest}
	// ErrTokenInvalid: the token is malformed, tampered with, or signed with
	// another key. Reason: "The CSRF token is invalid."
	ErrTokenInvalid error = &refusal{"csrf: token invalid", "The CSRF token is invalid.", http.StatusBadRequest}
	// ErrTokensDoNotMatch: the token is genuine but was made for another
	// session. Reason: "The CSRF tokens do not match."
	ErrTokensDoNotMatch error = &refusal{"csrf: tokens do not match", "The CSRF tokens do not match.", http.StatusBadRequest}
	// ErrReferrerMissing: an HTTPS request without a Referer header (the
	// strict check, Config.DisableSSLStrict). Reason: "The referrer header is
	// missing."
	ErrReferrerMissing error = &refusal{"csrf: referrer missing", "The referrer header is missing.", http.StatusBadRequest}
	// ErrReferrerMismatch: an HTTPS request whose Referer is not
	// https://HOST/ nor a trusted origin. Reason: "The referrer does not
	// match the host."
	ErrReferrerMismatch error = &refusal{"csrf: referrer does not match host", "The referrer does not match the host.", http.StatusBadRequest}
	// ErrCrossOrigin: a browser said the request comes from another origin
	// (Sec-Fetch-Site, or an Origin header that does not match the host);
	// net/http.CrossOriginProtection's check. Flask-WTF has no such check;
	// the reason is ours: "The request is cross-origin." Protect answers it
	// with 403, as net/http does.
	ErrCrossOrigin error = &refusal{"csrf: cross-origin request", "The request is cross-origin.", http.StatusForbidden}
)

// Reason returns the text Flask-WTF gives for a refusal ("The CSRF token is
// missing.", ...), the same as the Flask side of a shared app shows, or ""
// when err is not a refusal of this package.
func Reason(err error) string {
	var r *refusal
	if errors.As(err, &r) {
		return r.reason
	}
	return ""
}

// Status returns the HTTP status Protect answers a refusal with: 400 Bad
// Request as Flask-WTF does, or 403 Forbidden for ErrCrossOrigin as
// net/http does. It returns 500 for an error that is not a refusal.
func Status(err error) int {
	var r *refusal
	if errors.As(err, &r) {
		return r.status
	}
	return http.StatusInternalServerError
}

// causeError is a refusal with the error that led to it (from itsdangerous
// or net/http), for logs.
type causeError struct {
	refusal error
	cause   error
}

func (e *causeError) Error() string   { return e.refusal.Error() + ": " + e.cause.Error() }
func (e *causeError) Unwrap() []error { return []error{e.refusal, e.cause} }
