package flaskrecord

import (
	"testing"

	"github.com/ginflask/flasksession/taggedjson"
)

// loginSession is a typical logged-in Flask session: Flask-Login's
// _user_id, _fresh and _id (a SHA-512 hex digest), Flask-WTF's
// csrf_token, a permanent session and one flashed message.
func loginSession() map[string]any {
	return map[string]any{
		"_user_id":   "42",
		"_fresh":     true,
		"_id":        "1f40fc92da241694750979ee6cf582f2d5d7d28e18335de05abc54d0560e0f5302860c652bf08d560252aa5e74210546f369fbbbce8c12cfc7957b2652fe9a75",
		"csrf_token": "3f786850e387550fdab836ed7e6dc881de23001b",
		"_permanent": true,
		"_flashes":   []any{taggedjson.Tuple{"message", "Welcome back, alice."}},
	}
}

// BenchmarkEncode compares Codec.Encode in each format with
// taggedjson.Marshal, which writes this project's own records, on the
// same session in the same run.
func BenchmarkEncode(b *testing.B) {
	s := loginSession()
	b.Run("taggedjson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := taggedjson.Marshal(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, f := range []Format{MsgPack, JSON, Pickle} {
		c := Codec{Format: f}
		b.Run(f.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Encode(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecode compares Codec.Decode of each format's record with
// taggedjson.UnmarshalObject of the tagged JSON of the same session.
func BenchmarkDecode(b *testing.B) {
	s := loginSession()
	tj, err := taggedjson.Marshal(s)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("taggedjson", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(tj)))
		for b.Loop() {
			if _, err := taggedjson.UnmarshalObject(tj); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, f := range []Format{MsgPack, JSON, Pickle} {
		rec, err := Codec{Format: f}.Encode(s)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(f.String(), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(rec)))
			for b.Loop() {
				if _, err := (Codec{}).Decode(rec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
