package flasklogin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/sessionkeys"
)

// Flask-Login's defaults (flask_login/config.py).
const (
	// DefaultLoginMessage is LOGIN_MESSAGE, flashed on the way to log in.
	DefaultLoginMessage = "Please log in to access this page."
	// DefaultRefreshMessage is REFRESH_MESSAGE, flashed when a login is not fresh.
	DefaultRefreshMessage = "Please reauthenticate to access this page."
	// DefaultMessageCategory is the flash category of both messages.
	DefaultMessageCategory = "message"
	// DefaultRememberCookieName is COOKIE_NAME.
	DefaultRememberCookieName = "remember_token"
	// DefaultRememberCookieDuration is COOKIE_DURATION, 365 days.
	DefaultRememberCookieDuration = 365 * 24 * time.Hour
)

// Protection is Flask-Login's session_protection mode (SESSION_PROTECTION).
type Protection int

const (
	// ProtectionBasic (the default, as in Flask-Login): a session used from
	// another address or User-Agent is marked not fresh.
	ProtectionBasic Protection = iota
	// ProtectionStrong: a non-permanent session used from another address
	// or User-Agent is logged out and its remember cookie cleared; a
	// permanent one is only marked not fresh, as in Flask-Login.
	ProtectionStrong
	// ProtectionOff: no check (Flask-Login's session_protection = None).
	ProtectionOff
)

// String returns the mode's Flask-Login name ("basic", "strong", or "" for
// off).
func (p Protection) String() string {
	switch p {
	case ProtectionBasic:
		return "basic"
	case ProtectionStrong:
		return "strong"
	}
	return ""
}

// User is a logged-in user, Flask-Login's UserMixin: ID is get_id(), the
// text stored in the session and the remember cookie.
type User interface {
	ID() string
}

// ActiveUser is a User that can be inactive (Flask-Login's is_active).
// LoginUser refuses an inactive user unless forced; a User without the
// method is active.
type ActiveUser interface {
	User
	IsActive() bool
}

// AnonymousUser is the user of a request nobody is logged in to:
// Flask-Login's AnonymousUserMixin. Its ID is "".
type AnonymousUser struct{}

// ID returns "".
func (AnonymousUser) ID() string { return "" }

// Anonymous is the value CurrentUser returns when nobody is logged in.
var Anonymous User = AnonymousUser{}

// Config configures the login middleware, New: Flask-Login's LoginManager
// attributes and REMEMBER_COOKIE_* settings under Go names. Zero fields
// take Flask-Login's defaults.
type Config struct {
	// SecretKey signs the remember cookie: Flask's SECRET_KEY, as
	// Flask-Login uses it. Leave it empty: it then is the session
	// middleware's SecretKey, so the program names its key once. A key
	// given here must be that same key, or the first request panics with
	// ErrKeyMismatch. At least flasksession.MinSecretKeyLen bytes unless
	// AllowWeakSecretKey. Flask-Login knows no fallback keys, nor does this.
	SecretKey []byte

	// AllowWeakSecretKey accepts a SecretKey shorter than
	// flasksession.MinSecretKeyLen, for sharing logins with an existing
	// Flask app whose key is short.
	AllowWeakSecretKey bool

	// SiteURL is the site's own origin (scheme://host[:port], e.g.
	// https://app.example.com). When the LoginView or RefreshView is on
	// another host, the redirect's next is made absolute from it
	// (LoginURLFor); empty keeps next relative, never taken from the
	// request's Host header, which the client chooses.
	SiteURL string

	// UserLoader returns the user with the given ID (Flask-Login's
	// user_loader). For an ID that names no user it returns nil, a nil
	// pointer (return users[id], nil is fine), or an error matching
	// ErrUserNotFound: the request is then anonymous. Any other error makes
	// the request anonymous too, goes to c.Errors, and makes LoginRequired
	// and FreshLoginRequired answer 500. Required.
	UserLoader func(ctx context.Context, id string) (User, error)

	// RevokeLogins ends every login of user, on every device, remember
	// cookies included: it replaces the user's alternative token (what
	// User.ID returns, Flask-Login's "alternative tokens") in the app's
	// user store and returns the user with the new one. Sessions and
	// remember cookies holding the old ID then load no user. Only
	// LogoutEverywhere and LogoutOtherDevices call it; they return
	// ErrNoRevokeLogins without it.
	RevokeLogins func(ctx context.Context, user User) (User, error)

	// LoginView is where LoginRequired redirects (login_view): a path such
	// as "/login" or an absolute URL. Empty answers 401 instead.
	LoginView string
	// LoginMessage is flashed on that redirect (login_message). Empty
	// means DefaultLoginMessage; see NoLoginMessage.
	LoginMessage string
	// LoginMessageCategory is its flash category
	// (login_message_category). Empty means "message".
	LoginMessageCategory string
	// NoLoginMessage flashes nothing (login_message = None).
	NoLoginMessage bool

	// RefreshView is where FreshLoginRequired redirects a logged-in user
	// whose login is not fresh (refresh_view). Empty answers 401 instead.
	RefreshView string
	// RefreshMessage is flashed on that redirect (needs_refresh_message).
	// Empty means DefaultRefreshMessage; see NoRefreshMessage.
	RefreshMessage string
	// RefreshMessageCategory is its category
	// (needs_refresh_message_category). Empty means "message".
	RefreshMessageCategory string
	// NoRefreshMessage flashes nothing (needs_refresh_message = None).
	NoRefreshMessage bool

	// Unauthorized, if set, answers instead of the redirect or 401 when a
	// login is required (unauthorized_handler), e.g. a JSON 401 for an API
	// group. It must write the response or abort.
	Unauthorized gin.HandlerFunc
	// NeedsRefresh, if set, answers instead of the refresh redirect or 401
	// (needs_refresh_handler).
	NeedsRefresh gin.HandlerFunc

	// SessionProtection is session_protection (SESSION_PROTECTION).
	// Default: ProtectionBasic.
	SessionProtection Protection

	// RememberCookieName is REMEMBER_COOKIE_NAME. Empty means
	// "remember_token".
	RememberCookieName string
	// RememberCookieDuration is REMEMBER_COOKIE_DURATION, for logins that
	// give no duration. Zero means 365 days.
	RememberCookieDuration time.Duration
	// RememberCookieDomain is REMEMBER_COOKIE_DOMAIN. Empty sends none.
	RememberCookieDomain string
	// RememberCookiePath is REMEMBER_COOKIE_PATH. Empty means "/".
	RememberCookiePath string
	// RememberCookieSecure is REMEMBER_COOKIE_SECURE. Default off, as in
	// Flask-Login; turn it on behind HTTPS.
	RememberCookieSecure bool
	// RememberCookieDisableHTTPOnly is REMEMBER_COOKIE_HTTPONLY=False.
	// Default: HttpOnly on.
	RememberCookieDisableHTTPOnly bool
	// RememberCookieSameSite is REMEMBER_COOKIE_SAMESITE. The zero value
	// sends no SameSite attribute, as Flask-Login does by default.
	RememberCookieSameSite http.SameSite
	// RememberCookieRefreshEachRequest re-sends the remember cookie, with a
	// new expiry, on every response to a login that asked to be remembered
	// (REMEMBER_COOKIE_REFRESH_EACH_REQUEST). Default off. Flask-Login 0.6
	// sends one to every logged-in user, remembered or not (its issue #824).
	RememberCookieRefreshEachRequest bool
}

// Errors.
var (
	// ErrNoSecretKey: Config.SecretKey is empty.
	//
	// Deprecated: Validate no longer returns it: an empty Config.SecretKey
	// is the session middleware's key.
	ErrNoSecretKey = errors.New("flasklogin: Config.SecretKey is empty")
	// ErrWeakSecretKey: Config.SecretKey is shorter than
	// flasksession.MinSecretKeyLen. Leave it empty to use the session
	// middleware's key, use a longer random key (genkey makes one:
	// go run github.com/ginflask/flasksession/cmd/flasksession genkey), or
	// set Config.AllowWeakSecretKey to share logins with an existing Flask
	// app whose key is short.
	ErrWeakSecretKey = fmt.Errorf("flasklogin: Config.SecretKey is shorter than %d bytes", flasksession.MinSecretKeyLen)
	// ErrKeyMismatch: Config.SecretKey is not the SecretKey of the session
	// middleware that runs for the request; the login middleware panics
	// with it at its first request. Leave Config.SecretKey empty: the
	// remember cookie is then signed with the session middleware's key, as
	// Flask-Login signs it with SECRET_KEY.
	ErrKeyMismatch = errors.New("flasklogin: Config.SecretKey differs from the session middleware's SecretKey")
	// ErrNoUserLoader: Config.UserLoader is nil.
	ErrNoUserLoader = errors.New("flasklogin: Config.UserLoader is nil")
	// ErrInvalidConfig: a Config field has a value that cannot work;
	// errors.As finds the *ConfigError that names it.
	ErrInvalidConfig = errors.New("flasklogin: invalid Config")
	// ErrBadRememberCookie: a remember cookie that is not "user_id|digest"
	// with a valid digest. It is expected input: the request just stays
	// anonymous.
	ErrBadRememberCookie = errors.New("flasklogin: bad remember cookie")
	// ErrHeadersWritten: the response headers went out before the
	// middleware could set or clear the remember cookie, because something
	// wrote to a writer captured before New wrapped c.Writer. It goes to
	// c.Errors.
	ErrHeadersWritten = errors.New("flasklogin: response headers already written; remember cookie not updated")
	// ErrNoRevokeLogins: LogoutEverywhere or LogoutOtherDevices ran
	// without Config.RevokeLogins.
	ErrNoRevokeLogins = errors.New("flasklogin: no RevokeLogins in Config")
	// ErrNoLoginMiddleware: a flasklogin function (CurrentUser,
	// LoginRequired, LoginUser, ...) ran on a request the login middleware,
	// New, did not see; it panics with this error. Register
	// r.Use(flasklogin.New(cfg)) after flasksession.New, on the engine or
	// on the group of the route.
	ErrNoLoginMiddleware = errors.New("flasklogin: flasklogin.New did not run for this request: register r.Use(flasklogin.New(cfg)) after flasksession.New")
	// ErrNoManager is ErrNoLoginMiddleware under its old name.
	//
	// Deprecated: use ErrNoLoginMiddleware, the same error.
	ErrNoManager = ErrNoLoginMiddleware
	// ErrNoSession: the login middleware, New, ran without the session
	// middleware before it, and panics with it at its first request: the
	// login lives in the session, and the session middleware holds the key.
	// Register r.Use(flasksession.New(cfg)) before flasklogin.New.
	ErrNoSession = errors.New("flasklogin: no session: register r.Use(flasksession.New(cfg)) before flasklogin.New")
)

// LoadError is a UserLoader failure; it wraps the loader's error.
type LoadError struct {
	ID  string
	Err error
}

func (e *LoadError) Error() string { return "flasklogin: loading user " + e.ID + ": " + e.Err.Error() }

// Unwrap returns the loader's error.
func (e *LoadError) Unwrap() error { return e.Err }

// ConfigError reports an invalid Config field.
type ConfigError struct {
	Field string // the Config field, e.g. "LoginView"
	Msg   string // what is wrong
	Err   error  // a sentinel it also matches; may be nil
}

// Error says which field is wrong and how.
func (e *ConfigError) Error() string {
	return "flasklogin: invalid Config." + e.Field + ": " + e.Msg
}

// Is makes a *ConfigError match ErrInvalidConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Unwrap returns the sentinel the error also matches, if any.
func (e *ConfigError) Unwrap() error { return e.Err }

// Validate reports whether c can be used; errors match ErrWeakSecretKey,
// ErrNoUserLoader or ErrInvalidConfig (a *ConfigError). An empty SecretKey
// is valid: it stands for the session middleware's.
func (c Config) Validate() error {
	switch {
	case len(c.SecretKey) > 0 && len(c.SecretKey) < flasksession.MinSecretKeyLen && !c.AllowWeakSecretKey:
		return ErrWeakSecretKey
	case c.UserLoader == nil:
		return ErrNoUserLoader
	case c.SessionProtection < ProtectionBasic || c.SessionProtection > ProtectionOff:
		return &ConfigError{Field: "SessionProtection", Msg: "unknown mode"}
	case c.RememberCookieDuration < 0:
		return &ConfigError{Field: "RememberCookieDuration", Msg: "negative"}
	case !isView(c.LoginView):
		return &ConfigError{Field: "LoginView", Msg: "want a path (/login) or an absolute http(s) URL"}
	case !isView(c.RefreshView):
		return &ConfigError{Field: "RefreshView", Msg: "want a path (/login) or an absolute http(s) URL"}
	case !isOrigin(c.SiteURL):
		return &ConfigError{Field: "SiteURL", Msg: "want scheme://host[:port] with http or https and no path"}
	case c.RememberCookieSameSite == http.SameSiteNoneMode && !c.RememberCookieSecure:
		return &ConfigError{Field: "RememberCookieSameSite", Msg: "SameSite=None needs RememberCookieSecure"}
	}
	return nil
}

// isOrigin reports whether s is empty or an http(s) origin: scheme and
// host, a port if any, nothing else (not even "/"), so that a path
// appended to it is the path meant.
func isOrigin(s string) bool {
	if s == "" {
		return true
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != "" &&
		u.Opaque == "" && u.User == nil && u.Path == "" && u.RawPath == "" &&
		u.RawQuery == "" && !u.ForceQuery && u.Fragment == "" && !strings.HasSuffix(s, "#") &&
		!strings.HasSuffix(u.Host, ":")
}

// isView reports whether v is a view Flask-Login would use as it is (Go has
// no url_for for view names): empty, a path, or an http(s) URL.
func isView(v string) bool {
	return v == "" || strings.HasPrefix(v, "/") || strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://")
}

// withDefaults returns c with Flask-Login's defaults in its zero fields.
func (c Config) withDefaults() Config {
	if c.LoginMessage == "" {
		c.LoginMessage = DefaultLoginMessage
	}
	if c.LoginMessageCategory == "" {
		c.LoginMessageCategory = DefaultMessageCategory
	}
	if c.RefreshMessage == "" {
		c.RefreshMessage = DefaultRefreshMessage
	}
	if c.RefreshMessageCategory == "" {
		c.RefreshMessageCategory = DefaultMessageCategory
	}
	if c.RememberCookieName == "" {
		c.RememberCookieName = DefaultRememberCookieName
	}
	if c.RememberCookieDuration == 0 {
		c.RememberCookieDuration = DefaultRememberCookieDuration
	}
	if c.RememberCookiePath == "" {
		c.RememberCookiePath = "/"
	}
	return c
}

// forRequest returns the manager for the request's session: m itself when
// Config.SecretKey is given (once checked against the session middleware's
// key), else a copy of m whose remember codec has the session middleware's
// key, made on that key's first request. It panics with ErrNoSession or
// ErrKeyMismatch: wiring mistakes that fail every request alike, seen at
// the first request, the earliest a middleware sees its neighbours.
func (m *manager) forRequest(c *gin.Context) *manager {
	key, _, ok := sessionkeys.Of(c)
	if !ok {
		panic(ErrNoSession)
	}
	if len(m.cfg.SecretKey) > 0 {
		if !bytes.Equal(m.cfg.SecretKey, key) {
			panic(ErrKeyMismatch)
		}
		return m
	}
	// Flask-Login signs with SECRET_KEY only: the session's fallbacks do
	// not verify remember cookies.
	return m.perKey.Get(key, nil, func() *manager {
		d := *m
		d.cfg.SecretKey = bytes.Clone(key)
		d.codec = NewRememberCodec(key)
		return &d
	})
}
