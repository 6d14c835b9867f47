package taggedjson

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"testing"
	"unicode/utf8"
)

func FuzzUnmarshal(f *testing.F) {
	for _, tt := range flaskLoads {
		f.Add([]byte(tt.in))
	}
	for _, want := range flaskDumps {
		f.Add([]byte(want))
	}
	for _, tt := range nonASCIIDates {
		f.Add(mustJSON(map[string]string{" d": tt.in}))
	}
	for _, tt := range nonASCIIUUIDs {
		f.Add(mustJSON(map[string]string{" u": tt.in}))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Unmarshal(data)
		if err != nil {
			var se *SyntaxError
			var te *TagError
			if !errors.As(err, &se) && !errors.As(err, &te) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		text, err := Marshal(v)
		if err != nil {
			// Only a date can decode to something Flask cannot write back
			// (a zone offset pushing it past year 9999 or below 100).
			var uve *UnsupportedValueError
			if !errors.As(err, &uve) || uve.Type == nil || uve.Type.String() != "time.Time" {
				t.Fatalf("Marshal(Unmarshal(%q)): %v", data, err)
			}
			return
		}
		v2, err := Unmarshal(text)
		if err != nil {
			t.Fatalf("Unmarshal(%s): %v (from %q)", text, err, data)
		}
		if !equal(v2, v) {
			t.Fatalf("round trip changed the value:\n%#v\n%#v\n(text %s)", v, v2, text)
		}
		text2, err := Marshal(v2)
		if err != nil || string(text2) != string(text) {
			t.Fatalf("not a fixed point:\n%s\n%s (%v)", text, text2, err)
		}
	})
}

// FuzzString checks that every Go string survives the trip, with invalid
// UTF-8 bytes turned into U+FFFD one by one.
func FuzzString(f *testing.F) {
	for _, s := range []string{"", "a", "\x00\x7f\"\\/", "é😀\u2028", "\xff\xfe", "\xed\xa0\x80", "\uffff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		text, err := Marshal(map[string]any{s: s})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range text {
			if c < 0x20 || c >= 0x7f {
				t.Fatalf("non-printable-ASCII byte %#x in %q", c, text)
			}
		}
		want := make([]rune, 0, len(s))
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			want = append(want, r)
			i += size
		}
		v, err := UnmarshalObject(text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		if len(v) != 1 || v[string(want)] != string(want) {
			if isTag(s) {
				return // a one-key dict with a tag as key: escaped and unescaped, checked elsewhere
			}
			t.Fatalf("%q -> %s -> %q", s, text, v)
		}
	})
}

// FuzzFloat checks that every float64 is written in a form that parses
// back to the same bits, in Python's notation.
func FuzzFloat(f *testing.F) {
	for _, x := range []float64{0, 1, 1e-5, 1e-4, 1e16, 1e22, 5e-324, math.MaxFloat64, 0.1, 1.0 / 3} {
		f.Add(math.Float64bits(x))
	}
	f.Fuzz(func(t *testing.T, bits uint64) {
		x := math.Float64frombits(bits)
		text := string(appendFloat(nil, x, 64))
		v, err := Unmarshal([]byte(text))
		if err != nil {
			t.Fatalf("%v -> %s: %v", x, text, err)
		}
		y, ok := v.(float64)
		if !ok {
			t.Fatalf("%v -> %s -> %T (a float must not decode as an int)", x, text, v)
		}
		if math.IsNaN(x) {
			if !math.IsNaN(y) {
				t.Fatalf("NaN -> %s -> %v", text, y)
			}
			return
		}
		if math.Float64bits(y) != bits {
			t.Fatalf("%v -> %s -> %v", x, text, y)
		}
		if math.IsInf(x, 0) {
			return
		}
		// Same digits as Go's shortest formatting.
		g, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', -1, 64), 64)
		if g != y {
			t.Fatalf("%v: %s disagrees with strconv", x, text)
		}
	})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
