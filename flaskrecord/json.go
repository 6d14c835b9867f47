package flaskrecord

import (
	"encoding/base64"
	"html/template"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/ginflask/flasksession/taggedjson"
)

// JSON as msgspec (Flask-Session 0.7+ with SESSION_SERIALIZATION_FORMAT =
// "json") writes and reads it: compact, UTF-8 unescaped, floats in
// msgspec's own digits, bytes as base64, datetimes as RFC 3339 strings.
// It is plain JSON, not Flask's tagged JSON: a tuple is a list, and
// bytes, datetimes, dates and UUIDs come back as strings.

// maxIntDigits is Python's int_max_str_digits: msgspec's str() of a
// larger int fails, and so does its int() of a longer literal.
const maxIntDigits = 4300

type jsonEncoder struct {
	b   []byte
	lim limits
}

func appendJSON(dst []byte, values map[string]any, l limits) ([]byte, error) {
	e := jsonEncoder{b: dst, lim: l}
	if err := e.dict(values, 1); err != nil {
		return nil, err
	}
	return e.b, nil
}

func (e *jsonEncoder) value(v any, depth int) error {
	switch x := v.(type) {
	case nil:
		e.b = append(e.b, "null"...)
	case bool:
		if x {
			e.b = append(e.b, "true"...)
		} else {
			e.b = append(e.b, "false"...)
		}
	case string:
		e.str(validString(x))
	case int:
		e.b = strconv.AppendInt(e.b, int64(x), 10)
	case float64:
		e.b = appendMsgspecFloat(e.b, x)
	case map[string]any:
		return e.dict(x, depth+1)
	case []any:
		return e.array(x, depth+1)
	case taggedjson.Tuple:
		return e.array(x, depth+1)
	case *big.Int:
		if x == nil {
			e.b = append(e.b, "null"...)
			return nil
		}
		// 2**14285 has 4301 digits: skip the costly conversion of ints
		// that are surely too long.
		if x.BitLen() > 14285 {
			return &UnsupportedValueError{Format: JSON, Type: reflect.TypeOf(x), Reason: "int of more than 4300 digits (Python's int_max_str_digits)"}
		}
		n := len(e.b)
		e.b = x.Append(e.b, 10)
		digits := len(e.b) - n
		if x.Sign() < 0 {
			digits--
		}
		if digits > maxIntDigits {
			e.b = e.b[:n]
			return &UnsupportedValueError{Format: JSON, Type: reflect.TypeOf(x), Reason: "int of more than 4300 digits (Python's int_max_str_digits)"}
		}
	case []byte:
		e.b = append(e.b, '"')
		e.b = base64.StdEncoding.AppendEncode(e.b, x)
		e.b = append(e.b, '"')
	case time.Time:
		p, ok := toPyTime(x)
		if !ok {
			return &UnsupportedValueError{Format: JSON, Type: reflect.TypeOf(x), Reason: "year outside Python's 1 to 9999"}
		}
		e.b = append(e.b, '"')
		e.b = appendISO(e.b, p)
		e.b = append(e.b, '"')
	case Date:
		if !validDate(x.Year, int(x.Month), x.Day) {
			return &UnsupportedValueError{Format: JSON, Type: reflect.TypeOf(x), Reason: "not a valid date"}
		}
		e.b = append(e.b, '"')
		e.b = appendDate(e.b, x.Year, int(x.Month), x.Day)
		e.b = append(e.b, '"')
	case uuid.UUID:
		e.b = append(e.b, '"')
		e.b = appendUUID(e.b, x)
		e.b = append(e.b, '"')
	case template.HTML:
		return &UnsupportedTypeError{Format: JSON, Type: typeHTML}
	default:
		c, err := canonical(JSON, v)
		if err != nil {
			return err
		}
		return e.value(c, depth)
	}
	return nil
}

func (e *jsonEncoder) tooDeep() error {
	return &LimitError{Format: JSON, Err: ErrTooDeep, Limit: e.lim.depth, Offset: -1}
}

func (e *jsonEncoder) dict(m map[string]any, depth int) error {
	if depth > e.lim.depth {
		return e.tooDeep()
	}
	e.b = append(e.b, '{')
	var buf [16]string
	for i, k := range sortedKeys(m, buf[:]) {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.str(validString(k))
		e.b = append(e.b, ':')
		if err := e.value(m[k], depth); err != nil {
			return withKey(err, k)
		}
	}
	e.b = append(e.b, '}')
	return nil
}

func (e *jsonEncoder) array(a []any, depth int) error {
	if depth > e.lim.depth {
		return e.tooDeep()
	}
	e.b = append(e.b, '[')
	for i, v := range a {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		if err := e.value(v, depth); err != nil {
			return withIndex(err, i)
		}
	}
	e.b = append(e.b, ']')
	return nil
}

// str escapes what msgspec escapes: the quote, the backslash and control
// characters, the usual ones in short form.
func (e *jsonEncoder) str(s string) {
	const hexDigits = "0123456789abcdef"
	e.b = append(e.b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		e.b = append(e.b, s[start:i]...)
		switch c {
		case '"', '\\':
			e.b = append(e.b, '\\', c)
		case '\b':
			e.b = append(e.b, '\\', 'b')
		case '\t':
			e.b = append(e.b, '\\', 't')
		case '\n':
			e.b = append(e.b, '\\', 'n')
		case '\f':
			e.b = append(e.b, '\\', 'f')
		case '\r':
			e.b = append(e.b, '\\', 'r')
		default:
			e.b = append(e.b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	e.b = append(e.b, s[start:]...)
	e.b = append(e.b, '"')
}

// appendMsgspecFloat writes f as msgspec's write_f64 does: the shortest
// digits that read back as f, positional from 1e-5 up to 1e16 (with a
// ".0" on whole numbers), otherwise as 1.5e-7 or 1e16 (no "+", no
// zero-padded exponent); NaN and the infinities as null.
func appendMsgspecFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if math.Signbit(f) {
		b = append(b, '-')
		f = -f
	}
	if f == 0 {
		return append(b, "0.0"...)
	}
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // d.ddde±xx
	e := len(s) - 1
	for s[e] != 'e' {
		e--
	}
	exp, _ := strconv.Atoi(string(s[e+1:]))
	var digits [24]byte
	d := append(digits[:0], s[0])
	if e > 1 {
		d = append(d, s[2:e]...)
	}
	n := len(d)
	k := exp - (n - 1) // f = d × 10^k
	kk := n + k        // position of the decimal point
	switch {
	case k >= 0 && kk <= 16:
		b = append(b, d...)
		for range k {
			b = append(b, '0')
		}
		return append(b, '.', '0')
	case kk > 0 && kk <= 16:
		b = append(b, d[:kk]...)
		b = append(b, '.')
		return append(b, d[kk:]...)
	case kk > -5 && kk <= 0:
		b = append(b, '0', '.')
		for range -kk {
			b = append(b, '0')
		}
		return append(b, d...)
	}
	b = append(b, d[0])
	if n > 1 {
		b = append(b, '.')
		b = append(b, d[1:]...)
	}
	b = append(b, 'e')
	return strconv.AppendInt(b, int64(kk-1), 10)
}

type jsonDecoder struct {
	data  []byte
	src   string // data as one string, which unescaped strings are cut from
	pos   int
	lim   limits
	items int
}

func decodeJSON(data []byte, src string, l limits) (map[string]any, error) {
	d := jsonDecoder{data: data, src: src, lim: l}
	d.skipWS()
	v, err := d.value(1)
	if err != nil {
		return nil, err
	}
	d.skipWS()
	if d.pos != len(d.data) {
		return nil, d.syntax("trailing characters")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &notDict{JSON, pyTypeName(v)}
	}
	return m, nil
}

func (d *jsonDecoder) syntax(msg string) error {
	return &SyntaxError{Format: JSON, Offset: d.pos, Msg: msg}
}

func (d *jsonDecoder) skipWS() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// value reads a value that starts at d.pos (after whitespace).
func (d *jsonDecoder) value(depth int) (any, error) {
	if d.pos >= len(d.data) {
		return nil, d.syntax("truncated record")
	}
	d.items++
	if d.items > d.lim.items {
		return nil, &LimitError{Format: JSON, Err: ErrTooManyItems, Limit: d.lim.items, Offset: d.pos}
	}
	switch c := d.data[d.pos]; c {
	case '{':
		return d.object(depth)
	case '[':
		return d.array(depth)
	case '"':
		return d.str()
	case 't':
		return d.literal("true", true)
	case 'f':
		return d.literal("false", false)
	case 'n':
		return d.literal("null", nil)
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return d.number()
		}
	}
	return nil, d.syntax("invalid character " + strconv.QuoteRune(rune(d.data[d.pos])))
}

func (d *jsonDecoder) literal(word string, v any) (any, error) {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return nil, d.syntax("invalid literal")
	}
	d.pos += len(word)
	return v, nil
}

func (d *jsonDecoder) tooDeep() error {
	return &LimitError{Format: JSON, Err: ErrTooDeep, Limit: d.lim.depth, Offset: d.pos}
}

func (d *jsonDecoder) object(depth int) (any, error) {
	if depth+1 > d.lim.depth {
		return nil, d.tooDeep()
	}
	d.pos++ // {
	m := make(map[string]any)
	d.skipWS()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return m, nil
	}
	for {
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, d.syntax("expected a string key")
		}
		d.items++
		if d.items > d.lim.items {
			return nil, &LimitError{Format: JSON, Err: ErrTooManyItems, Limit: d.lim.items, Offset: d.pos}
		}
		k, err := d.strRaw()
		if err != nil {
			return nil, err
		}
		d.skipWS()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, d.syntax("expected ':'")
		}
		d.pos++
		d.skipWS()
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, withKey(err, k)
		}
		m[k] = v
		d.skipWS()
		if d.pos >= len(d.data) {
			return nil, d.syntax("truncated record")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.skipWS()
		case '}':
			d.pos++
			return m, nil
		default:
			return nil, d.syntax("expected ',' or '}'")
		}
	}
}

func (d *jsonDecoder) array(depth int) (any, error) {
	if depth+1 > d.lim.depth {
		return nil, d.tooDeep()
	}
	d.pos++ // [
	a := []any{}
	d.skipWS()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return a, nil
	}
	for {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, withIndex(err, len(a))
		}
		a = append(a, v)
		d.skipWS()
		if d.pos >= len(d.data) {
			return nil, d.syntax("truncated record")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.skipWS()
		case ']':
			d.pos++
			return a, nil
		default:
			return nil, d.syntax("expected ',' or ']'")
		}
	}
}

// str reads a string at d.pos; invalid UTF-8, control characters and
// lone surrogate escapes are errors, as in msgspec.
func (d *jsonDecoder) str() (any, error) {
	s, err := d.strRaw()
	if err != nil {
		return nil, err
	}
	return s, nil
}

// strRaw is str without boxing the string, for keys.
func (d *jsonDecoder) strRaw() (string, error) {
	d.pos++ // "
	start := d.pos
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			s := d.src[start:d.pos]
			d.pos++
			return s, nil
		case c == '\\':
			return d.strEscaped(start)
		case c < 0x20:
			return "", d.syntax("control character in string")
		case c < utf8.RuneSelf:
			d.pos++
		default:
			r, n := utf8.DecodeRune(d.data[d.pos:])
			if r == utf8.RuneError && n <= 1 {
				return "", d.syntax("invalid UTF-8")
			}
			d.pos += n
		}
	}
	return "", d.syntax("truncated string")
}

func (d *jsonDecoder) strEscaped(start int) (string, error) {
	buf := append([]byte(nil), d.data[start:d.pos]...)
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			return string(buf), nil
		case c == '\\':
			if d.pos+1 >= len(d.data) {
				return "", d.syntax("truncated string")
			}
			esc := d.data[d.pos+1]
			d.pos += 2
			switch esc {
			case '"', '\\', '/':
				buf = append(buf, esc)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, err := d.hex4()
				if err != nil {
					return "", err
				}
				switch {
				case r >= 0xdc00 && r <= 0xdfff:
					return "", d.syntax("invalid UTF-16 surrogate pair")
				case r >= 0xd800 && r <= 0xdbff:
					if len(d.data)-d.pos < 2 || d.data[d.pos] != '\\' || d.data[d.pos+1] != 'u' {
						return "", d.syntax("unpaired UTF-16 surrogate")
					}
					d.pos += 2
					r2, err := d.hex4()
					if err != nil {
						return "", err
					}
					if r2 < 0xdc00 || r2 > 0xdfff {
						return "", d.syntax("invalid UTF-16 surrogate pair")
					}
					r = utf16.DecodeRune(r, r2)
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", d.syntax("invalid escape")
			}
		case c < 0x20:
			return "", d.syntax("control character in string")
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			d.pos++
		default:
			r, n := utf8.DecodeRune(d.data[d.pos:])
			if r == utf8.RuneError && n <= 1 {
				return "", d.syntax("invalid UTF-8")
			}
			buf = append(buf, d.data[d.pos:d.pos+n]...)
			d.pos += n
		}
	}
	return "", d.syntax("truncated string")
}

func (d *jsonDecoder) hex4() (rune, error) {
	if len(d.data)-d.pos < 4 {
		return 0, d.syntax("truncated \\u escape")
	}
	var r rune
	for _, c := range d.data[d.pos : d.pos+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, d.syntax("invalid \\u escape")
		}
	}
	d.pos += 4
	return r, nil
}

// number reads RFC 8259's number: an int without fraction or exponent
// (int, or *big.Int past int's range), else a float64. A float beyond
// float64's range is an error, as in msgspec.
func (d *jsonDecoder) number() (any, error) {
	start := d.pos
	if d.data[d.pos] == '-' {
		d.pos++
	}
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	intStart := d.pos
	n := digits()
	if n == 0 {
		return nil, d.syntax("invalid number")
	}
	if n > 1 && d.data[intStart] == '0' {
		d.pos = intStart + 1
		return nil, d.syntax("leading zero in number")
	}
	isFloat := false
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if digits() == 0 {
			return nil, d.syntax("invalid number")
		}
		isFloat = true
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return nil, d.syntax("invalid number")
		}
		isFloat = true
	}
	text := string(d.data[start:d.pos])
	if !isFloat {
		if n <= 18 {
			v, _ := strconv.ParseInt(text, 10, 64)
			if int64(int(v)) == v {
				return int(v), nil
			}
			return big.NewInt(v), nil
		}
		if n > maxIntDigits {
			return nil, &SyntaxError{Format: JSON, Offset: start, Msg: "int of more than 4300 digits"}
		}
		z, _ := new(big.Int).SetString(text, 10)
		if z.IsInt64() && int64(int(z.Int64())) == z.Int64() {
			return int(z.Int64()), nil
		}
		return z, nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && (math.IsInf(f, 0) || !isRange(err)) {
		return nil, &SyntaxError{Format: JSON, Offset: start, Msg: "number out of range"}
	}
	return f, nil
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}
