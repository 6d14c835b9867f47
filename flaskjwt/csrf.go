package flaskjwt

import (
	"slices"

	"github.com/gin-gonic/gin"
)

// fromCookie is _decode_jwt_from_cookies: the token from its cookie and,
// when CSRF protection is on and the method is a CSRF method, the
// double-submit value from the CSRF header (or form field, with
// Config.CSRFCheckForm). A missing value is refused before the token is
// even decoded, as Flask-JWT-Extended does; decode compares it with the
// token's csrf claim.
func (m *Manager) fromCookie(c *gin.Context, refresh bool) (found, *Error) {
	name, header, field := m.cfg.AccessCookieName, m.cfg.AccessCSRFHeaderName, m.cfg.AccessCSRFFieldName
	if refresh {
		name, header, field = m.cfg.RefreshCookieName, m.cfg.RefreshCSRFHeaderName, m.cfg.RefreshCSRFFieldName
	}
	var raw string
	if ck, err := c.Request.Cookie(name); err == nil {
		raw = ck.Value
	}
	if raw == "" {
		return found{}, refuse(ErrNoAuthorization, `Missing cookie "`+name+`"`)
	}
	if !m.csrfProtect || !slices.Contains(m.cfg.CSRFMethods, c.Request.Method) {
		return found{raw: raw}, nil
	}
	csrf := c.Request.Header.Get(header)
	if csrf == "" && m.cfg.CSRFCheckForm {
		csrf = c.PostForm(field)
	}
	if csrf == "" {
		return found{}, refuse(ErrCSRF, "Missing CSRF token")
	}
	return found{raw: raw, csrf: csrf}, nil
}
