package taggedjson

import (
	"encoding/json"
	"errors"
	"html/template"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/google/uuid"
)

var testUUID = uuid.MustParse("12345678-1234-5678-1234-567812345678")

func bigInt(s string) *big.Int {
	z, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(s)
	}
	return z
}

func utc(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
}

// goDumps holds, under the names used in flaskDumps, the Go value that
// stands for the Python value Flask dumped.
var goDumps = map[string]any{
	"none":                        nil,
	"true":                        true,
	"false":                       false,
	"empty_str":                   "",
	"str":                         "hello",
	"str_quote_backslash":         `a"b\c`,
	"str_short_escapes":           "\n\r\t\b\f",
	"str_controls":                "\x00\x01\x1f\x7f",
	"str_not_escaped":             "/<>&'",
	"str_latin1":                  "é",
	"str_line_sep":                "\u2028",
	"str_astral":                  "😀",
	"str_cjk":                     "日本語",
	"str_ffff":                    "\uffff\ufffd",
	"int_0":                       0,
	"int_neg":                     -1,
	"int_255":                     255,
	"int_256":                     256,
	"int_max64":                   math.MaxInt64,
	"int_min64":                   math.MinInt64,
	"int_2_64":                    bigInt("18446744073709551616"),
	"int_neg_2_70":                bigInt("-1180591620717411303424"),
	"float_1e-05":                 1e-05,
	"float_0.0001":                0.0001,
	"float_1e16":                  1e16,
	"float_9999999999999998":      9999999999999998.0,
	"float_1e15":                  1e15,
	"float_1e22":                  1e22,
	"float_5e-324":                5e-324,
	"float_max":                   math.MaxFloat64,
	"float_neg_zero":              math.Copysign(0, -1),
	"float_zero":                  0.0,
	"float_2":                     2.0,
	"float_0.1":                   0.1,
	"float_third":                 1.0 / 3,
	"float_1.2345678901234568e17": 123456789012345678.0,
	"float_1.5e-7":                1.5e-7,
	"float_100":                   100.0,
	"float_12345.678":             12345.678,
	"float_neg_small":             -0.00012,
	"float_nan":                   math.NaN(),
	"float_inf":                   math.Inf(1),
	"float_neg_inf":               math.Inf(-1),
	"list_empty":                  []any{},
	"list":                        []any{1, "a", nil, true, 2.5},
	"dict_empty":                  map[string]any{},
	"tuple":                       Tuple{1, "a", nil},
	"tuple_empty":                 Tuple{},
	"tuple_nested":                Tuple{Tuple{1, 2}, []any{3, Tuple{4}}},
	"bytes_empty":                 []byte{},
	"bytes":                       []byte("ab"),
	"bytes_3":                     []byte("abc"),
	"bytes_bin":                   []byte{0, 0xff, 0xfe},
	"markup":                      template.HTML("<b>x</b> & y"),
	"markup_empty":                template.HTML(""),
	"uuid":                        testUUID,
	"uuid_nil":                    uuid.Nil,
	"datetime":                    utc(2023, 11, 14, 22, 13, 20),
	"datetime_micro":              time.Date(2023, 11, 14, 22, 13, 20, 999999999, time.UTC),
	"datetime_max":                utc(9999, 12, 31, 23, 59, 59),
	"datetime_plus2":              time.Date(2023, 11, 15, 0, 13, 20, 0, time.FixedZone("", 2*3600)),
	"key_order":                   map[string]any{"b": 1, "é": 1, "a1": 1, "_x": 1, "": 1, "B": 1, "a": 1, "A1": 1},
	"key_order_astral":            map[string]any{"😀": 1, "\uffff": 2, "z": 3},
	"di_tuple_key":                map[string]any{" t": "not-a-tuple"},
	"di_di_key":                   map[string]any{" di": "not-a-dict"},
	"di_not_tag":                  map[string]any{" t__": "x"},
	"di_two_keys":                 map[string]any{" t": 1, "x": 2},
	"di_nested":                   map[string]any{" t": map[string]any{" t": Tuple{1}}},
	"di_other":                    map[string]any{" x": 1},
	"di_every_tag":                []any{map[string]any{" b": 1}, map[string]any{" m": 2}, map[string]any{" u": 3}, map[string]any{" d": 4}},
	"di_markup_value":             map[string]any{" m": template.HTML("<i>")},
	"flashes":                     map[string]any{"_flashes": []any{Tuple{"message", "Hello"}, Tuple{"error", "Bad"}}},
	"session":                     benchSession(),
	"nested": map[string]any{
		"cart": []any{map[string]any{"id": 1, "price": 9.99, "tags": Tuple{"a"}}},
		"user": map[string]any{"name": "Bob", "seen": utc(2020, 1, 2, 3, 4, 5), "ids": []any{testUUID}},
	},
	"int_keys": map[int]string{2: "a", 10: "b", -1: "c"},
}

// Flask writes these, but reads the two-digit year back differently
// (0001 -> 2001), so Marshal refuses them.
var refusedDumps = map[string]time.Time{
	"datetime_min":    utc(1, 1, 1, 0, 0, 0),
	"datetime_year99": utc(99, 3, 4, 5, 6, 7),
}

func TestMarshalFlaskVectors(t *testing.T) {
	for name, want := range flaskDumps {
		if tm, ok := refusedDumps[name]; ok {
			_, err := Marshal(tm)
			var uve *UnsupportedValueError
			if !errors.As(err, &uve) || !strings.Contains(err.Error(), "two-digit") {
				t.Errorf("%s: Marshal(%v) error = %v, want an UnsupportedValueError about two-digit years", name, tm, err)
			}
			continue
		}
		v, ok := goDumps[name]
		if !ok {
			t.Errorf("%s: no Go value for this Flask vector", name)
			continue
		}
		got, err := Marshal(v)
		if err != nil {
			t.Errorf("%s: Marshal: %v", name, err)
			continue
		}
		if string(got) != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	for name := range goDumps {
		if _, ok := flaskDumps[name]; !ok {
			t.Errorf("%s: Go value without a Flask vector", name)
		}
	}
}

type point struct {
	X int    `json:"x"`
	Y int    `json:"y,omitempty"`
	L string `json:"label"`
}

type withTime struct {
	At   time.Time `json:"at"`
	Data []byte
	Tags []string
}

type textKey struct{ a, b int }

func (k textKey) MarshalText() ([]byte, error) {
	return []byte{byte('0' + k.a), '-', byte('0' + k.b)}, nil
}

type ptrMarshaler struct{ n int }

func (p *ptrMarshaler) MarshalJSON() ([]byte, error) {
	return []byte(`{" t":` + string(rune('0'+p.n)) + `}`), nil
}

type role string

type roles []role

func TestMarshalGoTypes(t *testing.T) {
	one := 1
	var nilPtr *int
	tm := utc(2023, 11, 14, 22, 13, 20)
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"int8", int8(-8), `-8`},
		{"int16", int16(-16), `-16`},
		{"int32", int32(-32), `-32`},
		{"int64", int64(-64), `-64`},
		{"uint", uint(1), `1`},
		{"uint8", uint8(255), `255`},
		{"uint16", uint16(16), `16`},
		{"uint32", uint32(32), `32`},
		{"uint64 max", uint64(math.MaxUint64), `18446744073709551615`},
		{"uintptr", uintptr(7), `7`},
		{"float32", float32(0.1), `0.1`},
		{"float32 whole", float32(3), `3.0`},
		{"float32 big", float32(1e20), `1e+20`},
		{"big.Int value", *bigInt("123"), `123`},
		{"nil *big.Int", (*big.Int)(nil), `null`},
		{"json.Number int", json.Number("12"), `12`},
		{"json.Number -0", json.Number("-0"), `0`},
		{"json.Number float", json.Number("1e6"), `1000000.0`},
		{"json.Number huge", json.Number("123456789012345678901234567890"), `123456789012345678901234567890`},
		{"pointer", &one, `1`},
		{"nil pointer", nilPtr, `null`},
		{"pointer to time", &tm, `{" d":"Tue, 14 Nov 2023 22:13:20 GMT"}`},
		{"nil *time.Time", (*time.Time)(nil), `null`},
		{"[]string", []string{"a", "é"}, `["a","\u00e9"]`},
		{"[]int", []int{1, 2}, `[1,2]`},
		{"nil []any", []any(nil), `[]`},
		{"nil []string", []string(nil), `[]`},
		{"nil map", map[string]any(nil), `{}`},
		{"nil []byte", []byte(nil), `{" b":""}`},
		{"nil Tuple", Tuple(nil), `{" t":[]}`},
		{"named byte slice", json.RawMessage(`{"a":[1,2.5]}`), `{"a":[1,2.5]}`},
		{"[2]int", [2]int{3, 4}, `[3,4]`},
		{"[3]byte", [3]byte{1, 2, 3}, `[1,2,3]`},
		{"map[string]string", map[string]string{"b": "2", "a": "1"}, `{"a":"1","b":"2"}`},
		{"map[string]string di", map[string]string{" t": "x"}, `{" di":{" t__":"x"}}`},
		{"map[string]int", map[string]int{"b": 2, "a": 1}, `{"a":1,"b":2}`},
		{"map[role]any di", map[role]any{" u": 1}, `{" di":{" u__":1}}`},
		{"map[uint8]int", map[uint8]int{10: 1, 9: 2}, `{"9":2,"10":1}`},
		{"map[int64]any", map[int64]any{-5: nil, -10: true, 3: 1.5}, `{"-10":true,"-5":null,"3":1.5}`},
		{"map[textKey]int", map[textKey]int{{1, 2}: 3}, `{"1-2":3}`},
		{"named string", role("admin"), `"admin"`},
		{"named slice", roles{"a", "b"}, `["a","b"]`},
		{"named bool", reflect.ValueOf(true).Interface(), `true`},
		{"struct", point{X: 1, L: "<a&b>"}, `{"label":"<a&b>","x":1}`},
		{"struct pointer", &point{X: 1, Y: 2, L: " t"}, `{"label":" t","x":1,"y":2}`},
		{"struct with time and bytes", withTime{At: tm, Data: []byte("ab")}, `{"Data":"YWI=","Tags":null,"at":"2023-11-14T22:13:20Z"}`},
		{"struct in map", map[string]any{"p": point{X: 5}}, `{"p":{"label":"","x":5}}`},
		{"pointer-receiver marshaler", &ptrMarshaler{n: 3}, `{" di":{" t__":3}}`},
		{"invalid utf-8 string", "a\xffb", `"a\ufffdb"`},
		{"invalid utf-8 key", map[string]any{"\xff": 1, "z": 2, "\xef\xbf\xbd\xef\xbf\xbd": 3}, `{"z":2,"\ufffd":1,"\ufffd\ufffd":3}`},
		{"session", benchSession(), `{"csrf_token":"0123456789abcdef0123456789abcdef01234567","login_at":1700000000,"roles":["admin","editor"],"user_id":42,"username":"alice"}`},
		{"many keys", manyKeys(40), manyKeysJSON(40)},
	}
	for _, tt := range tests {
		got, err := Marshal(tt.v)
		if err != nil {
			t.Errorf("%s: Marshal: %v", tt.name, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func manyKeys(n int) map[string]any {
	m := map[string]any{}
	for i := range n {
		m[string(rune('A'+i))] = i
	}
	return m
}

func manyKeysJSON(n int) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(must(Marshal(string(rune('A' + i)))))
		b.WriteByte(':')
		b.Write(must(Marshal(i)))
	}
	b.WriteByte('}')
	return b.String()
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestMarshalUnsupported(t *testing.T) {
	ch := make(chan int)
	tests := []struct {
		name     string
		v        any
		path     string
		typ      string
		contains string
	}{
		{"top chan", ch, "", "chan int", `taggedjson: cannot store a value of type chan int`},
		{"cart path", map[string]any{"cart": []any{1, 2, map[string]any{"price": ch}}}, "cart[2].price", "chan int",
			`taggedjson: cannot store "cart[2].price" of type chan int`},
		{"list index", []any{1, func() {}}, "[1]", "func()", ""},
		{"nested lists", []any{[]any{0, []any{complex(1, 2)}}}, "[0][1][0]", "complex128", ""},
		{"tuple", map[string]any{"t": Tuple{1, ch}}, "t[1]", "chan int", ""},
		{"reflect slice", map[string]any{"s": []chan int{ch}}, "s[0]", "chan int", ""},
		{"reflect map", map[string]any{"m": map[string]chan int{"k": ch}}, "m.k", "chan int", ""},
		{"di escape", map[string]any{"a": map[string]any{" t": ch}}, "a. t", "chan int", ""},
		{"float key map", map[string]any{"f": map[float64]int{1: 1}}, "f", "map[float64]int", ""},
		{"unsafe pointer", map[string]any{"u": unsafe.Pointer(nil)}, "u", "unsafe.Pointer", ""},
		{"struct field", map[string]any{"user": struct{ C chan int }{ch}}, "user", "chan int", ""},
		{"pointer to chan", map[string]any{"p": &ch}, "p", "chan int", ""},
	}
	for _, tt := range tests {
		_, err := Marshal(tt.v)
		var ute *UnsupportedTypeError
		if !errors.As(err, &ute) {
			t.Errorf("%s: error %v, want *UnsupportedTypeError", tt.name, err)
			continue
		}
		if ute.Path != tt.path || ute.Type.String() != tt.typ {
			t.Errorf("%s: path %q type %v, want %q %s", tt.name, ute.Path, ute.Type, tt.path, tt.typ)
		}
		if !strings.HasPrefix(err.Error(), "taggedjson: ") || !strings.Contains(err.Error(), tt.contains) {
			t.Errorf("%s: message %q", tt.name, err)
		}
	}
}

func TestMarshalUnsupportedValue(t *testing.T) {
	cyclic := []any{nil}
	cyclic[0] = cyclic
	cyclicMap := map[string]any{}
	cyclicMap["self"] = cyclicMap
	huge := new(big.Int).Exp(big.NewInt(10), big.NewInt(4300), nil) // 4301 digits
	tests := []struct {
		name string
		v    any
		path string
	}{
		{"year 10000", map[string]any{"at": utc(10000, 1, 1, 0, 0, 0)}, "at"},
		{"year 0", utc(0, 1, 1, 0, 0, 0), ""},
		{"zero time", map[string]any{"x": []any{time.Time{}}}, "x[0]"},
		{"4301 digits", map[string]any{"n": huge}, "n"},
		{"cyclic list", cyclic, strings.Repeat("[0]", maxDepth)},
		{"cyclic map", cyclicMap, strings.TrimSuffix(strings.Repeat("self.", maxDepth), ".")},
		{"struct with NaN", map[string]any{"s": struct{ F float64 }{math.NaN()}}, "s"},
		{"bad json.Number", json.Number("1.2.3"), ""},
		{"colliding keys", map[string]any{"\xff": 1, "\xfe": 2}, "\ufffd"},
	}
	for _, tt := range tests {
		_, err := Marshal(tt.v)
		var uve *UnsupportedValueError
		if !errors.As(err, &uve) {
			t.Errorf("%s: error %v, want *UnsupportedValueError", tt.name, err)
			continue
		}
		if uve.Path != tt.path {
			t.Errorf("%s: path %.80q, want %.80q", tt.name, uve.Path, tt.path)
		}
		if !strings.HasPrefix(err.Error(), "taggedjson: cannot store ") {
			t.Errorf("%s: message %q", tt.name, err)
		}
	}
	// 4300 digits is still fine.
	ok := new(big.Int).Sub(huge, big.NewInt(1))
	if _, err := Marshal(ok); err != nil {
		t.Errorf("4300 digits: %v", err)
	}
}

func TestAppendMarshalKeepsDstOnError(t *testing.T) {
	dst := []byte("prefix")
	out, err := AppendMarshal(dst, map[string]any{"a": 1, "b": make(chan int)})
	if err == nil || string(out) != "prefix" {
		t.Fatalf("got %q, %v", out, err)
	}
	out, err = AppendMarshal(dst, []any{1})
	if err != nil || string(out) != "prefix[1]" {
		t.Fatalf("got %q, %v", out, err)
	}
}

// TestFloatRepr checks the Python repr rules on the boundaries and on
// values whose shortest digits need care. Expected strings are Python's
// repr(float) output.
func TestFloatRepr(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{1e-05, "1e-05"},
		{9.999999999999999e-05, "9.999999999999999e-05"},
		{0.0001, "0.0001"},
		{0.00010000000000000002, "0.00010000000000000002"},
		{1e16, "1e+16"},
		{9999999999999998.0, "9999999999999998.0"},
		{1e22, "1e+22"},
		{1e23, "1e+23"},
		{5e-324, "5e-324"},
		{2.2250738585072014e-308, "2.2250738585072014e-308"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{-1.5, "-1.5"},
		{123.456, "123.456"},
		{1.0000000000000002, "1.0000000000000002"},
		{0.30000000000000004, "0.30000000000000004"},
		{1e100, "1e+100"},
		{-1e-100, "-1e-100"},
		{1.5e15, "1500000000000000.0"},
		{12345678901234567.0, "1.2345678901234568e+16"},
		{0.001, "0.001"},
		{100, "100.0"},
		{2, "2.0"},
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{0.00012345, "0.00012345"},
		{-2.5e-05, "-2.5e-05"},
		{1.2345678901234568e+17, "1.2345678901234568e+17"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
	}
	for _, tt := range tests {
		if got := FormatFloat(tt.f); got != tt.want {
			t.Errorf("FormatFloat(%v) = %s, want %s", tt.f, got, tt.want)
		}
		if got := string(AppendFloat([]byte("x"), tt.f)); got != "x"+tt.want {
			t.Errorf("AppendFloat(x, %v) = %s, want x%s", tt.f, got, tt.want)
		}
	}
}
