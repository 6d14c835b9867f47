package taggedjson

import (
	"math/big"
	"reflect"
)

// Truthy is Python's bool(v) for the values a session holds: false for
// None (nil, or a nil pointer), False, zero numbers of every Go kind
// (including a zero *big.Int), and empty strings, Markup, bytes, lists,
// tuples, dicts, arrays and maps; true for everything else, such as a
// uuid.UUID or a time.Time.
func Truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		return v != ""
	case *big.Int:
		return v != nil && v.Sign() != 0
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.CanInt():
		return rv.Int() != 0
	case rv.CanUint():
		return rv.Uint() != 0
	case rv.CanFloat():
		return rv.Float() != 0
	}
	switch rv.Kind() {
	case reflect.Slice, reflect.Map, reflect.Array, reflect.String:
		return rv.Len() != 0
	case reflect.Pointer:
		return !rv.IsNil()
	}
	return true
}
