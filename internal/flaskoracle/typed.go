package flaskoracle

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ginflask/flasksession/taggedjson"
)

// The typed interchange form carries Python values between Go and Python
// without losing their types (JSON alone would merge ints and floats,
// tuples and lists, str and Markup). Each value is a JSON object:
//
//	{"t":"none"}                               None        <-> nil
//	{"t":"bool","v":true}                      bool        <-> bool
//	{"t":"int","v":"18446744073709551616"}     int         <-> int, or *big.Int outside int's range
//	{"t":"float","v":"1e-05"}                  float       <-> float64 (v is Python's repr, or NaN, Infinity, -Infinity)
//	{"t":"str","v":"..."}                      str         <-> string
//	{"t":"bytes","v":"<std base64, padded>"}   bytes       <-> []byte
//	{"t":"tuple","v":[...]}                    tuple       <-> taggedjson.Tuple
//	{"t":"list","v":[...]}                     list        <-> []any
//	{"t":"dict","v":{"k":...}}                 dict        <-> map[string]any
//	{"t":"markup","v":"..."}                   Markup      <-> template.HTML
//	{"t":"uuid","v":"<32 lowercase hex>"}      UUID        <-> uuid.UUID
//	{"t":"datetime","v":1700000000}            aware datetime <-> time.Time, UTC, whole seconds
//
// oracle.py and testdata/gen_vectors.py use the same form.

// ToTyped returns the typed form of a Go session value, ready for
// encoding/json. Every Go integer type maps to "int" and float32 to
// "float". A type with no Python counterpart becomes
// {"t":"unsupported","v":"<Go type>"}, which Python rejects and Diff
// reports.
func ToTyped(v any) any {
	switch x := v.(type) {
	case nil:
		return map[string]any{"t": "none"}
	case bool:
		return typed("bool", x)
	case int:
		return typed("int", strconv.Itoa(x))
	case int8:
		return typed("int", strconv.FormatInt(int64(x), 10))
	case int16:
		return typed("int", strconv.FormatInt(int64(x), 10))
	case int32:
		return typed("int", strconv.FormatInt(int64(x), 10))
	case int64:
		return typed("int", strconv.FormatInt(x, 10))
	case uint:
		return typed("int", strconv.FormatUint(uint64(x), 10))
	case uint8:
		return typed("int", strconv.FormatUint(uint64(x), 10))
	case uint16:
		return typed("int", strconv.FormatUint(uint64(x), 10))
	case uint32:
		return typed("int", strconv.FormatUint(uint64(x), 10))
	case uint64:
		return typed("int", strconv.FormatUint(x, 10))
	case *big.Int:
		if x == nil {
			return map[string]any{"t": "none"}
		}
		return typed("int", x.String())
	case float64:
		return typed("float", taggedjson.FormatFloat(x))
	case float32:
		return typed("float", taggedjson.FormatFloat(float64(x)))
	case string:
		return typed("str", x)
	case template.HTML:
		return typed("markup", string(x))
	case []byte:
		return typed("bytes", base64.StdEncoding.EncodeToString(x))
	case taggedjson.Tuple:
		return typed("tuple", typedSlice(x))
	case []any:
		return typed("list", typedSlice(x))
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = ToTyped(e)
		}
		return typed("dict", m)
	case uuid.UUID:
		return typed("uuid", strings.ReplaceAll(x.String(), "-", ""))
	case time.Time:
		return typed("datetime", x.Unix())
	}
	return typed("unsupported", fmt.Sprintf("%T", v))
}

func typed(t string, v any) map[string]any { return map[string]any{"t": t, "v": v} }

func typedSlice(xs []any) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = ToTyped(x)
	}
	return out
}

// FromTyped turns a typed form (as decoded by encoding/json, with or
// without UseNumber) back into the canonical Go value: int when the
// integer fits, else *big.Int; time.Time in UTC; and so on (see ToTyped).
func FromTyped(t any) (any, error) {
	m, ok := t.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("flaskoracle: typed value is %T, not an object", t)
	}
	kind, _ := m["t"].(string)
	v := m["v"]
	bad := func() (any, error) {
		return nil, fmt.Errorf("flaskoracle: bad typed %q value %#v", kind, v)
	}
	switch kind {
	case "none":
		return nil, nil
	case "bool":
		b, ok := v.(bool)
		if !ok {
			return bad()
		}
		return b, nil
	case "int":
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		if n, err := strconv.Atoi(s); err == nil {
			return n, nil
		}
		n, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return bad()
		}
		return n, nil
	case "float":
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return bad()
		}
		return f, nil
	case "str", "markup":
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		if kind == "markup" {
			return template.HTML(s), nil
		}
		return s, nil
	case "bytes":
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return bad()
		}
		return b, nil
	case "tuple", "list":
		xs, ok := v.([]any)
		if !ok {
			return bad()
		}
		out := make([]any, len(xs))
		for i, x := range xs {
			e, err := FromTyped(x)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		if kind == "tuple" {
			return taggedjson.Tuple(out), nil
		}
		return out, nil
	case "dict":
		xs, ok := v.(map[string]any)
		if !ok {
			return bad()
		}
		out := make(map[string]any, len(xs))
		for k, x := range xs {
			e, err := FromTyped(x)
			if err != nil {
				return nil, err
			}
			out[k] = e
		}
		return out, nil
	case "uuid":
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		u, err := uuid.Parse(s)
		if err != nil {
			return bad()
		}
		return u, nil
	case "datetime":
		var sec int64
		switch n := v.(type) {
		case float64:
			if n != math.Trunc(n) {
				return bad()
			}
			sec = int64(n)
		case json.Number:
			i, err := n.Int64()
			if err != nil {
				return bad()
			}
			sec = i
		default:
			return bad()
		}
		return time.Unix(sec, 0).UTC(), nil
	}
	return nil, fmt.Errorf("flaskoracle: unknown typed kind %q", kind)
}

// FromTypedSession is FromTyped for a whole session, which must be a dict.
func FromTypedSession(t any) (map[string]any, error) {
	v, err := FromTyped(t)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("flaskoracle: session is %T, not a dict", v)
	}
	return m, nil
}

// Diff compares two Go session values with exact types and returns "" when
// they are equal, else a description of the first differences. Floats are
// compared bit for bit (so -0.0 differs from 0.0) except that NaN equals
// NaN; times must be equal instants and in UTC; a nil map or slice equals an
// empty one of the same type.
func Diff(want, got any) string {
	var d differ
	d.diff("session", want, got)
	return strings.Join(d.out, "\n")
}

type differ struct{ out []string }

func (d *differ) addf(format string, args ...any) {
	if len(d.out) < 10 {
		d.out = append(d.out, fmt.Sprintf(format, args...))
	}
}

func (d *differ) diff(path string, want, got any) {
	if reflect.TypeOf(want) != reflect.TypeOf(got) {
		d.addf("%s: type: want %T (%s), got %T (%s)", path, want, short(want), got, short(got))
		return
	}
	switch w := want.(type) {
	case nil:
	case map[string]any:
		g := got.(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(w)) {
			gv, ok := g[k]
			if !ok {
				d.addf("%s: missing key %q", path, k)
				continue
			}
			d.diff(fmt.Sprintf("%s[%q]", path, k), w[k], gv)
		}
		for _, k := range slices.Sorted(maps.Keys(g)) {
			if _, ok := w[k]; !ok {
				d.addf("%s: unexpected key %q = %s", path, k, short(g[k]))
			}
		}
	case []any:
		d.diffSlice(path, w, got.([]any))
	case taggedjson.Tuple:
		d.diffSlice(path, w, got.(taggedjson.Tuple))
	case float64:
		g := got.(float64)
		if math.Float64bits(w) != math.Float64bits(g) && !(math.IsNaN(w) && math.IsNaN(g)) {
			d.addf("%s: want %s, got %s", path, taggedjson.FormatFloat(w), taggedjson.FormatFloat(g))
		}
	case *big.Int:
		if g := got.(*big.Int); (w == nil) != (g == nil) || w != nil && w.Cmp(g) != 0 {
			d.addf("%s: want %v, got %v", path, w, g)
		}
	case []byte:
		if g := got.([]byte); !bytes.Equal(w, g) {
			d.addf("%s: want %q, got %q", path, w, g)
		}
	case time.Time:
		g := got.(time.Time)
		if !w.Equal(g) || g.Location() != time.UTC {
			d.addf("%s: want %v, got %v (location %v)", path, w, g, g.Location())
		}
	default:
		if !reflect.DeepEqual(want, got) {
			d.addf("%s: want %s, got %s", path, short(want), short(got))
		}
	}
}

func (d *differ) diffSlice(path string, w, g []any) {
	if len(w) != len(g) {
		d.addf("%s: length: want %d %s, got %d %s", path, len(w), short(w), len(g), short(g))
		return
	}
	for i := range w {
		d.diff(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])
	}
}

func short(v any) string {
	s := fmt.Sprintf("%#v", v)
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}
