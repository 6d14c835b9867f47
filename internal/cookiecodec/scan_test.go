package cookiecodec

import (
	"testing"

	"github.com/ginflask/flasksession/taggedjson"
)

var keyTruthyTests = []struct {
	js   string
	want bool
	err  bool
}{
	{`{"_permanent":true}`, true, false},
	{`{"_permanent":false}`, false, false},
	{`{"_permanent":null}`, false, false},
	{`{}`, false, false},
	{` { } `, false, false},
	{`{"a":1}`, false, false},
	{`{"_permanent":1}`, true, false},
	{`{"_permanent":0}`, false, false},
	{`{"_permanent":-0.0e5}`, false, false},
	{`{"_permanent":0.001}`, true, false},
	{`{"_permanent":""}`, false, false},
	{`{"_permanent":"x"}`, true, false},
	{`{"_permanent":[]}`, false, false},
	{`{"_permanent":[ ]}`, false, false},
	{`{"_permanent":[0]}`, true, false},
	{`{"_permanent":{}}`, false, false},
	{`{"_permanent":{"a":1}}`, true, false},
	{`{"_permanent":{" t":[]}}`, false, false},
	{`{"_permanent":{" t":[1]}}`, true, false},
	{`{"_permanent":{" b":""}}`, false, false},
	{`{"_permanent":{" m":"<b>"}}`, true, false},
	{`{"_permanent":{" d":"Tue, 14 Nov 2023 22:13:20 GMT"}}`, true, false},
	{`{"\u005fpermanent":true}`, true, false},
	{`{"_permanent":true,"_permanent":false}`, false, false},
	{`{"a":{"_permanent":true},"b":["_permanent",true]}`, false, false},
	{`{"a":"}\"","_permanent":true,"z":[{"x":[1,2,{}]}]}`, true, false},
	{"{\n\t\"_permanent\" : true\n}", true, false},
	{``, false, true},
	{`[]`, false, true},
	{`{"_permanent"}`, false, true},
	{`{"_permanent":}`, false, true},
	{`{"_permanent":true`, false, true},
	{`{"_permanent":true}x`, false, true},
	{`{"a":"unterminated}`, false, true},
	{`{"_permanent":{" t":}}`, false, true},
}

func TestKeyTruthy(t *testing.T) {
	for _, tt := range keyTruthyTests {
		got, err := keyTruthy([]byte(tt.js), "_permanent")
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("keyTruthy(%s) = %v, %v; want %v, error %v", tt.js, got, err, tt.want, tt.err)
		}
	}
}

// FuzzKeyTruthy checks the scan against the full decoder: on any object
// the decoder accepts, the scan finds the same truth value.
func FuzzKeyTruthy(f *testing.F) {
	for _, tt := range keyTruthyTests {
		f.Add(tt.js)
	}
	f.Fuzz(func(t *testing.T, js string) {
		got, err := keyTruthy([]byte(js), "_permanent")
		m, derr := taggedjson.UnmarshalObject([]byte(js))
		if derr != nil {
			return // the scan may accept more; the middleware decodes before it trusts
		}
		if err != nil {
			t.Fatalf("keyTruthy(%q) failed (%v) on an object the decoder accepts", js, err)
		}
		if want := taggedjson.Truthy(m["_permanent"]); got != want {
			t.Fatalf("keyTruthy(%q) = %v, decoder says %v", js, got, want)
		}
	})
}

func BenchmarkKeyTruthy(b *testing.B) {
	js := []byte(`{"_permanent":true,"csrf_token":"3f786850e387550fdab836ed7e6dc881de23001b","login_at":1700000000,"roles":["admin","editor"],"user_id":42,"username":"alice"}`)
	b.SetBytes(int64(len(js)))
	for b.Loop() {
		if ok, err := keyTruthy(js, "_permanent"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
