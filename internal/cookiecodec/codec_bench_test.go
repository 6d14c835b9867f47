package cookiecodec

import (
	"testing"
	"time"
)

// benchSession is the 5-key, ~150-byte session of the benchmarks.
func benchSession() map[string]any {
	return map[string]any{
		"username":   "alice",
		"user_id":    42,
		"roles":      []any{"admin", "editor"},
		"csrf_token": "3f786850e387550fdab836ed7e6dc881de23001b",
		"login_at":   1700000000,
	}
}

var benchNow = time.Unix(1700000000, 0)

func benchCodec(b *testing.B) *Codec {
	c, err := New(Config{SecretKey: []byte("bench-secret-key-0123456789")})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func BenchmarkEncode(b *testing.B) {
	c, s := benchCodec(b), benchSession()
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = c.AppendEncodeAt(buf[:0], s, benchNow); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(buf)), "cookie-bytes")
}

func BenchmarkDecode(b *testing.B) {
	c := benchCodec(b)
	cookie, err := c.EncodeAt(benchSession(), benchNow)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.DecodeAt(cookie, benchNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRoundTrip is one request's worth: decode, change a key, encode.
func BenchmarkRoundTrip(b *testing.B) {
	c := benchCodec(b)
	cookie, err := c.EncodeAt(benchSession(), benchNow)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		d, err := c.DecodeAt(cookie, benchNow)
		if err != nil {
			b.Fatal(err)
		}
		d.Session["login_at"] = 1700000001
		if buf, err = c.AppendEncodeAt(buf[:0], d.Session, benchNow); err != nil {
			b.Fatal(err)
		}
	}
}
