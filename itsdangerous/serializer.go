package itsdangerous

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"
)

// Codec turns values into bytes and back for URLSafeTimedSerializer, like
// the serializer module Python's Serializer takes (json by default).
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// JSONCodec is a Codec using encoding/json, compact and without HTML
// escaping like itsdangerous's _CompactJSON. Objects match Python's text
// when their keys are in the same order (Go sorts map keys; Python keeps
// insertion order). Unmarshal rejects invalid UTF-8, as Python does.
type JSONCodec struct{}

// Marshal encodes v as compact JSON.
func (JSONCodec) Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Unmarshal decodes JSON into v.
func (JSONCodec) Unmarshal(data []byte, v any) error {
	if !utf8.Valid(data) {
		return errors.New("payload is not valid UTF-8")
	}
	return json.Unmarshal(data, v)
}

// DefaultSerializerSalt is the salt of a URLSafeTimedSerializer whose
// SignerConfig.Salt is nil (Python Serializer's default salt).
const DefaultSerializerSalt = "itsdangerous"

// URLSafeTimedSerializer signs values into URL-safe strings with a
// timestamp (itsdangerous URLSafeTimedSerializer): the codec output,
// zlib-compressed when that is shorter, base64-encoded and signed with a
// TimestampSigner. It is safe for concurrent use.
type URLSafeTimedSerializer struct {
	signer *TimestampSigner
	codec  Codec
	// MaxPayload limits the decoded payload size; <= 0 means
	// DefaultMaxPayload.
	MaxPayload int
}

// NewURLSafeTimedSerializer makes a serializer. keys and cfg are as for
// NewSigner, except that a nil cfg.Salt means DefaultSerializerSalt
// ("itsdangerous"), as in Python. A nil codec means JSONCodec.
func NewURLSafeTimedSerializer(keys [][]byte, cfg SignerConfig, codec Codec) (*URLSafeTimedSerializer, error) {
	if cfg.Salt == nil {
		cfg.Salt = []byte(DefaultSerializerSalt)
	}
	if codec == nil {
		codec = JSONCodec{}
	}
	ts, err := NewTimestampSigner(keys, cfg)
	if err != nil {
		return nil, err
	}
	return &URLSafeTimedSerializer{signer: ts, codec: codec}, nil
}

// TimestampSigner returns the signer the serializer uses.
func (s *URLSafeTimedSerializer) TimestampSigner() *TimestampSigner { return s.signer }

// DumpsAt serializes and signs v with the signing time now.
func (s *URLSafeTimedSerializer) DumpsAt(v any, now time.Time) ([]byte, error) {
	data, err := s.codec.Marshal(v)
	if err != nil {
		return nil, err
	}
	// Room for the uncompressed case; compression only shrinks it.
	out := make([]byte, 0, b64.EncodedLen(len(data))+1+s.signer.signedOverhead(now))
	out = appendPayload(out, data, true)
	return s.signer.appendTimestampSig(out, 0, now), nil
}

// Dumps serializes and signs v with the current time.
func (s *URLSafeTimedSerializer) Dumps(v any) ([]byte, error) { return s.DumpsAt(v, time.Now()) }

// LoadsAt verifies signed at time now (see TimestampSigner.UnsignAt for
// maxAge), decodes the payload into v and returns the signing time.
// Signature errors are as from UnsignAt; payload and codec errors are
// *BadPayloadError.
func (s *URLSafeTimedSerializer) LoadsAt(signed []byte, v any, maxAge time.Duration, now time.Time) (time.Time, error) {
	u, err := s.signer.UnsignAt(signed, maxAge, now)
	if err != nil {
		return time.Time{}, err
	}
	data, err := DecodePayload(u.Value, s.MaxPayload)
	if err != nil {
		return time.Time{}, err
	}
	if err := s.codec.Unmarshal(data, v); err != nil {
		return time.Time{}, &BadPayloadError{Err: err}
	}
	return u.SignedAt, nil
}

// Loads is LoadsAt with the current time.
func (s *URLSafeTimedSerializer) Loads(signed []byte, v any, maxAge time.Duration) error {
	_, err := s.LoadsAt(signed, v, maxAge, time.Now())
	return err
}
