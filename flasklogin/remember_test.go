package flasklogin

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// flaskLoginVector was made by Flask-Login 0.6.2:
// encode_cookie("alice") with SECRET_KEY "flasklogin-test-key-0123456789ab".
const flaskLoginVector = "alice|a45b878d766f7063f0412fd0176e57ef31bbb296c34d45ea900c6eab9674946cc3b28f9288e29af80021a38b9f9ae4a2418b2648872ef0bd385b1ecc650ebcb4"

func TestRememberCodecDecode(t *testing.T) {
	codec := NewRememberCodec([]byte(testKey))
	valid := codec.Encode("alice")
	if valid != flaskLoginVector {
		t.Errorf("Encode(alice) = %s, Flask-Login %s", valid, flaskLoginVector)
	}
	other := NewRememberCodec([]byte("another-key-0123456789abcdef")).Encode("alice")
	for _, tc := range []struct {
		name, value, id string
		ok              bool
	}{
		{"valid", valid, "alice", true},
		{"pipe in id", codec.Encode("a|b|c"), "a|b|c", true},
		{"empty id", codec.Encode(""), "", true},
		{"utf-8 id", codec.Encode("Zoë"), "Zoë", true},
		{"empty", "", "", false},
		{"no pipe", strings.ReplaceAll(valid, "|", ""), "", false},
		{"only a pipe", "|", "", false},
		{"other key", other, "", false},
		{"other id", "bob" + valid[5:], "", false},
		{"upper-case digest", valid[:6] + strings.ToUpper(valid[6:]), "", false},
		{"short digest", valid[:len(valid)-1], "", false},
		{"long digest", valid + "0", "", false},
		{"digest only", valid[6:], "", false},
		{"extra pipe", "alice||" + valid[6:], "", false},
		{"space", " " + valid, "", false},
		{"sha1 length", "alice|" + valid[6:46], "", false},
		{"zero digest", "alice|" + strings.Repeat("0", 128), "", false},
	} {
		id, err := codec.Decode(tc.value)
		if (err == nil) != tc.ok || id != tc.id {
			t.Errorf("%s: Decode(%q) = %q, %v; want %q, ok %v", tc.name, tc.value, id, err, tc.id, tc.ok)
		}
		if err != nil && err != ErrBadRememberCookie {
			t.Errorf("%s: error %v, want ErrBadRememberCookie", tc.name, err)
		}
	}
}

// Every one-byte change of a valid remember cookie is refused: each byte
// replaced by each other value, dropped, or doubled.
func TestRememberCodecRefusesEveryByteChange(t *testing.T) {
	codec := NewRememberCodec([]byte(testKey))
	for _, id := range []string{"alice", "Zoë a,b", "1"} {
		valid := codec.Encode(id)
		n := 0
		for i := 0; i < len(valid); i++ {
			b := []byte(valid)
			for v := 0; v < 256; v++ {
				if byte(v) == valid[i] {
					continue
				}
				b[i] = byte(v)
				if got, err := codec.Decode(string(b)); err == nil {
					t.Fatalf("id %q: byte %d changed to %#x accepted as %q", id, i, v, got)
				}
				n++
			}
			dropped := valid[:i] + valid[i+1:]
			doubled := valid[:i+1] + valid[i:]
			for _, v := range []string{dropped, doubled} {
				if got, err := codec.Decode(v); err == nil {
					t.Fatalf("id %q: %q accepted as %q", id, v, got)
				}
				n++
			}
		}
		if want := len(valid) * 257; n != want {
			t.Errorf("id %q: %d changes tried, want %d", id, n, want)
		}
	}
}

func TestLatin1Key(t *testing.T) {
	for _, tc := range []struct{ key, want string }{
		{"ascii", "ascii"},
		{"clé", "cl\xe9"},
		{"ключ", "ключ"},         // not Latin-1: used as is
		{"\xff\xfe", "\xff\xfe"}, // not UTF-8: a bytes key
	} {
		if got := string(latin1Key([]byte(tc.key))); got != tc.want {
			t.Errorf("latin1Key(%q) = %q, want %q", tc.key, got, tc.want)
		}
	}
}

func TestQuoteCookieValue(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"alice|ab", "alice|ab"},
		{"a b", `"a b"`},
		{"a,b;c", `"a\054b\073c"`},
		{`q"b\`, `"q\"b\\"`},
		{"é", `"\303\251"`},
		{"\x00\x1f\x7f", `"\000\037\177"`},
		{"()<>@[]?{}", `"()<>@[]?{}"`},
		{"", ""},
	} {
		got := quoteCookieValue(tc.in)
		if got != tc.want {
			t.Errorf("quoteCookieValue(%q) = %s, want %s", tc.in, got, tc.want)
		}
		if back := unquoteCookieValue(got); back != tc.in && got != tc.in {
			t.Errorf("unquoteCookieValue(%s) = %q, want %q", got, back, tc.in)
		}
	}
}

// FuzzRememberCookie feeds hostile Cookie headers to the remember cookie
// parser: no panic, an accepted cookie is exactly the encoding of its user
// ID, and a cookie the codec writes is read back whatever the ID.
func FuzzRememberCookie(f *testing.F) {
	codec := NewRememberCodec([]byte(testKey))
	for _, h := range cookieHeaders {
		f.Add(h, "alice")
	}
	for _, id := range cookieIDs {
		f.Add("remember_token="+quoteCookieValue(codec.Encode(id)), id)
	}
	f.Fuzz(func(t *testing.T, header, id string) {
		h := http.Header{"Cookie": {header}}
		if v, ok := readCookie(h, "remember_token"); ok {
			if got, err := codec.Decode(v); err == nil && codec.Encode(got) != v {
				t.Fatalf("accepted %q as %q", v, got)
			}
		}
		if !utf8.ValidString(id) {
			return
		}
		written := "x=1; remember_token=" + quoteCookieValue(codec.Encode(id)) + "; y=2"
		v, ok := readCookie(http.Header{"Cookie": {written}}, "remember_token")
		if got, err := codec.Decode(v); !ok || err != nil || got != id {
			t.Fatalf("wrote %q for %q, read back %q %v %v", written, id, got, ok, err)
		}
	})
}
