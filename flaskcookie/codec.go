// Package flaskcookie reads and writes Flask session cookies.
//
// A cookie is Flask's exact format: itsdangerous's URL-safe timed
// serializer with the salt "cookie-session", HMAC key derivation and
// HMAC-SHA1, over Flask's tagged JSON. A Flask app and Go code that share
// a secret key can read each other's sessions. The package does not
// import Gin; the flasksession middleware is built on the same code.
//
// Signed is not encrypted: anyone holding the cookie can read the
// session (see ParseUnverified), but nobody without the key can forge or
// change it.
package flaskcookie

import (
	"time"

	"github.com/ginflask/flasksession/internal/cookiecodec"
)

// DefaultMaxAge is Flask's default PERMANENT_SESSION_LIFETIME, which Flask
// also uses as the maximum age of every session cookie it loads.
const DefaultMaxAge = cookiecodec.DefaultMaxAge

// Salt is the itsdangerous salt Flask uses for session cookies.
const Salt = cookiecodec.Salt

// DefaultMaxSize is the largest session, as JSON, a Codec encodes or
// decodes unless Config.MaxSize says otherwise: 128 KiB, about thirty
// times what fits in a cookie uncompressed, so only a compressed session
// of unusually repetitive data comes near it.
const DefaultMaxSize = cookiecodec.DefaultMaxSize

// ErrTooLarge: a session's JSON is over Config.MaxSize. On encode, store
// less in the session; on decode, the cookie is refused.
var ErrTooLarge = cookiecodec.ErrTooLarge

// ErrNoSecretKey is returned by New when Config.SecretKey is empty. Set it
// to the Flask app's SECRET_KEY; to make a new one, run
// `go run github.com/ginflask/flasksession/cmd/flasksession genkey`.
var ErrNoSecretKey = cookiecodec.ErrNoSecretKey

// SizeError reports a session whose JSON is over Config.MaxSize (Size
// and Limit, in bytes); it matches ErrTooLarge.
type SizeError = cookiecodec.SizeError

// Config configures a Codec. Only SecretKey is required.
type Config struct {
	// SecretKey signs new cookies and verifies cookies first (Flask's SECRET_KEY).
	SecretKey []byte
	// SecretKeyFallbacks are old keys, oldest first, that still verify
	// cookies but never sign them (Flask's SECRET_KEY_FALLBACKS).
	SecretKeyFallbacks [][]byte
	// MaxAge is the oldest signature accepted. Zero means DefaultMaxAge, the
	// same as Flask's PERMANENT_SESSION_LIFETIME; negative disables the check.
	MaxAge time.Duration
	// CompressAbove is the JSON length above which compression is tried;
	// the payload is compressed when that saves at least two bytes,
	// Flask's rule. Zero never compresses. 1 compresses exactly when Flask
	// does, and then the cookie is byte-identical to Flask's (the
	// compressor reproduces C zlib's output up to 32 KiB of JSON); but
	// compressing costs more than the rest of the encoding together, and
	// Flask reads either form, so the middleware compresses only sessions
	// that would not fit in a cookie otherwise.
	CompressAbove int
	// MaxSize caps a session's JSON, compressed or not, both ways: a
	// cookie whose payload decodes to more is refused before it is parsed,
	// so a signed zlib bomb, or a small cookie of many tiny values, costs
	// little; and a session over it is not encoded, so every cookie the
	// Codec makes, it can read back. Zero means DefaultMaxSize.
	MaxSize int
}

// Codec encodes and decodes Flask session cookies. It is safe for
// concurrent use.
type Codec struct {
	c *cookiecodec.Codec
}

// New returns a Codec for cfg.
func New(cfg Config) (*Codec, error) {
	c, err := cookiecodec.New(cookiecodec.Config(cfg))
	if err != nil {
		return nil, err
	}
	return &Codec{c}, nil
}

// MaxAge reports the oldest signature the Codec accepts (negative: no limit).
func (c *Codec) MaxAge() time.Duration { return c.c.MaxAge() }

// Encode returns the cookie value for session, signed now.
func (c *Codec) Encode(session map[string]any) (string, error) { return c.c.Encode(session) }

// EncodeAt returns the cookie value for session, signed at now (whole
// seconds, as Flask does).
func (c *Codec) EncodeAt(session map[string]any, now time.Time) (string, error) {
	return c.c.EncodeAt(session, now)
}

// Decoded is a verified (or, from ParseUnverified, unverified) cookie.
type Decoded struct {
	// Session holds the values; never nil on success.
	Session map[string]any
	// SignedAt is when the cookie was signed (whole seconds, UTC).
	SignedAt time.Time
	// Key says which key verified the cookie: 0 is Config.SecretKey,
	// i >= 1 is Config.SecretKeyFallbacks[i-1], -1 means not verified.
	Key int
	// Compressed reports a zlib payload.
	Compressed bool
}

// Decode verifies cookie now and returns its session.
func (c *Codec) Decode(cookie string) (map[string]any, error) { return c.c.Decode(cookie) }

// DecodeAt verifies cookie at now: the signature must match one of the
// keys and the signing time must be neither in the future nor older than
// MaxAge. Errors are those of package itsdangerous (test them with
// errors.Is against itsdangerous.ErrBadSignature, ErrSignatureExpired,
// ErrBadPayload) and of package taggedjson.
func (c *Codec) DecodeAt(cookie string, now time.Time) (Decoded, error) {
	d, err := c.c.DecodeAt(cookie, now)
	return Decoded(d), err
}

// ParseUnverified decodes cookie without checking its signature or age,
// as anyone holding the cookie can. Use it for inspection only: the
// values are whatever the client sent.
func ParseUnverified(cookie string) (Decoded, error) {
	d, err := cookiecodec.ParseUnverified(cookie)
	return Decoded(d), err
}
