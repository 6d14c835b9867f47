package flaskrecord

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

// goldenCase is one case of testdata/golden.json, which
// testdata/pyrecord.py gen writes with Debian's Python 3.11 and
// Flask-Session 0.3.2 (see that script for how the msgpack and JSON
// records stand in for msgspec's).
type goldenCase struct {
	Name                 string            `json:"name"`
	Value                *typed            `json:"value"`
	Pickle               map[string]string `json:"pickle"`
	FlaskSession032      string            `json:"flask_session_032"`
	FlaskSession032Value *typed            `json:"flask_session_032_value"`
	MsgPack              string            `json:"msgpack"`
	MsgPackValue         *typed            `json:"msgpack_value"`
	JSON                 string            `json:"json"`
	JSONValue            *typed            `json:"json_value"`
}

type golden struct {
	Python          string       `json:"python"`
	DefaultProtocol int          `json:"pickle_default_protocol"`
	Cases           []goldenCase `json:"cases"`
}

func loadGolden(tb testing.TB) golden {
	tb.Helper()
	data, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		tb.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(data, &g); err != nil {
		tb.Fatal(err)
	}
	return g
}

// batchesValue is the golden case "batches", which golden.json holds only
// as records (its typed form would be most of the file).
func batchesValue() map[string]any {
	d1000 := map[string]any{}
	d1001 := map[string]any{}
	var l1000, l1001 []any
	for i := range 1001 {
		k := fmt.Sprintf("k%04d", i)
		if i < 1000 {
			d1000[k] = i
			l1000 = append(l1000, i)
		}
		d1001[k] = i
		l1001 = append(l1001, i)
	}
	return map[string]any{"d1000": d1000, "d1001": d1001, "l1000": l1000, "l1001": l1001,
		"one": []any{1}, "onedict": map[string]any{"a": 1}}
}

func mustTyped(t *testing.T, tv *typed) any {
	t.Helper()
	v, err := fromTyped(*tv)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGolden decodes every record Python made to the value it was made
// from, and encodes that value to the same bytes: protocol 4 pickles as
// Python 3.11's pickle.dumps writes them, msgpack and JSON as msgspec
// writes them.
func TestGolden(t *testing.T) {
	g := loadGolden(t)
	if g.DefaultProtocol != 4 {
		t.Fatalf("golden.json made with pickle.DEFAULT_PROTOCOL %d, want 4", g.DefaultProtocol)
	}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var want any
			if c.Value != nil {
				want = mustTyped(t, c.Value)
			} else {
				want = batchesValue()
			}
			wm := want.(map[string]any)
			for p, h := range c.Pickle {
				data := unhex(t, h)
				got, f, err := Codec{}.DecodeFormat(data)
				if err != nil {
					t.Fatalf("protocol %s: %v", p, err)
				}
				if f != Pickle {
					t.Errorf("protocol %s: format %v", p, f)
				}
				if d := diff(got, want); d != "" {
					t.Errorf("protocol %s: %s", p, d)
				}
				if p != "4" {
					continue
				}
				enc, err := Codec{Format: Pickle}.Encode(wm)
				if err != nil {
					t.Fatalf("Encode: %v", err)
				}
				// Go writes aware datetimes at UTC; Python kept the
				// offset these were made with.
				if c.Name == "offset" || c.Name == "offset_neg" {
					continue
				}
				if !bytes.Equal(enc, data) {
					t.Errorf("Encode(Pickle) differs from pickle.dumps: %s", firstDiff(enc, data))
				}
			}
			if c.FlaskSession032 != "" {
				got, err := Codec{}.Decode(unhex(t, c.FlaskSession032))
				if err != nil {
					t.Fatalf("Flask-Session 0.3.2 record: %v", err)
				}
				if d := diff(got, mustTyped(t, c.FlaskSession032Value)); d != "" {
					t.Errorf("Flask-Session 0.3.2 record: %s", d)
				}
			}
			if c.MsgPack != "" {
				checkFormat(t, MsgPack, wm, unhex(t, c.MsgPack), c.MsgPackValue)
			}
			if c.JSON != "" {
				checkFormat(t, JSON, wm, unhex(t, c.JSON), c.JSONValue)
			}
		})
	}
}

func checkFormat(t *testing.T, f Format, value map[string]any, data []byte, decoded *typed) {
	t.Helper()
	var want any = value
	if decoded != nil {
		want = mustTyped(t, decoded)
	}
	got, gf, err := Codec{}.DecodeFormat(data)
	if err != nil {
		t.Fatalf("%v: Decode: %v", f, err)
	}
	if gf != f {
		t.Errorf("%v: decoded as %v", f, gf)
	}
	if d := diff(got, want); d != "" {
		t.Errorf("%v: Decode: %s", f, d)
	}
	enc, err := Codec{Format: f}.Encode(value)
	if err != nil {
		t.Fatalf("%v: Encode: %v", f, err)
	}
	if !bytes.Equal(enc, data) {
		t.Errorf("%v: Encode differs from msgspec's record: %s", f, firstDiff(enc, data))
	}
}
