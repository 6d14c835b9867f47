package flasklogin

import (
	"testing"

	"github.com/ginflask/flasksession/taggedjson"
	"github.com/google/uuid"
)

// TestUserIDString reads user IDs as Flask's session JSON holds them and
// compares with Python's str() of the same values
// (python3 -c 'print(str(10**30), str(1.5), str(1e16))' and so on).
func TestUserIDString(t *testing.T) {
	for _, tc := range []struct{ json, want string }{
		{`"alice"`, "alice"},
		{`"42"`, "42"},
		{`42`, "42"},
		{`-7`, "-7"},
		{`9223372036854775807`, "9223372036854775807"},
		{`1000000000000000000000000000000`, "1000000000000000000000000000000"}, // str(10**30)
		{`-123456789012345678901234567890`, "-123456789012345678901234567890"},
		{`1.5`, "1.5"},    // str(1.5)
		{`1e16`, "1e+16"}, // str(1e16)
		{`1e15`, "1000000000000000.0"},
		{`2.0`, "2.0"},
		{`0.1`, "0.1"},
		{`1e-05`, "1e-05"},
		{`true`, "True"},
		{`false`, "False"},
		{`null`, "None"},
		{`{" u": "12345678123456781234567812345678"}`, "12345678-1234-5678-1234-567812345678"},
		{`{" m": "<b>x</b>"}`, "<b>x</b>"},
		{`[1, 2]`, ""},
		{`{" b": "eA=="}`, ""},
	} {
		m, err := taggedjson.UnmarshalObject([]byte(`{"_user_id": ` + tc.json + `}`))
		if err != nil {
			t.Fatalf("%s: %v", tc.json, err)
		}
		if got := userIDString(m["_user_id"]); got != tc.want {
			t.Errorf("userIDString(%s) = %q, want %q", tc.json, got, tc.want)
		}
	}
	// IDs a Go handler stored this request, before any round trip.
	for _, tc := range []struct {
		v    any
		want string
	}{
		{int64(-5), "-5"}, {uint32(7), "7"}, {uuid.Nil, "00000000-0000-0000-0000-000000000000"},
	} {
		if got := userIDString(tc.v); got != tc.want {
			t.Errorf("userIDString(%#v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
