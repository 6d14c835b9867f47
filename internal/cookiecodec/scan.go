package cookiecodec

import (
	"encoding/json"
	"errors"

	"github.com/ginflask/flasksession/taggedjson"
)

var errScan = errors.New("flaskcookie: session is not a JSON object")

// keyTruthy reports whether the JSON object data holds key at its top
// level with a value Python's bool() finds true, without decoding the
// rest of the object: Flask's session.permanent, read cheaply. Only a
// value that is itself an object is decoded. A key given twice counts
// by its last value, as in Python. An error means data is not a JSON
// object as far as the scan can tell; the full decoder is stricter.
func keyTruthy(data []byte, key string) (bool, error) {
	s := scanner{b: data}
	if s.skipSpace() != '{' {
		return false, errScan
	}
	s.i++
	truthy := false
	for first := true; ; first = false {
		c := s.skipSpace()
		if c == '}' && first {
			return false, s.end()
		}
		if c != '"' {
			return false, errScan
		}
		k, escaped, ok := s.str()
		if !ok || s.skipSpace() != ':' {
			return false, errScan
		}
		s.i++
		s.skipSpace()
		start := s.i
		if !s.value() {
			return false, errScan
		}
		if keyEquals(k, escaped, key) {
			t, err := valueTruthy(data[start:s.i])
			if err != nil {
				return false, err
			}
			truthy = t
		}
		switch s.skipSpace() {
		case ',':
			s.i++
		case '}':
			if err := s.end(); err != nil {
				return false, err
			}
			return truthy, nil
		default:
			return false, errScan
		}
	}
}

// keyEquals compares a raw JSON string body with key, unescaping only
// when the body has escapes.
func keyEquals(raw []byte, escaped bool, key string) bool {
	if !escaped {
		return string(raw) == key
	}
	var k string
	quoted := make([]byte, 0, len(raw)+2)
	quoted = append(append(append(quoted, '"'), raw...), '"')
	return json.Unmarshal(quoted, &k) == nil && k == key
}

// valueTruthy is Python's bool() of one raw JSON value.
func valueTruthy(v []byte) (bool, error) {
	switch v[0] {
	case 't':
		return true, nil
	case 'f', 'n':
		return false, nil
	case '"':
		return len(v) > 2, nil
	case '[':
		s := scanner{b: v, i: 1}
		return s.skipSpace() != ']', nil
	case '{':
		x, err := taggedjson.Unmarshal(v) // a dict, or a tagged tuple, bytes, Markup, UUID or date
		if err != nil {
			return false, err
		}
		return taggedjson.Truthy(x), nil
	}
	// A number: true unless every digit of its mantissa is zero.
	for _, c := range v {
		if c == 'e' || c == 'E' {
			break
		}
		if c >= '1' && c <= '9' {
			return true, nil
		}
	}
	return false, nil
}

// scanner walks JSON text without building values.
type scanner struct {
	b []byte
	i int
}

// skipSpace skips white space and returns the next byte, or 0 at the end.
func (s *scanner) skipSpace() byte {
	for ; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; c {
		case ' ', '\t', '\n', '\r':
		default:
			return c
		}
	}
	return 0
}

// end checks that nothing but white space follows the closing brace.
func (s *scanner) end() error {
	s.i++
	if s.skipSpace() != 0 {
		return errScan
	}
	return nil
}

// str scans the string at s.i (its opening quote) and returns its body.
func (s *scanner) str() (body []byte, escaped, ok bool) {
	start := s.i + 1
	for i := start; i < len(s.b); i++ {
		switch s.b[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			s.i = i + 1
			return s.b[start:i], escaped, true
		}
	}
	return nil, false, false
}

// value skips the value at s.i: strings, containers to their matching
// end, and literals and numbers to the next delimiter.
func (s *scanner) value() bool {
	start, depth := s.i, 0
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case '"':
			if _, _, ok := s.str(); !ok {
				return false
			}
			if depth == 0 {
				return true
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return s.i > start
			}
			depth--
			if depth == 0 {
				s.i++
				return true
			}
		case ',', ' ', '\t', '\n', '\r', ':':
			if depth == 0 {
				return s.i > start
			}
		}
		s.i++
	}
	return depth == 0 && s.i > start
}
