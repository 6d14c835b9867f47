package redisstore

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ginflask/flasksession"
	gsessions "github.com/gorilla/sessions"
)

func TestRecordKeysMatchMiddleware(t *testing.T) {
	if recordDataKey != flasksession.RecordDataKey || recordSavedAtKey != flasksession.RecordSavedAtKey {
		t.Fatalf("record keys %q, %q differ from the middleware's %q, %q",
			recordDataKey, recordSavedAtKey, flasksession.RecordDataKey, flasksession.RecordSavedAtKey)
	}
}

func newSession(values map[any]any) *gsessions.Session {
	s := gsessions.NewSession(nil, "session")
	for k, v := range values {
		s.Values[k] = v
	}
	return s
}

const flaskJSON = `{"_flashes":[{" t":["message","Hi \u00e9"]}],"_permanent":true,"user":"alice"}`

var serializeTests = []struct {
	name   string
	values map[any]any
	want   string // "" = an error
}{
	{"record", map[any]any{recordDataKey: []byte(flaskJSON), recordSavedAtKey: int64(1700000000)},
		`{"saved_at":1700000000,"session":` + flaskJSON + `}`},
	{"empty session", map[any]any{recordDataKey: []byte(`{}`), recordSavedAtKey: int64(0)},
		`{"saved_at":0,"session":{}}`},
	{"negative time", map[any]any{recordDataKey: []byte(`{}`), recordSavedAtKey: int64(-1)},
		`{"saved_at":-1,"session":{}}`},
	{"no saved_at", map[any]any{recordDataKey: []byte(`{"a":1}`)}, `{"session":{"a":1}}`},
	{"no data", map[any]any{recordSavedAtKey: int64(1)}, ""},
	{"nothing", map[any]any{}, ""},
	{"foreign key", map[any]any{recordDataKey: []byte(`{}`), "user": "alice"}, ""},
	{"non-string key", map[any]any{recordDataKey: []byte(`{}`), 7: "x"}, ""},
	{"data as string", map[any]any{recordDataKey: `{}`}, ""},
	{"saved_at as int", map[any]any{recordDataKey: []byte(`{}`), recordSavedAtKey: 1}, ""},
	{"data not an object", map[any]any{recordDataKey: []byte(`[1]`)}, ""},
}

func TestSerialize(t *testing.T) {
	for _, tt := range serializeTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Serializer{}.Serialize(newSession(tt.values))
			if tt.want == "" {
				if !errors.Is(err, ErrNotRecord) {
					t.Fatalf("got %q, %v; want ErrNotRecord", got, err)
				}
				if !strings.HasPrefix(err.Error(), "flasksession: ") {
					t.Errorf("message %q lacks the prefix", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

var deserializeTests = []struct {
	name    string
	in      string
	data    string // "" = an error
	savedAt any    // int64, or nil for none
}{
	{"own", `{"saved_at":1700000000,"session":` + flaskJSON + `}`, flaskJSON, int64(1700000000)},
	{"own empty", `{"saved_at":0,"session":{}}`, `{}`, int64(0)},
	{"own negative", `{"saved_at":-12,"session":{"a":[]}}`, `{"a":[]}`, int64(-12)},
	{"spaced and reordered", " {\n \"session\" : {\"a\": 1} ,\n \"saved_at\" : 5 }\n", `{"a": 1}`, int64(5)},
	{"other keys ignored", `{"v":2,"session":{},"saved_at":3}`, `{}`, int64(3)},
	{"no saved_at", `{"session":{"a":1}}`, `{"a":1}`, nil},
	{"null saved_at", `{"saved_at":null,"session":{}}`, `{}`, nil},
	{"empty input", ``, "", nil},
	{"null", `null`, "", nil},
	{"array", `[]`, "", nil},
	{"no session", `{"saved_at":1}`, "", nil},
	{"session null", `{"saved_at":1,"session":null}`, "", nil},
	{"session list", `{"saved_at":1,"session":[]}`, "", nil},
	{"session as string", `{"saved_at":1,"session":"{}"}`, "", nil},
	{"float time", `{"saved_at":1.5,"session":{}}`, "", nil},
	{"string time", `{"saved_at":"1","session":{}}`, "", nil},
	{"leading zero", `{"saved_at":01,"session":{}}`, "", nil},
	{"negative leading zero", `{"saved_at":-01,"session":{}}`, "", nil},
	{"huge time", `{"saved_at":99999999999999999999,"session":{}}`, "", nil},
	{"truncated", `{"saved_at":1,"session":{"a":1}`, "", nil},
	{"gob", "\x0e\xff\x81\x04\x01\x02\xff\x82\x00\x01\x10\x01\x10\x00\x00", "", nil},
}

func TestDeserialize(t *testing.T) {
	for _, tt := range deserializeTests {
		t.Run(tt.name, func(t *testing.T) {
			// A stale saved_at must not survive a record without one.
			s := newSession(map[any]any{recordSavedAtKey: int64(42)})
			err := Serializer{}.Deserialize([]byte(tt.in), s)
			if tt.data == "" {
				var re *RecordError
				if !errors.Is(err, ErrBadRecord) || !errors.As(err, &re) || !re.BadRecord() {
					t.Fatalf("got %v, %v; want a *RecordError matching ErrBadRecord", s.Values, err)
				}
				if !strings.HasPrefix(err.Error(), "flasksession: ") {
					t.Errorf("message %q lacks the prefix", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Values[recordDataKey].([]byte); string(got) != tt.data {
				t.Errorf("data %q, want %q", got, tt.data)
			}
			if got := s.Values[recordSavedAtKey]; got != tt.savedAt {
				t.Errorf("saved_at %#v, want %#v", got, tt.savedAt)
			}
			if len(s.Values) != 1+btoi(tt.savedAt != nil) {
				t.Errorf("extra values: %v", s.Values)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Deserialize hands back a slice the caller may keep: appending to it
// must not write into the input.
func TestDeserializeDataIsCapped(t *testing.T) {
	in := []byte(`{"saved_at":1,"session":{}}`)
	s := newSession(nil)
	if err := (Serializer{}).Deserialize(in, s); err != nil {
		t.Fatal(err)
	}
	_ = append(s.Values[recordDataKey].([]byte), 'x')
	if string(in) != `{"saved_at":1,"session":{}}` {
		t.Errorf("input changed to %q", in)
	}
}

func FuzzDeserialize(f *testing.F) {
	for _, tt := range deserializeTests {
		f.Add([]byte(tt.in))
	}
	for _, tt := range serializeTests {
		if tt.want != "" {
			f.Add([]byte(tt.want))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		s := newSession(nil)
		if err := (Serializer{}).Deserialize(in, s); err != nil {
			if !errors.Is(err, ErrBadRecord) {
				t.Fatalf("error %v is not ErrBadRecord", err)
			}
			return
		}
		data := s.Values[recordDataKey].([]byte)
		if len(data) < 2 || data[0] != '{' || data[len(data)-1] != '}' {
			t.Fatalf("accepted %q with session %q", in, data)
		}
		// An accepted record is written back and read again unchanged.
		out, err := Serializer{}.Serialize(s)
		if err != nil {
			t.Fatalf("accepted %q, but Serialize fails: %v", in, err)
		}
		again := newSession(nil)
		if err := (Serializer{}).Deserialize(out, again); err != nil {
			t.Fatalf("Serialize wrote %q, which Deserialize refuses: %v", out, err)
		}
		if !reflect.DeepEqual(s.Values, again.Values) {
			t.Fatalf("round trip %v -> %q -> %v", s.Values, out, again.Values)
		}
	})
}
