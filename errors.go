package flasksession

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ginflask/flasksession/flaskcookie"
)

// Sentinel errors. Test for them with errors.Is; the error types below
// carry the details and match these sentinels.
var (
	// ErrNoSecretKey: Config.SecretKey is empty. Set it to a long random
	// secret shared by every instance (and by the Flask app, if any);
	// `go run github.com/ginflask/flasksession/cmd/flasksession genkey`
	// makes one.
	ErrNoSecretKey = errors.New("flasksession: Config.SecretKey is empty")

	// ErrWeakSecretKey: Config.SecretKey is shorter than MinSecretKeyLen.
	// Use a longer random key (genkey makes one), or set
	// Config.AllowWeakSecretKey to share sessions with an existing Flask
	// app whose key is short.
	ErrWeakSecretKey = fmt.Errorf("flasksession: Config.SecretKey is shorter than %d bytes", MinSecretKeyLen)

	// ErrInvalidConfig: a Config field other than the key is invalid.
	ErrInvalidConfig = errors.New("flasksession: invalid Config")

	// ErrCookieTooLarge: the session does not fit in a browser cookie
	// (Config.MaxCookieSize), or is larger than the middleware reads back
	// (Config.MaxSessionSize). The response keeps the client's old cookie;
	// store less in the session or move to a server-side store
	// (Config.Store).
	ErrCookieTooLarge = errors.New("flasksession: session cookie too large")

	// ErrUnserializable: a session value has a type that cannot be stored.
	ErrUnserializable = errors.New("flasksession: session value cannot be stored")

	// ErrHeadersWritten: the session changed after the response headers
	// went out, so the change could not be saved. Change the session before
	// the handler writes the response (c.JSON, c.String, c.Redirect,
	// c.Writer.Write, AbortWithStatus, Flush).
	ErrHeadersWritten = errors.New("flasksession: session changed after the response headers were sent")

	// ErrInvalidCookie: the client sent a session cookie that was not
	// accepted (tampered, signed with another key, expired, dated in the
	// future or undecodable). The request gets an empty session; the error
	// goes only to Config.ErrorHandler. A request that never uses its
	// session checks its cookie only if the cookie claims to be permanent
	// (it would be refreshed); any other is left alone unchecked, as Flask
	// would send nothing for it either way.
	ErrInvalidCookie = errors.New("flasksession: session cookie rejected")

	// ErrNoMiddleware: Get was called on a context the middleware did not
	// run for. Register it first, with r.Use(flasksession.New(cfg)) or
	// gin.New(flasksession.Plugin(cfg)), on the engine or on the route's
	// group. Get panics with this error; Lookup reports it as false.
	ErrNoMiddleware = errors.New("flasksession: no session middleware on this gin.Context")

	// ErrStore: the server-side store (Config.Store) failed to load, save
	// or delete a session: Redis unreachable, a full disk, and the like.
	ErrStore = errors.New("flasksession: the session store failed")

	// ErrNoKey: GetAs found no value under the key.
	ErrNoKey = errors.New("flasksession: no such session key")
)

// ConfigError reports an invalid Config field.
type ConfigError struct {
	Field string // the Config field, e.g. "CookieSameSite"
	Msg   string // what is wrong
	Err   error  // a sentinel it also matches, such as ErrWeakSecretKey; may be nil
}

// Error says which field is wrong and what to do.
func (e *ConfigError) Error() string {
	return "flasksession: invalid Config." + e.Field + ": " + e.Msg
}

// Is makes a *ConfigError match ErrInvalidConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Unwrap returns the sentinel the error also matches, if any.
func (e *ConfigError) Unwrap() error { return e.Err }

// CookieTooLargeError reports a Set-Cookie header over the size limit.
type CookieTooLargeError struct {
	Name  string // cookie name
	Size  int    // bytes the whole header value would take
	Limit int    // Config.MaxCookieSize in force
}

// Error gives the sizes. The session was not saved and the client keeps
// its old cookie: store less in the session (an ID instead of the record),
// or use a server-side store (Config.Store).
func (e *CookieTooLargeError) Error() string {
	return fmt.Sprintf("flasksession: cookie %q would be %d bytes, over the %d-byte limit", e.Name, e.Size, e.Limit)
}

// Is makes a *CookieTooLargeError match ErrCookieTooLarge.
func (e *CookieTooLargeError) Is(target error) bool { return target == ErrCookieTooLarge }

// SaveError wraps an error from serializing the session; errors.As finds
// the cause (for example *taggedjson.UnsupportedTypeError, which names the
// key and the type).
type SaveError struct{ Err error }

// Error says the session was not saved, and why.
func (e *SaveError) Error() string {
	return "flasksession: session not saved: " + trimPrefix(e.Err.Error())
}

// Unwrap returns the cause.
func (e *SaveError) Unwrap() error { return e.Err }

// Is makes a *SaveError match ErrUnserializable, or ErrCookieTooLarge
// when the session is over Config.MaxSessionSize.
func (e *SaveError) Is(target error) bool {
	if errors.Is(e.Err, flaskcookie.ErrTooLarge) {
		return target == ErrCookieTooLarge
	}
	return target == ErrUnserializable
}

// InvalidCookieError says why a session cookie was rejected. Unwrap gives
// the itsdangerous or taggedjson error.
type InvalidCookieError struct{ Err error }

// Error says why the cookie was rejected.
func (e *InvalidCookieError) Error() string {
	return "flasksession: session cookie rejected: " + trimPrefix(e.Err.Error())
}

// Unwrap returns the cause.
func (e *InvalidCookieError) Unwrap() error { return e.Err }

// Is makes an *InvalidCookieError match ErrInvalidCookie.
func (e *InvalidCookieError) Is(target error) bool { return target == ErrInvalidCookie }

// TypeError reports a session value that GetAs cannot convert.
type TypeError struct {
	Key  string
	Want string // the requested Go type
	Got  string // the stored value's Go type
	Err  error  // the conversion error, if any
}

// Error names the key and both types.
func (e *TypeError) Error() string {
	s := fmt.Sprintf("flasksession: session value %q is a %s, not convertible to %s", e.Key, e.Got, e.Want)
	if e.Err != nil {
		s += ": " + trimPrefix(e.Err.Error())
	}
	return s
}

// Unwrap returns the conversion error, if any.
func (e *TypeError) Unwrap() error { return e.Err }

// trimPrefix drops a wrapped error's own "flasksession: ", which the
// wrapping message already starts with.
func trimPrefix(s string) string { return strings.TrimPrefix(s, "flasksession: ") }

// StoreError reports a failure of the server-side store (Config.Store).
// On load, the request gets an empty session and the error goes to
// Config.ErrorHandler; on save, the client keeps its old cookie and the
// error goes to c.Errors and the handler.
type StoreError struct {
	Op  string // "load", "touch", "update", "create", "delete", or "index" (the user index a login is added to)
	Err error  // the store's error
}

// Error names the failed operation and the store's error.
func (e *StoreError) Error() string {
	return "flasksession: session store " + e.Op + ": " + trimPrefix(e.Err.Error())
}

// Unwrap returns the store's error.
func (e *StoreError) Unwrap() error { return e.Err }

// Is makes a *StoreError match ErrStore.
func (e *StoreError) Is(target error) bool { return target == ErrStore }
