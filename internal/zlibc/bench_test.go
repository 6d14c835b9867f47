package zlibc

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"fmt"
	"io"
	"testing"
)

// The benchmarks compare this package with the standard library on
// session-sized JSON, the measurements behind the package's existence.

var benchSizes = []int{1 << 10, 2 << 10, 4 << 10}

func benchInput(n int) []byte {
	r := corpusRand(1)
	return jsonLike(&r, nil, n)
}

func BenchmarkCompress(b *testing.B) {
	for _, n := range benchSizes {
		in := benchInput(n)
		b.Run(fmt.Sprintf("json=%dKB", n>>10), func(b *testing.B) {
			dst := make([]byte, 0, 2*n)
			b.ReportAllocs()
			for b.Loop() {
				dst, _ = Compress(dst[:0], in, n-2)
			}
		})
	}
}

// BenchmarkCompressStdlib is compress/zlib at the default level, the
// writer pooled and Reset.
func BenchmarkCompressStdlib(b *testing.B) {
	for _, n := range benchSizes {
		in := benchInput(n)
		b.Run(fmt.Sprintf("json=%dKB", n>>10), func(b *testing.B) {
			var buf bytes.Buffer
			w := zlib.NewWriter(&buf)
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				w.Reset(&buf)
				w.Write(in)
				w.Close()
			}
		})
	}
}

func BenchmarkDecompress(b *testing.B) {
	for _, n := range benchSizes {
		z, _ := Compress(nil, benchInput(n), -1)
		b.Run(fmt.Sprintf("json=%dKB", n>>10), func(b *testing.B) {
			dst := make([]byte, 0, 2*n)
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if dst, err = Decompress(dst[:0], z, 1<<20); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecompressStdlib is compress/flate with the same cap (an
// io.LimitedReader of limit+1 bytes), the reader and buffer reused.
func BenchmarkDecompressStdlib(b *testing.B) {
	for _, n := range benchSizes {
		z, _ := Compress(nil, benchInput(n), -1)
		b.Run(fmt.Sprintf("json=%dKB", n>>10), func(b *testing.B) {
			src := bytes.NewReader(z[2:])
			fr := flate.NewReader(src)
			var out bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				src.Reset(z[2:])
				fr.(flate.Resetter).Reset(src, nil)
				out.Reset()
				if _, err := out.ReadFrom(&io.LimitedReader{R: fr, N: 1<<20 + 1}); err != nil || out.Len() != n {
					b.Fatal(err, out.Len())
				}
			}
		})
	}
}
