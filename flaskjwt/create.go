package flaskjwt

import "time"

// TokenOption changes one token that CreateAccessToken or
// CreateRefreshToken makes, as their keyword arguments do in
// Flask-JWT-Extended.
type TokenOption func(*tokenOptions)

type tokenOptions struct {
	fresh    bool
	freshFor time.Duration
	expires  time.Duration
	claims   map[string]any
}

// WithFresh marks an access token fresh (create_access_token(fresh=True)),
// for routes protected with Fresh().
func WithFresh() TokenOption { return func(o *tokenOptions) { o.fresh = true } }

// WithFreshFor makes an access token fresh for d, written as the float
// timestamp that create_access_token(fresh=timedelta(...)) writes.
func WithFreshFor(d time.Duration) TokenOption {
	return func(o *tokenOptions) {
		o.freshFor = d
		if d == 0 {
			o.freshFor = time.Nanosecond // fresh until now, not "unset"
		}
	}
}

// WithExpiresIn sets the token's lifetime instead of the Config's
// (expires_delta); NoExpiry makes a token without exp (expires_delta=False).
func WithExpiresIn(d time.Duration) TokenOption {
	return func(o *tokenOptions) { o.expires = d }
}

// WithClaims adds claims to the token (additional_claims), after those of
// Config.AdditionalClaims and winning over them, and over the standard
// claims of the same name, as dict.update does.
func WithClaims(claims map[string]any) TokenOption {
	return func(o *tokenOptions) {
		if o.claims == nil {
			o.claims = map[string]any{}
		}
		for k, v := range claims {
			o.claims[k] = v
		}
	}
}

// CreateAccessToken returns a new access token for identity
// (create_access_token): any value that encodes as JSON, a string for
// tokens that newer Flask-JWT-Extended releases (4.6+, which require sub
// to be a string) must also accept. The claims are Flask-JWT-Extended's,
// in its order: fresh, iat, jti, type, sub, nbf, csrf (when cookies are a
// token location), aud, iss, exp, then the additional claims.
func (m *Manager) CreateAccessToken(identity any, opts ...TokenOption) (string, error) {
	var o tokenOptions
	for _, opt := range opts {
		opt(&o)
	}
	return m.encode(identity, "access", &o)
}

// CreateRefreshToken returns a new refresh token for identity
// (create_refresh_token). It is never fresh: WithFresh and WithFreshFor
// are ignored.
func (m *Manager) CreateRefreshToken(identity any, opts ...TokenOption) (string, error) {
	var o tokenOptions
	for _, opt := range opts {
		opt(&o)
	}
	o.fresh, o.freshFor = false, 0
	return m.encode(identity, "refresh", &o)
}

// DecodeToken verifies raw and returns it (decode_token): signature,
// algorithm and times, but not the type, freshness or the blocklist.
// The error is an *Error.
func (m *Manager) DecodeToken(raw string) (*Token, error) {
	t, err := m.decode(raw, "", false)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// DecodeExpiredToken is DecodeToken that accepts an expired token
// (decode_token(allow_expired=True)), e.g. to blocklist it at logout.
func (m *Manager) DecodeExpiredToken(raw string) (*Token, error) {
	t, err := m.decode(raw, "", true)
	if err != nil {
		return nil, err
	}
	return t, nil
}
