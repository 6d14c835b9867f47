package itsdangerous

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func FuzzBase64Decode(f *testing.F) {
	for _, s := range []string{"", "12345", "aGVsbG8gd29ybGQ", "-_8", "QR", "QQ", "aGVsbG8=", "ab\ncd", "__________8", "ZVPxAA"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := Base64Decode(in)
		// encoding/base64 in strict mode agrees, except that it skips newlines.
		std, stdErr := base64.RawURLEncoding.Strict().DecodeString(string(in))
		if !bytes.ContainsAny(in, "\r\n") && (err == nil) != (stdErr == nil) {
			t.Fatalf("Base64Decode(%q): %v; encoding/base64: %v", in, err, stdErr)
		}
		if err != nil {
			if !errors.Is(err, ErrBadData) {
				t.Fatalf("error %v is not ErrBadData", err)
			}
			return
		}
		if !bytes.Equal(out, std) {
			t.Fatalf("Base64Decode(%q) = %x, encoding/base64 %x", in, out, std)
		}
		// Strict: what is accepted is canonical.
		if enc := AppendBase64(nil, out); !bytes.Equal(enc, in) {
			t.Fatalf("Base64Decode(%q) re-encodes to %q", in, enc)
		}
	})
}

func FuzzUnsign(f *testing.F) {
	ts := flaskSigner(f, "old key", vectorKey)
	plain := ts.Signer()
	for _, v := range []string{"eyJhIjoxfQ", "", ".eJyrVkpJVbJSSs7PS85JTVOqBQAqxQVC", "value.____________", "value"} {
		f.Add(ts.SignAt([]byte(v), vectorTime), int64(10))
		f.Add(plain.Sign([]byte(v)), int64(0))
	}
	for _, s := range []string{
		"eyJhIjoxfQ.ZVPxAA.ZQFCiGKBptNwZUpIHmZ4DsCHjik",
		"eyJhIjoxfQ.ZVPxAA.Z1vM8Yu_KgaYCCb6VQoinL_4mMs",
		"value.__________8.AAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"no separator", "", ".", "..", "a.b.c",
	} {
		f.Add([]byte(s), int64(-3))
	}
	f.Fuzz(func(t *testing.T, in []byte, skew int64) {
		now := vectorTime.Add(time.Duration(skew%100) * time.Second)
		u, err := ts.UnsignAt(in, 10*time.Second, now)
		if err != nil {
			if !errors.Is(err, ErrBadSignature) || errors.Is(err, ErrBadPayload) || u.Value != nil || u.Key != -1 {
				t.Fatalf("UnsignAt(%q): %+v, %v", in, u, err)
			}
		} else {
			// Accepted: re-signing gives the same bytes (the signature
			// and timestamp encodings are canonical).
			key := [][]byte{[]byte("old key"), []byte(vectorKey)}[u.Key]
			again, _ := NewTimestampSigner([][]byte{key}, FlaskSessionConfig())
			if re := again.SignAt(u.Value, u.SignedAt); !bytes.Equal(re, in) {
				t.Fatalf("UnsignAt(%q) accepted, re-signs to %q", in, re)
			}
			// Any single-byte change is rejected.
			mut := bytes.Clone(in)
			for i := range mut {
				orig := mut[i]
				for _, d := range []byte{1, 0x20, 0x80} {
					mut[i] = orig ^ d
					if _, err := ts.UnsignAt(mut, 0, now); err == nil {
						t.Fatalf("mutation %q of %q accepted", mut, in)
					}
				}
				mut[i] = orig
			}
		}
		// The plain signer: same properties.
		v, k, err := plain.Unsign(in)
		if err == nil {
			key := [][]byte{[]byte("old key"), []byte(vectorKey)}[k]
			again, _ := NewSigner([][]byte{key}, FlaskSessionConfig())
			if re := again.Sign(v); !bytes.Equal(re, in) {
				t.Fatalf("Unsign(%q) accepted, re-signs to %q", in, re)
			}
		} else if !errors.Is(err, ErrBadSignature) || errors.Is(err, ErrBadTimeSignature) {
			t.Fatalf("Unsign(%q): %v", in, err)
		}
	})
}

func FuzzDecodePayload(f *testing.F) {
	for _, v := range pythonPayloads {
		f.Add([]byte(v.payload), 0)
		f.Add([]byte(v.data), 0)
	}
	f.Add(appendPayload(nil, []byte(strings.Repeat("ab", 500)), true), 100)
	f.Add(appendPayload(nil, []byte(flaskLoginJSON), true), 0)
	f.Add([]byte("."), 0)
	f.Add([]byte(".eJwDAAAAAAE"), 0) // zlib of ""
	f.Fuzz(func(t *testing.T, in []byte, maxSize int) {
		maxSize %= 1 << 16
		out, err := DecodePayload(in, maxSize)
		limit := maxSize
		if limit <= 0 {
			limit = DefaultMaxPayload
		}
		if err != nil {
			var bp *BadPayloadError
			if !errors.As(err, &bp) || !errors.Is(err, ErrBadPayload) || errors.Is(err, ErrBadSignature) || out != nil {
				t.Fatalf("DecodePayload(%q): %q, %v", in, out, err)
			}
			return
		}
		if len(out) > limit {
			t.Fatalf("DecodePayload(%q) = %d bytes, over the limit %d", in, len(out), limit)
		}
		if len(in) == 0 || in[0] != '.' {
			// Uncompressed payloads are canonical base64.
			if re := appendPayload(nil, out, false); !bytes.Equal(re, in) {
				t.Fatalf("DecodePayload(%q) re-encodes to %q", in, re)
			}
		}
		// Whatever decodes survives our own round trip.
		back, err := DecodePayload(appendPayload(nil, out, true), 0)
		if err != nil || !bytes.Equal(back, out) {
			t.Fatalf("round trip of %q: %v", out, err)
		}
	})
}
