package itsdangerous

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"hash"
	"strings"
	"testing"
)

const vectorKey = "dev-secret-key-for-vectors"

func keys(ks ...string) [][]byte {
	out := make([][]byte, len(ks))
	for i, k := range ks {
		out[i] = []byte(k)
	}
	return out
}

// Known answers from Python itsdangerous 2.2.0:
//
//	s = Signer(b"dev-secret-key-for-vectors", salt=b"cookie-session",
//	           key_derivation=kd, digest_method=digest)
//	s.derive_key().hex(), s.sign(b"hello world")
var deriveVectors = []struct {
	kd     KeyDerivation
	digest string
	key    string
	signed string
}{
	{DeriveDjangoConcat, "sha1", "48d21e676be3c321854edd0de44b99175f712ec5", "hello world.Toz41saBIppmstfuHTvpnwiJPkE"},
	{DeriveDjangoConcat, "sha256", "e68571b1cd85e63b36f4e655e2b6072efb366c57372a2f9c2eff3bb65f18a3cc", "hello world.zus9KQZqRwPghZJS2fa66-pcUpYT4hq-ymjLLFYwyJ0"},
	{DeriveDjangoConcat, "sha512", "fac0dd958580956918b1af0771767c7899f70b8cf886260875909d4d0a663b194a3015c44de2cfb7d54b46b4109e8478aa66e861ee80897b8a3a082ccdc0fa0c", "hello world.p5c5p245fSP5TLXQlE-mvONEtgCNjSBuOEPa_P0FwEfahVcokBklgzxJR7AMzKK0rvlKD28tTP-Pd6-0FZSxzQ"},
	{DeriveConcat, "sha1", "0325d04d5a4468d9945e6481448b2fd00fb53b23", "hello world.8EDwcrbnczMcyD-d7oZS7HCfeWQ"},
	{DeriveConcat, "sha256", "6d32a762b9f3c5b7ec898d8b1da9e9783de0f71892c9c4ad49865fdd4cd18b2c", "hello world.RvAOD2bSGiJqwI4xA6ffhWPZMyY6YGcknA0y6Il0WVA"},
	{DeriveConcat, "sha512", "518c8dab09ee042f12129127e80c2fc61328fb3986b1f615e7ab7014fd3a6ec0dff1e0f9490ad704b93e173bc9a9df4d511ae69cbbc037c2aa4ffae8c21444c0", "hello world.LOWfq0U_kFG8rfF0QMJrGKyI6jfiQXz5aQiNfsZLP4V7cqFzQQ72HLX41V-9rVROD_YU4Gd-SyzqtYuFuM2KdA"},
	{DeriveHMAC, "sha1", "a642ff58ec1833129398c1108b48e79658919d31", "hello world.HoJ8qUgob7NfMavH_No2ulp0UyU"},
	{DeriveHMAC, "sha256", "41ca4f885f3cbd92a9dd109cf1649636198174f2cf5d93f3eae6a00d21a26eed", "hello world.W4W4SiNZoIlNkLZ9-RwRW5mbzP-xoumGzpX_opd4C_U"},
	{DeriveHMAC, "sha512", "eab8df6f92a887d164f6158d56dc9bc518885cb942cb5958a20766e33052cc398f736055b28c123800bd0172c19eecbb1acebb5c62fcb85d56e39651dfe1c83b", "hello world.W_0yiJ3k3UBhvJeGx2u_wlfRwu5EFBCVv1RjvpGwb-b3t0GFAH6BxJVMCE7Y8ygcOm1q4mMWnmgHBVY52mWWEg"},
	{DeriveNone, "sha1", hex.EncodeToString([]byte(vectorKey)), "hello world.06gHFMctQHgzR4uwSy3bVBVUUEM"},
	{DeriveNone, "sha256", hex.EncodeToString([]byte(vectorKey)), "hello world.C9etBAvAI6lXvcd2CzhkU8tiZIrMSjDIG_TumMjk1kY"},
	{DeriveNone, "sha512", hex.EncodeToString([]byte(vectorKey)), "hello world.FricHyT82BYHRk6YIlFVvYZEhqK9Ame7aHwt8J-_rd14bD59vYNGjl54zt09aHqwvgdAj88wIX2BhqU4Pznsrg"},
}

var digests = map[string]func() hash.Hash{"sha1": sha1.New, "sha256": sha256.New, "sha512": sha512.New}

func TestSignerKnownAnswers(t *testing.T) {
	for _, v := range deriveVectors {
		t.Run(v.kd.String()+"/"+v.digest, func(t *testing.T) {
			cfg := SignerConfig{Salt: []byte("cookie-session"), KeyDerivation: v.kd, Digest: digests[v.digest]}
			dk, err := DeriveKey(v.kd, cfg.Digest, cfg.Salt, []byte(vectorKey))
			if err != nil || hex.EncodeToString(dk) != v.key {
				t.Fatalf("DeriveKey = %x, %v; want %s", dk, err, v.key)
			}
			s, err := NewSigner(keys(vectorKey), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(s.Sign([]byte("hello world"))); got != v.signed {
				t.Fatalf("Sign = %q, want %q", got, v.signed)
			}
			value, key, err := s.Unsign([]byte(v.signed))
			if err != nil || string(value) != "hello world" || key != 0 {
				t.Fatalf("Unsign = %q, %d, %v", value, key, err)
			}
		})
	}
}

func TestSignerDefaults(t *testing.T) {
	// Python: Signer(b"secret").derive_key() and .sign(b"value"); with sep "~".
	if dk, _ := DeriveKey(DeriveDjangoConcat, nil, []byte(DefaultSalt), []byte("secret")); hex.EncodeToString(dk) != "3a1c28f7aad5a02fe672d24f1003fb52a7312ed7" {
		t.Errorf("default derived key %x", dk)
	}
	s, err := NewSigner(keys("secret"), SignerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(s.Sign([]byte("value"))); got != "value.-2b2Vg1X_KBU1C6DLNDlPUR2w6M" {
		t.Errorf("zero config Sign = %q", got)
	}
	s, err = NewSigner(keys("secret"), SignerConfig{Sep: '~'})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(s.Sign([]byte("value"))); got != "value~-2b2Vg1X_KBU1C6DLNDlPUR2w6M" {
		t.Errorf("sep ~ Sign = %q", got)
	}
	if s.Sep() != '~' {
		t.Errorf("Sep %q", s.Sep())
	}
	// An explicit empty salt is not the default salt.
	empty, _ := NewSigner(keys("secret"), SignerConfig{Salt: []byte{}})
	if bytes.Equal(empty.Sign([]byte("value")), []byte("value.-2b2Vg1X_KBU1C6DLNDlPUR2w6M")) {
		t.Error("empty salt signed like the default salt")
	}
}

func TestFlaskSessionConfig(t *testing.T) {
	cfg := FlaskSessionConfig()
	if string(cfg.Salt) != "cookie-session" || cfg.Sep != '.' || cfg.KeyDerivation != DeriveHMAC || cfg.Digest().Size() != sha1.Size {
		t.Fatalf("FlaskSessionConfig = %+v", cfg)
	}
	cfg.Salt[0] = 'X' // each call returns its own slice
	if string(FlaskSessionConfig().Salt) != "cookie-session" {
		t.Fatal("FlaskSessionConfig shares its salt slice")
	}
}

func TestNewSignerRejects(t *testing.T) {
	tests := []struct {
		name string
		keys [][]byte
		cfg  SignerConfig
		want string
	}{
		{"no keys", nil, SignerConfig{}, "no secret key"},
		{"empty key", keys("a", ""), SignerConfig{}, "secret key 1 of 2 is empty"},
		{"empty only key", keys(""), SignerConfig{}, "secret key 0 of 1 is empty"},
		{"sep -", keys("k"), SignerConfig{Sep: '-'}, "separator '-'"}, // itsdangerous test_invalid_separator
		{"sep _", keys("k"), SignerConfig{Sep: '_'}, "separator"},
		{"sep =", keys("k"), SignerConfig{Sep: '='}, "separator"},
		{"sep letter", keys("k"), SignerConfig{Sep: 'a'}, "separator"},
		{"sep digit", keys("k"), SignerConfig{Sep: '0'}, "separator"},
		{"derivation", keys("k"), SignerConfig{KeyDerivation: 7}, "unknown key derivation KeyDerivation(7)"},
	}
	for _, tt := range tests {
		s, err := NewSigner(tt.keys, tt.cfg)
		if err == nil || s != nil {
			t.Errorf("%s: NewSigner succeeded", tt.name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "itsdangerous: ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %q, want it to contain %q", tt.name, err, tt.want)
		}
		if noKey := strings.Contains(tt.want, "key") && !strings.Contains(tt.want, "derivation"); errors.Is(err, ErrNoSecretKey) != noKey {
			t.Errorf("%s: errors.Is(%v, ErrNoSecretKey) = %v", tt.name, err, !noKey)
		}
	}
	for _, sep := range []byte{'.', '~', '|', ':', '!', 0xff} {
		if _, err := NewSigner(keys("k"), SignerConfig{Sep: sep}); err != nil {
			t.Errorf("sep %q rejected: %v", sep, err)
		}
	}
}

func TestSignerUnsignErrors(t *testing.T) {
	s, _ := NewSigner(keys("secret-key"), SignerConfig{})
	signed := string(s.Sign([]byte("my string")))
	other, _ := NewSigner(keys("other-key"), SignerConfig{})
	tests := []struct {
		name    string
		in      string
		msg     string
		payload string
	}{
		// itsdangerous test_signer.py
		{"no separator", "my string", "no '.' found in value", ""},
		{"truncated signature", signed[:len(signed)-1], msgMismatch, "my string"},
		{"changed value", "my strinG" + signed[len("my string"):], msgMismatch, "my strinG"},
		{"empty signature", "my string.", msgMismatch, "my string"},
		{"other key", string(other.Sign([]byte("my string"))), msgMismatch, "my string"},
		{"padded signature", signed + "=", msgMismatch, "my string"},
		{"empty", "", "no '.' found", ""},
	}
	for _, tt := range tests {
		value, key, err := s.Unsign([]byte(tt.in))
		var bs *BadSignatureError
		if !errors.As(err, &bs) {
			t.Errorf("%s: Unsign(%q) = %q, %d, %v; want *BadSignatureError", tt.name, tt.in, value, key, err)
			continue
		}
		if value != nil || key != -1 {
			t.Errorf("%s: value %q key %d on error", tt.name, value, key)
		}
		if !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "itsdangerous: ") {
			t.Errorf("%s: error %q, want %q", tt.name, err, tt.msg)
		}
		if string(bs.Payload) != tt.payload {
			t.Errorf("%s: Payload %q, want %q", tt.name, bs.Payload, tt.payload)
		}
		if bs.Timed || !bs.DateSigned.IsZero() {
			t.Errorf("%s: plain signer error is timed: %+v", tt.name, bs)
		}
		if !errors.Is(err, ErrBadSignature) || !errors.Is(err, ErrBadData) ||
			errors.Is(err, ErrBadTimeSignature) || errors.Is(err, ErrBadPayload) || errors.Is(err, ErrSignatureExpired) {
			t.Errorf("%s: wrong error class for %v", tt.name, err)
		}
	}
}

func TestSignerPayloadIsCopy(t *testing.T) {
	s, _ := NewSigner(keys("k"), SignerConfig{})
	in := []byte("value.AAAAAAAAAAAAAAAAAAAAAAAAAAA")
	_, _, err := s.Unsign(in)
	in[0] = 'X'
	var bs *BadSignatureError
	if !errors.As(err, &bs) || string(bs.Payload) != "value" {
		t.Fatalf("payload changed with the input: %v", err)
	}
}

func TestKeyRotation(t *testing.T) {
	// itsdangerous test_key_rotation: a list of keys verifies old signatures.
	old, _ := NewSigner(keys("a"), SignerConfig{})
	both, _ := NewSigner(keys("a", "b"), SignerConfig{})
	newest, _ := NewSigner(keys("b"), SignerConfig{})
	oldSigned := old.Sign([]byte("value"))
	if v, k, err := both.Unsign(oldSigned); err != nil || string(v) != "value" || k != 0 {
		t.Fatalf("rotated signer: %q %d %v", v, k, err)
	}
	newSigned := both.Sign([]byte("value"))
	if !bytes.Equal(newSigned, newest.Sign([]byte("value"))) {
		t.Fatal("signs with a key other than the last")
	}
	if _, k, err := both.Unsign(newSigned); err != nil || k != 1 {
		t.Fatalf("current key index %d, %v", k, err)
	}
	if _, _, err := newest.Unsign(oldSigned); err == nil {
		t.Fatal("dropped key still verifies")
	}
	// Verify on its own.
	i := bytes.LastIndexByte(oldSigned, '.')
	if k, ok := both.Verify(oldSigned[:i], oldSigned[i+1:]); !ok || k != 0 {
		t.Fatalf("Verify = %d, %v", k, ok)
	}
	if k, ok := both.Verify([]byte("other"), oldSigned[i+1:]); ok || k != -1 {
		t.Fatalf("Verify wrong value = %d, %v", k, ok)
	}
}

func TestAppendSignAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are unreliable under the race detector")
	}
	s, _ := NewSigner(keys(vectorKey), FlaskSessionConfig())
	value := []byte("eyJhIjoxfQ.ZVPxAA")
	dst := make([]byte, 0, 128)
	s.AppendSign(dst, value) // warm the pool
	if n := testing.AllocsPerRun(100, func() { s.AppendSign(dst[:0], value) }); n != 0 {
		t.Errorf("AppendSign with room: %v allocs, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { s.AppendSign(nil, value) }); n != 1 {
		t.Errorf("AppendSign(nil): %v allocs, want 1", n)
	}
	signed := s.Sign(value)
	if n := testing.AllocsPerRun(100, func() { s.Unsign(signed) }); n != 0 {
		t.Errorf("Unsign: %v allocs, want 0", n)
	}
}

func TestAppendSign(t *testing.T) {
	s, _ := NewSigner(keys(vectorKey), FlaskSessionConfig())
	value := []byte("eyJhIjoxfQ.ZVPxAA")
	// Appending keeps what dst held, and signing in place works.
	out := s.AppendSign([]byte("prefix:"), value)
	if !bytes.HasPrefix(out, []byte("prefix:")) || !bytes.Equal(out[7:], s.Sign(value)) {
		t.Errorf("AppendSign with prefix = %q", out)
	}
	buf := append(make([]byte, 0, 64), value...)
	if got := s.AppendSign(buf[:0], buf); !bytes.Equal(got, s.Sign(value)) {
		t.Errorf("in-place AppendSign = %q", got)
	}
}
