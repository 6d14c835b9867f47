package flasklogin

import (
	"net/http"
	"net/url"
	"path"
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
//
// One deliberate difference from Flask-Login: when the view is on another
// host, Flask-Login makes "next" an absolute URL from the request's Host
// header, which the client chooses (Host header injection: a forged Host
// puts the attacker's site into the link). LoginURL then gives the path and
// query only. It still makes an absolute "next" when the view's host is the
// request's (only the scheme differs), since that Host is one the app was
// configured with. Use LoginURLFor to get an absolute "next" from the
// site's configured origin.
func LoginURL(view string, r *http.Request) string {
	return loginURL(view, nil, r)
}

// LoginURLFor is LoginURL with the site's own origin, such as
// "https://app.example.com", taken from configuration: an absolute "next"
// (for a view on another host) is built from site's scheme and host, never
// from the request's Host header, and "next" is relative when the view
// has no scheme and host or site's. Only site's scheme and host are used.
// An empty site, or one without a scheme and host, gives LoginURL's
// answer.
func LoginURLFor(view, site string, r *http.Request) string {
	var origin *url.URL
	if u, err := url.Parse(site); err == nil && u.Scheme != "" && u.Host != "" {
		scheme := strings.ToLower(u.Scheme)
		origin = &url.URL{Scheme: scheme, Host: withoutDefaultPort(scheme, u.Host)}
	}
	return loginURL(view, origin, r)
}

func loginURL(view string, origin *url.URL, r *http.Request) string {
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
	pairs = append(pairs, [2]string{"next", nextParam(base, origin, r)})
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

// nextParam is Flask-Login's make_next_param(login_url, request.url),
// with the site's origin in place of the request's when origin is set.
// Without origin, an absolute "next" is made only when the view names the
// request's host, so the Host header alone never picks the host in it.
func nextParam(view *url.URL, origin *url.URL, r *http.Request) string {
	local := requestPathQuery(r)
	scheme, host := requestSchemeHost(r)
	if origin != nil {
		scheme, host = origin.Scheme, origin.Host
	}
	if (view.Scheme == "" || view.Scheme == scheme) && (view.Host == "" || view.Host == host) {
		return local
	}
	if origin == nil && view.Host != host {
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
	return scheme, withoutDefaultPort(scheme, r.Host)
}

// withoutDefaultPort drops ":80" from an http host, ":443" from https.
func withoutDefaultPort(scheme, host string) string {
	if scheme == "http" {
		return strings.TrimSuffix(host, ":80")
	}
	return strings.TrimSuffix(host, ":443")
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
// on this site that no browser reads as a URL on another host, neither as
// it is (a Location set by hand) nor as http.Redirect, which gin's
// c.Redirect calls, cleans it. Flask-Login leaves this check to the app;
// example/accounts/flask_app.py makes the same one in Python. It refuses
// rather than guesses; target must:
//   - start with one "/", not "//" (a host) and not a scheme ("https:");
//   - hold no '\' (browsers read it as '/': "/\evil" is "//evil") and no
//     control character (browsers drop tabs and newlines: "/\t/evil");
//   - hold none of the characters that Unicode compatibility mapping, which
//     host names go through, turns into '/' or '\' (fullwidth solidus
//     U+FF0F and the like);
//   - keep its path from starting with "//" once "." and ".." segments are
//     resolved as browsers do ("/..//evil", "/%2e//evil");
//   - keep all of this with its path percent-decoded once ("/%2F%2Fevil",
//     "/%5Cevil"), since servers and proxies decode paths before they
//     redirect, and have no malformed escape in its path;
//   - keep all of this after path.Clean, as http.Redirect sends it.
//
// The query and fragment are free: "/p?next=//evil" is a path on this site.
func IsSafeNext(target string) bool {
	if !localPath(target) {
		return false
	}
	p := target
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	decoded, err := url.PathUnescape(p)
	if err != nil || !localPath(decoded) {
		return false
	}
	// http.Redirect cleans what comes before the first '?'.
	sent, _, _ := strings.Cut(target, "?")
	return localPath(path.Clean(sent))
}

// localPath is IsSafeNext's rule for one form of the target.
func localPath(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return false
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7F || c == '\\' || slashLike(c) {
			return false
		}
	}
	p := s
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	return !strings.HasPrefix(browserPath(p), "//")
}

// slashLike reports whether NFKC, which IDNA applies to host names, maps
// c to text with '/' or '\' (every such code point in Unicode 15).
func slashLike(c rune) bool {
	switch c {
	case '\u2100', '\u2101', '\u2105', '\u2106', // ℀ ℁ ℅ ℆: "a/c" and the like
		'\uFE68', // small reverse solidus
		'\uFF0F', // fullwidth solidus
		'\uFF3C': // fullwidth reverse solidus
		return true
	}
	return false
}

// browserPath is the path the WHATWG URL parser makes of p, a path that
// starts with '/': "." and ".." segments, also written with "%2e",
// resolved. Only '/' separates segments: p holds no '\'.
func browserPath(p string) string {
	segs := strings.Split(p[1:], "/")
	out := make([]string, 0, len(segs))
	for i, seg := range segs {
		last := i == len(segs)-1
		switch strings.ReplaceAll(seg, "%2E", "%2e") {
		case "..", ".%2e", "%2e.", "%2e%2e":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		case ".", "%2e":
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, seg)
		}
	}
	return "/" + strings.Join(out, "/")
}
