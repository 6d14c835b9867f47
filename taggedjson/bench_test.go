package taggedjson

import (
	"encoding/json"
	"testing"
)

// benchSession is the typical 5-key session the performance budget is
// stated for.
func benchSession() map[string]any {
	return map[string]any{
		"username":   "alice",
		"user_id":    42,
		"roles":      []any{"admin", "editor"},
		"csrf_token": "0123456789abcdef0123456789abcdef01234567",
		"login_at":   1700000000,
	}
}

func BenchmarkAppendMarshal(b *testing.B) {
	s := benchSession()
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		buf, err = AppendMarshal(buf[:0], s)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalFlashes(b *testing.B) {
	s := map[string]any{"_flashes": []any{Tuple{"message", "Hello"}, Tuple{"error", "Bad <input>"}}, "user_id": 7}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendMarshal(buf[:0], s)
	}
}

func BenchmarkUnmarshalObject(b *testing.B) {
	data, err := Marshal(benchSession())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := UnmarshalObject(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalFlashes(b *testing.B) {
	data := []byte(`{"_flashes":[{" t":["message","Hello"]},{" t":["error","Bad <input>"]}],"user_id":7}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := UnmarshalObject(data); err != nil {
			b.Fatal(err)
		}
	}
}

// The encoding/json baselines put the numbers above in proportion on a
// noisy machine.
func BenchmarkEncodingJSONMarshal(b *testing.B) {
	s := benchSession()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodingJSONUnmarshal(b *testing.B) {
	data, err := Marshal(benchSession())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			b.Fatal(err)
		}
	}
}
