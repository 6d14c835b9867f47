package zlibc

import (
	"bytes"
	"compress/flate"
	"encoding/hex"
	"errors"
	"io"
	"testing"
)

func inflateAll(in []byte, max int) ([]byte, int, error) {
	var f inflater
	return f.inflate(in, nil, max)
}

func TestInflateErrors(t *testing.T) {
	tests := []struct {
		name, hex string
		want      error
	}{
		{"empty", "", errInflateTruncated},
		{"block type 3", "07", errBlockType},
		{"stored lengths", "010500fbff", errStoredLengths}, // NLEN is not ^LEN
		{"stored truncated", "010500faff6869", errInflateTruncated},
		// Streams written bit by bit; zlib.decompress(x, -15) gives the same errors.
		{"distance too far", "4b044200", errDistTooFar},
		{"too many symbols", "f50000", errTooManySymbols},
		{"literal code 286", "1b03", errLitLenCode},
		{"distance code 30", "4b043e", errDistCode},
	}
	for _, tt := range tests {
		in, _ := hex.DecodeString(tt.hex)
		_, _, err := inflateAll(in, 1<<20)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestInflateStored(t *testing.T) {
	// Stored block "hello" then a fixed block with just end-of-block, then
	// trailing bytes that are not part of the stream.
	in, _ := hex.DecodeString("000500faff68656c6c6f0300" + "ffff")
	out, n, err := inflateAll(in, 100)
	if err != nil || string(out) != "hello" || n != len(in)-2 {
		t.Fatalf("inflate = %q, %d, %v", out, n, err)
	}
	if _, _, err := inflateAll(in, 4); err != ErrTooLarge {
		t.Fatalf("limit 4: %v", err)
	}
}

func TestInflateCorpus(t *testing.T) {
	for _, data := range zlibCorpus() {
		z := zlibCompress(nil, data)
		out, n, err := inflateAll(z[2:], len(data))
		if err != nil || !bytes.Equal(out, data) || n != len(z)-6 {
			t.Fatalf("%d bytes: %v (used %d of %d)", len(data), err, n, len(z)-6)
		}
		if len(data) > 0 {
			if _, _, err := inflateAll(z[2:], len(data)-1); err != ErrTooLarge {
				t.Fatalf("%d bytes with limit len-1: %v", len(data), err)
			}
		}
	}
}

// FuzzInflate compares the decoder with compress/flate.
func FuzzInflate(f *testing.F) {
	for _, data := range zlibCorpus()[:30] {
		if len(data) < 3000 {
			f.Add(zlibCompress(nil, data)[2:])
		}
	}
	for _, s := range []string{"", "07", "010500faff", "000500faff68656c6c6f0300ffff", "63000200", "fd", "0300"} {
		in, _ := hex.DecodeString(s)
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		const max = 1 << 16
		out, n, err := inflateAll(in, max)
		r := bytes.NewReader(in)
		want, werr := io.ReadAll(io.LimitReader(flate.NewReader(r), max+1))
		if len(want) > max {
			if err != ErrTooLarge {
				t.Fatalf("flate output over the limit, ours: %v", err)
			}
			return
		}
		if werr != nil {
			if err == nil {
				// Go accepts a complete single-code code-length tree that
				// zlib rejects, never the reverse.
				t.Fatalf("flate rejects (%v), we accept %q", werr, out)
			}
			return
		}
		if err != nil {
			if errors.Is(err, errCodeLengths) {
				return // the zlib-only rejection above
			}
			t.Fatalf("flate accepts %d bytes, we reject: %v", len(want), err)
		}
		if !bytes.Equal(out, want) {
			t.Fatalf("output differs from flate")
		}
		if used := len(in) - r.Len(); n != used {
			t.Fatalf("stream length %d, flate used %d", n, used)
		}
	})
}
