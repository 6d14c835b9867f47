package flaskjwt

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
)

// Flask-JWT-Extended 4.4's defaults (JWTManager._set_default_configuration_options),
// which the zero Config stands for.
const (
	// DefaultAlgorithm is JWT_ALGORITHM.
	DefaultAlgorithm = "HS256"
	// DefaultAccessTokenExpires is JWT_ACCESS_TOKEN_EXPIRES, 15 minutes.
	DefaultAccessTokenExpires = 15 * time.Minute
	// DefaultRefreshTokenExpires is JWT_REFRESH_TOKEN_EXPIRES, 30 days.
	DefaultRefreshTokenExpires = 30 * 24 * time.Hour
	// NoExpiry as a token lifetime makes tokens without an exp claim
	// (JWT_ACCESS_TOKEN_EXPIRES = False).
	NoExpiry time.Duration = -1

	// DefaultHeaderName is JWT_HEADER_NAME.
	DefaultHeaderName = "Authorization"
	// DefaultHeaderType is JWT_HEADER_TYPE.
	DefaultHeaderType = "Bearer"
	// DefaultQueryStringName is JWT_QUERY_STRING_NAME.
	DefaultQueryStringName = "jwt"
	// DefaultJSONKey is JWT_JSON_KEY.
	DefaultJSONKey = "access_token"
	// DefaultRefreshJSONKey is JWT_REFRESH_JSON_KEY.
	DefaultRefreshJSONKey = "refresh_token"

	// DefaultAccessCookieName is JWT_ACCESS_COOKIE_NAME.
	DefaultAccessCookieName = "access_token_cookie"
	// DefaultRefreshCookieName is JWT_REFRESH_COOKIE_NAME.
	DefaultRefreshCookieName = "refresh_token_cookie"
	// DefaultAccessCSRFCookieName is JWT_ACCESS_CSRF_COOKIE_NAME.
	DefaultAccessCSRFCookieName = "csrf_access_token"
	// DefaultRefreshCSRFCookieName is JWT_REFRESH_CSRF_COOKIE_NAME.
	DefaultRefreshCSRFCookieName = "csrf_refresh_token"
	// DefaultCSRFHeaderName is JWT_ACCESS_CSRF_HEADER_NAME and
	// JWT_REFRESH_CSRF_HEADER_NAME.
	DefaultCSRFHeaderName = "X-CSRF-TOKEN"
	// DefaultCSRFFieldName is JWT_ACCESS_CSRF_FIELD_NAME and
	// JWT_REFRESH_CSRF_FIELD_NAME.
	DefaultCSRFFieldName = "csrf_token"
	// DefaultCookiePath is every JWT_*_COOKIE_PATH.
	DefaultCookiePath = "/"
	// PersistentCookieMaxAge is the Max-Age, in seconds, of the cookies of
	// Config.PersistentCookies (Flask-JWT-Extended's "1 year": 31540000).
	PersistentCookieMaxAge = 31540000

	// DefaultIdentityClaim is JWT_IDENTITY_CLAIM.
	DefaultIdentityClaim = "sub"
	// DefaultErrorMessageKey is JWT_ERROR_MESSAGE_KEY.
	DefaultErrorMessageKey = "msg"
)

// Location is a place a token is looked for (an entry of JWT_TOKEN_LOCATION).
type Location string

// The locations Flask-JWT-Extended knows, by its names.
const (
	// LocationHeaders: the Authorization header, "Bearer <JWT>".
	LocationHeaders Location = "headers"
	// LocationCookies: the access (or refresh) cookie, with the CSRF
	// double-submit check on the CSRF methods.
	LocationCookies Location = "cookies"
	// LocationQueryString: the "jwt" query parameter.
	LocationQueryString Location = "query_string"
	// LocationJSON: the "access_token" (or "refresh_token") key of a JSON body.
	LocationJSON Location = "json"
)

// DefaultTokenLocation is JWT_TOKEN_LOCATION: headers only.
func DefaultTokenLocation() []Location { return []Location{LocationHeaders} }

// DefaultCSRFMethods are JWT_CSRF_METHODS.
func DefaultCSRFMethods() []string { return []string{"POST", "PUT", "PATCH", "DELETE"} }

// Config configures a Manager. Each field names the Flask-JWT-Extended
// setting (or JWTManager callback) it stands for; the zero value of a field
// is Flask-JWT-Extended's default, so a Config with only SecretKey behaves as
// JWTManager(app) does with JWT_SECRET_KEY set.
type Config struct {
	// SecretKey signs and verifies tokens (JWT_SECRET_KEY, which
	// Flask-JWT-Extended falls back to SECRET_KEY for): give the Flask
	// side's JWT_SECRET_KEY, or its SECRET_KEY when it sets none, as the
	// UTF-8 bytes of the Python string. Required, at least
	// flasksession.MinSecretKeyLen bytes unless AllowWeakSecretKey is set.
	SecretKey []byte

	// AllowWeakSecretKey accepts a SecretKey shorter than
	// flasksession.MinSecretKeyLen, for sharing tokens with an existing
	// Flask app whose key is short.
	AllowWeakSecretKey bool

	// Algorithm signs new tokens (JWT_ALGORITHM): "HS256", "HS384" or
	// "HS512". Empty means "HS256".
	Algorithm string

	// DecodeAlgorithms are the algorithms accepted on tokens
	// (JWT_DECODE_ALGORITHMS), HMAC ones only; Algorithm is always among
	// them. Nil means Algorithm alone. A token whose header names any other
	// algorithm ("none", "RS256", ...) is refused before its signature is
	// looked at.
	DecodeAlgorithms []string

	// TokenLocation is where routes look for a token, in order
	// (JWT_TOKEN_LOCATION). Nil means headers only. Tokens are created
	// with a csrf claim only when it holds LocationCookies and
	// DisableCookieCSRFProtect is off.
	TokenLocation []Location

	// HeaderName is the header of LocationHeaders (JWT_HEADER_NAME). Empty
	// means "Authorization".
	HeaderName string
	// HeaderType is the word before the token in that header
	// (JWT_HEADER_TYPE). Empty means "Bearer"; see NoHeaderType.
	HeaderType string
	// NoHeaderType expects the bare token in the header
	// (JWT_HEADER_TYPE = "").
	NoHeaderType bool

	// QueryStringName is the parameter of LocationQueryString
	// (JWT_QUERY_STRING_NAME). Empty means "jwt".
	QueryStringName string
	// QueryStringValuePrefix must start its value and is cut off
	// (JWT_QUERY_STRING_VALUE_PREFIX). Default "".
	QueryStringValuePrefix string

	// JSONKey is the body key of an access token for LocationJSON
	// (JWT_JSON_KEY). Empty means "access_token".
	JSONKey string
	// RefreshJSONKey is the body key of a refresh token (JWT_REFRESH_JSON_KEY).
	// Empty means "refresh_token".
	RefreshJSONKey string

	// AccessCookieName is JWT_ACCESS_COOKIE_NAME. Empty means
	// "access_token_cookie".
	AccessCookieName string
	// RefreshCookieName is JWT_REFRESH_COOKIE_NAME. Empty means
	// "refresh_token_cookie".
	RefreshCookieName string
	// AccessCookiePath is JWT_ACCESS_COOKIE_PATH. Empty means "/".
	AccessCookiePath string
	// RefreshCookiePath is JWT_REFRESH_COOKIE_PATH. Empty means "/".
	RefreshCookiePath string
	// CookieSecure sends the cookies over HTTPS only (JWT_COOKIE_SECURE).
	// Default off, as in Flask-JWT-Extended; turn it on in production.
	CookieSecure bool
	// CookieDomain is the cookies' Domain (JWT_COOKIE_DOMAIN). Empty sends
	// none.
	CookieDomain string
	// CookieSameSite is the cookies' SameSite (JWT_COOKIE_SAMESITE).
	// The zero value sends none, as Flask-JWT-Extended's default does.
	CookieSameSite http.SameSite
	// PersistentCookies gives the cookies a Max-Age of one year
	// (PersistentCookieMaxAge) instead of making them session cookies
	// (JWT_SESSION_COOKIE = False).
	PersistentCookies bool

	// DisableCookieCSRFProtect turns off the double-submit check of cookie
	// tokens and the csrf claim (JWT_COOKIE_CSRF_PROTECT = False).
	DisableCookieCSRFProtect bool
	// CSRFMethods are the methods on which a cookie token needs the CSRF
	// header (JWT_CSRF_METHODS). Nil means POST, PUT, PATCH, DELETE.
	CSRFMethods []string
	// DisableCSRFInCookies stops SetAccessCookies and SetRefreshCookies
	// from setting the script-readable CSRF cookies (JWT_CSRF_IN_COOKIES =
	// False); clients then take the value from the login response.
	DisableCSRFInCookies bool
	// AccessCSRFCookieName is JWT_ACCESS_CSRF_COOKIE_NAME. Empty means
	// "csrf_access_token".
	AccessCSRFCookieName string
	// RefreshCSRFCookieName is JWT_REFRESH_CSRF_COOKIE_NAME. Empty means
	// "csrf_refresh_token".
	RefreshCSRFCookieName string
	// AccessCSRFCookiePath is JWT_ACCESS_CSRF_COOKIE_PATH. Empty means "/".
	AccessCSRFCookiePath string
	// RefreshCSRFCookiePath is JWT_REFRESH_CSRF_COOKIE_PATH. Empty means "/".
	RefreshCSRFCookiePath string
	// AccessCSRFHeaderName is JWT_ACCESS_CSRF_HEADER_NAME. Empty means
	// "X-CSRF-TOKEN".
	AccessCSRFHeaderName string
	// RefreshCSRFHeaderName is JWT_REFRESH_CSRF_HEADER_NAME. Empty means
	// "X-CSRF-TOKEN".
	RefreshCSRFHeaderName string
	// CSRFCheckForm also takes the CSRF value from a form field when the
	// header is absent (JWT_CSRF_CHECK_FORM).
	CSRFCheckForm bool
	// AccessCSRFFieldName is JWT_ACCESS_CSRF_FIELD_NAME. Empty means
	// "csrf_token".
	AccessCSRFFieldName string
	// RefreshCSRFFieldName is JWT_REFRESH_CSRF_FIELD_NAME. Empty means
	// "csrf_token".
	RefreshCSRFFieldName string

	// AccessTokenExpires is the lifetime of access tokens
	// (JWT_ACCESS_TOKEN_EXPIRES). Zero means 15 minutes; NoExpiry (any
	// negative value) makes tokens without exp.
	AccessTokenExpires time.Duration
	// RefreshTokenExpires is the lifetime of refresh tokens
	// (JWT_REFRESH_TOKEN_EXPIRES). Zero means 30 days; NoExpiry (any
	// negative value) makes tokens without exp.
	RefreshTokenExpires time.Duration
	// OmitNBF creates tokens without an nbf claim (JWT_ENCODE_NBF = False).
	OmitNBF bool
	// DecodeLeeway is the clock skew allowed on exp, nbf and iat
	// (JWT_DECODE_LEEWAY). Default 0.
	DecodeLeeway time.Duration

	// IdentityClaim is the claim holding the identity (JWT_IDENTITY_CLAIM).
	// Empty means "sub".
	IdentityClaim string

	// EncodeAudience is put in new tokens' aud claim (JWT_ENCODE_AUDIENCE):
	// one entry as a string, more as a list. Nil puts none.
	EncodeAudience []string
	// DecodeAudience turns on the aud check: a token must name one of these
	// (JWT_DECODE_AUDIENCE). Nil checks nothing, as None does.
	DecodeAudience []string
	// EncodeIssuer is put in new tokens' iss claim (JWT_ENCODE_ISSUER).
	EncodeIssuer string
	// DecodeIssuer turns on the iss check (JWT_DECODE_ISSUER).
	DecodeIssuer string

	// ErrorMessageKey is the key of the JSON error answers
	// (JWT_ERROR_MESSAGE_KEY). Empty means "msg".
	ErrorMessageKey string

	// TokenInBlocklist reports whether a verified token is revoked
	// (@jwt.token_in_blocklist_loader); revoked tokens get ErrRevoked
	// (401 "Token has been revoked"). It is asked on every protected
	// request, after the type and freshness checks. An error answers 500
	// and refuses the token. Nil revokes nothing.
	TokenInBlocklist func(ctx context.Context, t *Token) (bool, error)

	// UserLookup loads the user of a verified token
	// (@jwt.user_lookup_loader); CurrentUser returns it. A nil user, with
	// a nil error, refuses the request with ErrUserLookup (401 "Error
	// loading the user <identity>"); an error answers 500. Nil loads
	// nothing.
	UserLookup func(ctx context.Context, t *Token) (any, error)

	// VerifyClaims checks a verified token's claims further
	// (@jwt.token_verification_loader); false refuses it with
	// ErrClaimsVerification (400 "User claims verification failed").
	VerifyClaims func(t *Token) bool

	// AdditionalClaims returns claims to add to every token made for
	// identity (@jwt.additional_claims_loader); the claims given to
	// CreateAccessToken with WithClaims win over them.
	AdditionalClaims func(identity any) map[string]any

	// ErrorHandler answers a refused request (the *_loader callbacks:
	// expired_token_loader, invalid_token_loader, unauthorized_loader, ...).
	// err is an *Error for a refusal, with Flask-JWT-Extended's Status and
	// Message, or another error (a hook's) that should answer 500. Nil
	// answers {"msg": Message} with Status, byte for byte as Flask's
	// jsonify does, or a bare 500. Either way the request is aborted and
	// err goes to c.Errors.
	ErrorHandler func(c *gin.Context, err error)

	// Clock returns the current time for creating and checking tokens.
	// Nil means time.Now; tests set it.
	Clock func() time.Time

	// Rand is the randomness of jti and csrf claims (uuid4). Nil means
	// crypto/rand; tests set it.
	Rand io.Reader
}

// DefaultConfig returns Flask-JWT-Extended's defaults written out, without
// a key.
func DefaultConfig() Config {
	return Config{
		Algorithm:             DefaultAlgorithm,
		TokenLocation:         DefaultTokenLocation(),
		HeaderName:            DefaultHeaderName,
		HeaderType:            DefaultHeaderType,
		QueryStringName:       DefaultQueryStringName,
		JSONKey:               DefaultJSONKey,
		RefreshJSONKey:        DefaultRefreshJSONKey,
		AccessCookieName:      DefaultAccessCookieName,
		RefreshCookieName:     DefaultRefreshCookieName,
		AccessCookiePath:      DefaultCookiePath,
		RefreshCookiePath:     DefaultCookiePath,
		CSRFMethods:           DefaultCSRFMethods(),
		AccessCSRFCookieName:  DefaultAccessCSRFCookieName,
		RefreshCSRFCookieName: DefaultRefreshCSRFCookieName,
		AccessCSRFCookiePath:  DefaultCookiePath,
		RefreshCSRFCookiePath: DefaultCookiePath,
		AccessCSRFHeaderName:  DefaultCSRFHeaderName,
		RefreshCSRFHeaderName: DefaultCSRFHeaderName,
		AccessCSRFFieldName:   DefaultCSRFFieldName,
		RefreshCSRFFieldName:  DefaultCSRFFieldName,
		AccessTokenExpires:    DefaultAccessTokenExpires,
		RefreshTokenExpires:   DefaultRefreshTokenExpires,
		IdentityClaim:         DefaultIdentityClaim,
		ErrorMessageKey:       DefaultErrorMessageKey,
	}
}

// hmacAlgorithms are the algorithms this package signs and verifies.
var hmacAlgorithms = map[string]bool{"HS256": true, "HS384": true, "HS512": true}

// PyJWT refuses these as HMAC keys (HMACAlgorithm.prepare_key): a public
// key used as a shared secret is the algorithm-confusion attack.
var (
	pemKey    = regexp.MustCompile(`(?s)----[- ]BEGIN (CERTIFICATE|TRUSTED CERTIFICATE|PRIVATE KEY|PUBLIC KEY|ENCRYPTED PRIVATE KEY|OPENSSH PRIVATE KEY|DSA PRIVATE KEY|RSA PRIVATE KEY|RSA PUBLIC KEY|EC PRIVATE KEY|DH PARAMETERS|NEW CERTIFICATE REQUEST|CERTIFICATE REQUEST|SSH2 PUBLIC KEY|SSH2 ENCRYPTED PRIVATE KEY|X509 CRL)[- ]----`)
	sshKeyIDs = [][]byte{[]byte("ssh-ed25519"), []byte("ssh-rsa"), []byte("ssh-dss"), []byte("ecdsa-sha2-nistp256"), []byte("ecdsa-sha2-nistp384"), []byte("ecdsa-sha2-nistp521")}
)

// Validate reports what is wrong with c, if anything: the errors match
// ErrNoSecretKey, ErrWeakSecretKey or ErrInvalidConfig, and errors.As finds
// a *ConfigError naming the field.
func (c Config) Validate() error {
	switch {
	case len(c.SecretKey) == 0:
		return ErrNoSecretKey
	case len(c.SecretKey) < flasksession.MinSecretKeyLen && !c.AllowWeakSecretKey:
		return ErrWeakSecretKey
	case pemKey.Match(c.SecretKey) || containsAny(c.SecretKey, sshKeyIDs):
		return &ConfigError{Field: "SecretKey", Msg: "is an asymmetric key or certificate, which PyJWT refuses as an HMAC secret"}
	}
	if c.Algorithm != "" && !hmacAlgorithms[c.Algorithm] {
		return &ConfigError{Field: "Algorithm", Msg: strconv.Quote(c.Algorithm) + " is not HS256, HS384 or HS512"}
	}
	for _, a := range c.DecodeAlgorithms {
		if !hmacAlgorithms[a] {
			return &ConfigError{Field: "DecodeAlgorithms", Msg: strconv.Quote(a) + " is not HS256, HS384 or HS512"}
		}
	}
	if c.TokenLocation != nil && len(c.TokenLocation) == 0 {
		return &ConfigError{Field: "TokenLocation", Msg: "empty (nil means headers)"}
	}
	if err := validLocations("TokenLocation", c.TokenLocation); err != nil {
		return err
	}
	if c.CSRFMethods != nil && len(c.CSRFMethods) == 0 {
		return &ConfigError{Field: "CSRFMethods", Msg: "empty (nil means the defaults)"}
	}
	for i, m := range c.CSRFMethods {
		if m == "" {
			return &ConfigError{Field: "CSRFMethods", Msg: "entry " + strconv.Itoa(i) + " is empty"}
		}
	}
	if c.NoHeaderType && c.HeaderType != "" {
		return &ConfigError{Field: "HeaderType", Msg: "set with NoHeaderType"}
	}
	if strings.ContainsFunc(c.HeaderType, isPySpace) {
		return &ConfigError{Field: "HeaderType", Msg: "contains white space"}
	}
	for _, f := range []struct{ name, v string }{
		{"AccessCookieName", c.AccessCookieName}, {"RefreshCookieName", c.RefreshCookieName},
		{"AccessCSRFCookieName", c.AccessCSRFCookieName}, {"RefreshCSRFCookieName", c.RefreshCSRFCookieName},
	} {
		if f.v != "" && !validCookieName(f.v) {
			return &ConfigError{Field: f.name, Msg: strconv.Quote(f.v) + " is not a cookie name"}
		}
	}
	for _, f := range []struct{ name, v string }{
		{"AccessCookiePath", c.AccessCookiePath}, {"RefreshCookiePath", c.RefreshCookiePath},
		{"AccessCSRFCookiePath", c.AccessCSRFCookiePath}, {"RefreshCSRFCookiePath", c.RefreshCSRFCookiePath},
		{"CookieDomain", c.CookieDomain},
	} {
		if strings.ContainsAny(f.v, ";\r\n\x00") {
			return &ConfigError{Field: f.name, Msg: "contains ; or a control character"}
		}
	}
	if c.DecodeLeeway < 0 {
		return &ConfigError{Field: "DecodeLeeway", Msg: "negative"}
	}
	return nil
}

func validLocations(field string, locs []Location) error {
	for _, l := range locs {
		switch l {
		case LocationHeaders, LocationCookies, LocationQueryString, LocationJSON:
		default:
			return &ConfigError{Field: field, Msg: strconv.Quote(string(l)) + ` is not "headers", "cookies", "query_string" or "json"`}
		}
	}
	return nil
}

func containsAny(b []byte, subs [][]byte) bool {
	for _, s := range subs {
		if bytes.Contains(b, s) {
			return true
		}
	}
	return false
}

// validCookieName is RFC 6265's token, which Go's net/http also requires.
func validCookieName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return s != ""
}

// or returns v, or def when v is empty.
func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// withDefaults is c with every empty field set to its default.
func (c Config) withDefaults() Config {
	c.Algorithm = or(c.Algorithm, DefaultAlgorithm)
	if c.DecodeAlgorithms == nil {
		c.DecodeAlgorithms = []string{c.Algorithm}
	} else if !slices.Contains(c.DecodeAlgorithms, c.Algorithm) {
		c.DecodeAlgorithms = append(append([]string(nil), c.DecodeAlgorithms...), c.Algorithm)
	}
	if c.TokenLocation == nil {
		c.TokenLocation = DefaultTokenLocation()
	}
	c.HeaderName = or(c.HeaderName, DefaultHeaderName)
	if !c.NoHeaderType {
		c.HeaderType = or(c.HeaderType, DefaultHeaderType)
	}
	c.QueryStringName = or(c.QueryStringName, DefaultQueryStringName)
	c.JSONKey = or(c.JSONKey, DefaultJSONKey)
	c.RefreshJSONKey = or(c.RefreshJSONKey, DefaultRefreshJSONKey)
	c.AccessCookieName = or(c.AccessCookieName, DefaultAccessCookieName)
	c.RefreshCookieName = or(c.RefreshCookieName, DefaultRefreshCookieName)
	c.AccessCookiePath = or(c.AccessCookiePath, DefaultCookiePath)
	c.RefreshCookiePath = or(c.RefreshCookiePath, DefaultCookiePath)
	if c.CSRFMethods == nil {
		c.CSRFMethods = DefaultCSRFMethods()
	}
	c.AccessCSRFCookieName = or(c.AccessCSRFCookieName, DefaultAccessCSRFCookieName)
	c.RefreshCSRFCookieName = or(c.RefreshCSRFCookieName, DefaultRefreshCSRFCookieName)
	c.AccessCSRFCookiePath = or(c.AccessCSRFCookiePath, DefaultCookiePath)
	c.RefreshCSRFCookiePath = or(c.RefreshCSRFCookiePath, DefaultCookiePath)
	c.AccessCSRFHeaderName = or(c.AccessCSRFHeaderName, DefaultCSRFHeaderName)
	c.RefreshCSRFHeaderName = or(c.RefreshCSRFHeaderName, DefaultCSRFHeaderName)
	c.AccessCSRFFieldName = or(c.AccessCSRFFieldName, DefaultCSRFFieldName)
	c.RefreshCSRFFieldName = or(c.RefreshCSRFFieldName, DefaultCSRFFieldName)
	if c.AccessTokenExpires == 0 {
		c.AccessTokenExpires = DefaultAccessTokenExpires
	}
	if c.RefreshTokenExpires == 0 {
		c.RefreshTokenExpires = DefaultRefreshTokenExpires
	}
	c.IdentityClaim = or(c.IdentityClaim, DefaultIdentityClaim)
	c.ErrorMessageKey = or(c.ErrorMessageKey, DefaultErrorMessageKey)
	if c.Clock == nil {
		c.Clock = time.Now
	}
	return c
}

// csrfProtect is Flask-JWT-Extended's config.csrf_protect: cookies are a
// configured location and the check is on.
func (c *Config) csrfProtect() bool {
	return !c.DisableCookieCSRFProtect && slices.Contains(c.TokenLocation, LocationCookies)
}
