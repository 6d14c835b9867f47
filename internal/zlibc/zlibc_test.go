package zlibc

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"errors"
	"runtime"
	"strings"
	"testing"
)

func zlibStd(data []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

// TestCompressLimit checks that Compress gives up exactly when the stream
// is longer than the limit, below MaxInput and above it.
func TestCompressLimit(t *testing.T) {
	json := []byte(strings.Repeat(`{"user_id":42,"csrf_token":"0f1e2d3c"},`, 30))
	large := bytes.Repeat(json, MaxInput/len(json)+1)
	for _, in := range [][]byte{json, large, []byte("abcdefghijk")} {
		full, ok := Compress(nil, in, -1)
		if !ok {
			t.Fatalf("%d bytes: no limit, gave up", len(in))
		}
		for _, limit := range []int{0, len(full) - 1, len(full), len(full) + 1} {
			got, ok := Compress([]byte("x"), in, limit)
			if ok != (len(full) <= limit) {
				t.Errorf("%d bytes, stream %d, limit %d: ok = %v", len(in), len(full), limit, ok)
			}
			if ok && !bytes.Equal(got, append([]byte("x"), full...)) {
				t.Errorf("%d bytes, limit %d: the limit changed the stream", len(in), limit)
			}
			if !ok && string(got) != "x" {
				t.Errorf("%d bytes, limit %d: gave up but changed dst to %q", len(in), limit, got)
			}
		}
	}
}

func TestDecompress(t *testing.T) {
	data := []byte(strings.Repeat(`{"a":"hello hello"}`, 20))
	z, _ := Compress(nil, data, -1)
	badSum := bytes.Clone(z)
	badSum[len(badSum)-1] ^= 1
	// FDICT set, with the Adler-32 of an empty dictionary: compress/zlib
	// reads it with a nil dictionary, C zlib refuses it.
	flg := byte(0x80 | 0x20)
	flg |= byte((31 - (0x78<<8|uint(flg))%31) % 31)
	dict := append([]byte{0x78, flg, 0, 0, 0, 1}, z[2:]...)
	tests := []struct {
		name string
		in   []byte
		max  int
		want string // data, or
		err  error
	}{
		{"ok", z, len(data), string(data), nil},
		{"trailing bytes ignored", append(bytes.Clone(z), "tail"...), len(data), string(data), nil},
		{"empty data", []byte{0x78, 0x9c, 0x03, 0x00, 0, 0, 0, 1}, 10, "", nil},
		{"compress/zlib's bytes", zlibStd(data), len(data), string(data), nil},
		{"over the limit", z, len(data) - 1, "", ErrTooLarge},
		{"empty", nil, 100, "", errInflateTruncated},
		{"one byte", z[:1], 100, "", errInflateTruncated},
		{"not zlib", data, 100, "", errHeader},
		{"bad check bits", []byte{0x78, 0x9d, 0x03, 0x00}, 100, "", errHeader},
		{"preset dictionary", dict, 1000, "", errDictionary},
		{"truncated data", z[:len(z)/2], 1000, "", errInflateTruncated},
		{"no checksum", z[:len(z)-4], 1000, "", errInflateTruncated},
		{"short checksum", z[:len(z)-1], 1000, "", errInflateTruncated},
		{"bad checksum", badSum, 1000, "", errChecksum},
	}
	for _, tt := range tests {
		got, err := Decompress([]byte("p:"), tt.in, tt.max)
		if err != tt.err {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.err)
			continue
		}
		want := "p:" + tt.want
		if err != nil {
			want = "p:"
		}
		if string(got) != want {
			t.Errorf("%s: got %q, want %q", tt.name, got, want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "zlibc: ") {
			t.Errorf("%s: message %q lacks the package prefix", tt.name, err)
		}
	}
}

// TestDecompressBomb: 8 MiB of zeros in an 8 KB stream fails at the limit
// without buffering more than the limit.
func TestDecompressBomb(t *testing.T) {
	bomb := zlibStd(make([]byte, 8<<20))
	for _, max := range []int{4 << 10, 1 << 20} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Decompress(nil, bomb, max)
		runtime.ReadMemStats(&after)
		if err != ErrTooLarge {
			t.Fatalf("limit %d: %v", max, err)
		}
		// The buffer grows by doubling up to the limit: under 2*max in all.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(2*max+64<<10) {
			t.Errorf("limit %d: allocated %d bytes", max, alloc)
		}
	}
}

func TestDecompressAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	z, _ := Compress(nil, []byte(strings.Repeat(`{"a":"hello hello"}`, 100)), -1)
	dst := make([]byte, 0, 4096)
	Decompress(nil, z, 1<<20)
	if n := testing.AllocsPerRun(20, func() { Decompress(dst[:0], z, 1<<20) }); n != 0 {
		t.Errorf("Decompress with room: %v allocs", n)
	}
	src := []byte(strings.Repeat("hello world ", 100))
	if n := testing.AllocsPerRun(20, func() { Compress(dst[:0], src, -1) }); n != 0 {
		t.Errorf("Compress with room: %v allocs", n)
	}
}

// FuzzDecompress compares Decompress with compress/zlib on whole streams.
func FuzzDecompress(f *testing.F) {
	for _, v := range zlibVectors {
		z, _ := hex.DecodeString(v.out)
		f.Add(z)
	}
	for _, in := range zlibCorpus()[:20] {
		if len(in) < 3000 {
			z, _ := Compress(nil, in, -1)
			f.Add(z)
		}
	}
	f.Add([]byte{0x78, 0x9c})
	f.Fuzz(func(t *testing.T, in []byte) {
		const max = 1 << 16
		out, err := Decompress(nil, in, max)
		if errors.Is(err, ErrTooLarge) {
			return
		}
		if err != nil {
			if out != nil {
				t.Fatalf("error %v with output", err)
			}
			return // compress/zlib accepts a few streams C zlib refuses
		}
		if len(out) > max {
			t.Fatalf("%d bytes over the limit %d", len(out), max)
		}
		r, zerr := zlib.NewReader(bytes.NewReader(in))
		if zerr != nil {
			t.Fatalf("we accept, compress/zlib refuses the header: %v", zerr)
		}
		var want bytes.Buffer
		if _, zerr := want.ReadFrom(r); zerr != nil {
			t.Fatalf("we accept, compress/zlib refuses: %v", zerr)
		}
		if !bytes.Equal(out, want.Bytes()) {
			t.Fatal("output differs from compress/zlib")
		}
	})
}
