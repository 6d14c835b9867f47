package itsdangerous

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

const errPrefix = "itsdangerous: "

// dataError is a sentinel that also matches its ancestors, so the
// sentinels form the same tree as Python's exception classes.
type dataError struct {
	msg    string
	parent *dataError
}

// Error returns the message.
func (e *dataError) Error() string { return e.msg }

// Is reports whether target is one of e's ancestors (errors.Is already
// handles e == target).
func (e *dataError) Is(target error) bool {
	for p := e.parent; p != nil; p = p.parent {
		if p == target {
			return true
		}
	}
	return false
}

// The sentinels mirror Python's hierarchy:
//
//	BadData ⟵ BadSignature ⟵ BadTimeSignature ⟵ SignatureExpired
//	BadData ⟵ BadPayload
//
// Test with errors.Is. A payload error is not a signature error: Flask
// catches only BadSignature, so keep the two apart when deciding what to do.
var (
	// ErrBadData matches every error this package returns for bad input.
	ErrBadData error = errBadData
	// ErrBadSignature matches values whose signature is missing or wrong,
	// and everything below it.
	ErrBadSignature error = errBadSignature
	// ErrBadTimeSignature matches errors of the timestamp signer: a bad
	// signature on a timed value, a missing or malformed timestamp, and
	// expiry.
	ErrBadTimeSignature error = errBadTimeSignature
	// ErrSignatureExpired matches a valid signature that is older than the
	// allowed age or dated in the future.
	ErrSignatureExpired error = errSignatureExpired
	// ErrBadPayload matches a correctly signed value whose payload cannot
	// be decoded. It is not an ErrBadSignature.
	ErrBadPayload error = errBadPayload
)

var (
	errBadData          = &dataError{msg: errPrefix + "bad data"}
	errBadSignature     = &dataError{msg: errPrefix + "bad signature", parent: errBadData}
	errBadTimeSignature = &dataError{msg: errPrefix + "bad time signature", parent: errBadSignature}
	errSignatureExpired = &dataError{msg: errPrefix + "signature expired", parent: errBadTimeSignature}
	errBadPayload       = &dataError{msg: errPrefix + "bad payload", parent: errBadData}

	// Static errors for the hot failure paths: no allocation per failure.
	errBase64   = &dataError{msg: errPrefix + "invalid base64", parent: errBadData}
	errIntBytes = &dataError{msg: errPrefix + "integer encoding longer than 8 bytes", parent: errBadData}
)

// Messages of BadSignatureError, close to Python's wording.
const (
	msgMismatch         = "signature does not match"
	msgTimestampMissing = "timestamp missing"
	msgMalformedTS      = "malformed timestamp"
)

// BadSignatureError reports a value whose signature is missing or does not
// match, or (Timed) a timed value whose timestamp is missing or malformed.
// It matches ErrBadSignature and ErrBadData, and ErrBadTimeSignature when
// Timed is set. Python: BadSignature / BadTimeSignature.
type BadSignatureError struct {
	// Msg says what went wrong, without the "itsdangerous: " prefix:
	// "signature does not match" (tampered with, or signed with a key the
	// signer does not hold), "timestamp missing" (not signed by a
	// timestamp signer), "malformed timestamp", or "no '.' found in value".
	Msg string
	// Payload is the part of the value before the signature (before the
	// timestamp for timed values), if it could be split off. It is not
	// trustworthy: the signature did not vouch for it. It is a copy.
	Payload []byte
	// DateSigned is the signing time read from an unverified timestamp,
	// or the zero Time if unknown.
	DateSigned time.Time
	// Timed marks errors of the timestamp signer (Python BadTimeSignature).
	Timed bool
}

// Error returns Msg with the "itsdangerous: " prefix.
func (e *BadSignatureError) Error() string { return withPrefix(e.Msg) }

// Is makes errors.Is match ErrBadSignature, ErrBadData and, for timed
// errors, ErrBadTimeSignature.
func (e *BadSignatureError) Is(target error) bool {
	switch target {
	case ErrBadSignature, ErrBadData:
		return true
	case ErrBadTimeSignature:
		return e.Timed
	}
	return false
}

// SignatureExpiredError reports a valid signature that is too old, or
// dated in the future (Age < 0). It matches ErrSignatureExpired,
// ErrBadTimeSignature, ErrBadSignature and ErrBadData. Python:
// SignatureExpired.
type SignatureExpiredError struct {
	// DateSigned is when the value was signed (UTC).
	DateSigned time.Time
	// Age is now minus DateSigned, in whole seconds; negative when the
	// value was signed in the future.
	Age time.Duration
	// MaxAge is the age limit that was applied.
	MaxAge time.Duration
	// Payload is the signed value without timestamp and signature. The
	// signature is valid, so it is authentic, only stale. It is a copy.
	Payload []byte
}

// Error says how old the signature is and what the limit was, in
// Python's words. A negative age means the value was signed in the
// future: the clocks of the servers sharing the key disagree.
func (e *SignatureExpiredError) Error() string {
	age := strconv.FormatInt(int64(e.Age/time.Second), 10)
	if e.Age < 0 {
		return errPrefix + "signature age " + age + " < 0 seconds"
	}
	return errPrefix + "signature age " + age + " > " + formatSeconds(e.MaxAge) + " seconds"
}

// Is makes errors.Is match ErrSignatureExpired and its ancestors.
func (e *SignatureExpiredError) Is(target error) bool {
	switch target {
	case ErrSignatureExpired, ErrBadTimeSignature, ErrBadSignature, ErrBadData:
		return true
	}
	return false
}

// BadPayloadError reports a payload that cannot be decoded: bad base64, a
// bad or oversized zlib stream, or a value the serializer rejects. It
// matches ErrBadPayload and ErrBadData but not ErrBadSignature. Python:
// BadPayload, with Err as original_error.
type BadPayloadError struct {
	// Err is the underlying cause.
	Err error
}

// Error describes the cause.
func (e *BadPayloadError) Error() string {
	if e.Err == nil {
		return errPrefix + "bad payload"
	}
	return errPrefix + "bad payload: " + strings.TrimPrefix(e.Err.Error(), errPrefix)
}

// Is makes errors.Is match ErrBadPayload and ErrBadData.
func (e *BadPayloadError) Is(target error) bool {
	return target == ErrBadPayload || target == ErrBadData
}

// Unwrap returns the underlying cause.
func (e *BadPayloadError) Unwrap() error { return e.Err }

func withPrefix(msg string) string {
	if strings.HasPrefix(msg, errPrefix) {
		return msg
	}
	return errPrefix + msg
}

// formatSeconds prints d in seconds, with a fraction only when needed.
func formatSeconds(d time.Duration) string {
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10)
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// ErrNoSecretKey is returned by NewSigner, and the constructors built on
// it, when no secret key is given or one of them is empty.
var ErrNoSecretKey = errors.New(errPrefix + "no secret key")

// emptyKeyError names the empty key among several.
type emptyKeyError struct{ i, n int }

func (e *emptyKeyError) Error() string {
	return errPrefix + "secret key " + strconv.Itoa(e.i) + " of " + strconv.Itoa(e.n) + " is empty"
}

func (e *emptyKeyError) Is(target error) bool { return target == ErrNoSecretKey }
