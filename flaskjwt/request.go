package flaskjwt

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// maxJSONBody bounds what LocationJSON reads of a body; the handler still
// gets the whole body.
const maxJSONBody = 1 << 20

// found is a token taken from a request, before it is decoded.
type found struct {
	raw  string
	csrf string // the double-submit value, for cookie tokens on CSRF methods
	// notString is set when a JSON body holds a non-string token.
	notString bool
}

// fromLocation is one of _decode_jwt_from_headers, _from_cookies,
// _from_query_string and _from_json. An *Error of kind ErrNoAuthorization
// lets the next location be tried; any other ends the search.
func (m *Manager) fromLocation(c *gin.Context, loc Location, refresh bool) (found, *Error) {
	switch loc {
	case LocationHeaders:
		return m.fromHeader(c.Request)
	case LocationCookies:
		return m.fromCookie(c, refresh)
	case LocationQueryString:
		return m.fromQuery(c.Request)
	default:
		return m.fromJSON(c, refresh)
	}
}

// fromHeader reads "Authorization: Bearer <JWT>" as Flask-JWT-Extended
// does, comma-separated credentials and all; white space is Python's
// (str.split) over the Latin-1 text WSGI gives it.
func (m *Manager) fromHeader(r *http.Request) (found, *Error) {
	name, typ := m.cfg.HeaderName, m.cfg.HeaderType
	auth := strings.Trim(trimPySpace(r.Header.Get(name)), ",")
	if auth == "" {
		return found{}, refuse(ErrNoAuthorization, "Missing "+name+" Header")
	}
	if typ == "" {
		parts := pyFields(auth)
		if len(parts) != 1 {
			return found{}, refuse(ErrInvalidHeader, "Bad "+name+" header. Expected '"+name+": <JWT>'")
		}
		return found{raw: parts[0]}, nil
	}
	// re.split(r",\s*", auth): each credential after a comma loses its
	// leading white space.
	var match string
	n := 0
	for i, field := range strings.Split(auth, ",") {
		if i > 0 {
			field = trimLeftPySpace(field)
		}
		// Python fails with a server error on an empty credential; it is
		// simply not a match here.
		if f := pyFields(field); len(f) > 0 && f[0] == typ {
			match = field
			n++
		}
	}
	if n != 1 {
		return found{}, refuse(ErrNoAuthorization, "Missing '"+typ+"' type in '"+name+"' header. Expected '"+name+": "+typ+" <JWT>'")
	}
	parts := pyFields(match)
	if len(parts) != 2 {
		return found{}, refuse(ErrInvalidHeader, "Bad "+name+" header. Expected '"+name+": "+typ+" <JWT>'")
	}
	return found{raw: parts[1]}, nil
}

func (m *Manager) fromQuery(r *http.Request) (found, *Error) {
	name, prefix := m.cfg.QueryStringName, m.cfg.QueryStringValuePrefix
	var v string
	if vs := r.URL.Query()[name]; len(vs) > 0 {
		v = vs[0]
	}
	if v == "" {
		// Flask-JWT-Extended's spelling.
		return found{}, refuse(ErrNoAuthorization, "Missing '"+name+"' query paramater")
	}
	if !strings.HasPrefix(v, prefix) {
		return found{}, refuse(ErrInvalidQueryParam, "Invalid value for query parameter '"+name+"'. Expected the value to start with '"+prefix+"'")
	}
	return found{raw: v[len(prefix):]}, nil
}

func (m *Manager) fromJSON(c *gin.Context, refresh bool) (found, *Error) {
	if !isJSON(c.Request.Header.Get("Content-Type")) {
		return found{}, refuse(ErrNoAuthorization, "Invalid content-type. Must be application/json.")
	}
	key := m.cfg.JSONKey
	if refresh {
		key = m.cfg.RefreshJSONKey
	}
	missing := refuse(ErrNoAuthorization, `Missing "`+key+`" key in json data.`)
	if c.Request.Body == nil {
		return found{}, missing
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, maxJSONBody+1))
	// The handler reads the body again, as Flask caches request.json.
	c.Request.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), c.Request.Body), c.Request.Body}
	if err != nil || len(body) > maxJSONBody {
		return found{}, missing
	}
	var obj map[string]any
	if json.Unmarshal(body, &obj) != nil {
		return found{}, missing
	}
	switch v := obj[key].(type) {
	case string:
		if v != "" {
			return found{raw: v}, nil
		}
	case nil:
	default:
		if pyTruthy(v) {
			return found{notString: true}, nil
		}
	}
	return found{}, missing
}

// isJSON is Werkzeug's Request.is_json.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	}
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

// isPySpace is str.isspace() of a Latin-1 character.
func isPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0:
		return true
	}
	return false
}

func isPySpaceByte(b byte) bool { return isPySpace(rune(b)) }

func trimPySpace(s string) string {
	return trimRightPySpace(trimLeftPySpace(s))
}

func trimLeftPySpace(s string) string {
	i := 0
	for i < len(s) && isPySpaceByte(s[i]) {
		i++
	}
	return s[i:]
}

func trimRightPySpace(s string) string {
	i := len(s)
	for i > 0 && isPySpaceByte(s[i-1]) {
		i--
	}
	return s[:i]
}

// pyFields is str.split() of Latin-1 text, byte by byte.
func pyFields(s string) []string {
	var out []string
	start := -1
	for i := 0; i < len(s); i++ {
		if isPySpaceByte(s[i]) {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}
