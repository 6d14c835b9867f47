package itsdangerous

import (
	"encoding/base64"
	"encoding/binary"
	"slices"
)

// b64 is itsdangerous's base64: URL-safe alphabet, no "=" padding.
var b64 = base64.RawURLEncoding

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// b64Dec maps an alphabet byte to its 6-bit value and anything else to 0xff.
var b64Dec = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < len(b64Alphabet); i++ {
		t[b64Alphabet[i]] = byte(i)
	}
	return t
}()

// AppendBase64 appends the unpadded URL-safe base64 encoding of src to
// dst (itsdangerous base64_encode).
func AppendBase64(dst, src []byte) []byte {
	return b64.AppendEncode(dst, src)
}

// Base64Decode decodes unpadded URL-safe base64 (itsdangerous
// base64_decode). It is strict: it accepts only the canonical form that
// AppendBase64 writes, so a decoded value re-encodes to the same text.
// Python is more lenient (it also takes "=" padding, "+", "/" and stray
// characters); nothing itsdangerous or Flask writes needs that. Errors
// match ErrBadData.
func Base64Decode(src []byte) ([]byte, error) {
	dst := make([]byte, b64.DecodedLen(len(src)))
	n, ok := decodeBase64(dst, src)
	if !ok {
		return nil, errBase64
	}
	return dst[:n], nil
}

// appendBase64Decode appends the decoding of src to dst, like
// Base64Decode. On error it returns dst unchanged.
func appendBase64Decode(dst, src []byte) ([]byte, error) {
	n := b64.DecodedLen(len(src))
	out := slices.Grow(dst, n)
	m, ok := decodeBase64(out[len(dst):len(dst)+n], src)
	if !ok {
		return dst, errBase64
	}
	return out[:len(dst)+m], nil
}

// decodeBase64 strictly decodes src into dst, which must hold
// b64.DecodedLen(len(src)) bytes. It rejects characters outside the
// alphabet (including padding and newlines, which encoding/base64 skips),
// a length of 1 mod 4, and non-zero unused bits in the last character.
func decodeBase64(dst, src []byte) (n int, ok bool) {
	for len(src) >= 4 {
		a, b, c, d := b64Dec[src[0]], b64Dec[src[1]], b64Dec[src[2]], b64Dec[src[3]]
		if a|b|c|d == 0xff {
			return 0, false
		}
		v := uint(a)<<18 | uint(b)<<12 | uint(c)<<6 | uint(d)
		_ = dst[n+2]
		dst[n], dst[n+1], dst[n+2] = byte(v>>16), byte(v>>8), byte(v)
		n += 3
		src = src[4:]
	}
	switch len(src) {
	case 0:
		return n, true
	case 2:
		a, b := b64Dec[src[0]], b64Dec[src[1]]
		if a|b == 0xff || b&0x0f != 0 {
			return 0, false
		}
		dst[n] = a<<2 | b>>4
		return n + 1, true
	case 3:
		a, b, c := b64Dec[src[0]], b64Dec[src[1]], b64Dec[src[2]]
		if a|b|c == 0xff || c&0x03 != 0 {
			return 0, false
		}
		dst[n], dst[n+1] = a<<2|b>>4, b<<4|c>>2
		return n + 2, true
	}
	return 0, false // 1 mod 4 cannot come from any byte string
}

// intBytes returns n as big-endian bytes with leading zero bytes
// stripped, so 0 gives an empty slice (itsdangerous int_to_bytes), in b.
func intBytes(b *[8]byte, n uint64) []byte {
	binary.BigEndian.PutUint64(b[:], n)
	i := 0
	for i < 8 && b[i] == 0 {
		i++
	}
	return b[i:]
}

// bytesToInt reads big-endian bytes as an unsigned integer (itsdangerous
// bytes_to_int). More than 8 bytes is an error matching ErrBadData.
func bytesToInt(b []byte) (uint64, error) {
	if len(b) > 8 {
		return 0, errIntBytes
	}
	var n uint64
	for _, c := range b {
		n = n<<8 | uint64(c)
	}
	return n, nil
}
