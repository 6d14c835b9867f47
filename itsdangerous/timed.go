package itsdangerous

import (
	"bytes"
	"math"
	"slices"
	"time"
)

// maxTimestamp is 9999-12-31T23:59:59Z, the last second Python's datetime
// can hold. itsdangerous fails on later timestamps while building
// date_signed; here they are a malformed timestamp.
const maxTimestamp = 253402300799

// TimestampSigner signs values together with the signing time and can
// reject old signatures (itsdangerous TimestampSigner). The signed form is
// value + sep + base64(timestamp) + sep + base64(signature), the signature
// covering everything before the last separator. It is safe for
// concurrent use.
type TimestampSigner struct {
	signer *Signer
}

// NewTimestampSigner makes a TimestampSigner; keys and cfg are as for
// NewSigner.
func NewTimestampSigner(keys [][]byte, cfg SignerConfig) (*TimestampSigner, error) {
	s, err := NewSigner(keys, cfg)
	if err != nil {
		return nil, err
	}
	return &TimestampSigner{signer: s}, nil
}

// Signer returns the underlying signer, which signs and verifies the
// value and timestamp together.
func (t *TimestampSigner) Signer() *Signer { return t.signer }

// Unsigned is a verified timed value.
type Unsigned struct {
	// Value is the signed value without timestamp and signature. It
	// aliases the input to UnsignAt: copy it to keep it past that buffer.
	Value []byte
	// SignedAt is the signing time (UTC, whole seconds).
	SignedAt time.Time
	// Key is the index of the key that verified the signature, in the
	// order given to NewTimestampSigner; len(keys)-1 is the current key.
	Key int
}

// AppendSignAt appends value + sep + timestamp + sep + signature to dst,
// the timestamp being now in whole Unix seconds (floor; times before 1970
// count as 0). It allocates only when dst lacks room for
// len(value)+signedOverhead(now) more bytes.
func (t *TimestampSigner) AppendSignAt(dst, value []byte, now time.Time) []byte {
	dst = slices.Grow(dst, len(value)+t.signedOverhead(now))
	start := len(dst)
	dst = append(dst, value...)
	return t.appendTimestampSig(dst, start, now)
}

// signedOverhead is how many bytes signing at time now adds to a value:
// two separators, the timestamp and the signature (35 for Flask's preset
// until 2106).
func (t *TimestampSigner) signedOverhead(now time.Time) int {
	var tb [8]byte
	return 2 + b64.EncodedLen(len(intBytes(&tb, unixSeconds(now)))) + t.signer.sigLen
}

// appendTimestampSig appends sep + timestamp and then sep + the signature
// of dst[start:]. dst must have room for signedOverhead(now) more bytes.
func (t *TimestampSigner) appendTimestampSig(dst []byte, start int, now time.Time) []byte {
	var tb [8]byte
	dst = append(dst, t.signer.sep)
	dst = b64.AppendEncode(dst, intBytes(&tb, unixSeconds(now)))
	return t.signer.appendSig(dst, start)
}

func unixSeconds(now time.Time) uint64 {
	if ts := now.Unix(); ts > 0 {
		return uint64(ts)
	}
	return 0
}

// SignAt signs value with the signing time now.
func (t *TimestampSigner) SignAt(value []byte, now time.Time) []byte {
	return t.AppendSignAt(make([]byte, 0, len(value)+t.signedOverhead(now)), value, now)
}

// Sign signs value with the current time.
func (t *TimestampSigner) Sign(value []byte) []byte { return t.SignAt(value, time.Now()) }

// Unsign is UnsignAt with the current time.
func (t *TimestampSigner) Unsign(signed []byte, maxAge time.Duration) (Unsigned, error) {
	return t.UnsignAt(signed, maxAge, time.Now())
}

// UnsignAt verifies a timed value at time now. With maxAge > 0 it also
// checks the age (now minus signing time, whole seconds): an age up to
// maxAge passes, older is expired, and a negative age (signed in the
// future) is expired too. maxAge <= 0 skips the age check (Python
// max_age=None).
//
// The steps and errors follow itsdangerous: no separator at all gives a
// plain *BadSignatureError; a wrong signature gives a timed
// *BadSignatureError carrying the unverified Payload and DateSigned; a
// correctly signed value without a timestamp, or with one that does not
// decode to a time up to year 9999, gives a timed *BadSignatureError
// ("timestamp missing", "malformed timestamp"); an age failure gives
// *SignatureExpiredError.
func (t *TimestampSigner) UnsignAt(signed []byte, maxAge time.Duration, now time.Time) (Unsigned, error) {
	s := t.signer
	i := bytes.LastIndexByte(signed, s.sep)
	if i < 0 {
		return Unsigned{Key: -1}, s.errNoSep()
	}
	result := signed[:i]
	key, sigOK := s.Verify(result, signed[i+1:])

	j := bytes.LastIndexByte(result, s.sep)
	if j < 0 {
		if !sigOK {
			// Python re-raises the plain signer error here.
			return Unsigned{Key: -1}, &BadSignatureError{Msg: msgMismatch, Payload: bytes.Clone(result)}
		}
		return Unsigned{Key: -1}, &BadSignatureError{Msg: msgTimestampMissing, Payload: bytes.Clone(result), Timed: true}
	}
	value := result[:j]
	ts, tsOK := decodeTimestamp(result[j+1:])

	if !sigOK {
		e := &BadSignatureError{Msg: msgMismatch, Payload: bytes.Clone(value), Timed: true}
		if tsOK {
			e.DateSigned = time.Unix(ts, 0).UTC()
		} else if ts > maxTimestamp {
			// Decodable but too large: Python fails while building date_signed.
			e.Msg = msgMalformedTS
		}
		return Unsigned{Key: -1}, e
	}
	if !tsOK {
		return Unsigned{Key: -1}, &BadSignatureError{Msg: msgMalformedTS, Payload: bytes.Clone(value), Timed: true}
	}
	signedAt := time.Unix(ts, 0).UTC()
	if maxAge > 0 {
		age := now.Unix() - ts
		if age < 0 || age > int64(maxAge/time.Second) {
			return Unsigned{Key: -1}, &SignatureExpiredError{
				DateSigned: signedAt,
				Age:        secondsToDuration(age),
				MaxAge:     maxAge,
				Payload:    bytes.Clone(value),
			}
		}
	}
	return Unsigned{Value: value, SignedAt: signedAt, Key: key}, nil
}

// decodeTimestamp decodes a base64 timestamp. ok is false when it does
// not decode or is past maxTimestamp; ts is then maxTimestamp+1 if the
// encoding itself was fine, else -1.
func decodeTimestamp(b []byte) (ts int64, ok bool) {
	if len(b) > 11 { // > 8 bytes
		return -1, false
	}
	var buf [9]byte
	n, valid := decodeBase64(buf[:], b)
	if !valid || n > 8 {
		return -1, false
	}
	u, _ := bytesToInt(buf[:n])
	if u > maxTimestamp {
		return maxTimestamp + 1, false
	}
	return int64(u), true
}

// secondsToDuration converts whole seconds, saturating instead of
// overflowing.
func secondsToDuration(sec int64) time.Duration {
	const limit = math.MaxInt64 / int64(time.Second)
	switch {
	case sec > limit:
		return math.MaxInt64
	case sec < -limit:
		return math.MinInt64
	}
	return time.Duration(sec) * time.Second
}
