package itsdangerous

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ginflask/flasksession/taggedjson"
)

func BenchmarkSign(b *testing.B) {
	ts := flaskSigner(b, vectorKey)
	value := []byte("eyJ1c2VyX2lkIjo0Mn0")
	dst := make([]byte, 0, 256)
	b.ReportAllocs()
	defer startCPU().report(b)
	for b.Loop() {
		dst = ts.AppendSignAt(dst[:0], value, vectorTime)
	}
}

func BenchmarkSignAlloc(b *testing.B) {
	ts := flaskSigner(b, vectorKey)
	value := []byte("eyJ1c2VyX2lkIjo0Mn0")
	b.ReportAllocs()
	defer startCPU().report(b)
	for b.Loop() {
		ts.SignAt(value, vectorTime)
	}
}

func BenchmarkUnsignAt(b *testing.B) {
	ts := flaskSigner(b, vectorKey)
	signed := ts.SignAt([]byte("eyJ1c2VyX2lkIjo0Mn0"), vectorTime)
	b.ReportAllocs()
	defer startCPU().report(b)
	for b.Loop() {
		if _, err := ts.UnsignAt(signed, time.Hour, vectorTime); err != nil {
			b.Fatal(err)
		}
	}
}

// A value signed with the oldest of three keys: three HMACs.
func BenchmarkUnsignAtOldKey(b *testing.B) {
	old := flaskSigner(b, "k1")
	ts := flaskSigner(b, "k1", "k2", "k3")
	signed := old.SignAt([]byte("eyJ1c2VyX2lkIjo0Mn0"), vectorTime)
	b.ReportAllocs()
	defer startCPU().report(b)
	for b.Loop() {
		if _, err := ts.UnsignAt(signed, time.Hour, vectorTime); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnsignAtBad(b *testing.B) {
	ts := flaskSigner(b, vectorKey)
	signed := ts.SignAt([]byte("eyJ1c2VyX2lkIjo0Mn0"), vectorTime)
	signed[0] ^= 1
	b.ReportAllocs()
	defer startCPU().report(b)
	for b.Loop() {
		ts.UnsignAt(signed, time.Hour, vectorTime)
	}
}

var (
	smallJSON = []byte(`{"user_id":42}`)
	largeJSON = []byte(flaskLoginJSON)
)

func benchAppendPayload(b *testing.B, data []byte, compress bool) {
	dst := make([]byte, 0, 1024)
	b.ReportAllocs()
	defer startCPU().report(b)
	for b.Loop() {
		dst = appendPayload(dst[:0], data, compress)
	}
}

func benchDecodePayload(b *testing.B, data []byte) {
	p := appendPayload(nil, data, true)
	b.ReportAllocs()
	defer startCPU().report(b)
	for b.Loop() {
		if _, err := DecodePayload(p, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendPayloadSmall(b *testing.B)      { benchAppendPayload(b, smallJSON, true) }
func BenchmarkAppendPayloadCompress(b *testing.B)   { benchAppendPayload(b, largeJSON, true) }
func BenchmarkAppendPayloadNoCompress(b *testing.B) { benchAppendPayload(b, largeJSON, false) }
func BenchmarkDecodePayloadSmall(b *testing.B)      { benchDecodePayload(b, smallJSON) }
func BenchmarkDecodePayloadCompressed(b *testing.B) { benchDecodePayload(b, largeJSON) }

// sessionJSON is a Flask-Login session with a cart, grown to at least n
// bytes of JSON: the shape of a session large enough to be compressed.
func sessionJSON(n int) []byte {
	r := rand.New(rand.NewPCG(42, 0))
	hex := func(k int) string {
		b := make([]byte, k)
		for i := range b {
			b[i] = "0123456789abcdef"[r.IntN(16)]
		}
		return string(b)
	}
	names := []string{"Blue mug", "Notebook A5", "Fountain pen", "Desk lamp", "Tea sampler", "USB cable"}
	b := fmt.Appendf(nil, `{"_fresh":true,"_id":"%s","_user_id":"%d","csrf_token":"%s","cart":[`, hex(128), r.IntN(100000), hex(40))
	for i := 0; len(b) < n-2; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"sku":"SKU-%05d","name":"%s","qty":%d,"price":%d.%02d,"added":{" d":"Tue, 14 Nov 2023 22:%02d:%02d GMT"}}`,
			r.IntN(100000), names[r.IntN(len(names))], 1+r.IntN(5), r.IntN(200), r.IntN(100), r.IntN(60), r.IntN(60))
	}
	return append(b, "]}"...)
}

// BenchmarkLoadCompressed is the cookie hot path for a compressed session:
// verify the signature, decompress, parse Flask's tagged JSON.
func BenchmarkLoadCompressed(b *testing.B) {
	ts := flaskSigner(b, vectorKey)
	for _, n := range []int{1 << 10, 2 << 10, 4 << 10} {
		js := sessionJSON(n)
		cookie := ts.SignAt(appendPayload(nil, js, true), vectorTime)
		if cookie[0] != '.' {
			b.Fatal("not compressed")
		}
		b.Run(fmt.Sprintf("json=%dKB", n>>10), func(b *testing.B) {
			buf := make([]byte, 0, 8<<10)
			b.ReportAllocs()
			b.ReportMetric(float64(len(cookie)), "cookie-bytes")
			defer startCPU().report(b)
			for b.Loop() {
				u, err := ts.UnsignAt(cookie, time.Hour, vectorTime)
				if err != nil {
					b.Fatal(err)
				}
				if buf, err = AppendDecodePayload(buf[:0], u.Value, 0); err != nil {
					b.Fatal(err)
				}
				if _, err := taggedjson.UnmarshalObject(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodePayloadSizes is the decompression step alone.
func BenchmarkDecodePayloadSizes(b *testing.B) {
	for _, n := range []int{1 << 10, 2 << 10, 4 << 10} {
		p := appendPayload(nil, sessionJSON(n), true)
		b.Run(fmt.Sprintf("json=%dKB", n>>10), func(b *testing.B) {
			buf := make([]byte, 0, 8<<10)
			b.ReportAllocs()
			defer startCPU().report(b)
			for b.Loop() {
				var err error
				if buf, err = AppendDecodePayload(buf[:0], p, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAppendPayloadSizes is the compression step alone.
func BenchmarkAppendPayloadSizes(b *testing.B) {
	for _, n := range []int{1 << 10, 2 << 10, 4 << 10} {
		js := sessionJSON(n)
		b.Run(fmt.Sprintf("json=%dKB", n>>10), func(b *testing.B) {
			dst := make([]byte, 0, 8<<10)
			b.ReportAllocs()
			defer startCPU().report(b)
			for b.Loop() {
				dst = appendPayload(dst[:0], js, true)
			}
		})
	}
}
