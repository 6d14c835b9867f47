package flaskjwt

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/ginflask/flasksession"
)

// Configuration errors, from Config.Validate and New.
var (
	// ErrNoSecretKey: Config.SecretKey is empty. Give the Flask side's
	// JWT_SECRET_KEY (or its SECRET_KEY when it sets none); genkey makes a
	// new one: go run github.com/ginflask/flasksession/cmd/flasksession genkey.
	ErrNoSecretKey = errors.New("flaskjwt: Config.SecretKey is empty")

	// ErrWeakSecretKey: Config.SecretKey is shorter than
	// flasksession.MinSecretKeyLen. Use a longer random key, or set
	// Config.AllowWeakSecretKey to share tokens with an existing Flask app
	// whose key is short.
	ErrWeakSecretKey = fmt.Errorf("flaskjwt: Config.SecretKey is shorter than %d bytes", flasksession.MinSecretKeyLen)

	// ErrInvalidConfig: a Config field is invalid; errors.As finds the
	// *ConfigError that names it.
	ErrInvalidConfig = errors.New("flaskjwt: invalid Config")

	// ErrNotVerified is the panic value of Claims, Identity, Header,
	// CurrentUser and RequestLocation on a request that no Required (or
	// Verify) has passed, as Flask-JWT-Extended raises RuntimeError("You
	// must call `@jwt_required()` ...").
	ErrNotVerified = errors.New("flaskjwt: no Required or Verify passed for this request: protect the route with m.Required()")
)

// ConfigError reports an invalid Config field.
type ConfigError struct {
	Field string // the Config field, e.g. "Algorithm"
	Msg   string // what is wrong
}

// Error says which field is wrong and how.
func (e *ConfigError) Error() string { return "flaskjwt: invalid Config." + e.Field + ": " + e.Msg }

// Is makes a *ConfigError match ErrInvalidConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// kind is a sentinel of a refusal: its Flask-JWT-Extended exception and
// the status its default callback answers with.
type kind struct {
	name   string
	status int
}

func (k *kind) Error() string { return "flaskjwt: " + k.name }

// The kinds of refusal, one per Flask-JWT-Extended exception (and default
// callback), for errors.Is on an *Error. The status is the default
// callback's.
var (
	// ErrNoAuthorization: no token in any location (NoAuthorizationError,
	// unauthorized_loader, 401), e.g. "Missing Authorization Header".
	ErrNoAuthorization error = &kind{"no authorization", http.StatusUnauthorized}
	// ErrInvalidHeader: the header holds something other than "Bearer
	// <JWT>" (InvalidHeaderError, invalid_token_loader, 422).
	ErrInvalidHeader error = &kind{"invalid header", http.StatusUnprocessableEntity}
	// ErrInvalidQueryParam: the query parameter lacks its prefix
	// (InvalidQueryParamError, 422).
	ErrInvalidQueryParam error = &kind{"invalid query parameter", http.StatusUnprocessableEntity}
	// ErrCSRF: a cookie token came without the CSRF value, or with another
	// one (CSRFError, unauthorized_loader, 401).
	ErrCSRF error = &kind{"csrf", http.StatusUnauthorized}
	// ErrInvalidToken: the token is malformed, signed with another key or
	// algorithm, not yet valid, or lacks a claim (PyJWT's InvalidTokenError
	// and JWTDecodeError, invalid_token_loader, 422). The *Error also
	// matches one of ErrMalformed, ErrAlgorithm, ErrSignature,
	// ErrNotYetValid, ErrClaim.
	ErrInvalidToken error = &kind{"invalid token", http.StatusUnprocessableEntity}
	// ErrExpired: the token's exp has passed (ExpiredSignatureError,
	// expired_token_loader, 401 "Token has expired").
	ErrExpired error = &kind{"token expired", http.StatusUnauthorized}
	// ErrWrongTokenType: a refresh token where an access token is needed,
	// or the other way round (WrongTokenError, invalid_token_loader, 422).
	ErrWrongTokenType error = &kind{"wrong token type", http.StatusUnprocessableEntity}
	// ErrFreshRequired: a route needs a fresh token (FreshTokenRequired,
	// needs_fresh_token_loader, 401 "Fresh token required").
	ErrFreshRequired error = &kind{"fresh token required", http.StatusUnauthorized}
	// ErrRevoked: Config.TokenInBlocklist said so (RevokedTokenError,
	// revoked_token_loader, 401 "Token has been revoked").
	ErrRevoked error = &kind{"token revoked", http.StatusUnauthorized}
	// ErrUserLookup: Config.UserLookup found no user (UserLookupError,
	// user_lookup_error_loader, 401 "Error loading the user <identity>").
	ErrUserLookup error = &kind{"user lookup", http.StatusUnauthorized}
	// ErrClaimsVerification: Config.VerifyClaims returned false
	// (UserClaimsVerificationError, token_verification_failed_loader,
	// 400 "User claims verification failed").
	ErrClaimsVerification error = &kind{"claims verification failed", http.StatusBadRequest}
)

// The details of ErrInvalidToken, for errors.Is.
var (
	// ErrMalformed: not three base64url segments with a JSON object header
	// and payload ("Not enough segments", "Invalid header padding", ...).
	ErrMalformed = errors.New("flaskjwt: malformed token")
	// ErrAlgorithm: the header's alg is not one of Config.DecodeAlgorithms
	// ("The specified alg value is not allowed").
	ErrAlgorithm = errors.New("flaskjwt: algorithm not allowed")
	// ErrSignature: the signature is not the key's ("Signature
	// verification failed").
	ErrSignature = errors.New("flaskjwt: signature verification failed")
	// ErrNotYetValid: nbf or iat is in the future ("The token is not yet
	// valid (nbf)").
	ErrNotYetValid = errors.New("flaskjwt: token not yet valid")
	// ErrClaim: a claim is missing or wrong: the identity, csrf, aud, iss,
	// or a time claim that is not a number.
	ErrClaim = errors.New("flaskjwt: missing or invalid claim")
)

// Error is a refused token or request. Msg is Flask-JWT-Extended's message
// for it (the "msg" of its JSON answer) and Status the status its default
// callback answers with. errors.Is matches it against its kind (ErrExpired,
// ErrInvalidToken, ...) and, for ErrInvalidToken, its detail.
type Error struct {
	Kind   error  // ErrNoAuthorization, ErrExpired, ...
	Detail error  // for ErrInvalidToken: ErrMalformed, ErrSignature, ...; else nil
	Msg    string // Flask-JWT-Extended's message, e.g. "Token has expired"
	Status int    // Flask-JWT-Extended's default status: 401, 422 or 400
	// Token is the token the refusal is about, when it was read far
	// enough: for ErrExpired, ErrWrongTokenType, ErrFreshRequired,
	// ErrRevoked, ErrUserLookup and ErrClaimsVerification (the jwt_header
	// and jwt_data Flask-JWT-Extended passes to those callbacks).
	Token *Token
}

// Error returns the package's prefix and the message.
func (e *Error) Error() string { return "flaskjwt: " + e.Msg }

// Unwrap returns the kind and the detail.
func (e *Error) Unwrap() []error {
	if e.Detail != nil {
		return []error{e.Kind, e.Detail}
	}
	return []error{e.Kind}
}

func refuse(k error, msg string) *Error {
	return &Error{Kind: k, Msg: msg, Status: k.(*kind).status}
}

func invalid(detail error, msg string) *Error {
	return &Error{Kind: ErrInvalidToken, Detail: detail, Msg: msg, Status: http.StatusUnprocessableEntity}
}

// Message returns Flask-JWT-Extended's message for err ("Missing
// Authorization Header", "Token has expired", ...), or "" when err is not a
// refusal of this package.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return ""
}

// Status returns the status Flask-JWT-Extended's default callbacks answer
// err with (401, 422 or 400), or 500 when err is not a refusal of this
// package.
func Status(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return http.StatusInternalServerError
}
