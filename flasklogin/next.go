package flasklogin

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// LoginURL is Flask-Login's login_url(login_view, next_url=request.url):
// the login view with the request's URL added as the "next" query
// parameter. The request's URL is reduced to its path and query when the
// view has no scheme and host, or the same ones as the request. The view's
// own query parameters are kept; all are sorted and encoded as Werkzeug's
// url_encode(sort=True) does, so the result is Flask-Login's byte for
// byte. An empty view gives "".
func LoginURL(view string, r *http.Request) string {
	if view == "" {
		return ""
	}
	rest, fragment, _ := strings.Cut(view, "#")
	path, query, _ := strings.Cut(rest, "?")
	base, err := url.Parse(rest)
	if err != nil {
		base = &url.URL{Path: path}
	}
	pairs := decodeQuery(query)
	pairs = slices.DeleteFunc(pairs, func(p [2]string) bool { return p[0] == "next" })
	pairs = append(pairs, [2]string{"next", nextParam(base, r)})
	slices.SortStableFunc(pairs, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	var b strings.Builder
	b.WriteString(path)
	for i, p := range pairs {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(quotePlus(p[0]))
		b.WriteByte('=')
		b.WriteString(quotePlus(p[1]))
	}
	if fragment != "" {
		b.WriteString("#" + fragment)
	}
	return b.String()
}

// nextParam is Flask-Login's make_next_param(login_url, request.url).
func nextParam(view *url.URL, r *http.Request) string {
	scheme, host := requestSchemeHost(r)
	local := requestPathQuery(r)
	if (view.Scheme == "" || view.Scheme == scheme) && (view.Host == "" || view.Host == host) {
		return local
	}
	return scheme + "://" + host + local
}

// requestSchemeHost is Werkzeug's request.scheme and request.host: the
// Host header without the scheme's default port.
func requestSchemeHost(r *http.Request) (scheme, host string) {
	scheme = "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host = r.Host
	if scheme == "http" {
		host = strings.TrimSuffix(host, ":80")
	} else {
		host = strings.TrimSuffix(host, ":443")
	}
	return scheme, host
}

// requestPathQuery is the path and query of Werkzeug 2.2's request.url,
// an IRI, as make_next_param's urlparse/urlunparse round trip leaves it:
//   - the decoded path, leading slashes folded into one, with ASCII other
//     than RFC 3986's unreserved and sub-delims (less '&' '=') and '/' ':'
//     escaped, and other text as is;
//   - the raw query with ASCII outside that set and ":&%=+$!*'()," escaped,
//     then escapes of that set and of UTF-8 text decoded.
func requestPathQuery(r *http.Request) string {
	var b strings.Builder
	path := "/" + strings.TrimLeft(r.URL.Path, "/")
	for _, c := range []byte(strings.ToValidUTF8(path, "\uFFFD")) {
		if c >= 0x80 || alwaysSafe(c) || c == '/' || c == ':' {
			b.WriteByte(c)
		} else {
			writePercent(&b, c)
		}
	}
	// Werkzeug's server drops a fragment; Go's leaves it in the query.
	query, _, _ := strings.Cut(r.URL.RawQuery, "#")
	if query != "" {
		b.WriteByte('?')
		var q strings.Builder
		for _, c := range []byte(query) {
			if alwaysSafe(c) || strings.IndexByte(":&%=+$!*'(),", c) >= 0 {
				q.WriteByte(c)
			} else {
				writePercent(&q, c)
			}
		}
		b.WriteString(toIRI(q.String()))
	}
	return b.String()
}

// toIRI is Werkzeug's url_unquote(s, unsafe=ASCII not always safe): it
// decodes escapes of always-safe ASCII and of valid UTF-8 sequences, and
// leaves every other escape as written.
func toIRI(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c, ok := unhex2(s, i)
		switch {
		case !ok:
			b.WriteByte(s[i])
			i++
		case c < 0x80 && alwaysSafe(c):
			b.WriteByte(c)
			i += 3
		case c < 0x80:
			b.WriteString(s[i : i+3])
			i += 3
		default:
			// A run of escaped bytes from 0x80 up: decode what is valid
			// UTF-8, re-escape (upper case) what is not.
			var raw []byte
			j := i
			for {
				c, ok := unhex2(s, j)
				if !ok || c < 0x80 {
					break
				}
				raw = append(raw, c)
				j += 3
			}
			for len(raw) > 0 {
				r, size := utf8.DecodeRune(raw)
				if r == utf8.RuneError && size <= 1 {
					writePercent(&b, raw[0])
					raw = raw[1:]
					continue
				}
				b.Write(raw[:size])
				raw = raw[size:]
			}
			i = j
		}
	}
	return b.String()
}

func unhex2(s string, i int) (byte, bool) {
	if i+2 >= len(s) || s[i] != '%' {
		return 0, false
	}
	h, ok1 := unhex(s[i+1])
	l, ok2 := unhex(s[i+2])
	return h<<4 | l, ok1 && ok2
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// alwaysSafe is Werkzeug's _always_safe: unreserved characters and the
// sub-delims other than '&' and '='.
func alwaysSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~$!'()*+,;", c) >= 0
}

func writePercent(b *strings.Builder, c byte) {
	const hexDigits = "0123456789ABCDEF"
	b.WriteByte('%')
	b.WriteByte(hexDigits[c>>4])
	b.WriteByte(hexDigits[c&15])
}

// quotePlus is Werkzeug's url_quote_plus as url_encode uses it: UTF-8,
// always-safe bytes but '+' kept, space as '+', the rest escaped.
func quotePlus(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		switch {
		case c == ' ':
			b.WriteByte('+')
		case alwaysSafe(c) && c != '+':
			b.WriteByte(c)
		default:
			writePercent(&b, c)
		}
	}
	return b.String()
}

// decodeQuery is Werkzeug's url_decode: '&'-separated pairs, '+' and
// escapes decoded, a pair without '=' a key with an empty value, empty
// pairs dropped.
func decodeQuery(q string) [][2]string {
	var out [][2]string
	for part := range strings.SplitSeq(q, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		out = append(out, [2]string{unquotePlus(k), unquotePlus(v)})
	}
	return out
}

func unquotePlus(s string) string {
	s = strings.ReplaceAll(s, "+", " ")
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// IsSafeNext reports whether target may be followed after a login: a path
// on this site ("/..."), not a URL with a scheme or host, and not one a
// browser would read as another host ("//evil", "/\evil"). Flask-Login
// leaves this check to the app; example/accounts/flask_app.py makes the
// same one in Python.
func IsSafeNext(target string) bool {
	if !strings.HasPrefix(target, "/") {
		return false
	}
	// Browsers read '\' as '/'.
	t := strings.ReplaceAll(target, `\`, "/")
	if strings.HasPrefix(t, "//") {
		return false
	}
	// Browsers drop tabs and newlines: "/\t/evil" is "//evil". A path
	// has no scheme, and no host unless it starts with "//".
	for _, c := range []byte(t) {
		if c < 0x20 || c == 0x7F {
			return false
		}
	}
	return true
}
