// Package zlibc writes zlib streams with the bytes C zlib writes, and
// reads them as C zlib does, for the compressed payloads of itsdangerous.
//
// It exists for byte identity. Python's itsdangerous, and so Flask,
// compresses a payload with zlib.compress at the default level and keeps
// the compressed form only when it is at least 2 bytes shorter. Compress
// writes the bytes of C zlib's compress() at that level for inputs up to
// MaxInput, so a cookie minted in Go is byte for byte the one Flask mints
// from the same session, and the choice to compress comes out the same.
// compress/zlib writes other (equally valid) bytes: with it, none of the
// 26 compressed cookies real Flask minted in testdata/vectors.json
// re-mints exactly.
// The tests hold the bytes to Python's zlib.compress, both as recorded
// sums and live.
//
// Decompress is here because it is faster on cookie-sized streams than
// compress/flate, whose reader clears its large state on every Reset and
// allocates for codes longer than 9 bits: decompressing 1-4 KB sessions
// took compress/flate 1.4 to 1.9 times the CPU time and 10 allocations at
// 4 KB, where Decompress allocates nothing once its pooled buffer has
// grown. It accepts and rejects what C zlib does (compress/flate accepts
// some code-length sets zlib refuses) and never buffers more output than
// its limit.
//
// The algorithms are zlib's, by Jean-loup Gailly and Mark Adler; the code
// is written anew.
package zlibc

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/adler32"
	"sync"
)

// MaxInput is the largest input whose stream Compress writes as C zlib
// does. Larger inputs are compressed by compress/zlib.
const MaxInput = 32 << 10

// maxPooledBuf keeps buffers grown for large one-off inputs out of the
// pools.
const maxPooledBuf = 64 << 10

// ErrTooLarge is returned by Decompress when the data would be longer
// than its limit.
var ErrTooLarge = errors.New("zlibc: data over the size limit")

var (
	errHeader     = errors.New("zlibc: incorrect header check")
	errDictionary = errors.New("zlibc: need dictionary")
	errChecksum   = errors.New("zlibc: incorrect data check")
)

// Compress appends to dst the zlib stream of src as C zlib's compress()
// writes it at the default level (6). With limit >= 0 it gives up when the
// stream would be longer than limit bytes, returning dst unchanged and
// false; it notices most such inputs before building Huffman trees.
// Inputs over MaxInput go through compress/zlib, whose bytes differ from
// C zlib's.
func Compress(dst, src []byte, limit int) ([]byte, bool) {
	if len(src) > MaxInput {
		return compressLarge(dst, src, limit)
	}
	d := deflaters.Get().(*deflater)
	defer d.release()
	z := d.zlib(src, limit)
	if z == nil || (limit >= 0 && len(z) > limit) {
		return dst, false
	}
	return append(dst, z...), true
}

// zWriter is a reusable compress/zlib writer for inputs over MaxInput.
type zWriter struct {
	w   *zlib.Writer
	buf bytes.Buffer
}

var zWriters = sync.Pool{New: func() any {
	z := new(zWriter)
	z.w = zlib.NewWriter(&z.buf)
	return z
}}

func compressLarge(dst, src []byte, limit int) ([]byte, bool) {
	z := zWriters.Get().(*zWriter)
	defer func() {
		if z.buf.Cap() > maxPooledBuf {
			z.buf = bytes.Buffer{}
		}
		zWriters.Put(z)
	}()
	z.buf.Reset()
	z.w.Reset(&z.buf)
	z.w.Write(src) // writes to a bytes.Buffer cannot fail
	z.w.Close()
	if limit >= 0 && z.buf.Len() > limit {
		return dst, false
	}
	return append(dst, z.buf.Bytes()...), true
}

var inflaters = sync.Pool{New: func() any { return new(inflater) }}

// Decompress appends to dst the data of the zlib stream at the start of
// src, as Python's zlib.decompress reads it: a header without a preset
// dictionary, deflate data, the Adler-32 of the data; bytes after the
// stream are ignored. Once the data would pass max bytes it stops with
// ErrTooLarge, having buffered no more than max bytes, so a zlib bomb
// costs little. Other errors carry C zlib's messages.
func Decompress(dst, src []byte, max int) ([]byte, error) {
	if len(src) < 2 {
		return dst, errInflateTruncated
	}
	if src[0]&0x0f != 8 || src[0]>>4 > 7 || (uint(src[0])<<8|uint(src[1]))%31 != 0 {
		return dst, errHeader
	}
	if src[1]&0x20 != 0 {
		return dst, errDictionary
	}
	f := inflaters.Get().(*inflater)
	defer func() {
		if cap(f.buf) > maxPooledBuf {
			f.buf = nil
		}
		inflaters.Put(f)
	}()
	out, n, err := f.inflate(src[2:], f.buf[:0], max)
	f.buf = out
	if err != nil {
		return dst, err
	}
	sum := src[2+n:]
	if len(sum) < 4 {
		return dst, errInflateTruncated
	}
	if binary.BigEndian.Uint32(sum) != adler32.Checksum(out) {
		return dst, errChecksum
	}
	return append(dst, out...), nil
}
