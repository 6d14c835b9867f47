package taggedjson

import (
	"math"

	"github.com/ginflask/flasksession/internal/pyrepr"
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
	// JSON's spellings, not repr's; the rest is repr.
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	}
	return pyrepr.AppendFloat(b, f, bits)
}
