package itsdangerous

import (
	"bytes"
	"compress/zlib"
	"errors"
	"math/rand"
	"runtime"
	"strings"
	"testing"
)

const flaskLoginJSON = `{"_fresh":true,"_id":"4b1e6d3f0a9c8e7d6b5a4f3e2d1c0b9a8f7e6d5c4b3a29181716151413121110","csrf_token":"0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c","user_id":"42"}`

// Payloads written by Python itsdangerous 2.2.0 (URLSafeSerializerMixin.dump_payload).
var pythonPayloads = []struct {
	data, payload string
}{
	{`{"a":1}`, "eyJhIjoxfQ"},
	{`{"user_id":42}`, "eyJ1c2VyX2lkIjo0Mn0"}, // zlib would be 22 bytes: not used
	{flaskLoginJSON, ".eJw1jjsOwjAQBe-ydQo__53LRGt7VyAkkOykQtwdF1DPm9F706FD5o32c1yy0XHvtJOvkNidGi4tS-qxBvbqxHY0UwtnTYuH5qtjW5CREBHg4WABGNqozaHH-XrIc_WMYrlu7QPHknJOJXKovrluBWr-fHnXlPE7YenzBXXjLUc"},
	{strings.Repeat("x", 200), ".eJyrqBgeAADQxF3B"},
	// zlib.compress(b'{"a":"hello hello hello hello"}') + b"trailing garbage": Python ignores the tail.
	{`{"a":"hello hello hello hello"}`, ".eJyrVkpUslLKSM3JyVfAIJVqAaVUCsx0cmFpbGluZyBnYXJiYWdl"},
	{"", ""},
}

func TestDecodePythonPayloads(t *testing.T) {
	for _, v := range pythonPayloads {
		got, err := DecodePayload([]byte(v.payload), 0)
		if err != nil || string(got) != v.data {
			t.Errorf("DecodePayload(%q) = %q, %v; want %q", v.payload, got, err, v.data)
		}
		if got == nil {
			t.Errorf("DecodePayload(%q) = nil", v.payload)
		}
	}
}

func TestAppendPayload(t *testing.T) {
	for _, v := range pythonPayloads[:4] {
		data := []byte(v.data)
		if got := string(appendPayload(nil, data, false)); got != string(AppendBase64(nil, data)) {
			t.Errorf("appendPayload(%q, false) = %q", v.data, got)
		}
		got := appendPayload([]byte("pre"), data, true)
		if !bytes.HasPrefix(got, []byte("pre")) {
			t.Fatalf("appendPayload lost dst: %q", got)
		}
		got = got[3:]
		// Compressed too: the zlib bytes are C zlib's.
		if string(got) != v.payload {
			t.Errorf("appendPayload(%q, true) = %q, want %q", v.data, got, v.payload)
		}
		back, err := DecodePayload(got, 0)
		if err != nil || !bytes.Equal(back, data) {
			t.Errorf("round trip of %q: %q, %v", v.data, back, err)
		}
	}
}

func TestPayloadRoundTripRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 100; i++ {
		data := make([]byte, rng.Intn(3000))
		alphabet := 2 + rng.Intn(255) // low alphabets compress, high ones do not
		for j := range data {
			data[j] = byte(rng.Intn(alphabet))
		}
		for _, compress := range []bool{false, true} {
			p := appendPayload(nil, data, compress)
			if p[0:min(1, len(p))] != nil && len(p) > 0 && p[0] == '.' {
				// A compressed payload must be at least 2 bytes shorter before base64.
				raw, err := Base64Decode(p[1:])
				if err != nil || len(raw) >= len(data)-1 {
					t.Fatalf("compressed %d bytes to %d", len(data), len(raw))
				}
			}
			back, err := DecodePayload(p, 0)
			if err != nil || !bytes.Equal(back, data) {
				t.Fatalf("round trip (%d bytes, compress %v): %v", len(data), compress, err)
			}
		}
	}
}

// TestMinCompressible checks that inputs below minCompressible never win
// the compression test, so skipping zlib for them changes nothing.
func TestMinCompressible(t *testing.T) {
	var buf bytes.Buffer
	for n := 1; n < minCompressible; n++ {
		for _, b := range []byte{0, 'a', 0xff} {
			buf.Reset()
			w, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
			w.Write(bytes.Repeat([]byte{b}, n))
			w.Close()
			if buf.Len() < n-1 {
				t.Errorf("%d bytes compress to %d", n, buf.Len())
			}
		}
	}
}

func zlibBytes(data []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

func TestDecodePayloadErrors(t *testing.T) {
	z := zlibBytes([]byte(flaskLoginJSON))
	badSum := bytes.Clone(z)
	badSum[len(badSum)-1] ^= 1
	// FDICT set, DICTID = adler32("") = 1, which compress/zlib would accept
	// with a nil dictionary and Python rejects ("need dictionary").
	flg := byte(0x80 | 0x20)
	flg |= byte((31 - (0x78<<8|uint(flg))%31) % 31)
	dict := append([]byte{0x78, flg, 0, 0, 0, 1}, z[2:]...)
	b := func(raw []byte) string { return string(AppendBase64(nil, raw)) }
	tests := []struct {
		name, payload, msg string
		is                 error
	}{
		{"bad base64", "eyJhIjoxfQ=", "invalid base64", ErrBadData},
		{"bad base64 compressed", ".eyJhI*oxfQ", "invalid base64", ErrBadData},
		{"just a dot", ".", "zlib", nil},
		{"not zlib", "." + b([]byte(flaskLoginJSON)), "incorrect header check", nil},
		{"truncated zlib", "." + b(z[:len(z)/2]), "truncated", nil},
		{"no checksum", "." + b(z[:len(z)-4]), "truncated", nil},
		{"bad checksum", "." + b(badSum), "incorrect data check", nil},
		{"preset dictionary", "." + b(dict), "need dictionary", nil},
		{"two dots", ".." + b(z), "invalid base64", nil},
	}
	for _, tt := range tests {
		out, err := DecodePayload([]byte(tt.payload), 0)
		var bp *BadPayloadError
		if !errors.As(err, &bp) {
			t.Errorf("%s: DecodePayload = %q, %v; want *BadPayloadError", tt.name, out, err)
			continue
		}
		if !errors.Is(err, ErrBadPayload) || !errors.Is(err, ErrBadData) || errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: wrong error class for %v", tt.name, err)
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%s: %v is not %v", tt.name, err, tt.is)
		}
		if bp.Unwrap() == nil || !strings.HasPrefix(err.Error(), "itsdangerous: bad payload: ") ||
			strings.Count(err.Error(), "itsdangerous: ") != 1 || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: message %q, want %q", tt.name, err, tt.msg)
		}
	}
}

func TestDecodePayloadMaxSize(t *testing.T) {
	data := bytes.Repeat([]byte("abcd"), 250) // 1000 bytes
	for _, compress := range []bool{false, true} {
		p := appendPayload(nil, data, compress)
		if compress != (p[0] == '.') {
			t.Fatalf("compress %v: %q", compress, p[:10])
		}
		if out, err := DecodePayload(p, 1000); err != nil || len(out) != 1000 {
			t.Errorf("compress %v, max 1000: %d, %v", compress, len(out), err)
		}
		out, err := DecodePayload(p, 999)
		if !errors.Is(err, ErrBadPayload) || out != nil || !strings.Contains(err.Error(), "over 999 bytes") {
			t.Errorf("compress %v, max 999: %d, %v", compress, len(out), err)
		}
	}
}

func TestZlibBomb(t *testing.T) {
	bomb := []byte("." + string(AppendBase64(nil, zlibBytes(make([]byte, 2<<20)))))
	t.Logf("2 MiB of zeros: %d-byte payload", len(bomb))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	out, err := DecodePayload(bomb, 0)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrBadPayload) || out != nil {
		t.Fatalf("bomb: %d bytes, %v", len(out), err)
	}
	// The output buffer may reach DefaultMaxPayload+1 bytes once, plus the
	// smaller buffers it grew from; never the 2 MiB.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 3*DefaultMaxPayload {
		t.Errorf("bomb allocated %d bytes", alloc)
	}
	// A small limit stops it early.
	runtime.ReadMemStats(&before)
	if _, err := DecodePayload(bomb, 4096); !errors.Is(err, ErrBadPayload) {
		t.Fatalf("bomb with 4 KiB limit: %v", err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<10 {
		t.Errorf("bomb with 4 KiB limit allocated %d bytes", alloc)
	}
}

func TestPayloadAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are unreliable under the race detector")
	}
	data := []byte(flaskLoginJSON)
	dst := make([]byte, 0, 512)
	compressed := appendPayload(nil, data, true)
	DecodePayload(compressed, 0)
	if n := testing.AllocsPerRun(20, func() { appendPayload(dst[:0], data, true) }); n != 0 {
		t.Errorf("appendPayload compressed with room: %v allocs", n)
	}
	if n := testing.AllocsPerRun(20, func() { DecodePayload(compressed, 0) }); n != 1 {
		t.Errorf("DecodePayload compressed: %v allocs", n)
	}
	plain := appendPayload(nil, []byte(`{"a":1}`), true)
	if n := testing.AllocsPerRun(20, func() { DecodePayload(plain, 0) }); n != 1 {
		t.Errorf("DecodePayload plain: %v allocs", n)
	}
}

func TestAppendDecodePayloadAppends(t *testing.T) {
	data := []byte(`{"user":"alice","roles":["admin","admin","admin","admin"]}`)
	for _, compress := range []bool{false, true} {
		payload := appendPayload(nil, data, compress)
		got, err := AppendDecodePayload([]byte("prefix:"), payload, 0)
		if err != nil {
			t.Fatalf("compress=%v: %v", compress, err)
		}
		if want := "prefix:" + string(data); string(got) != want {
			t.Errorf("compress=%v: got %q, want %q", compress, got, want)
		}
		if _, err := AppendDecodePayload([]byte("x"), append(payload, '!'), 0); err == nil {
			t.Errorf("compress=%v: a bad payload decoded", compress)
		}
	}
}
