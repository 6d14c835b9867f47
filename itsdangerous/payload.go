package itsdangerous

import (
	"errors"
	"slices"
	"strconv"

	"github.com/ginflask/flasksession/internal/bufpool"
	"github.com/ginflask/flasksession/internal/hotpath"
	"github.com/ginflask/flasksession/internal/zlibc"
)

// The module's cookie codec builds payloads itself; see package hotpath.
func init() {
	hotpath.AppendPayload = appendPayload
	hotpath.BytesToInt = bytesToInt
}

// DefaultMaxPayload is the decoded payload size limit DecodePayload uses
// when given maxSize <= 0.
const DefaultMaxPayload = 1 << 20

// minCompressible is the shortest input zlib could shrink by 2 bytes: any
// zlib stream of non-empty data has 2 header bytes, at least 3 deflate
// bytes and 4 checksum bytes, so inputs of up to 10 bytes never compress.
const minCompressible = 11

// scratch holds zlib streams between compression and base64.
var scratch = &bufpool.Pool{Max: 64 << 10}

// appendPayload appends the URL-safe serializer form of data to dst
// (itsdangerous URLSafeSerializerMixin.dump_payload): base64 of data or,
// when compress is set and zlib saves at least 2 bytes, "." followed by
// base64 of the zlib stream. Up to 32 KiB of data, the zlib bytes are
// those of C zlib at the default level, as Python writes them, so the
// payload matches Python's byte for byte; larger data goes through
// compress/zlib, whose bytes differ (every zlib reader accepts both).
func appendPayload(dst, data []byte, compress bool) []byte {
	if compress && len(data) >= minCompressible {
		bp := scratch.Get()
		defer scratch.Put(bp)
		var ok bool
		if *bp, ok = zlibc.Compress(*bp, data, len(data)-2); ok {
			dst = slices.Grow(dst, 1+b64.EncodedLen(len(*bp)))
			dst = append(dst, '.')
			return b64.AppendEncode(dst, *bp)
		}
	}
	return b64.AppendEncode(dst, data)
}

// DecodePayload reverses the serializer's payload encoding (itsdangerous load_payload before
// deserializing): a leading "." means zlib. It accepts any zlib stream
// Python's zlib.decompress accepts, ignores bytes after its end like
// Python, and stops with an error once the decoded size would pass
// maxSize (<= 0 means DefaultMaxPayload), never buffering more, so a zlib
// bomb is cheap to reject. The result is a new slice. Errors are
// *BadPayloadError.
func DecodePayload(payload []byte, maxSize int) ([]byte, error) {
	out, err := AppendDecodePayload(nil, payload, maxSize)
	if err == nil && out == nil {
		out = []byte{} // non-nil even when empty
	}
	return out, err
}

// AppendDecodePayload is DecodePayload appending to dst, for callers that
// reuse a buffer. On error it returns dst unchanged.
func AppendDecodePayload(dst, payload []byte, maxSize int) ([]byte, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxPayload
	}
	if len(payload) == 0 || payload[0] != '.' {
		if b64.DecodedLen(len(payload)) > maxSize {
			return dst, &BadPayloadError{Err: errTooLarge(maxSize)}
		}
		out, err := appendBase64Decode(dst, payload)
		if err != nil {
			return dst, &BadPayloadError{Err: err}
		}
		return out, nil
	}
	bp := scratch.Get()
	defer scratch.Put(bp)
	raw, err := appendBase64Decode(*bp, payload[1:])
	if err != nil {
		return dst, &BadPayloadError{Err: err}
	}
	*bp = raw
	out, err := zlibc.Decompress(dst, raw, maxSize)
	if errors.Is(err, zlibc.ErrTooLarge) {
		err = errTooLarge(maxSize)
	}
	if err != nil {
		return dst, &BadPayloadError{Err: err}
	}
	return out, nil
}

func errTooLarge(max int) error {
	return errors.New("decoded size over " + strconv.Itoa(max) + " bytes")
}
