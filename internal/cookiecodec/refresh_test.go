package cookiecodec

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ginflask/flasksession/itsdangerous"
)

func TestAppendRefreshAt(t *testing.T) {
	key := []byte("refresh test secret key 0123456789")
	c, err := New(Config{SecretKey: key})
	if err != nil {
		t.Fatal(err)
	}
	signedAt := time.Unix(1700000000, 0)
	later := signedAt.Add(time.Hour)
	mint := func(s map[string]any, compress bool) string {
		t.Helper()
		var b []byte
		if compress {
			b, err = c.AppendEncodeCompressedAt(nil, s, signedAt)
		} else {
			b, err = c.AppendEncodeAt(nil, s, signedAt)
		}
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	permanent := map[string]any{"_permanent": true, "user": "alice", "roles": []any{"a", "b"}}
	for _, tt := range []struct {
		name      string
		cookie    string
		refreshed bool
		err       error
	}{
		{"permanent", mint(permanent, false), true, nil},
		{"permanent, compressed", mint(map[string]any{"_permanent": true, "user": "alice", "bio": strings.Repeat("alice", 40)}, true), true, nil},
		{"not permanent", mint(map[string]any{"user": "alice"}, false), false, nil},
		{"permanent false", mint(map[string]any{"_permanent": false, "user": "alice"}, false), false, nil},
		{"tampered", strings.Replace(mint(permanent, false), "e", "f", 1), false, itsdangerous.ErrBadSignature},
		// Not sent again whatever its signature says, so never verified.
		{"not permanent, signature tampered", badSig(mint(map[string]any{"user": "alice"}, false)), false, nil},
		{"not permanent, payload garbled", strings.Replace(mint(map[string]any{"user": "alice"}, false), "e", "f", 1), false, itsdangerous.ErrBadSignature},
		{"permanent, signature tampered", badSig(mint(permanent, false)), false, itsdangerous.ErrBadSignature},
		{"not permanent, too old", func() string {
			b, _ := c.AppendEncodeAt(nil, map[string]any{"user": "alice"}, signedAt.Add(-32*24*time.Hour))
			return string(b)
		}(), false, nil},
		{"not permanent, compressed, signature tampered", badSig(mint(map[string]any{"user": strings.Repeat("alice", 40)}, true)), false, itsdangerous.ErrBadSignature},
		{"not a cookie", "no-dots-here", false, itsdangerous.ErrBadSignature},
		{"too old", func() string {
			b, _ := c.AppendEncodeAt(nil, permanent, signedAt.Add(-32*24*time.Hour))
			return string(b)
		}(), false, itsdangerous.ErrSignatureExpired},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.name, "compressed") && tt.cookie[0] != '.' {
				t.Fatal("the cookie is not compressed")
			}
			prefix := []byte("session=")
			out, refreshed, err := c.AppendRefreshAt(prefix, tt.cookie, later)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("error = %v, want %v", err, tt.err)
			}
			if refreshed != tt.refreshed {
				t.Fatalf("refreshed = %v, want %v", refreshed, tt.refreshed)
			}
			if !refreshed {
				if string(out) != "session=" {
					t.Fatalf("dst changed to %q without a refresh", out)
				}
				return
			}
			got := strings.TrimPrefix(string(out), "session=")
			d, err := c.DecodeAt(got, later)
			if err != nil {
				t.Fatalf("refreshed cookie does not decode: %v", err)
			}
			if !d.SignedAt.Equal(later) {
				t.Errorf("signed at %v, want %v", d.SignedAt, later)
			}
			orig, _ := c.DecodeAt(tt.cookie, later)
			if len(d.Session) != len(orig.Session) || d.Session["user"] != "alice" {
				t.Errorf("session %v, want %v", d.Session, orig.Session)
			}
			// Same payload, new timestamp: what Flask's re-serialization writes.
			payload := func(s string) string { return s[:strings.LastIndexByte(s[:strings.LastIndexByte(s, '.')], '.')] }
			if payload(got) != payload(tt.cookie) {
				t.Errorf("payload changed:\n got %s\nwant %s", payload(got), payload(tt.cookie))
			}
			// Byte-identical to encoding the session again at the later time.
			want := mint2(t, c, orig.Session, later, d.Compressed)
			if got != want {
				t.Errorf("refresh differs from a new encoding:\n got %s\nwant %s", got, want)
			}
		})
	}
}

func mint2(t *testing.T, c *Codec, s map[string]any, at time.Time, compress bool) string {
	t.Helper()
	enc := c.AppendEncodeAt
	if compress {
		enc = c.AppendEncodeCompressedAt
	}
	b, err := enc(nil, s, at)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAppendRefreshAtFallbackKey(t *testing.T) {
	oldKey, newKey := []byte("the old secret key 0123456789"), []byte("the new secret key 0123456789")
	old, _ := New(Config{SecretKey: oldKey})
	cur, _ := New(Config{SecretKey: newKey, SecretKeyFallbacks: [][]byte{oldKey}})
	at := time.Unix(1700000000, 0)
	b, err := old.AppendEncodeAt(nil, map[string]any{"_permanent": true}, at)
	if err != nil {
		t.Fatal(err)
	}
	out, ok, err := cur.AppendRefreshAt(nil, string(b), at)
	if err != nil || !ok {
		t.Fatalf("refresh = %v, %v", ok, err)
	}
	d, err := cur.DecodeAt(string(out), at)
	if err != nil || d.Key != 0 {
		t.Fatalf("refreshed cookie verifies with key %d (%v); want the current key, 0", d.Key, err)
	}
}

func BenchmarkAppendRefreshAt(b *testing.B) {
	c, _ := New(Config{SecretKey: []byte("bench-secret-key-0123456789")})
	at := time.Unix(1700000000, 0)
	cookie, _ := c.AppendEncodeAt(nil, map[string]any{"_permanent": true, "username": "alice", "user_id": 42,
		"roles": []any{"admin", "editor"}, "csrf_token": "3f786850e387550fdab836ed7e6dc881de23001b"}, at)
	dst := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		dst, _, _ = c.AppendRefreshAt(dst[:0], string(cookie), at)
	}
}

// badSig changes the last character of cookie's signature.
func badSig(cookie string) string {
	last := cookie[len(cookie)-1]
	if last == 'A' {
		return cookie[:len(cookie)-1] + "B"
	}
	return cookie[:len(cookie)-1] + "A"
}
