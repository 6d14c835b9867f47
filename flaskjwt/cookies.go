package flaskjwt

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/internal/cookieattr"
)

// CookieOption changes the cookies of one Set or Unset call, as the
// keyword arguments of set_access_cookies and friends do.
type CookieOption func(*cookieOptions)

type cookieOptions struct {
	maxAge int
	domain string
}

// MaxAge gives the cookies this Max-Age in seconds instead of the
// Config's (max_age=...). Zero keeps the Config's, as in Flask-JWT-Extended.
func MaxAge(seconds int) CookieOption { return func(o *cookieOptions) { o.maxAge = seconds } }

// Domain gives the cookies this Domain instead of Config.CookieDomain
// (domain=...).
func Domain(domain string) CookieOption { return func(o *cookieOptions) { o.domain = domain } }

const unsetExpires = "; Expires=Thu, 01 Jan 1970 00:00:00 GMT"

// cookie writes one Set-Cookie as Werkzeug's dump_cookie writes what
// Flask-JWT-Extended asks of response.set_cookie: Domain, Expires, Max-Age,
// Secure, HttpOnly, Path, SameSite, in that order. maxAge < 0 deletes.
func (m *Manager) cookie(c *gin.Context, name, value, path string, httpOnly bool, o *cookieOptions, unset bool) {
	v := name + "=" + value
	domain := o.domain
	if domain == "" {
		domain = m.cfg.CookieDomain
	}
	if d := cookieattr.Domain(domain); d != "" {
		v += "; Domain=" + d
	}
	maxAge := o.maxAge
	if maxAge == 0 && m.cfg.PersistentCookies {
		maxAge = PersistentCookieMaxAge
	}
	switch {
	case unset:
		v += unsetExpires
	case maxAge != 0:
		v += "; Expires=" + m.now().UTC().Add(time.Duration(maxAge)*time.Second).Format(http.TimeFormat) + "; Max-Age=" + strconv.Itoa(maxAge)
	}
	v += cookieattr.Tail(m.cfg.CookieSecure, httpOnly, path, m.cfg.CookieSameSite, false)
	c.Writer.Header().Add("Set-Cookie", v)
}

func cookieOpts(opts []CookieOption) *cookieOptions {
	o := &cookieOptions{}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// setCSRFCookie reports whether the script-readable CSRF cookies go with
// the token cookies (config.csrf_protect and config.csrf_in_cookies).
func (m *Manager) setCSRFCookie() bool { return m.csrfProtect && !m.cfg.DisableCSRFInCookies }

// SetAccessCookies sets the access token's cookie, HttpOnly, and its
// script-readable CSRF cookie (set_access_cookies). The token must be
// valid: its csrf claim is read by decoding it, and the *Error of a token
// that does not decode is returned with nothing set.
func (m *Manager) SetAccessCookies(c *gin.Context, token string, opts ...CookieOption) error {
	return m.setCookies(c, token, false, opts)
}

// SetRefreshCookies sets the refresh token's cookie and its CSRF cookie
// (set_refresh_cookies), as SetAccessCookies does.
func (m *Manager) SetRefreshCookies(c *gin.Context, token string, opts ...CookieOption) error {
	return m.setCookies(c, token, true, opts)
}

func (m *Manager) setCookies(c *gin.Context, token string, refresh bool, opts []CookieOption) error {
	name, path := m.cfg.AccessCookieName, m.cfg.AccessCookiePath
	csrfName, csrfPath := m.cfg.AccessCSRFCookieName, m.cfg.AccessCSRFCookiePath
	if refresh {
		name, path = m.cfg.RefreshCookieName, m.cfg.RefreshCookiePath
		csrfName, csrfPath = m.cfg.RefreshCSRFCookieName, m.cfg.RefreshCSRFCookiePath
	}
	var csrf string
	if m.setCSRFCookie() {
		t, err := m.decode(token, "", false)
		if err != nil {
			return err
		}
		if csrf = t.CSRF(); csrf == "" {
			return invalid(ErrClaim, "Missing claim: csrf")
		}
	} else if !isB64URLToken(token) {
		return invalid(ErrMalformed, "Not enough segments")
	}
	o := cookieOpts(opts)
	m.cookie(c, name, token, path, true, o, false)
	if csrf != "" {
		m.cookie(c, csrfName, csrf, csrfPath, false, o, false)
	}
	return nil
}

// isB64URLToken keeps a token that was not decoded from breaking the
// Set-Cookie header.
func isB64URLToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '.' && !isB64URLChar(c) {
			return false
		}
	}
	return s != ""
}

// UnsetJWTCookies deletes the access and refresh cookies and their CSRF
// cookies (unset_jwt_cookies), e.g. at logout.
func (m *Manager) UnsetJWTCookies(c *gin.Context, opts ...CookieOption) {
	m.UnsetAccessCookies(c, opts...)
	m.UnsetRefreshCookies(c, opts...)
}

// UnsetAccessCookies deletes the access cookie and its CSRF cookie
// (unset_access_cookies): empty values with Expires in 1970.
func (m *Manager) UnsetAccessCookies(c *gin.Context, opts ...CookieOption) {
	o := cookieOpts(opts)
	m.cookie(c, m.cfg.AccessCookieName, "", m.cfg.AccessCookiePath, true, o, true)
	if m.setCSRFCookie() {
		m.cookie(c, m.cfg.AccessCSRFCookieName, "", m.cfg.AccessCSRFCookiePath, false, o, true)
	}
}

// UnsetRefreshCookies deletes the refresh cookie and its CSRF cookie
// (unset_refresh_cookies).
func (m *Manager) UnsetRefreshCookies(c *gin.Context, opts ...CookieOption) {
	o := cookieOpts(opts)
	m.cookie(c, m.cfg.RefreshCookieName, "", m.cfg.RefreshCookiePath, true, o, true)
	if m.setCSRFCookie() {
		m.cookie(c, m.cfg.RefreshCSRFCookieName, "", m.cfg.RefreshCSRFCookiePath, false, o, true)
	}
}
