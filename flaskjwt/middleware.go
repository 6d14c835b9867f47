package flaskjwt

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// RouteOption is an argument of jwt_required() for one route or group.
type RouteOption func(*routeOptions)

type routeOptions struct {
	optional, fresh, refresh, noTypeCheck bool
	locations                             []Location
}

// Optional lets requests without a token through, with Identity nil
// (jwt_required(optional=True)). A token that is present must still be
// valid.
func Optional() RouteOption { return func(o *routeOptions) { o.optional = true } }

// Fresh needs a fresh access token (jwt_required(fresh=True)): refused
// with ErrFreshRequired, 401 "Fresh token required".
func Fresh() RouteOption { return func(o *routeOptions) { o.fresh = true } }

// Refresh needs a refresh token and refuses access tokens
// (jwt_required(refresh=True)); the refresh cookie and JSON key are read
// instead of the access ones.
func Refresh() RouteOption { return func(o *routeOptions) { o.refresh = true } }

// Locations looks for the token in these locations, in order, instead of
// Config.TokenLocation (jwt_required(locations=[...])).
func Locations(locs ...Location) RouteOption {
	return func(o *routeOptions) { o.locations = append([]Location(nil), locs...) }
}

// SkipTypeCheck accepts access and refresh tokens alike
// (jwt_required(verify_type=False)).
func SkipTypeCheck() RouteOption { return func(o *routeOptions) { o.noTypeCheck = true } }

func (m *Manager) routeOptions(opts []RouteOption) *routeOptions {
	o := &routeOptions{}
	for _, opt := range opts {
		opt(o)
	}
	if len(o.locations) == 0 {
		o.locations = m.cfg.TokenLocation
	}
	if err := validLocations("Locations", o.locations); err != nil {
		panic(err)
	}
	return o
}

// Required is @jwt_required() as Gin middleware, for one route
// (r.GET("/x", m.Required(), h)) or a group (g.Use(m.Required())): it
// verifies the request's token, then lets the handler run with Identity,
// Claims and CurrentUser set, or aborts with Flask-JWT-Extended's status
// and {"msg": ...}. It panics at once on an unknown Location.
func (m *Manager) Required(opts ...RouteOption) gin.HandlerFunc {
	o := m.routeOptions(opts)
	return func(c *gin.Context) {
		if err := m.verify(c, o); err != nil {
			m.fail(c, err)
			return
		}
		c.Next()
	}
}

// Verify is verify_jwt_in_request(): Required's check without the answer.
// On success it sets what Identity and Claims return and returns the token
// (nil when Optional finds none); the error is an *Error, or a hook's.
// It panics on an unknown Location, as Required does.
func (m *Manager) Verify(c *gin.Context, opts ...RouteOption) (*Token, error) {
	if err := m.verify(c, m.routeOptions(opts)); err != nil {
		return nil, err
	}
	return c.MustGet(ctxKey).(*state).token, nil
}

// ctxKey holds a *state in the gin.Context.
const ctxKey = "github.com/ginflask/flasksession/flaskjwt"

type state struct {
	token *Token
	user  any
}

func (m *Manager) verify(c *gin.Context, o *routeOptions) error {
	// Flask-JWT-Extended exempts OPTIONS (CORS preflights) and then has
	// nothing in get_jwt(); here it reads as a request without a token.
	if c.Request.Method == http.MethodOptions {
		c.Set(ctxKey, &state{})
		return nil
	}
	t, err := m.fromRequest(c, o)
	if err != nil {
		if o.optional && err.Kind == ErrNoAuthorization {
			c.Set(ctxKey, &state{})
			return nil
		}
		return err
	}
	if !o.noTypeCheck {
		isRefresh := t.Claims["type"] == "refresh"
		if !o.refresh && isRefresh {
			return &Error{Kind: ErrWrongTokenType, Msg: "Only non-refresh tokens are allowed", Status: http.StatusUnprocessableEntity, Token: t}
		}
		if o.refresh && !isRefresh {
			return &Error{Kind: ErrWrongTokenType, Msg: "Only refresh tokens are allowed", Status: http.StatusUnprocessableEntity, Token: t}
		}
	}
	if o.fresh && !t.Fresh(m.now()) {
		return &Error{Kind: ErrFreshRequired, Msg: "Fresh token required", Status: http.StatusUnauthorized, Token: t}
	}
	if m.cfg.TokenInBlocklist != nil {
		revoked, err := m.cfg.TokenInBlocklist(c.Request.Context(), t)
		if err != nil {
			return err
		}
		if revoked {
			return &Error{Kind: ErrRevoked, Msg: "Token has been revoked", Status: http.StatusUnauthorized, Token: t}
		}
	}
	if m.cfg.VerifyClaims != nil && !m.cfg.VerifyClaims(t) {
		return &Error{Kind: ErrClaimsVerification, Msg: "User claims verification failed", Status: http.StatusBadRequest, Token: t}
	}
	s := &state{token: t}
	if m.cfg.UserLookup != nil {
		user, err := m.cfg.UserLookup(c.Request.Context(), t)
		if err != nil {
			return err
		}
		if user == nil {
			return &Error{Kind: ErrUserLookup, Msg: "Error loading the user " + pyStr(t.Identity()), Status: http.StatusUnauthorized, Token: t}
		}
		s.user = user
	}
	c.Set(ctxKey, s)
	return nil
}

// fromRequest is _decode_jwt_from_request up to the decode: the first
// location that has a token wins; a location without one says why, and
// when none has one the reasons are joined as Flask-JWT-Extended joins them.
func (m *Manager) fromRequest(c *gin.Context, o *routeOptions) (*Token, *Error) {
	var reasons []string
	for _, loc := range o.locations {
		f, err := m.fromLocation(c, loc, o.refresh)
		if err != nil {
			if err.Kind == ErrNoAuthorization {
				reasons = append(reasons, err.Msg)
				continue
			}
			return nil, err
		}
		if f.notString {
			return nil, invalid(ErrMalformed, "Invalid token type. Token must be a <class 'bytes'>")
		}
		t, derr := m.decode(f.raw, f.csrf, false)
		if derr != nil {
			return nil, derr
		}
		t.Location = loc
		return t, nil
	}
	if len(o.locations) == 1 {
		return nil, refuse(ErrNoAuthorization, reasons[0])
	}
	names := make([]string, len(o.locations))
	for i, l := range o.locations {
		names[i] = string(l)
	}
	return nil, refuse(ErrNoAuthorization, "Missing JWT in "+strings.Join(names[:len(names)-1], ", ")+
		" or "+names[len(names)-1]+" ("+strings.Join(reasons, "; ")+")")
}

// fail aborts the request with err, through Config.ErrorHandler or as
// Flask-JWT-Extended's default callbacks answer.
func (m *Manager) fail(c *gin.Context, err error) {
	_ = c.Error(err)
	if m.cfg.ErrorHandler != nil {
		m.cfg.ErrorHandler(c, err)
		c.Abort()
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	WriteError(c, m.cfg.ErrorMessageKey, e)
}

// WriteError answers e as Flask-JWT-Extended's default callbacks do:
// jsonify({key: e.Msg}) with e.Status, the body byte for byte Flask's
// ({"msg":"Token has expired"} and a newline), and aborts. ErrorHandlers
// that only log use it to keep the default answer.
func WriteError(c *gin.Context, key string, e *Error) {
	body := make([]byte, 0, 64)
	body = append(body, '{')
	body = appendPyJSONString(body, key)
	body = append(body, ':')
	body = appendPyJSONString(body, e.Msg)
	body = append(body, '}', '\n')
	c.Header("Content-Type", "application/json")
	c.AbortWithStatus(e.Status)
	_, _ = c.Writer.Write(body)
}

func current(c *gin.Context) *state {
	v, ok := c.Get(ctxKey)
	if !ok {
		panic(ErrNotVerified)
	}
	return v.(*state)
}

// CurrentToken returns the request's verified token, or nil when an
// Optional route got none. It panics with ErrNotVerified when no Required
// or Verify has passed.
func CurrentToken(c *gin.Context) *Token { return current(c).token }

// Claims returns the verified token's claims (get_jwt()), empty when an
// Optional route got no token. It panics with ErrNotVerified when no
// Required or Verify has passed. The map is the Token's own.
func Claims(c *gin.Context) map[string]any {
	if t := current(c).token; t != nil {
		return t.Claims
	}
	return map[string]any{}
}

// Header returns the verified token's JOSE header (get_jwt_header()),
// empty when an Optional route got no token. It panics with
// ErrNotVerified when no Required or Verify has passed.
func Header(c *gin.Context) map[string]any {
	if t := current(c).token; t != nil {
		return t.Header()
	}
	return map[string]any{}
}

// Identity returns the verified token's identity (get_jwt_identity()),
// nil when an Optional route got no token. It panics with ErrNotVerified
// when no Required or Verify has passed.
func Identity(c *gin.Context) any {
	if t := current(c).token; t != nil {
		return t.Identity()
	}
	return nil
}

// RequestLocation returns where the token was found
// (get_jwt_request_location()), "" when an Optional route got none. It
// panics with ErrNotVerified when no Required or Verify has passed.
func RequestLocation(c *gin.Context) Location {
	if t := current(c).token; t != nil {
		return t.Location
	}
	return ""
}

// CurrentUser returns what Config.UserLookup loaded for the token
// (current_user, get_current_user()), nil when an Optional route got no
// token or no UserLookup is set. It panics with ErrNotVerified when no
// Required or Verify has passed.
func CurrentUser(c *gin.Context) any { return current(c).user }
