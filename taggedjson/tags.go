package taggedjson

import (
	"html/template"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ginflask/flasksession/internal/pyrepr"
	"github.com/google/uuid"
)

// isTag reports whether k is one of Flask's registered tag names.
func isTag(k string) bool {
	if len(k) < 2 || len(k) > 3 || k[0] != ' ' {
		return false
	}
	switch k {
	case " t", " b", " m", " u", " d", " di":
		return true
	}
	return false
}

// untagValue is Flask's tag.to_python(value) for the one-key dict {tag: v}
// that starts at offset start. info describes v when v is a dict. Where
// Flask raises, it returns a *TagError.
func (d *decoder) untagValue(tag string, v any, info objInfo, start int) (any, error) {
	fail := func(msg string) (any, error) {
		return nil, &TagError{Tag: tag, Offset: start, Msg: msg}
	}
	switch tag {
	case " t": // tuple(v)
		switch x := v.(type) {
		case []any:
			return Tuple(x), nil
		case Tuple:
			return x, nil
		case string:
			return charTuple(x), nil
		case template.HTML:
			return charTuple(string(x)), nil
		case []byte:
			t := make(Tuple, len(x))
			for i, c := range x {
				t[i] = int(c)
			}
			return t, nil
		case map[string]any:
			if len(x) == 0 {
				return Tuple{}, nil
			}
			if info.fromDi {
				return Tuple{info.firstKey}, nil
			}
			t := make(Tuple, len(info.keys))
			for i, k := range info.keys {
				t[i] = k
			}
			return t, nil
		}
		return fail("a tuple cannot be made from " + PythonType(v))
	case " b": // b64decode(v)
		switch x := v.(type) {
		case string:
			return b64DecodeText(x, fail)
		case template.HTML:
			return b64DecodeText(string(x), fail)
		case []byte:
			b, msg := pyB64Decode(string(x))
			if msg != "" {
				return fail(msg)
			}
			return b, nil
		}
		return fail("base64 content must be a string, not " + PythonType(v))
	case " m": // Markup(v)
		s, ok := pyStr(v)
		if !ok {
			return fail("Markup content of type " + PythonType(v) + " is not supported")
		}
		return template.HTML(s), nil
	case " u": // UUID(v)
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case template.HTML:
			s = string(x)
		default:
			return fail("UUID content must be a string, not " + PythonType(v))
		}
		u, ok := pyUUID(s)
		if !ok {
			return fail("badly formed hexadecimal UUID string")
		}
		return u, nil
	case " d": // werkzeug parse_date(v)
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case template.HTML:
			s = string(x)
		case []byte:
			return nil, nil // Python's parser trips over bytes with a TypeError, which parse_date turns into None
		default:
			if !Truthy(v) {
				return nil, nil
			}
			return fail("date content must be a string, not " + PythonType(v))
		}
		t, ok, err := parseDate(s)
		if err != nil {
			return fail(err.Error())
		}
		if !ok {
			return nil, nil
		}
		return t, nil
	case " di": // {key[:-2]: v[key]} for the first key of dict v
		m, ok := v.(map[string]any)
		if !ok {
			return fail("escaped dict content must be a dict, not " + PythonType(v))
		}
		if len(m) == 0 {
			return fail("escaped dict is empty")
		}
		k := trimRunes(info.firstKey, 2)
		res := map[string]any{k: m[info.firstKey]}
		d.last = objInfo{firstKey: k, fromDi: true}
		return res, nil
	}
	return v, nil
}

// charTuple is tuple(str): one string per code point.
func charTuple(s string) Tuple {
	t := make(Tuple, 0, utf8.RuneCountInString(s))
	for i, r := range s {
		t = append(t, s[i:i+utf8.RuneLen(r)])
	}
	return t
}

// trimRunes is Python's s[:-n].
func trimRunes(s string, n int) string {
	for ; n > 0 && len(s) > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// PythonType names the Python type Flask gives a value decoded here
// ("str", "int", "tuple", "Markup", ...), or "unknown".
func PythonType(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int, int64, *big.Int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	case Tuple:
		return "tuple"
	case []byte:
		return "bytes"
	case template.HTML:
		return "Markup"
	case uuid.UUID:
		return "UUID"
	case time.Time:
		return "datetime"
	}
	return "unknown"
}

// pyStr is Python's str(v) for the decoded types where it is simple. Flask
// would also accept lists, dicts and the rest (using their repr); we report
// those as errors.
func pyStr(v any) (string, bool) {
	if u, ok := v.(uuid.UUID); ok {
		return u.String(), true
	}
	return pyrepr.Str(v)
}

func b64DecodeText(s string, fail func(string) (any, error)) (any, error) {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return fail("string argument should contain only ASCII characters")
		}
	}
	b, msg := pyB64Decode(s)
	if msg != "" {
		return fail(msg)
	}
	return b, nil
}

var b64Values = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range len(alphabet) {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// pyB64Decode is Python's binascii.a2b_base64 in its default (non-strict)
// mode, which base64.b64decode uses: characters outside the alphabet are
// skipped, decoding stops at the first complete padding, and a trailing
// partial group is an error. It returns a non-empty message on error.
func pyB64Decode(s string) ([]byte, string) {
	out := make([]byte, 0, len(s)/4*3+3)
	quad, pads := 0, 0
	var left byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			if quad >= 2 {
				pads++
				if quad+pads >= 4 {
					return out, ""
				}
			}
			continue
		}
		v := b64Values[c]
		if v == 0xff {
			continue
		}
		pads = 0
		switch quad {
		case 0:
			quad, left = 1, v
		case 1:
			quad = 2
			out = append(out, left<<2|v>>4)
			left = v & 0x0f
		case 2:
			quad = 3
			out = append(out, left<<4|v>>2)
			left = v & 0x03
		case 3:
			quad = 0
			out = append(out, left<<6|v)
			left = 0
		}
	}
	switch quad {
	case 0:
		return out, ""
	case 1:
		return nil, "Invalid base64-encoded string: number of data characters (" + strconv.Itoa(len(out)/3*4+1) + ") cannot be 1 more than a multiple of 4"
	}
	return nil, "Incorrect padding"
}

// pyUUID is Python's uuid.UUID(hex), whose int(hex, 16) also takes
// decimal digits of other scripts.
func pyUUID(s string) (uuid.UUID, bool) {
	var u uuid.UUID
	s = strings.ReplaceAll(s, "urn:", "")
	s = strings.ReplaceAll(s, "uuid:", "")
	s = strings.Trim(s, "{}")
	s = strings.ReplaceAll(s, "-", "")
	if utf8.RuneCountInString(s) != 32 {
		return u, false
	}
	// int(s, 16): whitespace, sign ("-" is gone already), optional 0x
	// prefix, digits with single underscores between them.
	s = strings.TrimFunc(s, pyIsSpace)
	s = strings.TrimPrefix(s, "+")
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s = s[2:]
		s = strings.TrimPrefix(s, "_")
	}
	var hi, lo uint64 // at most 32 digits remain, so no overflow
	prevDigit := false
	for _, c := range s {
		var v rune
		switch {
		case c == '_':
			if !prevDigit {
				return u, false
			}
			prevDigit = false
			continue
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			d := pyDecimal(c) // int(s, 16) takes decimal digits of any script
			if d < 0 {
				return u, false
			}
			v = rune(d)
		}
		prevDigit = true
		hi = hi<<4 | lo>>60
		lo = lo<<4 | uint64(v)
	}
	if !prevDigit {
		return u, false
	}
	for i := range 8 {
		u[i] = byte(hi >> (56 - 8*i))
		u[8+i] = byte(lo >> (56 - 8*i))
	}
	return u, true
}

// pyIsSpace is Python's str.isspace for one character.
func pyIsSpace(r rune) bool {
	switch {
	case r >= 0x09 && r <= 0x0d, r >= 0x1c && r <= 0x20:
		return true
	case r < 0x85:
		return false
	}
	switch r {
	case 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}
