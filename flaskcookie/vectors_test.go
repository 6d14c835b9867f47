package flaskcookie

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ginflask/flasksession/internal/flaskoracle"
	"github.com/ginflask/flasksession/itsdangerous"
)

// flaskOutcome classifies a DecodeAt error like the vectors' "expect" field.
func flaskOutcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, itsdangerous.ErrSignatureExpired):
		return "expired"
	case errors.Is(err, itsdangerous.ErrBadSignature):
		return "bad_signature"
	case errors.Is(err, itsdangerous.ErrBadPayload):
		return "bad_payload"
	}
	return fmt.Sprintf("unclassified error %T", err)
}

// flaskPayloadJSON returns the JSON text inside a cookie, inflating it when
// compressed. It is written independently of the codec on purpose.
func flaskPayloadJSON(cookie string) ([]byte, error) {
	compressed := strings.HasPrefix(cookie, ".")
	payload, _, _ := strings.Cut(strings.TrimPrefix(cookie, "."), ".")
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || !compressed {
		return raw, err
	}
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

func flaskMustCodec(tb testing.TB, cfg Config) *Codec {
	tb.Helper()
	c, err := New(cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return c
}

// TestFlaskVectors decodes every vector minted by real Flask (3.1 and 2.2
// agree on all of them) and, for those Flask minted from a session, checks
// that the codec writes the same JSON and the same cookie byte for byte:
// uncompressed with CompressAbove 0, and compressed or not, as Flask
// decided, with CompressAbove 1.
func TestFlaskVectors(t *testing.T) {
	var n, exact, jsonExact, compressedExact int
	for _, v := range flaskoracle.Vectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			n++
			c := flaskMustCodec(t, Config{SecretKey: v.Key(), SecretKeyFallbacks: v.FallbackKeys(), MaxAge: v.MaxAgeDuration()})
			d, err := c.DecodeAt(v.Cookie, v.NowTime())
			if got := flaskOutcome(err); got != v.Expect {
				t.Fatalf("DecodeAt(%.80q) at %d, max age %ds: outcome %s (%v), want %s (Flask raised %s)",
					v.Cookie, v.Now, v.MaxAge, got, err, v.Expect, v.PythonError)
			}
			if err != nil {
				if !hasErrPrefix(err) {
					t.Errorf("error message %q lacks a package prefix (%q)", err, errPrefixes)
				}
				return
			}
			want, err := v.Session()
			if err != nil {
				t.Fatal(err)
			}
			if diff := flaskoracle.Diff(want, d.Session); diff != "" {
				t.Errorf("decoded session differs from Flask's:\n%s", diff)
			}
			if d.Session == nil {
				t.Errorf("Decoded.Session is nil; want an empty map")
			}
			if d.Compressed != v.Compressed {
				t.Errorf("Decoded.Compressed = %v, want %v", d.Compressed, v.Compressed)
			}
			if v.SignedAt == 0 {
				return
			}
			if !d.SignedAt.Equal(v.SignedAtTime()) {
				t.Errorf("Decoded.SignedAt = %v, want %v", d.SignedAt, v.SignedAtTime().UTC())
			}
			if wantKey := flaskKeyIndex(v); d.Key != wantKey {
				t.Errorf("Decoded.Key = %d, want %d", d.Key, wantKey)
			}

			// Our encoding of the same session by the same key at the same second.
			signer := flaskMustCodec(t, Config{SecretKey: []byte(*v.SigningKey)})
			mine, err := signer.EncodeAt(want, v.SignedAtTime())
			if err != nil {
				t.Fatalf("EncodeAt: %v", err)
			}
			if v.ByteExact {
				if mine != v.Cookie {
					t.Errorf("EncodeAt differs from Flask:\n got %s\nwant %s", mine, v.Cookie)
				} else {
					exact++
				}
			}
			flaskJSON, err := flaskPayloadJSON(v.Cookie)
			if err != nil {
				t.Fatalf("payload of Flask's cookie: %v", err)
			}
			myJSON, err := flaskPayloadJSON(mine)
			if err != nil {
				t.Fatalf("payload of our cookie: %v", err)
			}
			if !bytes.Equal(myJSON, flaskJSON) {
				t.Errorf("tagged JSON differs from Flask:\n got %s\nwant %s", myJSON, flaskJSON)
			} else {
				jsonExact++
			}

			// With compression always tried, the codec decides as Flask does
			// and its deflate matches C zlib's: the same cookie, compressed or not.
			zs := flaskMustCodec(t, Config{SecretKey: []byte(*v.SigningKey), CompressAbove: 1})
			z, err := zs.EncodeAt(want, v.SignedAtTime())
			if err != nil {
				t.Fatalf("EncodeAt with compression: %v", err)
			}
			if z != v.Cookie {
				t.Errorf("EncodeAt with CompressAbove 1 differs from Flask:\n got %s\nwant %s", z, v.Cookie)
			} else if v.Compressed {
				compressedExact++
			}

			// Compressed: our own compressed cookie must decode back equal.
			zc := flaskMustCodec(t, Config{SecretKey: v.Key(), SecretKeyFallbacks: v.FallbackKeys(), MaxAge: v.MaxAgeDuration(), CompressAbove: 1})
			zcookie, err := zc.EncodeAt(want, v.SignedAtTime())
			if err != nil {
				t.Fatalf("EncodeAt compressed: %v", err)
			}
			back, err := zc.DecodeAt(zcookie, v.NowTime())
			if err != nil {
				t.Fatalf("DecodeAt(our compressed cookie %.60q): %v", zcookie, err)
			}
			if diff := flaskoracle.Diff(want, back.Session); diff != "" {
				t.Errorf("our compressed cookie decodes differently:\n%s", diff)
			}
		})
	}
	t.Logf("%d vectors; %d cookies byte-identical to Flask; %d tagged JSON texts identical; %d compressed cookies also byte-identical",
		n, exact, jsonExact, compressedExact)
}

// flaskKeyIndex is the Decoded.Key expected for a vector Flask minted.
func flaskKeyIndex(v flaskoracle.Vector) int {
	if *v.SigningKey == v.SecretKey {
		return 0
	}
	for i, k := range v.Fallbacks {
		if k == *v.SigningKey {
			return i + 1
		}
	}
	return -2
}

// FuzzDecodeFlaskVectors starts from Flask's cookies: decoding must not
// panic, and a cookie that decodes must re-encode to one that decodes to
// the same session.
func FuzzDecodeFlaskVectors(f *testing.F) {
	for _, v := range flaskoracle.Vectors(f) {
		if v.SecretKey == "dev-secret-key-for-vectors" && len(v.Cookie) < 4096 {
			f.Add(v.Cookie, v.Now)
		}
	}
	c := flaskMustCodec(f, Config{SecretKey: []byte("dev-secret-key-for-vectors"), MaxAge: -1})
	f.Fuzz(func(t *testing.T, cookie string, now int64) {
		d, err := c.DecodeAt(cookie, time.Unix(now, 0))
		if err != nil {
			if flaskOutcome(err) == fmt.Sprintf("unclassified error %T", err) {
				t.Fatalf("unclassified error %T: %v", err, err)
			}
			return
		}
		again, err := c.EncodeAt(d.Session, d.SignedAt)
		if err != nil {
			t.Fatalf("decoded session does not re-encode: %v", err)
		}
		d2, err := c.DecodeAt(again, d.SignedAt)
		if err != nil {
			t.Fatalf("re-encoded cookie does not decode: %v", err)
		}
		if diff := flaskoracle.Diff(d.Session, d2.Session); diff != "" {
			t.Fatalf("re-encoded session differs:\n%s", diff)
		}
	})
}
