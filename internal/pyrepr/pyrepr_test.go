package pyrepr

import (
	"encoding/hex"
	"encoding/json"
	"html/template"
	"math"
	"math/big"
	"os/exec"
	"strings"
	"testing"
)

func bigInt(s string) *big.Int {
	z, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(s)
	}
	return z
}

// strCases are values with Python's str() of each, and the Python
// expression that makes the value, for TestAgainstPython.
var strCases = []struct {
	v    any
	py   string
	want string
}{
	{"alice", "'alice'", "alice"},
	{"", "''", ""},
	{template.HTML("<b>x</b>"), "'<b>x</b>'", "<b>x</b>"},
	{nil, "None", "None"},
	{true, "True", "True"},
	{false, "False", "False"},
	{42, "42", "42"},
	{-7, "-7", "-7"},
	{int8(-128), "-128", "-128"},
	{int16(300), "300", "300"},
	{int32(-70000), "-70000", "-70000"},
	{int64(math.MinInt64), "-2**63", "-9223372036854775808"},
	{uint(7), "7", "7"},
	{uint8(255), "255", "255"},
	{uint16(65535), "65535", "65535"},
	{uint32(math.MaxUint32), "2**32-1", "4294967295"},
	{uint64(math.MaxUint64), "2**64-1", "18446744073709551615"},
	{uintptr(9), "9", "9"},
	{bigInt("1000000000000000000000000000000"), "10**30", "1000000000000000000000000000000"},
	{bigInt("-123456789012345678901234567890"), "-123456789012345678901234567890", "-123456789012345678901234567890"},
	{1.5, "1.5", "1.5"},
	{1e16, "1e16", "1e+16"},
	{1e15, "1e15", "1000000000000000.0"},
	{0.0001, "0.0001", "0.0001"},
	{0.00001, "0.00001", "1e-05"},
	{2.0, "2.0", "2.0"},
	{math.Copysign(0, -1), "-0.0", "-0.0"},
	{0.30000000000000004, "0.1+0.2", "0.30000000000000004"},
	{5e-324, "5e-324", "5e-324"},
	{math.MaxFloat64, "1.7976931348623157e308", "1.7976931348623157e+308"},
	{math.NaN(), "float('nan')", "nan"},
	{math.Inf(1), "float('inf')", "inf"},
	{math.Inf(-1), "float('-inf')", "-inf"},
	{float32(0.1), "0.1", "0.1"}, // the float Flask loads from taggedjson's digits
	{float32(16777216), "16777216.0", "16777216.0"},
}

func TestStr(t *testing.T) {
	for _, tc := range strCases {
		if got, ok := Str(tc.v); got != tc.want || !ok {
			t.Errorf("Str(%#v) = %q, %v; want %q", tc.v, got, ok, tc.want)
		}
	}
	// str() of these needs types this package does not know.
	for _, v := range []any{[]any{1}, map[string]any{}, []byte("x"), struct{}{}, complex(1, 2)} {
		if got, ok := Str(v); ok || got != "" {
			t.Errorf("Str(%#v) = %q, %v; want false", v, got, ok)
		}
	}
}

func TestAppendFloatBits(t *testing.T) {
	for _, tc := range []struct {
		f    float32
		want string
	}{
		{0.1, "0.1"}, {1.0 / 3, "0.33333334"}, {1e-5, "1e-05"}, {3e38, "3e+38"}, {-2.5, "-2.5"},
	} {
		if got := string(AppendFloat([]byte("x"), float64(tc.f), 32)); got != "x"+tc.want {
			t.Errorf("AppendFloat(x, float32 %v) = %s, want x%s", tc.f, got, tc.want)
		}
	}
}

// bytesCases are byte strings with Python 3's repr() of each.
var bytesCases = []struct{ in, want string }{
	{"", "b''"},
	{"1.2.3.4", "b'1.2.3.4'"},
	{"it's", `b"it's"`},
	{`say "hi"`, `b'say "hi"'`},
	{`it's "x"`, `b'it\'s "x"'`},
	{`a\b`, `b'a\\b'`},
	{"\t\n\r\x00\x1f\x7f\x80\xff", `b'\t\n\r\x00\x1f\x7f\x80\xff'`},
	{"Zoë", `b'Zo\xc3\xab'`},
	{"~ !", "b'~ !'"},
}

func TestBytesRepr(t *testing.T) {
	for _, tc := range bytesCases {
		if got := BytesRepr(tc.in); got != tc.want {
			t.Errorf("BytesRepr(%q) = %s, want %s", tc.in, got, tc.want)
		}
		if got := string(AppendBytesRepr([]byte("x|"), tc.in)); got != "x|"+tc.want {
			t.Errorf("AppendBytesRepr(x|, %q) = %s, want x|%s", tc.in, got, tc.want)
		}
	}
}

// strReprCases are str values with Python 3's repr() of each.
var strReprCases = []struct{ in, want string }{
	{"", "''"},
	{"a", "'a'"},
	{"it's", `"it's"`},
	{`"x"`, `'"x"'`},
	{`it's "x"`, `'it\'s "x"'`},
	{`a\b`, `'a\\b'`},
	{"\x00\x7f\n\t\r", `'\x00\x7f\n\t\r'`},
	{"é☃", "'é☃'"},
	{"\u2028\u00ad\u00a0", `'\u2028\xad\xa0'`},
	{"\U000e0001", `'\U000e0001'`},
	{"😀 ", "'😀 '"},
}

func TestStrRepr(t *testing.T) {
	for _, tc := range strReprCases {
		if got := StrRepr(tc.in); got != tc.want {
			t.Errorf("StrRepr(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	// Bytes that are not UTF-8 are marked, where Python would never see them.
	if got, want := StrRepr("a\xffb"), `'a\ufffdb'`; got != want {
		t.Errorf("StrRepr(a\\xffb) = %s, want %s", got, want)
	}
}

// TestAgainstPython asks python3, when there is one, for the answers the
// tables above hold.
func TestAgainstPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	var exprs []string
	for _, tc := range strCases {
		exprs = append(exprs, "str("+tc.py+")")
	}
	for _, tc := range bytesCases {
		exprs = append(exprs, "repr(bytes.fromhex('"+hex.EncodeToString([]byte(tc.in))+"'))")
	}
	for _, tc := range strReprCases {
		exprs = append(exprs, "repr(bytes.fromhex('"+hex.EncodeToString([]byte(tc.in))+"').decode())")
	}
	in, _ := json.Marshal(exprs)
	cmd := exec.Command(py, "-c", "import json, sys; print(json.dumps([eval(e) for e in json.load(sys.stdin)]))")
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var answers []string
	if err := json.Unmarshal(out, &answers); err != nil || len(answers) != len(exprs) {
		t.Fatalf("python3 said %s (%v)", out, err)
	}
	var wants []string
	for _, tc := range strCases {
		wants = append(wants, tc.want)
	}
	for _, tc := range bytesCases {
		wants = append(wants, tc.want)
	}
	for _, tc := range strReprCases {
		wants = append(wants, tc.want)
	}
	for i, e := range exprs {
		if answers[i] != wants[i] {
			t.Errorf("%s: Python %s, table %s", e, answers[i], wants[i])
		}
	}
}
