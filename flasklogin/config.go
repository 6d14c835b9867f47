package flasklogin

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
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

// Config configures a Manager: Flask-Login's LoginManager attributes and
// REMEMBER_COOKIE_* settings under Go names. Zero fields take Flask-Login's
// defaults.
type Config struct {
	// SecretKey is Flask's SECRET_KEY, the same bytes as
	// flasksession.Config.SecretKey; it signs the remember cookie. Required.
	SecretKey []byte

	// UserLoader returns the user with the given ID (Flask-Login's
	// user_loader), or nil if there is none: the request is then anonymous.
	// An error makes the request anonymous too, goes to c.Errors, and makes
	// LoginRequired and FreshLoginRequired answer 500. Required.
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
	// new expiry, on every response to a logged-in user
	// (REMEMBER_COOKIE_REFRESH_EACH_REQUEST). Default off.
	RememberCookieRefreshEachRequest bool
}

// Errors.
var (
	// ErrNoSecretKey: Config.SecretKey is empty.
	ErrNoSecretKey = errors.New("flasklogin: no SecretKey")
	// ErrNoUserLoader: Config.UserLoader is nil.
	ErrNoUserLoader = errors.New("flasklogin: no UserLoader")
	// ErrInvalidConfig: a Config field has a value that cannot work.
	ErrInvalidConfig = errors.New("flasklogin: invalid config")
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
	// ErrNoManager: a flasklogin function ran on a request the Manager's
	// middleware did not see.
	ErrNoManager = errors.New("flasklogin: the Manager's middleware did not run for this request (register it after the flasksession middleware)")
	// ErrNoSession: the Manager's middleware ran without the flasksession
	// middleware before it.
	ErrNoSession = errors.New("flasklogin: no session: register flasksession's middleware before the Manager's")
)

// LoadError is a UserLoader failure; it wraps the loader's error.
type LoadError struct {
	ID  string
	Err error
}

func (e *LoadError) Error() string { return "flasklogin: loading user " + e.ID + ": " + e.Err.Error() }

// Unwrap returns the loader's error.
func (e *LoadError) Unwrap() error { return e.Err }

// ConfigError is an invalid Config field; it matches ErrInvalidConfig.
type ConfigError struct {
	Field   string
	Problem string
}

func (e *ConfigError) Error() string { return "flasklogin: Config." + e.Field + ": " + e.Problem }

// Is reports whether target is ErrInvalidConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Validate reports whether c can be used; errors match ErrNoSecretKey,
// ErrNoUserLoader or ErrInvalidConfig.
func (c Config) Validate() error {
	switch {
	case len(c.SecretKey) == 0:
		return ErrNoSecretKey
	case c.UserLoader == nil:
		return ErrNoUserLoader
	case c.SessionProtection < ProtectionBasic || c.SessionProtection > ProtectionOff:
		return &ConfigError{Field: "SessionProtection", Problem: "unknown mode"}
	case c.RememberCookieDuration < 0:
		return &ConfigError{Field: "RememberCookieDuration", Problem: "negative"}
	case !isView(c.LoginView):
		return &ConfigError{Field: "LoginView", Problem: "want a path (/login) or an absolute http(s) URL"}
	case !isView(c.RefreshView):
		return &ConfigError{Field: "RefreshView", Problem: "want a path (/login) or an absolute http(s) URL"}
	case c.RememberCookieSameSite == http.SameSiteNoneMode && !c.RememberCookieSecure:
		return &ConfigError{Field: "RememberCookieSameSite", Problem: "SameSite=None needs RememberCookieSecure"}
	}
	return nil
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
