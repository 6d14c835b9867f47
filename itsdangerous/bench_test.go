package itsdangerous

import (
	"bytes"
	"compress/flate"
	"io"
	"testing"
	"time"
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
		dst = AppendPayload(dst[:0], data, compress)
	}
}

func benchDecodePayload(b *testing.B, data []byte) {
	p := AppendPayload(nil, data, true)
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

// The stdlib path DecodePayload used before (compress/flate, pooled and
// Reset), for comparison with the decoder in inflate.go.
func BenchmarkInflateStdlib(b *testing.B) {
	z := zlibCompress(nil, largeJSON)
	src := bytes.NewReader(z[2:])
	fr := flate.NewReader(src)
	out := make([]byte, 0, 1024)
	b.ReportAllocs()
	defer startCPU().report(b)
	for b.Loop() {
		src.Reset(z[2:])
		fr.(flate.Resetter).Reset(src, nil)
		n, _ := io.ReadFull(fr, out[:len(largeJSON)])
		if n != len(largeJSON) {
			b.Fatal(n)
		}
	}
}

func BenchmarkInflate(b *testing.B) {
	z := zlibCompress(nil, largeJSON)
	var f inflater
	out := make([]byte, 0, 1024)
	b.ReportAllocs()
	defer startCPU().report(b)
	for b.Loop() {
		var err error
		if out, _, err = f.inflate(z[2:], out[:0], 1<<20); err != nil {
			b.Fatal(err)
		}
	}
}
