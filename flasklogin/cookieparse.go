package flasklogin

import (
	"net/http"
	"strings"
)

// readCookie returns the first cookie called name in the request, parsed
// as Werkzeug 2.2 parses the Cookie header (the parser Flask-Login 0.6.2
// runs under), and whether there is one. Several Cookie headers are read
// as one, joined with "," as Werkzeug's server joins repeated headers.
func readCookie(h http.Header, name string) (string, bool) {
	lines := h["Cookie"]
	if len(lines) == 0 {
		return "", false
	}
	v, ok := scanCookie(strings.Join(lines, ","), name)
	if !ok {
		return "", false
	}
	return strings.ToValidUTF8(v, "\uFFFD"), true
}

// scanCookie gives the answers of Werkzeug 2.2's cookie regexp
// (werkzeug._internal._cookie_re, as Go's leftmost-first engine runs it,
// kept as readCookieOracle in the tests), matched again and again at the
// start of what is left of s with ";" appended, in one pass:
//
//	^([^=;]*)(?:\s*=\s*("(?:[^\\"]|\\.)*"|(?:.*?)))?\s*;
//
// The regexp's choices reduce to these: the key is everything up to the
// first '=' or ';'. After '=' and the spaces after it, a value that opens
// with '"' runs to the first quote the backslash escapes leave unescaped,
// if only spaces and then ';' follow it; otherwise the value runs to the
// first ';', less trailing spaces, and must hold no newline ('.' does not
// match one), or nothing matches and the scan stops. Backtracking into the
// key or the spaces never finds another match, because each way back
// reaches the same '='.
//
// The scan is linear: the searches for ';' and '=' stay within one pair,
// and a quoted value's search for its closing quote stops at the next
// value's opening quote at the latest (that quote follows '=' or a space,
// never a backslash), so every byte is read a bounded number of times.
// Plain headers need no faster path.
func scanCookie(s, name string) (string, bool) {
	n := len(s)
	for i := 0; i < n; {
		// t is the first ';' from i on; the end of s stands for the ";"
		// the regexp version appends. Searching for '=' only up to t keeps
		// each byte's reads bounded.
		t := n
		if j := strings.IndexByte(s[i:], ';'); j >= 0 {
			t = i + j
		}
		e := t
		if j := strings.IndexByte(s[i:t], '='); j >= 0 {
			e = i + j
		}
		key := s[i:e]
		var val string
		if e == t {
			i = t + 1
		} else {
			var ok bool
			if val, i, ok = cookieValue(s, skipPySpace(s, e+1), t); !ok {
				return "", false
			}
		}
		if strings.Trim(key, pySpaces) == name {
			return unquoteCookieValue(val), true
		}
	}
	return "", false
}

// cookieValue reads the value that starts at q, after "=" and spaces,
// where t is the first ';' from q on (or len(s)): the raw value and where
// the next pair starts, or false where the regexp finds no match.
func cookieValue(s string, q, t int) (string, int, bool) {
	n := len(s)
	if q < n && s[q] == '"' {
		if c := closingQuote(s, q+1); c >= 0 {
			if k := skipPySpace(s, c+1); k == n || s[k] == ';' {
				return s[q : c+1], k + 1, true
			}
		}
	}
	w := t
	for w > q && isPySpace(s[w-1]) {
		w--
	}
	if strings.IndexByte(s[q:w], '\n') >= 0 {
		return "", 0, false
	}
	return s[q:w], t + 1, true
}

// closingQuote returns the index of the '"' that ends a quoted value whose
// text starts at p, or -1. A backslash takes the next byte with it unless
// that is a newline, which ends the search ('.' does not match it).
func closingQuote(s string, p int) int {
	for p < len(s) {
		switch s[p] {
		case '"':
			return p
		case '\\':
			if p+1 < len(s) && s[p+1] == '\n' {
				return -1
			}
			p += 2
		default:
			p++
		}
	}
	return -1
}

func skipPySpace(s string, i int) int {
	for i < len(s) && isPySpace(s[i]) {
		i++
	}
	return i
}

// isPySpace is Python's \s in a bytes pattern.
func isPySpace(c byte) bool {
	return c == ' ' || '\t' <= c && c <= '\r'
}

const pySpaces = " \t\n\r\f\v"

// unquoteCookieValue is Werkzeug 2.2's _cookie_unquote: a value in double
// quotes loses them, and inside, \ooo (first digit 0-3) is an octal byte
// and \x is x.
func unquoteCookieValue(v string) string {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return v
	}
	v = v[1 : len(v)-1]
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' || i+1 == len(v) || v[i+1] == '\n' {
			b.WriteByte(c)
			continue
		}
		if i+3 < len(v) && '0' <= v[i+1] && v[i+1] <= '3' && isOctal(v[i+2]) && isOctal(v[i+3]) {
			b.WriteByte((v[i+1]-'0')<<6 | (v[i+2]-'0')<<3 | (v[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(v[i+1])
		i++
	}
	return b.String()
}

func isOctal(c byte) bool { return '0' <= c && c <= '7' }
