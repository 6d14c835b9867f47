// Package pyrepr writes Python's str() and repr() of the values Flask's
// tagged JSON loads, wherever the Go side must produce Python's text: a
// user ID's str() in Flask-Login, the bytes reprs in its session
// identifier, the Markup tag's str(), the float digits taggedjson writes,
// and the inspect command's repr of a session.
//
// It imports only the standard library, so that taggedjson can use it.
package pyrepr

import (
	"html/template"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Str is Python's str(v) for the scalars Flask's tagged JSON loads (str,
// Markup, int of any size, float, bool, None) and for Go's other integer
// and float kinds, and whether v is one of them. For containers, bytes,
// UUIDs and datetimes str() needs types this package does not know, and
// Str returns false.
func Str(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case template.HTML:
		return string(x), true
	case nil:
		return "None", true
	case bool:
		if x {
			return "True", true
		}
		return "False", true
	case int:
		return strconv.Itoa(x), true
	case int8:
		return strconv.FormatInt(int64(x), 10), true
	case int16:
		return strconv.FormatInt(int64(x), 10), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case uint:
		return strconv.FormatUint(uint64(x), 10), true
	case uint8:
		return strconv.FormatUint(uint64(x), 10), true
	case uint16:
		return strconv.FormatUint(uint64(x), 10), true
	case uint32:
		return strconv.FormatUint(uint64(x), 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case uintptr:
		return strconv.FormatUint(uint64(x), 10), true
	case *big.Int:
		return x.String(), true
	case float64:
		return string(AppendFloat(nil, x, 64)), true
	case float32:
		return string(AppendFloat(nil, float64(x), 32)), true
	}
	return "", false
}

// AppendFloat appends Python's repr(f) (which is also its str()): the
// shortest digits that read back as f, positional with a fraction when
// the decimal exponent is in [-4, 16) (2.0, 0.0001, -0.0), otherwise
// d.ddde±XX (1e-05, 1e+16); nan, inf and -inf. With bitSize 32 the
// digits are the shortest that identify f as a float32, as encoding/json
// writes a Go float32.
func AppendFloat(dst []byte, f float64, bitSize int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	var tmp [32]byte
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, bitSize)
	if e[0] == '-' {
		dst = append(dst, '-')
		e = e[1:]
	}
	// e is "d[.ddd]e±XX".
	p := len(e) - 1
	for e[p] != 'e' {
		p--
	}
	exp := 0
	for _, c := range e[p+2:] {
		exp = exp*10 + int(c-'0')
	}
	if e[p+1] == '-' {
		exp = -exp
	}
	if exp < -4 || exp >= 16 {
		// Go also writes at least two exponent digits, like Python.
		return append(dst, e...)
	}
	var dbuf [20]byte
	digits := append(dbuf[:0], e[0])
	if p > 1 {
		digits = append(digits, e[2:p]...)
	}
	decpt := exp + 1 // digits before the decimal point
	switch {
	case decpt <= 0:
		dst = append(dst, '0', '.')
		for ; decpt < 0; decpt++ {
			dst = append(dst, '0')
		}
		dst = append(dst, digits...)
	case decpt >= len(digits):
		dst = append(dst, digits...)
		for i := len(digits); i < decpt; i++ {
			dst = append(dst, '0')
		}
		dst = append(dst, '.', '0')
	default:
		dst = append(dst, digits[:decpt]...)
		dst = append(dst, '.')
		dst = append(dst, digits[decpt:]...)
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// AppendBytesRepr appends Python 3's repr() of a bytes object holding the
// bytes of b: b'...', or b"..." when b holds a single quote and no double
// quote; \t \n \r by name, other bytes outside printable ASCII as \xhh.
func AppendBytesRepr(dst []byte, b string) []byte {
	quote := byte('\'')
	if strings.IndexByte(b, '\'') >= 0 && strings.IndexByte(b, '"') < 0 {
		quote = '"'
	}
	dst = append(dst, 'b', quote)
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == quote || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\t':
			dst = append(dst, `\t`...)
		case c == '\n':
			dst = append(dst, `\n`...)
		case c == '\r':
			dst = append(dst, `\r`...)
		case c < 0x20 || c >= 0x7F:
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, quote)
}

// BytesRepr is [AppendBytesRepr] as a string.
func BytesRepr(b string) string { return string(AppendBytesRepr(nil, b)) }

// AppendStrRepr appends Python 3's repr() of the str s: '...', or "..."
// when s holds a single quote and no double quote; \t \n \r by name, other
// characters Python does not print as \xhh, \uhhhh or \Uhhhhhhhh. Bytes
// that are not UTF-8 come out as \ufffd. Printability follows Go's
// unicode tables, which can differ from Python's for recently assigned
// characters.
func AppendStrRepr(dst []byte, s string) []byte {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	dst = append(dst, quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r == '\n':
			dst = append(dst, `\n`...)
		case r == '\r':
			dst = append(dst, `\r`...)
		case r == '\t':
			dst = append(dst, `\t`...)
		case r == utf8.RuneError:
			dst = append(dst, `\ufffd`...)
		case isPrintable(r):
			dst = utf8.AppendRune(dst, r)
		case r < 0x100:
			dst = appendHexEscape(dst, 'x', r, 2)
		case r < 0x10000:
			dst = appendHexEscape(dst, 'u', r, 4)
		default:
			dst = appendHexEscape(dst, 'U', r, 8)
		}
	}
	return append(dst, quote)
}

// StrRepr is [AppendStrRepr] as a string.
func StrRepr(s string) string { return string(AppendStrRepr(nil, s)) }

// appendHexEscape appends \ then kind then r in n lowercase hex digits.
func appendHexEscape(dst []byte, kind byte, r rune, n int) []byte {
	dst = append(dst, '\\', kind)
	for shift := 4 * (n - 1); shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[r>>shift&15])
	}
	return dst
}

// isPrintable approximates Python's str.isprintable for one character.
func isPrintable(r rune) bool {
	return r == ' ' || (unicode.IsPrint(r) && r != 0xad)
}
