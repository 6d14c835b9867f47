package taggedjson

import (
	"math"
	"strconv"
)

// AppendFloat appends f to dst as Flask's JSON writes a Python float, which
// is Python's repr(f): the shortest digits that read back as f, positional
// with a fraction when the decimal exponent is in [-4, 16) (2.0, 0.0001,
// -0.0), otherwise d.ddde±XX (1e-05, 1e+16). NaN and the infinities are
// written as Python's json module writes them: NaN, Infinity, -Infinity
// (repr would say nan, inf, -inf).
func AppendFloat(dst []byte, f float64) []byte { return appendFloat(dst, f, 64) }

// FormatFloat is [AppendFloat] as a string.
func FormatFloat(f float64) string { return string(appendFloat(nil, f, 64)) }

// appendFloat is AppendFloat for a float of the given bit size: a float32
// (bits 32) is written with the shortest digits that identify the float32,
// as encoding/json does, not the digits of its exact float64 value.
func appendFloat(b []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	}
	var tmp [32]byte
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, bits)
	if e[0] == '-' {
		b = append(b, '-')
		e = e[1:]
	}
	// e is "d[.ddd]e±XX".
	p := len(e) - 1
	for e[p] != 'e' {
		p--
	}
	exp := 0
	for _, c := range e[p+2:] {
		exp = exp*10 + int(c-'0')
	}
	if e[p+1] == '-' {
		exp = -exp
	}
	if exp < -4 || exp >= 16 {
		// Go also writes at least two exponent digits, like Python.
		return append(b, e...)
	}
	var dbuf [20]byte
	digits := append(dbuf[:0], e[0])
	if p > 1 {
		digits = append(digits, e[2:p]...)
	}
	decpt := exp + 1 // digits before the decimal point
	switch {
	case decpt <= 0:
		b = append(b, '0', '.')
		for ; decpt < 0; decpt++ {
			b = append(b, '0')
		}
		b = append(b, digits...)
	case decpt >= len(digits):
		b = append(b, digits...)
		for i := len(digits); i < decpt; i++ {
			b = append(b, '0')
		}
		b = append(b, '.', '0')
	default:
		b = append(b, digits[:decpt]...)
		b = append(b, '.')
		b = append(b, digits[decpt:]...)
	}
	return b
}
