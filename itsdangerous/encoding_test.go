package itsdangerous

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"testing"
)

// Known answers from Python itsdangerous 2.2.0 (int_to_bytes, base64_encode).
var intVectors = []struct {
	n   uint64
	hex string
	b64 string
}{
	{0, "", ""},
	{1, "01", "AQ"},
	{192, "c0", "wA"},
	{255, "ff", "_w"},
	{256, "0100", "AQA"},
	{1700000000, "6553f100", "ZVPxAA"},
	{1 << 32, "0100000000", "AQAAAAA"},
	{1<<64 - 1, "ffffffffffffffff", "__________8"},
}

func TestIntToBytes(t *testing.T) {
	for _, v := range intVectors {
		var buf [8]byte
		b := intBytes(&buf, v.n)
		if hex.EncodeToString(b) != v.hex {
			t.Errorf("intBytes(%d) = %x, want %s", v.n, b, v.hex)
		}
		if b == nil {
			t.Errorf("intBytes(%d) = nil, want empty non-nil", v.n)
		}
		if got := string(AppendBase64(nil, b)); got != v.b64 {
			t.Errorf("base64(intBytes(%d)) = %q, want %q", v.n, got, v.b64)
		}
		n, err := bytesToInt(b)
		if err != nil || n != v.n {
			t.Errorf("bytesToInt(%x) = %d, %v; want %d", b, n, err, v.n)
		}
	}
}

func TestBytesToInt(t *testing.T) {
	tests := []struct {
		in   []byte
		want uint64
		ok   bool
	}{
		{nil, 0, true},
		{[]byte{0, 0, 1}, 1, true}, // leading zeros are fine, like rjust
		{bytes.Repeat([]byte{0xff}, 8), 1<<64 - 1, true},
		{make([]byte, 9), 0, false},
	}
	for _, tt := range tests {
		n, err := bytesToInt(tt.in)
		if (err == nil) != tt.ok || n != tt.want {
			t.Errorf("bytesToInt(%x) = %d, %v", tt.in, n, err)
		}
		if err != nil && !errors.Is(err, ErrBadData) {
			t.Errorf("bytesToInt error %v does not match ErrBadData", err)
		}
	}
}

func TestBase64RoundTrip(t *testing.T) {
	// itsdangerous test_encoding: round trip of a value with all byte values.
	var all []byte
	for i := 0; i < 256; i++ {
		all = append(all, byte(i))
	}
	for _, in := range [][]byte{nil, []byte("a"), []byte("ab"), []byte("abc"), []byte("abcd"), []byte("\xff\xfe\xfd"), all} {
		enc := AppendBase64(nil, in)
		if want := base64.RawURLEncoding.EncodeToString(in); string(enc) != want {
			t.Fatalf("AppendBase64(%x) = %q, want %q", in, enc, want)
		}
		dec, err := Base64Decode(enc)
		if err != nil || !bytes.Equal(dec, in) {
			t.Fatalf("Base64Decode(%q) = %x, %v; want %x", enc, dec, err, in)
		}
		app, err := appendBase64Decode([]byte("pre"), enc)
		if err != nil || string(app) != "pre"+string(in) {
			t.Fatalf("appendBase64Decode = %q, %v", app, err)
		}
	}
}

func TestBase64Known(t *testing.T) {
	// From Python: base64_encode(b"\xff\xfe") etc. use - and _.
	tests := []struct{ in, out string }{
		{"\xfb\xff", "-_8"},
		{"hello world", "aGVsbG8gd29ybGQ"},
		{"{\"a\":1}", "eyJhIjoxfQ"},
	}
	for _, tt := range tests {
		if got := string(AppendBase64(nil, []byte(tt.in))); got != tt.out {
			t.Errorf("AppendBase64(%q) = %q, want %q", tt.in, got, tt.out)
		}
	}
}

func TestBase64DecodeRejects(t *testing.T) {
	tests := []string{
		"12345",    // itsdangerous test: length 1 mod 4 -> BadData
		"a",        // same
		"aGVsbG8=", // padding (Python accepts; we are strict)
		"ab+/",     // standard alphabet
		"ab\ncd",   // newline (encoding/base64 skips it)
		"ab\rc",    // carriage return
		"ab cd",    // space
		"QR",       // non-zero trailing bits: canonical is "QQ"
		"QUJ",      // non-zero trailing bits: canonical is "QUI"
		"ab\xffcd", // non-ASCII
		"====",
	}
	for _, in := range tests {
		out, err := Base64Decode([]byte(in))
		if err == nil {
			t.Errorf("Base64Decode(%q) = %x, want error", in, out)
			continue
		}
		if !errors.Is(err, ErrBadData) || errors.Is(err, ErrBadSignature) {
			t.Errorf("Base64Decode(%q) error %v: want ErrBadData only", in, err)
		}
		dst := []byte("keep")
		if got, err := appendBase64Decode(dst, []byte(in)); err == nil || string(got) != "keep" {
			t.Errorf("appendBase64Decode(%q) = %q, %v; want dst unchanged and error", in, got, err)
		}
	}
	if out, err := Base64Decode(nil); err != nil || out == nil || len(out) != 0 {
		t.Errorf("Base64Decode(empty) = %#v, %v; want empty, nil", out, err)
	}
}
