// Package cookiecodec is the implementation of package flaskcookie, which
// reads and writes Flask session cookies, with the buffer-reusing forms
// and the refresh of a permanent session that the middleware needs and
// flaskcookie does not export. Its documentation is flaskcookie's.
package cookiecodec

import (
	"errors"
	"fmt"
	"time"
	"unsafe"

	"github.com/ginflask/flasksession/internal/bufpool"
	"github.com/ginflask/flasksession/internal/hotpath"
	"github.com/ginflask/flasksession/itsdangerous"
	"github.com/ginflask/flasksession/taggedjson"
)

// DefaultMaxAge is Flask's default PERMANENT_SESSION_LIFETIME, which Flask
// also uses as the maximum age of every session cookie it loads.
const DefaultMaxAge = 31 * 24 * time.Hour

// Salt is the itsdangerous salt Flask uses for session cookies.
const Salt = "cookie-session"

var jsonBufs = &bufpool.Pool{Max: 64 << 10}

// DefaultMaxSize is the largest session, as JSON, a Codec encodes or
// decodes unless Config.MaxSize says otherwise: 128 KiB, about thirty
// times what fits in a cookie uncompressed, so only a compressed session
// of unusually repetitive data comes near it.
const DefaultMaxSize = 128 << 10

// ErrTooLarge: a session's JSON is over Config.MaxSize. On encode, store
// less in the session; on decode, the cookie is refused.
var ErrTooLarge = errors.New("flaskcookie: session too large")

// ErrNoSecretKey is returned by New when Config.SecretKey is empty. Set it
// to the Flask app's SECRET_KEY; to make a new one, run
// `go run github.com/ginflask/flasksession/cmd/flasksession genkey`.
var ErrNoSecretKey = errors.New("flaskcookie: no secret key")

// Config configures a Codec: flaskcookie.Config, documented there.
type Config struct {
	SecretKey          []byte
	SecretKeyFallbacks [][]byte
	MaxAge             time.Duration
	CompressAbove      int
	MaxSize            int
}

// Codec encodes and decodes Flask session cookies. It is safe for
// concurrent use.
type Codec struct {
	signer        *itsdangerous.TimestampSigner
	nkeys         int
	maxAge        time.Duration
	compressAbove int
	maxSize       int
}

// New returns a Codec for opts.
func New(cfg Config) (*Codec, error) {
	if len(cfg.SecretKey) == 0 {
		return nil, ErrNoSecretKey
	}
	// itsdangerous orders keys oldest to newest and signs with the last.
	keys := make([][]byte, 0, len(cfg.SecretKeyFallbacks)+1)
	keys = append(keys, cfg.SecretKeyFallbacks...)
	keys = append(keys, cfg.SecretKey)
	s, err := itsdangerous.NewTimestampSigner(keys, itsdangerous.FlaskSessionConfig())
	if err != nil {
		return nil, err
	}
	c := &Codec{
		signer:        s,
		nkeys:         len(keys),
		maxAge:        cfg.MaxAge,
		compressAbove: cfg.CompressAbove,
		maxSize:       cfg.MaxSize,
	}
	if c.maxAge == 0 {
		c.maxAge = DefaultMaxAge
	}
	if c.maxSize <= 0 {
		c.maxSize = DefaultMaxSize
	}
	return c, nil
}

// MaxAge reports the oldest signature the Codec accepts (negative: no limit).
func (c *Codec) MaxAge() time.Duration { return c.maxAge }

// Encode returns the cookie value for session, signed now.
func (c *Codec) Encode(session map[string]any) (string, error) {
	return c.EncodeAt(session, time.Now())
}

// EncodeAt returns the cookie value for session, signed at now.
func (c *Codec) EncodeAt(session map[string]any, now time.Time) (string, error) {
	b, err := c.AppendEncodeAt(nil, session, now)
	return string(b), err
}

// Decode verifies cookie now and returns its session.
func (c *Codec) Decode(cookie string) (map[string]any, error) {
	d, err := c.DecodeAt(cookie, time.Now())
	return d.Session, err
}

// AppendEncodeAt appends the cookie value for session, signed at now, to
// dst. It is the allocation-free form of EncodeAt for callers that reuse
// a buffer.
func (c *Codec) AppendEncodeAt(dst []byte, session map[string]any, now time.Time) ([]byte, error) {
	return c.appendEncode(dst, session, now, c.compressAbove)
}

// AppendEncodeCompressedAt is AppendEncodeAt with compression tried
// whatever the session's size. Callers use it when the plain cookie is
// too large.
func (c *Codec) AppendEncodeCompressedAt(dst []byte, session map[string]any, now time.Time) ([]byte, error) {
	return c.appendEncode(dst, session, now, -1)
}

func (c *Codec) appendEncode(dst []byte, session map[string]any, now time.Time, compressAbove int) ([]byte, error) {
	bp := jsonBufs.Get()
	defer jsonBufs.Put(bp)
	js, err := taggedjson.AppendMarshal(*bp, session)
	*bp = js
	if err != nil {
		return dst, err
	}
	if len(js) > c.maxSize {
		return dst, &SizeError{Size: len(js), Limit: c.maxSize}
	}
	compress := compressAbove < 0 || (compressAbove > 0 && len(js) > compressAbove)
	start := len(dst)
	dst = hotpath.AppendPayload(dst, js, compress)
	// The signer appends ".TS.SIG" over the payload already in dst.
	return c.signer.AppendSignAt(dst[:start], dst[start:], now), nil
}

// Decoded is flaskcookie.Decoded, documented there.
type Decoded struct {
	Session    map[string]any
	SignedAt   time.Time
	Key        int
	Compressed bool
}

// DecodeAt verifies cookie at now: the signature must match one of the
// keys and the signing time must be neither in the future nor older than
// MaxAge. Errors are those of package itsdangerous (test them with
// errors.Is against itsdangerous.ErrBadSignature, ErrSignatureExpired,
// ErrBadPayload) and of package taggedjson.
func (c *Codec) DecodeAt(cookie string, now time.Time) (Decoded, error) {
	u, err := c.signer.UnsignAt(readOnly(cookie), c.maxAge, now)
	if err != nil {
		return Decoded{Key: -1}, err
	}
	d, err := decodePayload(u.Value, c.maxSize)
	if err != nil {
		return Decoded{Key: -1}, err
	}
	d.SignedAt = u.SignedAt
	// Signer key indexes run oldest to newest, the current key last.
	d.Key = 0
	if u.Key != c.nkeys-1 {
		d.Key = u.Key + 1
	}
	return d, nil
}

// ParseUnverified decodes cookie without checking its signature or age,
// as anyone holding the cookie can. Use it for inspection only: the
// values are whatever the client sent.
func ParseUnverified(cookie string) (Decoded, error) {
	// Layout: [.]PAYLOAD.TIMESTAMP.SIGNATURE
	b := []byte(cookie)
	sig := lastDot(b)
	if sig < 0 {
		return Decoded{Key: -1}, fmt.Errorf("flaskcookie: not a Flask session cookie: no '.' separator: %w", itsdangerous.ErrBadSignature)
	}
	ts := lastDot(b[:sig])
	if ts < 0 {
		return Decoded{Key: -1}, fmt.Errorf("flaskcookie: not a Flask session cookie: timestamp missing: %w", itsdangerous.ErrBadTimeSignature)
	}
	raw, err := itsdangerous.Base64Decode(b[ts+1 : sig])
	if err != nil {
		return Decoded{Key: -1}, err
	}
	secs, err := hotpath.BytesToInt(raw)
	if err != nil {
		return Decoded{Key: -1}, err
	}
	d, err := decodePayload(b[:ts], DefaultMaxSize)
	if err != nil {
		return Decoded{Key: -1}, err
	}
	d.SignedAt = time.Unix(int64(secs), 0).UTC()
	d.Key = -1
	return d, nil
}

// decodePayload decodes and parses a payload.
func decodePayload(payload []byte, maxSize int) (Decoded, error) {
	// The JSON gets a buffer of its own, sized for the uncompressed case:
	// the session's strings point into it, so it is read as a string
	// without a copy and never written again.
	js, err := itsdangerous.AppendDecodePayload(make([]byte, 0, len(payload)*3/4+3), payload, maxSize)
	if err != nil {
		return Decoded{}, err
	}
	m, err := hotpath.UnmarshalObjectString(unsafe.String(unsafe.SliceData(js), len(js)))
	if err != nil {
		return Decoded{}, &itsdangerous.BadPayloadError{Err: err}
	}
	return Decoded{Session: m, Compressed: len(payload) > 0 && payload[0] == '.'}, nil
}

func lastDot(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '.' {
			return i
		}
	}
	return -1
}

// SizeError reports a session whose JSON is over Config.MaxSize; it
// matches ErrTooLarge.
type SizeError struct {
	Size  int // bytes of JSON
	Limit int // Config.MaxSize in force
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("flaskcookie: session is %d bytes of JSON, over the %d-byte limit", e.Size, e.Limit)
}

// Is makes a *SizeError match ErrTooLarge.
func (e *SizeError) Is(target error) bool { return target == ErrTooLarge }

// readOnly is s as a byte slice without a copy, for the signer and the
// base64 decoder, which only read their input and keep none of it.
func readOnly(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
