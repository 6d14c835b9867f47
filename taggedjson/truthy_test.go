package taggedjson

import (
	"html/template"
	"math"
	"math/big"
	"testing"
	"time"
)

func TestTruthy(t *testing.T) {
	var nilBig *big.Int
	var nilPtr *int
	zero := 0
	tests := []struct {
		name string
		v    any
		want bool
	}{
		{"None", nil, false},
		{"False", false, false},
		{"True", true, true},
		{"0", 0, false},
		{"1", 1, true},
		{"-1", -1, true},
		{"int64 0", int64(0), false},
		{"int8 -3", int8(-3), true},
		{"uint 0", uint(0), false},
		{"uint64 max", uint64(math.MaxUint64), true},
		{"0.0", 0.0, false},
		{"-0.0", math.Copysign(0, -1), false},
		{"0.5", 0.5, true},
		{"NaN", math.NaN(), true},
		{"float32 0", float32(0), false},
		{"big 0", big.NewInt(0), false},
		{"big 7", big.NewInt(7), true},
		{"big 2**64", new(big.Int).Lsh(big.NewInt(1), 64), true},
		{"nil *big.Int", nilBig, false},
		{"empty str", "", false},
		{"str", "x", true},
		{"empty Markup", template.HTML(""), false},
		{"Markup", template.HTML("<b>"), true},
		{"empty bytes", []byte{}, false},
		{"bytes", []byte{0}, true},
		{"empty list", []any{}, false},
		{"list of 0", []any{0}, true},
		{"empty tuple", Tuple{}, false},
		{"tuple", Tuple{nil}, true},
		{"empty dict", map[string]any{}, false},
		{"dict", map[string]any{"a": nil}, true},
		{"empty array", [0]int{}, false},
		{"UUID", testUUID, true},
		{"datetime", time.Unix(0, 0).UTC(), true},
		{"nil pointer", nilPtr, false},
		{"pointer", &zero, true},
		{"struct", struct{}{}, true},
	}
	for _, tt := range tests {
		if got := Truthy(tt.v); got != tt.want {
			t.Errorf("Truthy(%s %#v) = %v, want %v", tt.name, tt.v, got, tt.want)
		}
	}
}
