package flasksession

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
)

// GetAs returns the value under key as a T. Besides a plain type match it
// converts between number types when the value fits (a Flask int read as
// int64 or float64, a whole float as an int), and decodes maps and lists
// into structs, slices and maps of any type through encoding/json, so
// struct fields follow their `json` tags. Errors are ErrNoKey for a
// missing key and *TypeError for a value that does not convert.
func GetAs[T any](s *Session, key string) (T, error) {
	var zero T
	v, ok := s.Get(key)
	if !ok {
		return zero, fmt.Errorf("%w %q", ErrNoKey, key)
	}
	if t, ok := v.(T); ok {
		return t, nil
	}
	var out T
	if err := convert(v, &out); err != nil {
		return zero, &TypeError{Key: key, Want: reflect.TypeFor[T]().String(), Got: typeName(v), Err: err}
	}
	return out, nil
}

// Decode stores the value under key into the struct, slice or map dst
// points to, as GetAs does.
func (s *Session) Decode(key string, dst any) error {
	v, ok := s.Get(key)
	if !ok {
		return fmt.Errorf("%w %q", ErrNoKey, key)
	}
	if err := convert(v, dst); err != nil {
		return &TypeError{Key: key, Want: fmt.Sprintf("%T", dst), Got: typeName(v), Err: err}
	}
	return nil
}

// GetString returns the string under key; ok is false if it is missing or
// not a string.
func (s *Session) GetString(key string) (string, bool) {
	v, err := GetAs[string](s, key)
	return v, err == nil
}

// GetInt returns the integer under key; ok is false if it is missing or
// not a whole number that fits an int.
func (s *Session) GetInt(key string) (int, bool) {
	v, err := GetAs[int](s, key)
	return v, err == nil
}

// GetBool returns the bool under key; ok is false if it is missing or not
// a bool.
func (s *Session) GetBool(key string) (bool, bool) {
	v, err := GetAs[bool](s, key)
	return v, err == nil
}

// convert stores v into *dst: numbers by value, everything else through
// encoding/json.
func convert(v any, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("flasksession: Decode needs a non-nil pointer, got %T", dst)
	}
	elem := rv.Elem()
	if ok, err := convertNumber(v, elem); ok {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

// convertNumber handles number targets; ok is false when dst is not one.
func convertNumber(v any, dst reflect.Value) (ok bool, err error) {
	kind := dst.Kind()
	isInt := kind >= reflect.Int && kind <= reflect.Int64
	isUint := kind >= reflect.Uint && kind <= reflect.Uintptr
	isFloat := kind == reflect.Float32 || kind == reflect.Float64
	if !isInt && !isUint && !isFloat {
		return false, nil
	}
	var f big.Float
	switch n := v.(type) {
	case int:
		f.SetInt64(int64(n))
	case int64:
		f.SetInt64(n)
	case *big.Int:
		f.SetInt(n)
	case float64:
		if math.IsNaN(n) {
			if isFloat {
				dst.SetFloat(n)
				return true, nil
			}
			return true, fmt.Errorf("NaN is not an integer")
		}
		f.SetFloat64(n)
	default:
		if rv := reflect.ValueOf(v); rv.CanInt() {
			f.SetInt64(rv.Int())
		} else if rv.CanUint() {
			f.SetUint64(rv.Uint())
		} else if rv.CanFloat() {
			f.SetFloat64(rv.Float())
		} else {
			return true, fmt.Errorf("not a number")
		}
	}
	switch {
	case isFloat:
		x, _ := f.Float64()
		if dst.OverflowFloat(x) {
			return true, fmt.Errorf("%s overflows %s", f.String(), dst.Type())
		}
		dst.SetFloat(x)
	case !f.IsInt():
		return true, fmt.Errorf("%s is not a whole number", f.String())
	case isInt:
		i, acc := f.Int64()
		if acc != big.Exact || dst.OverflowInt(i) {
			return true, fmt.Errorf("%s overflows %s", f.String(), dst.Type())
		}
		dst.SetInt(i)
	default:
		u, acc := f.Uint64()
		if acc != big.Exact || dst.OverflowUint(u) {
			return true, fmt.Errorf("%s overflows %s", f.String(), dst.Type())
		}
		dst.SetUint(u)
	}
	return true, nil
}

func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}
