package taggedjson

import (
	"reflect"
	"strconv"
	"testing"
)

func TestParseFlat(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want map[string]any // nil: left to the full decoder
	}{
		{`{}`, map[string]any{}},
		{` { } `, map[string]any{}},
		{`{"a":"x","b":-12,"c":true,"d":false,"e":null,"f":["p",1,null],"g":[]}`,
			map[string]any{"a": "x", "b": -12, "c": true, "d": false, "e": nil, "f": []any{"p", 1, nil}, "g": []any{}}},
		{`{ "a" : 0 , "a" : 1 }`, map[string]any{"a": 1}}, // the last duplicate wins
		{`{"":"","~\u007f":"\u007f"}`, nil},
		{"{\"a\":\"\x7f\"}", map[string]any{"a": "\x7f"}},
		{`{"n":999999999999999999}`, map[string]any{"n": 999999999999999999}},
		{`{"n":-0}`, map[string]any{"n": 0}},
		// Not flat, or not valid: the full decoder decides.
		{`{"n":1000000000000000000}`, nil}, // 19 digits
		{`{"n":1.5}`, nil},
		{`{"n":1e3}`, nil},
		{`{"n":01}`, nil},
		{`{"n":-}`, nil},
		{`{"s":"a\"b"}`, nil},
		{`{"s":"é"}`, nil},
		{`{"o":{}}`, nil},
		{`{"l":[[1]]}`, nil},
		{`{" t":["a"]}`, nil},
		{`{" x":1}`, nil},
		{`{"a":truex}`, nil},
		{`{"a":1}x`, nil},
		{`{"a":1,}`, nil},
		{`{"a" 1}`, nil},
		{`{"a":1`, nil},
		{`[1]`, nil},
		{`null`, nil},
		{`{"l":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}`, map[string]any{"l": []any{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}}},
		{`{"l":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]}`, nil}, // over the stack buffer
		{`{"l":[1,]}`, nil},
		{`{"l":[1 2]}`, nil},
	} {
		got, ok := parseFlat(tt.in)
		if ok != (tt.want != nil) || ok && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseFlat(%s) = %#v, %v; want %#v", tt.in, got, ok, tt.want)
		}
		// Whatever the fast path says, the result is the full decoder's.
		full, err := parse(tt.in, true)
		if ok && (err != nil || !reflect.DeepEqual(full, got)) {
			t.Errorf("full decoder: %#v, %v", full, err)
		}
	}
}

// FuzzParseFlat: whatever the fast path accepts, the full decoder accepts
// and decodes to the same values.
func FuzzParseFlat(f *testing.F) {
	for _, s := range []string{
		`{"csrf_token":"3f786850e387550fdab836ed7e6dc881de23001b","login_at":1700000000,"roles":["admin","editor"],"user_id":42,"username":"alice"}`,
		`{"_fresh":true,"_id":"abc","_user_id":"1"}`,
		`{"a":[1,-2,null,true,false,"x"],"b":0}`,
		`{"_flashes":[{" t":["message","hi"]}]}`,
		`{"n":-0,"m":01,"f":1.5e3}`,
		` { "a" : "b" } `,
	} {
		f.Add(s)
	}
	for _, tt := range flaskLoads {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseFlat(s)
		if !ok {
			return
		}
		full, err := parse(s, true)
		if err != nil {
			t.Fatalf("fast path accepted %q, full decoder: %v", s, err)
		}
		if !reflect.DeepEqual(full, got) {
			t.Fatalf("%q: fast path %#v, full decoder %#v", s, got, full)
		}
	})
}

// More members than the stack holds go on into a map.
func TestParseFlatMany(t *testing.T) {
	for _, n := range []int{15, 16, 17, 40} {
		want := map[string]any{}
		s := "{"
		for i := range n {
			k := string(rune('A'+i%26)) + string(rune('a'+i/26))
			want[k] = i
			if i > 0 {
				s += ","
			}
			s += `"` + k + `":` + strconv.Itoa(i)
		}
		s += `,"Aa":"last"}`
		want["Aa"] = "last"
		got, ok := parseFlat(s)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("%d members: %v, %v", n, got, ok)
		}
	}
}
