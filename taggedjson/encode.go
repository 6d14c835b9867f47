package taggedjson

import (
	"encoding"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html/template"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

const (
	// maxDepth bounds nesting both ways. Python's json module gives up
	// (RecursionError) a little below 1000 levels, so Flask never writes
	// deeper text, and the bound also stops cycles.
	maxDepth = 1000
	// maxIntDigits is Python's default int_max_str_digits: Python refuses to
	// parse or print an int with more decimal digits.
	maxIntDigits = 4300
)

// Marshal returns the text Flask's TaggedJSONSerializer.dumps writes for
// the Python value corresponding to v (see the package doc for the type
// mapping), byte for byte.
func Marshal(v any) ([]byte, error) {
	return AppendMarshal(make([]byte, 0, 128), v)
}

// AppendMarshal appends the text [Marshal] would return to dst and returns
// the extended buffer. It is the allocation-free hot path when dst has room
// and v holds the common types (maps of strings, numbers, lists). On error
// it returns dst unchanged.
func AppendMarshal(dst []byte, v any) ([]byte, error) {
	n := len(dst)
	b, err := appendValue(dst, v, 0)
	if err != nil {
		return dst[:n], err
	}
	return b, nil
}

type kv struct {
	k string
	v any
}

func appendValue(b []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case bool:
		if x {
			return append(b, "true"...), nil
		}
		return append(b, "false"...), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case map[string]any:
		return appendMap(b, x, depth)
	case []any:
		return appendList(b, x, depth)
	case float64:
		return appendFloat(b, x, 64), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int32:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int8:
		return strconv.AppendInt(b, int64(x), 10), nil
	case uint:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(b, x, 10), nil
	case uint32:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case uint16:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case uint8:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case uintptr:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case float32:
		return appendFloat(b, float64(x), 32), nil
	case Tuple:
		b = append(b, `{" t":`...)
		b, err := appendList(b, x, depth)
		if err != nil {
			return b, err
		}
		return append(b, '}'), nil
	case []byte:
		b = append(b, `{" b":"`...)
		b = base64.StdEncoding.AppendEncode(b, x)
		return append(b, `"}`...), nil
	case template.HTML:
		b = append(b, `{" m":`...)
		b = appendString(b, string(x))
		return append(b, '}'), nil
	case uuid.UUID:
		b = append(b, `{" u":"`...)
		b = hex.AppendEncode(b, x[:])
		return append(b, `"}`...), nil
	case time.Time:
		return appendTime(b, x)
	case *big.Int:
		return appendBigInt(b, x)
	case big.Int:
		return appendBigInt(b, &x)
	case json.Number:
		return appendNumber(b, x)
	case []string:
		if depth >= maxDepth {
			return b, depthError(v)
		}
		b = append(b, '[')
		for i, s := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		return append(b, ']'), nil
	case map[string]string:
		if depth >= maxDepth {
			return b, depthError(v)
		}
		var arr [16]kv
		kvs := arr[:0]
		if len(x) > len(arr) {
			kvs = make([]kv, 0, len(x))
		}
		for k, s := range x {
			kvs = append(kvs, kv{k, s})
		}
		sortKVs(kvs)
		return appendSortedObject(b, kvs, depth)
	}
	return appendReflect(b, reflect.ValueOf(v), depth)
}

func appendMap(b []byte, m map[string]any, depth int) ([]byte, error) {
	if depth >= maxDepth {
		return b, depthError(m)
	}
	// Collect into a stack array so that sorting the keys of a typical
	// session does not allocate.
	var arr [16]kv
	kvs := arr[:0]
	if len(m) > len(arr) {
		kvs = make([]kv, 0, len(m))
	}
	for k, v := range m {
		kvs = append(kvs, kv{k, v})
	}
	sortKVs(kvs)
	return appendSortedObject(b, kvs, depth)
}

func sortKVs(kvs []kv) {
	if len(kvs) <= 12 {
		for i := 1; i < len(kvs); i++ {
			for j := i; j > 0 && kvs[j].k < kvs[j-1].k; j-- {
				kvs[j], kvs[j-1] = kvs[j-1], kvs[j]
			}
		}
		return
	}
	slices.SortFunc(kvs, func(a, b kv) int { return strings.Compare(a.k, b.k) })
}

// appendSortedObject writes a dict whose entries are already in Python's
// key order, applying the " di" escape to a one-key dict whose key is a tag.
func appendSortedObject(b []byte, kvs []kv, depth int) ([]byte, error) {
	if len(kvs) == 1 && isTag(kvs[0].k) {
		b = append(b, `{" di":{"`...)
		b = append(b, kvs[0].k...)
		b = append(b, `__":`...)
		b, err := appendValue(b, kvs[0].v, depth+1)
		if err != nil {
			return b, withKey(err, kvs[0].k)
		}
		return append(b, "}}"...), nil
	}
	start := len(b)
	b = append(b, '{')
	for i := range kvs {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		b, ok = appendKey(b, kvs[i].k)
		if !ok {
			return appendInvalidKeyObject(b[:start], kvs, depth)
		}
		b = append(b, ':')
		var err error
		b, err = appendValue(b, kvs[i].v, depth+1)
		if err != nil {
			return b, withKey(err, kvs[i].k)
		}
	}
	return append(b, '}'), nil
}

// appendInvalidKeyObject handles the rare dict with a key that is not valid
// UTF-8: Python would hold the key with U+FFFD in place of the bad bytes,
// which changes its sort position and may collide with another key.
func appendInvalidKeyObject(b []byte, kvs []kv, depth int) ([]byte, error) {
	fixed := make([]kv, len(kvs))
	for i, e := range kvs {
		fixed[i] = kv{replaceInvalidUTF8(e.k), e.v}
	}
	sortKVs(fixed)
	for i := 1; i < len(fixed); i++ {
		if fixed[i].k == fixed[i-1].k {
			return b, &UnsupportedValueError{Path: fixed[i].k, Reason: "two keys are equal once invalid UTF-8 becomes U+FFFD"}
		}
	}
	return appendSortedObject(b, fixed, depth)
}

// replaceInvalidUTF8 replaces each byte of s that is not part of valid
// UTF-8 with U+FFFD, as appendString writes it.
func replaceInvalidUTF8(s string) string {
	b := make([]byte, 0, len(s)+8)
	for _, r := range s {
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}

func appendList(b []byte, l []any, depth int) ([]byte, error) {
	if depth >= maxDepth {
		return b, depthError(l)
	}
	b = append(b, '[')
	for i, v := range l {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		b, err = appendValue(b, v, depth+1)
		if err != nil {
			return b, withIndex(err, i)
		}
	}
	return append(b, ']'), nil
}

func depthError(v any) error {
	return &UnsupportedValueError{Type: reflect.TypeOf(v), Reason: "nested deeper than 1000 levels (cyclic?)"}
}

// appendTime writes werkzeug's http_date of t: UTC, whole seconds
// (truncated), English names, four-digit year.
func appendTime(b []byte, t time.Time) ([]byte, error) {
	t = t.UTC()
	if y := t.Year(); y < 100 || y > 9999 {
		// Flask would write years 1..99 but read them back as two-digit
		// years (0001 -> 2001); refuse rather than corrupt, which also
		// catches the zero time.Time.
		reason := "year " + strconv.Itoa(y) + " (UTC) is outside Python's 1..9999"
		if y >= 1 {
			reason = "year " + strconv.Itoa(y) + " would come back as " + strconv.Itoa(y+1900+100*btoi(y <= 68)) + " (a two-digit year to Flask)"
		}
		return b, &UnsupportedValueError{Type: reflect.TypeOf(t), Reason: reason}
	}
	b = append(b, `{" d":"`...)
	b = t.AppendFormat(b, "Mon, 02 Jan 2006 15:04:05 GMT")
	return append(b, `"}`...), nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func appendBigInt(b []byte, x *big.Int) ([]byte, error) {
	if x == nil {
		return append(b, "null"...), nil
	}
	n := len(b)
	b = x.Append(b, 10)
	digits := len(b) - n
	if x.Sign() < 0 {
		digits--
	}
	if digits > maxIntDigits {
		return b[:n], &UnsupportedValueError{Type: reflect.TypeOf(x), Reason: "integer has " + strconv.Itoa(digits) + " digits, over Python's 4300"}
	}
	return b, nil
}

// appendNumber writes a json.Number as the Python int or float it parses to.
func appendNumber(b []byte, n json.Number) ([]byte, error) {
	s := string(n)
	end, isFloat, ok := scanNumber(s, 0)
	if !ok || end != len(s) {
		return b, &UnsupportedValueError{Type: reflect.TypeOf(n), Reason: "json.Number " + strconv.Quote(s) + " is not a valid JSON number"}
	}
	v, err := numberValue(s, isFloat)
	if err != nil {
		return b, &UnsupportedValueError{Type: reflect.TypeOf(n), Reason: err.Error()}
	}
	return appendValue(b, v, 0)
}

const hexDigits = "0123456789abcdef"

// safeASCII marks the bytes Python's ensure_ascii encoder writes as is.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendString writes s as a Python json.dumps string with ensure_ascii:
// printable ASCII as is, short escapes, everything else as lowercase \uXXXX
// (surrogate pairs beyond the BMP). Invalid UTF-8 is written as U+FFFD,
// since a Python str cannot hold it.
func appendString(b []byte, s string) []byte {
	b, _ = appendKey(b, s)
	return b
}

// appendKey is appendString that also reports whether s was valid UTF-8.
func appendKey(b []byte, s string) ([]byte, bool) {
	valid := true
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Skip 8 plain bytes at a time.
		if i+8 <= len(s) && plain8(uint64(s[i])|uint64(s[i+1])<<8|uint64(s[i+2])<<16|uint64(s[i+3])<<24|
			uint64(s[i+4])<<32|uint64(s[i+5])<<40|uint64(s[i+6])<<48|uint64(s[i+7])<<56) {
			i += 8
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"':
				b = append(b, '\\', '"')
			case '\\':
				b = append(b, '\\', '\\')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			valid = false
		}
		if r >= 0x10000 {
			r -= 0x10000
			b = appendU4(b, 0xd800+(r>>10))
			b = appendU4(b, 0xdc00+(r&0x3ff))
		} else {
			b = appendU4(b, r)
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"'), valid
}

// plain8 reports whether none of the 8 bytes packed in x needs escaping:
// no byte below 0x20, at or above 0x7f, '"' or '\\'. (The borrow and carry
// tricks may flag a plain byte next to one that needs escaping; that only
// sends the chunk to the byte loop.)
func plain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	ctl := (x - 0x20*ones) & ^x
	high := (x + 0x01*ones) | x
	q := x ^ '"'*ones
	bs := x ^ '\\'*ones
	quote := (q - ones) & ^q
	bslash := (bs - ones) & ^bs
	return (ctl|high|quote|bslash)&highs == 0
}

func appendU4(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

var errorType = reflect.TypeFor[error]()

// hasExportedField reports whether encoding/json writes any field of the
// struct type t.
func hasExportedField(t reflect.Type) bool {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Tag.Get("json") == "-" {
			continue
		}
		if f.IsExported() || (f.Anonymous && f.Type.Kind() == reflect.Struct && hasExportedField(f.Type)) {
			return true
		}
	}
	return false
}

func isMarshaler(t reflect.Type) bool {
	return t.Implements(jsonMarshalerType) || t.Implements(textMarshalerType)
}

// appendReflect handles every type the type switch in appendValue does not
// name. It is the slow path.
func appendReflect(b []byte, rv reflect.Value, depth int) ([]byte, error) {
	t := rv.Type()
	k := rv.Kind()
	if k != reflect.Pointer && isMarshaler(t) {
		return appendViaJSON(b, rv.Interface(), depth)
	}
	if t.Implements(errorType) && !isMarshaler(t) {
		// An error would be stored as {} (or its exported fields) and read
		// back as a dict: store err.Error() instead.
		return b, &UnsupportedTypeError{Type: t}
	}
	switch k {
	case reflect.Pointer:
		if rv.IsNil() {
			return append(b, "null"...), nil
		}
		if depth >= maxDepth {
			return b, depthError(rv.Interface())
		}
		if isMarshaler(t) && !isMarshaler(t.Elem()) {
			// Methods with pointer receivers: let encoding/json call them.
			return appendViaJSON(b, rv.Interface(), depth)
		}
		return appendValue(b, rv.Elem().Interface(), depth+1)
	case reflect.Struct:
		if !hasExportedField(t) {
			// encoding/json would write {}: the value would be lost.
			return b, &UnsupportedTypeError{Type: t}
		}
		return appendViaJSON(b, rv.Interface(), depth)
	case reflect.String:
		return appendString(b, rv.String()), nil
	case reflect.Bool:
		if rv.Bool() {
			return append(b, "true"...), nil
		}
		return append(b, "false"...), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(b, rv.Uint(), 10), nil
	case reflect.Float32:
		return appendFloat(b, rv.Float(), 32), nil
	case reflect.Float64:
		return appendFloat(b, rv.Float(), 64), nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			b = append(b, `{" b":"`...)
			b = base64.StdEncoding.AppendEncode(b, rv.Bytes())
			return append(b, `"}`...), nil
		}
		return appendReflectList(b, rv, depth)
	case reflect.Array:
		return appendReflectList(b, rv, depth)
	case reflect.Map:
		return appendReflectMap(b, rv, depth)
	}
	return b, &UnsupportedTypeError{Type: t}
}

func appendReflectList(b []byte, rv reflect.Value, depth int) ([]byte, error) {
	if depth >= maxDepth {
		return b, depthError(rv.Interface())
	}
	b = append(b, '[')
	for i := range rv.Len() {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		b, err = appendValue(b, rv.Index(i).Interface(), depth+1)
		if err != nil {
			return b, withIndex(err, i)
		}
	}
	return append(b, ']'), nil
}

func appendReflectMap(b []byte, rv reflect.Value, depth int) ([]byte, error) {
	kt := rv.Type().Key()
	switch kt.Kind() {
	case reflect.String:
		if depth >= maxDepth {
			return b, depthError(rv.Interface())
		}
		kvs := make([]kv, 0, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			kvs = append(kvs, kv{it.Key().String(), it.Value().Interface()})
		}
		sortKVs(kvs)
		return appendSortedObject(b, kvs, depth)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if depth >= maxDepth {
			return b, depthError(rv.Interface())
		}
		// Python's json sorts int keys as numbers, then writes them as
		// strings: {2: a, 10: b} -> {"2":a,"10":b}.
		type ikv struct {
			neg bool
			u   uint64
			v   any
		}
		signed := kt.Kind() <= reflect.Int64
		ikvs := make([]ikv, 0, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			e := ikv{v: it.Value().Interface()}
			if signed {
				i := it.Key().Int()
				e.neg = i < 0
				e.u = uint64(i)
				if e.neg {
					e.u = -e.u
				}
			} else {
				e.u = it.Key().Uint()
			}
			ikvs = append(ikvs, e)
		}
		slices.SortFunc(ikvs, func(x, y ikv) int {
			switch {
			case x.neg != y.neg:
				if x.neg {
					return -1
				}
				return 1
			case x.u == y.u:
				return 0
			case (x.u < y.u) != x.neg:
				return -1
			}
			return 1
		})
		kvs := make([]kv, len(ikvs))
		for i, e := range ikvs {
			k := strconv.FormatUint(e.u, 10)
			if e.neg {
				k = "-" + k
			}
			kvs[i] = kv{k, e.v}
		}
		return appendSortedObject(b, kvs, depth)
	}
	if kt.Implements(textMarshalerType) {
		return appendViaJSON(b, rv.Interface(), depth)
	}
	return b, &UnsupportedTypeError{Type: rv.Type()}
}

// appendViaJSON is the slow path for structs and marshalers: encoding/json
// writes them (so struct tags, omitempty and MarshalJSON all apply), the
// text is parsed back without untagging and then written the Flask way. A
// struct therefore arrives in Flask as a plain dict, with its fields encoded
// as encoding/json encodes them (time.Time as an RFC 3339 string, []byte as
// a base64 string).
func appendViaJSON(b []byte, v any, depth int) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		var ute *json.UnsupportedTypeError
		if errors.As(err, &ute) {
			return b, &UnsupportedTypeError{Type: ute.Type}
		}
		return b, &UnsupportedValueError{Type: reflect.TypeOf(v), Reason: "encoding/json cannot encode it: " + err.Error(), Err: err}
	}
	parsed, err := parse(string(data), false)
	if err != nil {
		return b, &UnsupportedValueError{Type: reflect.TypeOf(v), Reason: "its JSON cannot be read by Flask: " + err.Error(), Err: err}
	}
	return appendValue(b, parsed, depth+1)
}
