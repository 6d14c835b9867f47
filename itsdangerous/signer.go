package itsdangerous

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"errors"
	"hash"
	"slices"
	"strconv"
	"sync"
)

// KeyDerivation says how the signing key is made from a secret key and the
// salt (itsdangerous key_derivation).
type KeyDerivation int

const (
	// DeriveDjangoConcat is digest(salt + "signer" + secret), the
	// itsdangerous default ("django-concat").
	DeriveDjangoConcat KeyDerivation = iota
	// DeriveConcat is digest(salt + secret) ("concat").
	DeriveConcat
	// DeriveHMAC is HMAC(secret, salt) ("hmac"). Flask sessions use it.
	DeriveHMAC
	// DeriveNone uses the secret itself and ignores the salt ("none").
	DeriveNone
)

// String returns the Python name of the derivation.
func (k KeyDerivation) String() string {
	switch k {
	case DeriveDjangoConcat:
		return "django-concat"
	case DeriveConcat:
		return "concat"
	case DeriveHMAC:
		return "hmac"
	case DeriveNone:
		return "none"
	}
	return "KeyDerivation(" + strconv.Itoa(int(k)) + ")"
}

// DefaultSalt is the Signer's salt when SignerConfig.Salt is nil.
const DefaultSalt = "itsdangerous.Signer"

// SignerConfig holds the itsdangerous Signer parameters. The zero value
// is itsdangerous's own default: salt "itsdangerous.Signer", separator
// '.', django-concat derivation, HMAC-SHA1.
type SignerConfig struct {
	// Salt separates signatures made for different purposes with the same
	// secret. nil means DefaultSalt; a non-nil empty slice is an empty salt.
	Salt []byte
	// Sep separates value and signature. 0 means '.'. It must not be a
	// character of URL-safe base64 or '=' (letters, digits, "-_=").
	Sep byte
	// KeyDerivation is how the signing key is derived from each secret.
	KeyDerivation KeyDerivation
	// Digest is the hash for key derivation and HMAC. nil means SHA-1.
	Digest func() hash.Hash
}

// FlaskSessionConfig returns the configuration Flask's session interface
// uses: salt "cookie-session", HMAC key derivation, HMAC-SHA1, '.'.
func FlaskSessionConfig() SignerConfig {
	return SignerConfig{
		Salt:          []byte("cookie-session"),
		Sep:           '.',
		KeyDerivation: DeriveHMAC,
		Digest:        sha1.New,
	}
}

// Signer signs byte strings and verifies them (itsdangerous Signer). It
// derives its keys once, when made, and is safe for concurrent use.
type Signer struct {
	sep    byte
	size   int // raw signature length (digest size)
	sigLen int // base64 signature length
	macs   []macPool
}

// macPool reuses keyed HMAC states for one derived key.
type macPool struct{ sync.Pool }

type macState struct {
	h   hash.Hash
	sum []byte // capacity = digest size; Sum appends here without allocating
}

func (st *macState) mac(msg []byte) []byte {
	st.h.Reset()
	st.h.Write(msg)
	return st.h.Sum(st.sum[:0])
}

// NewSigner makes a Signer. keys are ordered oldest to newest, as in
// itsdangerous: it signs with the last key and verifies with every key,
// newest first. At least one key is needed and none may be empty
// (ErrNoSecretKey); a good key is 32 random bytes, such as
// `python -c 'import secrets; print(secrets.token_hex())'` prints. The
// separator must not be a character of URL-safe base64 or '=' (use '.').
func NewSigner(keys [][]byte, cfg SignerConfig) (*Signer, error) {
	if len(keys) == 0 {
		return nil, ErrNoSecretKey
	}
	for i, k := range keys {
		if len(k) == 0 {
			return nil, &emptyKeyError{i: i, n: len(keys)}
		}
	}
	sep := cfg.Sep
	if sep == 0 {
		sep = '.'
	}
	if sep == '=' || b64Dec[sep] != 0xff {
		return nil, errors.New(errPrefix + "separator " + strconv.QuoteRune(rune(sep)) + " may occur in a signature")
	}
	digest := cfg.Digest
	if digest == nil {
		digest = sha1.New
	}
	salt := cfg.Salt
	if salt == nil {
		salt = []byte(DefaultSalt)
	}
	size := digest().Size()
	s := &Signer{
		sep:    sep,
		size:   size,
		sigLen: b64.EncodedLen(size),
		macs:   make([]macPool, len(keys)),
	}
	for i, k := range keys {
		dk, err := deriveKey(cfg.KeyDerivation, digest, salt, k)
		if err != nil {
			return nil, err
		}
		s.macs[i].New = func() any {
			return &macState{h: hmac.New(digest, dk), sum: make([]byte, 0, size)}
		}
	}
	return s, nil
}

// DeriveKey returns the signing key itsdangerous derives from secret
// (Signer.derive_key). digest nil means SHA-1.
func DeriveKey(kd KeyDerivation, digest func() hash.Hash, salt, secret []byte) ([]byte, error) {
	if digest == nil {
		digest = sha1.New
	}
	return deriveKey(kd, digest, salt, secret)
}

func deriveKey(kd KeyDerivation, digest func() hash.Hash, salt, secret []byte) ([]byte, error) {
	switch kd {
	case DeriveDjangoConcat:
		h := digest()
		h.Write(salt)
		h.Write([]byte("signer"))
		h.Write(secret)
		return h.Sum(nil), nil
	case DeriveConcat:
		h := digest()
		h.Write(salt)
		h.Write(secret)
		return h.Sum(nil), nil
	case DeriveHMAC:
		m := hmac.New(digest, secret)
		m.Write(salt)
		return m.Sum(nil), nil
	case DeriveNone:
		return bytes.Clone(secret), nil
	}
	return nil, errors.New(errPrefix + "unknown key derivation " + kd.String())
}

// Sep returns the separator.
func (s *Signer) Sep() byte { return s.sep }

// AppendSign appends value, the separator and the base64 signature of
// value to dst. It allocates only when dst lacks room.
func (s *Signer) AppendSign(dst, value []byte) []byte {
	dst = slices.Grow(dst, len(value)+1+s.sigLen)
	start := len(dst)
	dst = append(dst, value...)
	return s.appendSig(dst, start)
}

// appendSig appends the separator and the signature of dst[start:].
func (s *Signer) appendSig(dst []byte, start int) []byte {
	p := &s.macs[len(s.macs)-1]
	st := p.Get().(*macState)
	dst = append(dst, s.sep)
	dst = b64.AppendEncode(dst, st.mac(dst[start:len(dst)-1]))
	p.Put(st)
	return dst
}

// Sign returns value + separator + base64 signature.
func (s *Signer) Sign(value []byte) []byte {
	return s.AppendSign(make([]byte, 0, len(value)+1+s.sigLen), value)
}

// Verify reports whether sig (base64 text) is a valid signature of value
// under one of the keys, trying the newest first, and which key (an index
// into the keys given to NewSigner; -1 if none). The comparison is
// constant-time.
func (s *Signer) Verify(value, sig []byte) (key int, ok bool) {
	if len(sig) != s.sigLen {
		return -1, false
	}
	var buf [64]byte
	var raw []byte
	if s.size <= len(buf) {
		raw = buf[:s.size]
	} else {
		raw = make([]byte, s.size)
	}
	if n, ok := decodeBase64(raw, sig); !ok || n != s.size {
		return -1, false
	}
	for i := len(s.macs) - 1; i >= 0; i-- {
		p := &s.macs[i]
		st := p.Get().(*macState)
		ok := hmac.Equal(st.mac(value), raw)
		p.Put(st)
		if ok {
			return i, true
		}
	}
	return -1, false
}

// Unsign checks the signature of a signed value and returns the value
// (a sub-slice of signed, not a copy) and the index of the key that
// verified it. Errors are *BadSignatureError; key is -1 on error.
func (s *Signer) Unsign(signed []byte) (value []byte, key int, err error) {
	i := bytes.LastIndexByte(signed, s.sep)
	if i < 0 {
		return nil, -1, s.errNoSep()
	}
	value = signed[:i]
	if key, ok := s.Verify(value, signed[i+1:]); ok {
		return value, key, nil
	}
	return nil, -1, &BadSignatureError{Msg: msgMismatch, Payload: bytes.Clone(value)}
}

func (s *Signer) errNoSep() error {
	return &BadSignatureError{Msg: "no " + strconv.QuoteRune(rune(s.sep)) + " found in value"}
}
