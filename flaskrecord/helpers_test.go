package flaskrecord

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/ginflask/flasksession/taggedjson"
)

// typed is testdata/pyrecord.py's typed form of a Python value.
type typed struct {
	T string          `json:"t"`
	V json.RawMessage `json:"v"`
}

// fromTyped returns the Go value this package decodes the Python value
// to.
func fromTyped(t typed) (any, error) {
	var s string
	switch t.T {
	case "none":
		return nil, nil
	case "bool":
		var b bool
		err := json.Unmarshal(t.V, &b)
		return b, err
	case "list", "tuple":
		var items []typed
		if err := json.Unmarshal(t.V, &items); err != nil {
			return nil, err
		}
		out := make([]any, len(items))
		for i, it := range items {
			v, err := fromTyped(it)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		if t.T == "tuple" {
			return taggedjson.Tuple(out), nil
		}
		return out, nil
	case "dict":
		var pairs [][2]json.RawMessage
		if err := json.Unmarshal(t.V, &pairs); err != nil {
			return nil, err
		}
		m := make(map[string]any, len(pairs))
		for _, p := range pairs {
			var k string
			var vt typed
			if err := json.Unmarshal(p[0], &k); err != nil {
				return nil, err
			}
			if err := json.Unmarshal(p[1], &vt); err != nil {
				return nil, err
			}
			v, err := fromTyped(vt)
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		return m, nil
	}
	if err := json.Unmarshal(t.V, &s); err != nil {
		return nil, err
	}
	switch t.T {
	case "str":
		return s, nil
	case "int":
		if n, err := strconv.ParseInt(s, 10, 0); err == nil {
			return int(n), nil
		}
		z, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return nil, fmt.Errorf("bad int %q", s)
		}
		return z, nil
	case "float":
		if s == "nan" {
			return math.Float64frombits(0x7ff8000000000000), nil // Python's NaN
		}
		return strconv.ParseFloat(s, 64)
	case "bytes":
		return base64.StdEncoding.DecodeString(s)
	case "datetime":
		if t, err := time.Parse("2006-01-02T15:04:05.999999Z07:00", s); err == nil {
			return t.UTC(), nil
		}
		return time.ParseInLocation("2006-01-02T15:04:05.999999", s, Naive)
	case "date":
		t, err := time.Parse("2006-01-02", s)
		return Date{t.Year(), t.Month(), t.Day()}, err
	case "uuid":
		return uuid.Parse(s)
	}
	return nil, fmt.Errorf("unknown typed form %q", t.T)
}

// equal compares decoded values exactly: types, float bits (NaN equals
// NaN), time instants and whether they are naive.
func equal(a, b any) bool {
	switch x := a.(type) {
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y) && (x.Location() == Naive) == (y.Location() == Naive)
	case float64:
		y, ok := b.(float64)
		return ok && (math.Float64bits(x) == math.Float64bits(y) || math.IsNaN(x) && math.IsNaN(y))
	case *big.Int:
		y, ok := b.(*big.Int)
		return ok && x.Cmp(y) == 0
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case []any:
		y, ok := b.([]any)
		return ok && slices.EqualFunc(x, y, equal)
	case taggedjson.Tuple:
		y, ok := b.(taggedjson.Tuple)
		return ok && slices.EqualFunc(x, y, equal)
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && maps.EqualFunc(x, y, equal)
	}
	return reflect.TypeOf(a) == reflect.TypeOf(b) && reflect.DeepEqual(a, b)
}

// diff describes the first difference between two values, for failures.
func diff(a, b any) string {
	if equal(a, b) {
		return ""
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			break
		}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if _, ok := y[k]; !ok {
				return fmt.Sprintf("%q: missing on the right", k)
			}
			if d := diff(x[k], y[k]); d != "" {
				return fmt.Sprintf("%q: %s", k, d)
			}
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				return fmt.Sprintf("%q: missing on the left", k)
			}
		}
	case []any, taggedjson.Tuple:
		xs := reflect.ValueOf(a)
		ys := reflect.ValueOf(b)
		if reflect.TypeOf(a) != reflect.TypeOf(b) || xs.Len() != ys.Len() {
			break
		}
		for i := range xs.Len() {
			if d := diff(xs.Index(i).Interface(), ys.Index(i).Interface()); d != "" {
				return fmt.Sprintf("[%d]: %s", i, d)
			}
		}
	}
	return fmt.Sprintf("%s != %s", short(a), short(b))
}

func short(v any) string {
	s := fmt.Sprintf("%T(%v)", v, v)
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// firstDiff reports where two byte strings part.
func firstDiff(a, b []byte) string {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	lo := max(0, n-16)
	return fmt.Sprintf("lengths %d and %d, first difference at byte %d: ...%x | %x... vs ...%x | %x...",
		len(a), len(b), n, a[lo:n], a[n:min(len(a), n+16)], b[lo:n], b[n:min(len(b), n+16)])
}
