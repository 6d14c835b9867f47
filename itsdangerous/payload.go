package itsdangerous

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/adler32"
	"io"
	"strconv"
	"sync"
)

// DefaultMaxPayload is the decoded payload size limit DecodePayload uses
// when given maxSize <= 0.
const DefaultMaxPayload = 1 << 20

// maxPooledBuf keeps large one-off buffers out of the pools.
const maxPooledBuf = 64 << 10

// minCompressible is the shortest input zlib could shrink by 2 bytes: any
// zlib stream of non-empty data has 2 header bytes, at least 3 deflate
// bytes and 4 checksum bytes, so inputs of up to 10 bytes never compress.
const minCompressible = 11

// zWriter compresses payloads too large for the deflater (compress/zlib).
type zWriter struct {
	w   *zlib.Writer
	buf bytes.Buffer
}

var zWriters = sync.Pool{New: func() any {
	z := new(zWriter)
	z.w = zlib.NewWriter(&z.buf)
	return z
}}

// zReader holds DecodePayload's reusable decoder and buffers.
type zReader struct {
	f   inflater
	raw []byte // base64-decoded input
	out []byte // decompressed output
}

var zReaders = sync.Pool{New: func() any { return new(zReader) }}

// AppendPayload appends the URL-safe serializer form of data to dst
// (itsdangerous URLSafeSerializerMixin.dump_payload): base64 of data or,
// when compress is set and zlib saves at least 2 bytes, "." followed by
// base64 of the zlib stream. Up to 32 KiB of data, the zlib bytes are
// those of C zlib at the default level, as Python writes them, so the
// payload matches Python's byte for byte; larger data goes through
// compress/zlib, whose bytes differ (every zlib reader accepts both).
func AppendPayload(dst, data []byte, compress bool) []byte {
	if compress && len(data) >= minCompressible {
		if len(data) <= deflateMaxInput {
			d := deflaters.Get().(*deflater)
			// Usable only if 2 bytes shorter; d gives up early on hopeless input.
			if c := d.zlib(data, len(data)-2); c != nil && len(c) < len(data)-1 {
				dst = appendCompressed(dst, c)
				d.release()
				return dst
			}
			d.release()
		} else {
			z := zWriters.Get().(*zWriter)
			z.buf.Reset()
			z.w.Reset(&z.buf)
			z.w.Write(data) // writes to a bytes.Buffer cannot fail
			z.w.Close()
			if c := z.buf.Bytes(); len(c) < len(data)-1 {
				dst = appendCompressed(dst, c)
				putWriter(z)
				return dst
			}
			putWriter(z)
		}
	}
	return b64.AppendEncode(dst, data)
}

func appendCompressed(dst, c []byte) []byte {
	dst = grow(dst, 1+b64.EncodedLen(len(c)))
	dst = append(dst, '.')
	return b64.AppendEncode(dst, c)
}

func putWriter(z *zWriter) {
	if z.buf.Cap() > maxPooledBuf {
		z.buf = bytes.Buffer{}
		z.w.Reset(&z.buf)
	}
	zWriters.Put(z)
}

// DecodePayload reverses AppendPayload (itsdangerous load_payload before
// deserializing): a leading "." means zlib. It accepts any valid zlib
// stream, ignores bytes after its end like Python, and stops with an error
// once the decoded size would pass maxSize (<= 0 means DefaultMaxPayload),
// never buffering more, so a zlib bomb is cheap to reject. The result is a
// new slice. Errors are *BadPayloadError.
func DecodePayload(payload []byte, maxSize int) ([]byte, error) {
	out, err := AppendDecodePayload(nil, payload, maxSize)
	if err == nil && out == nil {
		out = []byte{} // non-nil even when empty
	}
	return out, err
}

// AppendDecodePayload is DecodePayload appending to dst, for callers that
// reuse a buffer.
func AppendDecodePayload(dst, payload []byte, maxSize int) ([]byte, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxPayload
	}
	if len(payload) == 0 || payload[0] != '.' {
		if b64.DecodedLen(len(payload)) > maxSize {
			return dst, &BadPayloadError{Err: errTooLarge(maxSize)}
		}
		out, err := AppendBase64Decode(dst, payload)
		if err != nil {
			return dst, &BadPayloadError{Err: err}
		}
		return out, nil
	}

	z := zReaders.Get().(*zReader)
	defer putReader(z)
	var err error
	if z.raw, err = AppendBase64Decode(z.raw[:0], payload[1:]); err != nil {
		return dst, &BadPayloadError{Err: err}
	}
	out, err := z.inflate(maxSize)
	z.out = out
	if err != nil {
		return dst, &BadPayloadError{Err: err}
	}
	return append(dst, out...), nil
}

// inflate decodes the zlib stream in z.raw like Python's zlib.decompress:
// header without preset dictionary, deflate data, Adler-32 of the output;
// bytes after that are ignored.
func (z *zReader) inflate(maxSize int) ([]byte, error) {
	raw := z.raw
	if len(raw) < 2 {
		return nil, zlibError(io.ErrUnexpectedEOF)
	}
	if raw[0]&0x0f != 8 || raw[0]>>4 > 7 || (uint(raw[0])<<8|uint(raw[1]))%31 != 0 {
		return nil, zlibError(zlib.ErrHeader)
	}
	if raw[1]&0x20 != 0 {
		return nil, zlibError(zlib.ErrDictionary)
	}
	out, n, err := z.f.inflate(raw[2:], z.out[:0], maxSize)
	switch err {
	case nil:
	case errOutputLimit:
		return out, errTooLarge(maxSize)
	case errInflateTruncated:
		return out, zlibError(io.ErrUnexpectedEOF)
	default:
		return out, zlibError(err)
	}
	sum := raw[2+n:]
	if len(sum) < 4 {
		return out, zlibError(io.ErrUnexpectedEOF)
	}
	if binary.BigEndian.Uint32(sum) != adler32.Checksum(out) {
		return out, zlibError(zlib.ErrChecksum)
	}
	return out, nil
}

func putReader(z *zReader) {
	if cap(z.raw) > maxPooledBuf {
		z.raw = nil
	}
	if cap(z.out) > maxPooledBuf {
		z.out = nil
	}
	zReaders.Put(z)
}

func errTooLarge(max int) error {
	return errors.New("decoded payload is larger than " + strconv.Itoa(max) +
		" bytes (raise the size limit if this is expected)")
}

func zlibError(err error) error {
	if err == io.ErrUnexpectedEOF {
		return fmt.Errorf("could not zlib-decompress: truncated stream: %w", err)
	}
	return fmt.Errorf("could not zlib-decompress: %w", err)
}
