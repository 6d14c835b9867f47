package taggedjson

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/ginflask/flasksession/internal/hotpath"
)

// The module's cookie codec decodes without a copy; see package hotpath.
func init() { hotpath.UnmarshalObjectString = unmarshalObjectString }

// Unmarshal parses text written by Flask's TaggedJSONSerializer (or any
// JSON Python's json.loads accepts) and untags it as Flask does. See the
// package doc for the Go types it returns.
//
// The input is copied once; strings in the result share that copy.
func Unmarshal(data []byte) (any, error) {
	return parse(string(data), true)
}

// UnmarshalObject is [Unmarshal] for a session: the top level must be a JSON
// object (after untagging), returned as a map. JSON null gives an empty map,
// as Flask gives an empty session; any other top level gives an error
// wrapping [ErrNotObject].
func UnmarshalObject(data []byte) (map[string]any, error) {
	return unmarshalObjectString(string(data))
}

// unmarshalObjectString is UnmarshalObject for text already in a
// string, which strings in the result then share: no copy at all.
func unmarshalObjectString(data string) (map[string]any, error) {
	if m, ok := parseFlat(data); ok {
		return m, nil
	}
	v, err := parse(data, true)
	if err != nil {
		return nil, err
	}
	switch m := v.(type) {
	case map[string]any:
		return m, nil
	case nil:
		return map[string]any{}, nil
	}
	return nil, fmt.Errorf("%w: got %s", ErrNotObject, PythonType(v))
}

// objInfo remembers what Python's dict would know and our map forgets: the
// key order. Only " di" and " t" ever look at it.
type objInfo struct {
	firstKey string   // first key in insertion order
	keys     []string // all keys in insertion order, kept only for dicts under a tag key
	fromDi   bool     // the dict came from a " di" tag and has one key, firstKey
}

type decoder struct {
	s      string
	i      int
	depth  int
	untag  bool
	failed bool // some untagging failed: look for *tagFailure values
	// wantKeys asks the object about to be parsed to record its key order:
	// it is the value of a tag key, so tuple(dict) may need it.
	wantKeys bool
	last     objInfo // info on the most recently completed dict
	pairs    []kv    // scratch stack of object members being parsed
	items    []any   // scratch stack of array items being parsed
	buf      []byte  // scratch for strings with escapes
	pairHi   int     // high-water marks, to clear references before reuse
	itemHi   int
}

// Boxed once, so that decoding them does not allocate.
var (
	anyNaN    any = math.NaN()
	anyPosInf any = math.Inf(1)
	anyNegInf any = math.Inf(-1)
)

var decoderPool = sync.Pool{New: func() any {
	return &decoder{pairs: make([]kv, 0, 32), items: make([]any, 0, 32)}
}}

func parse(s string, untag bool) (any, error) {
	d := decoderPool.Get().(*decoder)
	d.s, d.i, d.depth, d.untag, d.failed, d.wantKeys = s, 0, 0, untag, false, false
	v, err := d.top()
	// Drop references into the result so the pool does not keep it alive.
	clear(d.pairs[:d.pairHi])
	clear(d.items[:d.itemHi])
	d.pairs, d.items = d.pairs[:0], d.items[:0]
	d.pairHi, d.itemHi = 0, 0
	d.s, d.last = "", objInfo{}
	if cap(d.buf) > 1<<16 {
		d.buf = nil
	}
	decoderPool.Put(d)
	return v, err
}

func (d *decoder) top() (any, error) {
	d.ws()
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	d.ws()
	if d.i != len(d.s) {
		return nil, d.syntaxErr("extra data after the JSON value")
	}
	if f, ok := v.(*tagFailure); ok {
		return nil, f.err
	}
	return v, nil
}

// tagFailure stands in for a value whose untagging failed. Flask 3 parses
// the whole text before untagging, so a failing value that a later
// duplicate key replaces does no harm; the failure only becomes an error if
// it survives to the top. (Flask 2.2 untags while parsing and fails on it
// anyway; we follow current Flask.) A container holding a failure is a
// failure itself.
type tagFailure struct{ err *TagError }

// firstFailure returns the surviving failure with the smallest offset, so
// the error reported does not depend on map order.
func firstFailure(vals map[string]any) *tagFailure {
	var first *tagFailure
	for _, v := range vals {
		if f, ok := v.(*tagFailure); ok && (first == nil || f.err.Offset < first.err.Offset) {
			first = f
		}
	}
	return first
}

func (d *decoder) syntaxErr(msg string) error {
	return &SyntaxError{Offset: d.i, Msg: msg}
}

func (d *decoder) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) literal(word string, v any) (any, error) {
	if len(d.s)-d.i >= len(word) && d.s[d.i:d.i+len(word)] == word {
		d.i += len(word)
		return v, nil
	}
	return nil, d.syntaxErr("expecting value")
}

func (d *decoder) value() (any, error) {
	if d.i >= len(d.s) {
		return nil, d.syntaxErr("expecting value, found end of input")
	}
	switch c := d.s[d.i]; c {
	case '"':
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		return s, nil
	case '{':
		return d.object()
	case '[':
		return d.array()
	case 't':
		return d.literal("true", true)
	case 'f':
		return d.literal("false", false)
	case 'n':
		return d.literal("null", nil)
	case 'N':
		return d.literal("NaN", anyNaN)
	case 'I':
		return d.literal("Infinity", anyPosInf)
	case '-':
		if d.i+1 < len(d.s) && d.s[d.i+1] == 'I' {
			return d.literal("-Infinity", anyNegInf)
		}
		return d.number()
	default:
		if c >= '0' && c <= '9' {
			return d.number()
		}
	}
	return nil, d.syntaxErr("expecting value")
}

func (d *decoder) number() (any, error) {
	start := d.i
	end, isFloat, ok := scanNumber(d.s, start)
	if !ok {
		return nil, d.syntaxErr("expecting value")
	}
	d.i = end
	v, err := numberValue(d.s[start:end], isFloat)
	if err != nil {
		d.i = start
		return nil, d.syntaxErr(err.Error())
	}
	return v, nil
}

// scanNumber matches Python's JSON number grammar at s[i:]
// (-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?) and returns where it ends.
func scanNumber(s string, i int) (end int, isFloat, ok bool) {
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) {
		return i, false, false
	}
	switch c := s[i]; {
	case c == '0':
		i++
	case c >= '1' && c <= '9':
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return i, false, false
	}
	if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		i += 2
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		isFloat = true
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
			isFloat = true
		}
	}
	return i, isFloat, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// numberValue converts a matched number: a float literal to float64 (out of
// range becomes ±Inf or 0, as in Python), an integer literal to int when it
// fits, else *big.Int.
func numberValue(t string, isFloat bool) (any, error) {
	if isFloat {
		f, err := strconv.ParseFloat(t, 64)
		if err != nil && err.(*strconv.NumError).Err != strconv.ErrRange {
			return nil, err
		}
		return f, nil
	}
	digits := t
	neg := t[0] == '-'
	if neg {
		digits = t[1:]
	}
	if len(digits) <= 18 {
		var n int64
		for i := 0; i < len(digits); i++ {
			n = n*10 + int64(digits[i]-'0')
		}
		if neg {
			n = -n
		}
		if int64(int(n)) == n {
			return int(n), nil
		}
		return big.NewInt(n), nil
	}
	if len(digits) > maxIntDigits {
		return nil, fmt.Errorf("integer literal has %d digits; Python refuses more than 4300", len(digits))
	}
	if n, err := strconv.ParseInt(t, 10, strconv.IntSize); err == nil {
		return int(n), nil
	}
	z, _ := new(big.Int).SetString(t, 10)
	return z, nil
}

// plainASCII marks the bytes a JSON string holds as themselves: printable
// ASCII but the quote and the backslash.
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str parses a JSON string at d.i. A string without escapes is a substring
// of the input: no copy.
func (d *decoder) str() (string, error) {
	s := d.s
	i := d.i + 1
	start := i
	for i < len(s) {
		// Plain ASCII runs are the common case: one table load a byte.
		for i < len(s) && plainASCII[s[i]] {
			i++
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c == '"' {
			d.i = i + 1
			return s[start:i], nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			d.i = i
			return "", d.syntaxErr("invalid control character in string")
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			d.i = i
			return "", d.syntaxErr("invalid UTF-8")
		}
		i += size
	}
	if i >= len(s) {
		return "", d.syntaxErr("unterminated string")
	}
	return d.strEscaped(start, i)
}

// strEscaped finishes a string that has escapes, from s[start:i] (plain)
// with s[i] == '\\'.
func (d *decoder) strEscaped(start, i int) (string, error) {
	s := d.s
	buf := append(d.buf[:0], s[start:i]...)
	for {
		if i >= len(s) {
			d.i = start - 1
			return "", d.syntaxErr("unterminated string")
		}
		c := s[i]
		switch {
		case c == '"':
			d.i = i + 1
			d.buf = buf
			return string(buf), nil
		case c == '\\':
			if i+1 >= len(s) {
				d.i = start - 1
				return "", d.syntaxErr("unterminated string")
			}
			switch e := s[i+1]; e {
			case '"', '\\', '/':
				buf = append(buf, e)
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
				r, ok := hex4(s, i+2)
				if !ok {
					d.i = i
					return "", d.syntaxErr(`invalid \uXXXX escape`)
				}
				i += 6
				if r >= 0xd800 && r <= 0xdbff && i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					r2, ok := hex4(s, i+2)
					if !ok {
						d.i = i
						return "", d.syntaxErr(`invalid \uXXXX escape`)
					}
					if r2 >= 0xdc00 && r2 <= 0xdfff {
						r = 0x10000 + (r-0xd800)<<10 + (r2 - 0xdc00)
						i += 6
					}
				}
				// A lone surrogate (Python keeps it in the str) becomes
				// U+FFFD: a Go string cannot hold it as valid UTF-8.
				buf = utf8.AppendRune(buf, r)
				continue
			default:
				d.i = i
				return "", d.syntaxErr("invalid escape")
			}
			i += 2
		case c < 0x20:
			d.i = i
			return "", d.syntaxErr("invalid control character in string")
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				d.i = i
				return "", d.syntaxErr("invalid UTF-8")
			}
			buf = append(buf, s[i:i+size]...)
			i += size
		}
	}
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

func (d *decoder) object() (any, error) {
	start := d.i
	wantKeys := d.wantKeys
	d.wantKeys = false
	d.depth++
	if d.depth > maxDepth {
		return nil, d.syntaxErr("nested deeper than 1000 levels")
	}
	d.i++
	d.ws()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		d.depth--
		d.last = objInfo{}
		return map[string]any{}, nil
	}
	base := len(d.pairs)
	var tagInfo objInfo // objInfo of the last value under a tag key
	for {
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			d.pairs = d.pairs[:base]
			return nil, d.syntaxErr("expecting property name enclosed in double quotes")
		}
		k, err := d.str()
		if err != nil {
			d.pairs = d.pairs[:base]
			return nil, err
		}
		d.ws()
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			d.pairs = d.pairs[:base]
			return nil, d.syntaxErr("expecting ':' delimiter")
		}
		d.i++
		d.ws()
		tagKey := d.untag && isTag(k)
		d.wantKeys = tagKey
		v, err := d.value()
		d.wantKeys = false
		if err != nil {
			d.pairs = d.pairs[:base]
			return nil, err
		}
		if tagKey {
			if _, ok := v.(map[string]any); ok {
				tagInfo = d.last
			}
		}
		d.pairs = append(d.pairs, kv{k, v})
		if len(d.pairs) > d.pairHi {
			d.pairHi = len(d.pairs)
		}
		d.ws()
		if d.i < len(d.s) {
			if c := d.s[d.i]; c == ',' {
				d.i++
				d.ws()
				continue
			} else if c == '}' {
				d.i++
				break
			}
		}
		d.pairs = d.pairs[:base]
		return nil, d.syntaxErr("expecting ',' delimiter")
	}
	pairs := d.pairs[base:]
	d.pairs = d.pairs[:base]
	d.depth--
	if d.untag && isTag(pairs[0].k) && sameKeys(pairs) {
		// A one-key dict whose key is a tag: the last duplicate wins.
		v := pairs[len(pairs)-1].v
		if f, ok := v.(*tagFailure); ok {
			return f, nil
		}
		r, err := d.untagValue(pairs[0].k, v, tagInfo, start)
		if err != nil {
			d.failed = true
			return &tagFailure{err.(*TagError)}, nil
		}
		return r, nil
	}
	m := make(map[string]any, len(pairs))
	for _, p := range pairs {
		m[p.k] = p.v
	}
	if d.failed {
		if f := firstFailure(m); f != nil {
			return f, nil
		}
	}
	d.last = objInfo{firstKey: pairs[0].k}
	if wantKeys {
		d.last.keys = keyOrder(pairs, len(m))
	}
	return m, nil
}

func sameKeys(pairs []kv) bool {
	for _, p := range pairs[1:] {
		if p.k != pairs[0].k {
			return false
		}
	}
	return true
}

func (d *decoder) array() (any, error) {
	d.depth++
	if d.depth > maxDepth {
		return nil, d.syntaxErr("nested deeper than 1000 levels")
	}
	d.i++
	d.ws()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		d.depth--
		return []any{}, nil
	}
	base := len(d.items)
	for {
		v, err := d.value()
		if err != nil {
			d.items = d.items[:base]
			return nil, err
		}
		d.items = append(d.items, v)
		if len(d.items) > d.itemHi {
			d.itemHi = len(d.items)
		}
		d.ws()
		if d.i < len(d.s) {
			if c := d.s[d.i]; c == ',' {
				d.i++
				d.ws()
				continue
			} else if c == ']' {
				d.i++
				break
			}
		}
		d.items = d.items[:base]
		return nil, d.syntaxErr("expecting ',' delimiter")
	}
	l := make([]any, len(d.items)-base)
	copy(l, d.items[base:])
	d.items = d.items[:base]
	d.depth--
	if d.failed {
		for _, v := range l {
			if f, ok := v.(*tagFailure); ok {
				return f, nil // the first item fails first in Python too
			}
		}
	}
	return l, nil
}

// keyOrder returns the distinct keys of pairs in order of first
// occurrence, which is Python's dict order.
func keyOrder(pairs []kv, distinct int) []string {
	keys := make([]string, 0, distinct)
	if distinct == len(pairs) {
		for _, p := range pairs {
			keys = append(keys, p.k)
		}
		return keys
	}
	seen := make(map[string]bool, distinct)
	for _, p := range pairs {
		if !seen[p.k] {
			seen[p.k] = true
			keys = append(keys, p.k)
		}
	}
	return keys
}
