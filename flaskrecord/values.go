package flaskrecord

import (
	"encoding"
	"encoding/json"
	"html/template"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/ginflask/flasksession/taggedjson"
)

// The encoders handle the project's value types (string, int, *big.Int,
// float64, bool, nil, []any, map[string]any, taggedjson.Tuple, []byte,
// time.Time, Date, uuid.UUID, template.HTML) in a type switch and hand
// everything else to canonical, which converts the other Go kinds the
// way taggedjson.Marshal does, so that a session value that a cookie
// session can hold, a record can hold too.

var (
	typeHTML = reflect.TypeFor[template.HTML]()
	typeUUID = reflect.TypeFor[uuid.UUID]()
)

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// canonical converts a value of a type outside the encoders' switch to one
// inside it. It returns an *UnsupportedTypeError (Path empty) for types no
// format can carry.
func canonical(f Format, v any) (any, error) {
	switch x := v.(type) {
	case int8:
		return int(x), nil
	case int16:
		return int(x), nil
	case int32:
		return int(x), nil
	case int64:
		if int64(int(x)) == x {
			return int(x), nil
		}
		return big.NewInt(x), nil
	case uint:
		return fromUint64(uint64(x)), nil
	case uint8:
		return int(x), nil
	case uint16:
		return int(x), nil
	case uint32:
		return fromUint64(uint64(x)), nil
	case uint64:
		return fromUint64(x), nil
	case uintptr:
		return fromUint64(uint64(x)), nil
	case float32:
		return float32To64(x), nil
	case big.Int:
		return &x, nil
	case json.Number:
		return numberValue(string(x))
	case *time.Time:
		if x == nil {
			return nil, nil
		}
		return *x, nil
	}
	rv := reflect.ValueOf(v)
	t := rv.Type()
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface &&
		(t.Implements(jsonMarshaler) || t.Implements(textMarshaler) || t.Kind() == reflect.Struct) {
		return viaJSON(f, v)
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, nil
		}
		return rv.Elem().Interface(), nil
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return canonical(f, rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return fromUint64(rv.Uint()), nil
	case reflect.Float32:
		return float32To64(float32(rv.Float())), nil
	case reflect.Float64:
		return rv.Float(), nil
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			if t.Kind() == reflect.Slice {
				return rv.Bytes(), nil
			}
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			return b, nil
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = rv.Index(i).Interface()
		}
		return out, nil
	case reflect.Map:
		return canonicalMap(f, rv)
	}
	return nil, &UnsupportedTypeError{Format: f, Type: t}
}

// canonicalMap converts a map with string or integer keys; integer keys
// become their decimal strings, as in Flask's JSON.
func canonicalMap(f Format, rv reflect.Value) (any, error) {
	kt := rv.Type().Key()
	out := make(map[string]any, rv.Len())
	it := rv.MapRange()
	for it.Next() {
		k := it.Key()
		var ks string
		switch kt.Kind() {
		case reflect.String:
			ks = k.String()
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			ks = strconv.FormatInt(k.Int(), 10)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			ks = strconv.FormatUint(k.Uint(), 10)
		default:
			return nil, &UnsupportedTypeError{Format: f, Type: rv.Type()}
		}
		out[ks] = it.Value().Interface()
	}
	return out, nil
}

// viaJSON stores structs and json/text marshalers as encoding/json writes
// them, the same as taggedjson.Marshal does, as plain dicts, lists and
// strings.
func viaJSON(f Format, v any) (any, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return nil, &UnsupportedValueError{Format: f, Type: reflect.TypeOf(v), Reason: "encoding/json: " + err.Error(), Err: err}
	}
	d := jsonDecoder{data: js, src: string(js), lim: limits{size: -1, depth: DefaultMaxDepth, items: math.MaxInt}}
	d.skipWS()
	out, err := d.value(0)
	if err != nil {
		return nil, &UnsupportedValueError{Format: f, Type: reflect.TypeOf(v), Reason: "reading what encoding/json wrote: " + err.Error(), Err: err}
	}
	return out, nil
}

func numberValue(s string) (any, error) {
	if !strings.ContainsAny(s, ".eE") {
		if n, err := strconv.ParseInt(s, 10, 0); err == nil {
			return int(n), nil
		}
		if z, ok := new(big.Int).SetString(s, 10); ok {
			return z, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, &UnsupportedValueError{Type: reflect.TypeFor[json.Number](), Reason: "not a number: " + strconv.Quote(s), Err: err}
	}
	return f, nil
}

func fromUint64(u uint64) any {
	if u <= math.MaxInt && uint64(int(u)) == u {
		return int(u)
	}
	return new(big.Int).SetUint64(u)
}

// float32To64 is the Python float a float32 stands for: the float64
// nearest its shortest decimal digits, as taggedjson writes it.
func float32To64(f float32) float64 {
	if math.IsInf(float64(f), 0) || math.IsNaN(float64(f)) {
		return float64(f)
	}
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], float64(f), 'g', -1, 32)
	g, _ := strconv.ParseFloat(string(s), 64)
	return g
}

// pyTime is a time.Time as Python's datetime holds it: microseconds, the
// wall clock, and whether it is naive.
type pyTime struct {
	naive                    bool
	year, month, day         int
	hour, minute, second, us int
}

// toPyTime converts t: a time in Naive keeps its wall clock and becomes a
// naive datetime; any other converts to UTC. Sub-microsecond digits are
// dropped, as datetime has none.
func toPyTime(t time.Time) (pyTime, bool) {
	naive := t.Location() == Naive
	if !naive {
		t = t.UTC()
	}
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	p := pyTime{naive, y, int(mo), d, h, mi, s, t.Nanosecond() / 1000}
	return p, y >= 1 && y <= 9999
}

// appendISO writes the datetime as msgspec does: isoformat with the
// microseconds only when not zero, and Z for UTC.
func appendISO(b []byte, p pyTime) []byte {
	b = appendDate(b, p.year, p.month, p.day)
	b = append(b, 'T')
	b = append2(b, p.hour)
	b = append(b, ':')
	b = append2(b, p.minute)
	b = append(b, ':')
	b = append2(b, p.second)
	if p.us != 0 {
		b = append(b, '.')
		b = append2(b, p.us/10000)
		b = append2(b, p.us/100%100)
		b = append2(b, p.us%100)
	}
	if !p.naive {
		b = append(b, 'Z')
	}
	return b
}

// validString returns s with invalid UTF-8 replaced by U+FFFD: a Python
// str cannot hold bytes that are not text (taggedjson does the same).
func validString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// sortedKeys returns m's keys in order, in buf when it has room.
func sortedKeys(m map[string]any, buf []string) []string {
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// pyTypeName is the Python type of a decoded value, for errors.
func pyTypeName(v any) string {
	switch v.(type) {
	case Date:
		return "date"
	case time.Time:
		return "datetime"
	}
	return taggedjson.PythonType(v)
}

// appendUUID writes the canonical form, 8-4-4-4-12 lowercase hex.
func appendUUID(b []byte, u uuid.UUID) []byte {
	const hexDigits = "0123456789abcdef"
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return b
}
