package flasksession

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/flaskcookie"
	"github.com/ginflask/flasksession/flaskrecord"
)

// Defaults, matching Flask's where Flask has one.
const (
	// DefaultCookieName is Flask's SESSION_COOKIE_NAME.
	DefaultCookieName = "session"
	// DefaultPermanentLifetime is Flask's PERMANENT_SESSION_LIFETIME (31 days).
	DefaultPermanentLifetime = 31 * 24 * time.Hour
	// DefaultMaxCookieSize is Flask's MAX_COOKIE_SIZE: the longest whole
	// Set-Cookie header value (name, value and attributes) browsers keep.
	DefaultMaxCookieSize = 4093
	// DefaultAnonymousLifetime is Config.AnonymousLifetime's default.
	DefaultAnonymousLifetime = 24 * time.Hour
	// MinSecretKeyLen is the shortest secret key accepted without
	// Config.AllowWeakSecretKey.
	MinSecretKeyLen = 16
)

// Config configures the session middleware. The zero value plus a
// SecretKey is safe and behaves like Flask's defaults, except that the
// cookie gets SameSite=Lax (Flask sends no SameSite). Each field names the
// Flask setting it stands for.
type Config struct {
	// SecretKey signs session cookies (Flask SECRET_KEY). Required, at least
	// MinSecretKeyLen bytes unless AllowWeakSecretKey is set. Every instance,
	// and a Flask app sharing the sessions, must use the same key.
	SecretKey []byte

	// SecretKeyFallbacks are old keys, oldest first, that still verify
	// cookies but never sign new ones (Flask SECRET_KEY_FALLBACKS). A cookie
	// verified by a fallback is re-signed with SecretKey the next time it is
	// sent. Each must be as long as SecretKey must be: a fallback forges
	// sessions as well as the key does.
	SecretKeyFallbacks [][]byte

	// AllowWeakSecretKey accepts a SecretKey (and fallbacks) shorter than
	// MinSecretKeyLen,
	// for sharing sessions with an existing Flask app whose key is short.
	AllowWeakSecretKey bool

	// PermanentLifetime is how long a permanent session lives, and also the
	// oldest signature accepted for any session (Flask
	// PERMANENT_SESSION_LIFETIME). Zero means 31 days.
	PermanentLifetime time.Duration

	// DisableRefreshEachRequest stops re-sending permanent sessions on every
	// response, so they expire PermanentLifetime after the last change
	// instead of after the last request (Flask
	// SESSION_REFRESH_EACH_REQUEST=False). Default: refresh on.
	DisableRefreshEachRequest bool

	// CookieName is the cookie's name (Flask SESSION_COOKIE_NAME). Empty
	// means "session".
	CookieName string

	// CookieDomain is the cookie's Domain attribute (Flask
	// SESSION_COOKIE_DOMAIN). Empty sends none: the cookie is for this host
	// only. Leading dots and a :port are dropped, as Werkzeug does.
	CookieDomain string

	// CookiePath is the cookie's Path (Flask SESSION_COOKIE_PATH, falling
	// back to APPLICATION_ROOT). Empty means "/".
	CookiePath string

	// CookieSecure sends the cookie over HTTPS only (Flask
	// SESSION_COOKIE_SECURE). Default off; turn it on in production.
	CookieSecure bool

	// DisableHTTPOnly lets JavaScript read the cookie (Flask
	// SESSION_COOKIE_HTTPONLY=False). Default: HttpOnly on.
	DisableHTTPOnly bool

	// CookieSameSite is the SameSite attribute (Flask
	// SESSION_COOKIE_SAMESITE). The zero value means Lax, a safer default
	// than Flask's; http.SameSiteDefaultMode sends no SameSite attribute,
	// as Flask does by default. SameSiteNoneMode requires CookieSecure.
	CookieSameSite http.SameSite

	// CookiePartitioned adds the Partitioned attribute (CHIPS) and with it
	// Secure (Flask SESSION_COOKIE_PARTITIONED).
	CookiePartitioned bool

	// MaxCookieSize is the largest Set-Cookie header value allowed, in
	// bytes (Flask MAX_COOKIE_SIZE). Zero means 4093; negative disables the
	// check. Unlike Flask, which only warns, a larger session is not saved
	// and the error is reported.
	MaxCookieSize int

	// MaxSessionSize is the largest session, as Flask's JSON, the cookie
	// store saves or loads. Zero means 128 KiB (flaskcookie.DefaultMaxSize),
	// far more than fits in a cookie unless compressed. A cookie that decodes to more is refused
	// before it is parsed, so a small signed cookie cannot make a request
	// allocate much; a larger session is not saved (ErrCookieTooLarge), so
	// the middleware never sends a cookie it would refuse.
	MaxSessionSize int

	// Store, if set, keeps sessions server-side (memstore, redisstore, or
	// any github.com/gin-contrib/sessions store through contribstore): the
	// cookie then carries only a session ID the middleware mints and signs
	// with SecretKey, sessions can outgrow 4 KB, and Session.Destroy ends
	// one everywhere at once. Handlers use the same API. Nil keeps Flask's
	// cookie store.
	Store Store

	// FlaskSession, if set, makes the Store's records and session IDs
	// Flask-Session's, so that a Flask app using Flask-Session on the same
	// store (Redis with the prefix "session:", redisstore's default) shares
	// the sessions. It needs Store. Nil keeps Flask's tagged JSON records
	// and the middleware's own ID cookie, which Flask-Session cannot read.
	FlaskSession *FlaskSession

	// AnonymousLifetime is how long a server-side record (Store) lives
	// after its last save when the session is neither permanent nor holds
	// a login (Flask-Login's "_user_id"): a CSRF token or a flash of a
	// visitor who never logs in, say. Zero means DefaultAnonymousLifetime
	// (a day); it is never longer than PermanentLifetime. The cookie store
	// keeps nothing on the server and ignores it. Flask-Session gives
	// every record the whole PermanentLifetime: with FlaskSession, and a
	// Flask app whose logins are not Flask-Login's, set AnonymousLifetime
	// to PermanentLifetime, or the Go side ends such a login a day after
	// its last save.
	AnonymousLifetime time.Duration

	// DetectConflicts turns on a version check for Store: when two
	// requests change the same session at once, the later save fails
	// with ErrConflict (to c.Errors, the error handler and Session.Save)
	// instead of overwriting the earlier one. Off, the later save wins as a
	// whole, as in Flask-Session.
	DetectConflicts bool

	// ErrorHandler, if set, sees every session error of a request: cookies
	// rejected on load (ErrInvalidCookie; the request just gets an empty
	// session; a request that never uses its session checks only a cookie
	// that claims to be permanent), a server-side store that failed (ErrStore), and failures to
	// save (ErrCookieTooLarge, ErrUnserializable, ErrHeadersWritten). All but
	// rejected cookies, which are expected input, also go to c.Errors. It
	// runs on the request's goroutine, once the response starts, and must not
	// write the response.
	//
	// Without an ErrorHandler, an error that arrives after the handler
	// chain (the handler wrote nothing, so the session is saved then) is
	// also printed to gin.DefaultErrorWriter: middleware registered after
	// this one, gin.Logger say, has printed c.Errors by then.
	ErrorHandler func(c *gin.Context, err error)
}

// FlaskSession is Config.FlaskSession: how the records and the ID cookie
// of a Flask-Session app look. The guarantees of Store hold on the Go
// side (a new ID at login and logout, a logout that sticks, no write lost
// to a read, IDs never adopted from the client); Flask-Session on the
// other side keeps fewer, see docs/server-side.md.
//
// A session the Go side creates is permanent only after
// Session.SetPermanent, as in Flask; Flask-Session makes every new
// session permanent unless SESSION_PERMANENT is False.
type FlaskSession struct {
	// Codec reads records in every format Flask-Session writes (pickle,
	// msgpack, JSON) and writes Codec.Format: flaskrecord.Pickle for an
	// app on Flask-Session 0.3 to 0.6 (Debian 12 ships 0.3.2), which every
	// version reads; flaskrecord.MsgPack (the zero value) or
	// flaskrecord.JSON for one on 0.7 or later, as its
	// SESSION_SERIALIZATION_FORMAT says. Its caps bound what a record
	// may cost to read.
	Codec flaskrecord.Codec

	// UseSigner signs the ID in the cookie with SecretKey, as
	// Flask-Session's SESSION_USE_SIGNER=True does (salt "flask-session").
	// Off, the cookie is the bare ID, Flask-Session's default; the
	// middleware then accepts only IDs shaped like the ones it and
	// Flask-Session mint. Set it as the Flask app does: each side refuses
	// the other's cookie otherwise.
	//
	// The cookie's attributes are Config's. Flask-Session 0.3 sends no
	// SameSite: CookieSameSite http.SameSiteDefaultMode makes the two
	// Set-Cookie headers identical; the default, Lax, is safer.
	UseSigner bool
}

// DefaultConfig returns the default Config with every default written
// out. Set SecretKey before use.
func DefaultConfig() Config {
	return Config{
		PermanentLifetime: DefaultPermanentLifetime,
		CookieName:        DefaultCookieName,
		CookiePath:        "/",
		CookieSameSite:    http.SameSiteLaxMode,
		MaxCookieSize:     DefaultMaxCookieSize,
		MaxSessionSize:    flaskcookie.DefaultMaxSize,
		AnonymousLifetime: DefaultAnonymousLifetime,
	}
}

// resolved returns c validated and with every default filled in: the one
// place defaults are applied. The middleware reads its settings from the
// result and copies nothing else.
func (c Config) resolved() (Config, error) {
	if err := c.Validate(); err != nil {
		return c, err
	}
	d := DefaultConfig()
	if c.CookieName == "" {
		c.CookieName = d.CookieName
	}
	if c.CookiePath == "" {
		c.CookiePath = d.CookiePath
	}
	if c.CookieSameSite == 0 {
		c.CookieSameSite = d.CookieSameSite
	}
	if c.PermanentLifetime == 0 {
		c.PermanentLifetime = d.PermanentLifetime
	}
	if c.MaxCookieSize == 0 {
		c.MaxCookieSize = d.MaxCookieSize
	}
	if c.MaxSessionSize == 0 {
		c.MaxSessionSize = d.MaxSessionSize
	}
	if c.AnonymousLifetime == 0 {
		c.AnonymousLifetime = d.AnonymousLifetime
	}
	c.AnonymousLifetime = min(c.AnonymousLifetime, c.PermanentLifetime)
	return c, nil
}

// Validate reports whether the Config can be used: the errors match
// ErrNoSecretKey, ErrWeakSecretKey or ErrInvalidConfig.
func (c Config) Validate() error {
	if len(c.SecretKey) == 0 {
		return ErrNoSecretKey
	}
	if len(c.SecretKey) > 0 && len(c.SecretKey) < MinSecretKeyLen && !c.AllowWeakSecretKey {
		return ErrWeakSecretKey
	}
	for i, k := range c.SecretKeyFallbacks {
		switch {
		case len(k) == 0:
			return &ConfigError{Field: "SecretKeyFallbacks", Msg: "entry " + strconv.Itoa(i) + " is empty"}
		case len(k) < MinSecretKeyLen && !c.AllowWeakSecretKey:
			// A fallback verifies cookies as well as the key does: a short
			// one is as easy to guess, and forges any session.
			return &ConfigError{Field: "SecretKeyFallbacks", Msg: "entry " + strconv.Itoa(i) + " is shorter than " + strconv.Itoa(MinSecretKeyLen) + " bytes", Err: ErrWeakSecretKey}
		}
	}
	if c.MaxSessionSize < 0 {
		return &ConfigError{Field: "MaxSessionSize", Msg: "negative"}
	}
	if c.PermanentLifetime < 0 {
		return &ConfigError{Field: "PermanentLifetime", Msg: "negative: use 0 for the 31-day default"}
	}
	if c.PermanentLifetime%time.Second != 0 {
		return &ConfigError{Field: "PermanentLifetime", Msg: "not a whole number of seconds: cookies are signed and expire to the second"}
	}
	if fs := c.FlaskSession; fs != nil {
		if c.Store == nil {
			return &ConfigError{Field: "FlaskSession", Msg: "needs a Store: Flask-Session's records are kept server-side"}
		}
		if f := fs.Codec.Format; f != flaskrecord.MsgPack && f != flaskrecord.JSON && f != flaskrecord.Pickle {
			return &ConfigError{Field: "FlaskSession", Msg: "unknown Codec.Format " + f.String()}
		}
	}
	if c.AnonymousLifetime < 0 {
		return &ConfigError{Field: "AnonymousLifetime", Msg: "negative: use 0 for the one-day default"}
	}
	if c.CookieName != "" && !isToken(c.CookieName) {
		return &ConfigError{Field: "CookieName", Msg: "not a valid cookie name: use letters, digits and -_."}
	}
	if strings.ContainsAny(c.CookieDomain, ";, \t\r\n\"") || !isPrintableASCII(c.CookieDomain) {
		return &ConfigError{Field: "CookieDomain", Msg: "not a valid domain: use a plain host name such as example.com"}
	}
	if c.CookiePath != "" && (c.CookiePath[0] != '/' || strings.ContainsAny(c.CookiePath, "; \t\r\n") || !isPrintableASCII(c.CookiePath)) {
		return &ConfigError{Field: "CookiePath", Msg: "must start with / and hold no ';' or spaces"}
	}
	switch c.CookieSameSite {
	case 0, http.SameSiteDefaultMode, http.SameSiteLaxMode, http.SameSiteStrictMode:
	case http.SameSiteNoneMode:
		if !c.CookieSecure && !c.CookiePartitioned {
			return &ConfigError{Field: "CookieSameSite", Msg: "SameSite=None needs CookieSecure: browsers drop insecure SameSite=None cookies"}
		}
	default:
		return &ConfigError{Field: "CookieSameSite", Msg: "unknown value: use http.SameSiteLaxMode, SameSiteStrictMode, SameSiteNoneMode or SameSiteDefaultMode (none sent)"}
	}
	return nil
}

func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b <= ' ' || b >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", b) >= 0 {
			return false
		}
	}
	return true
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
