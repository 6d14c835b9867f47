// Package itsdangerous is a Go port of the parts of Python's itsdangerous
// that Flask's session cookies use, wire-compatible with itsdangerous 2.x.
// Besides the standard library it uses only this module's internal zlib
// code, which writes the bytes C zlib writes.
//
// The layers mirror the Python package, one file each:
//
//   - encoding: unpadded URL-safe base64 (AppendBase64, Base64Decode) and
//     the big-endian integer form of timestamps.
//   - Signer: value + "." + base64(HMAC(derived key, value)).
//   - TimestampSigner: value + "." + base64(time) + "." + signature, with
//     an age check on verification.
//   - payload: the URL-safe serializer's encoding of the serialized bytes,
//     zlib-compressed (marked by a leading ".") when that is shorter.
//   - URLSafeTimedSerializer: all of the above around a Codec.
//   - errors: sentinels and error types in Python's hierarchy, for
//     errors.Is and errors.As.
//
// # Flask session cookies
//
// A Flask session cookie is
//
//	[.]PAYLOAD.TIMESTAMP.SIGNATURE
//
// made by a TimestampSigner with FlaskSessionConfig (salt
// "cookie-session", HMAC key derivation, HMAC-SHA1) over the payload of
// Flask's tagged JSON. To read one:
//
//	ts, _ := itsdangerous.NewTimestampSigner(keys, itsdangerous.FlaskSessionConfig())
//	u, err := ts.UnsignAt(cookie, 31*24*time.Hour, time.Now())
//	// err: errors.Is(err, itsdangerous.ErrBadSignature) -> treat as no session
//	data, err := itsdangerous.DecodePayload(u.Value, 0)
//	// err: errors.Is(err, itsdangerous.ErrBadPayload) -> signed but undecodable
//
// # Keys, salts and rotation
//
// The secret keys are a list ordered oldest to newest, as in itsdangerous
// and Flask (SECRET_KEY_FALLBACKS + [SECRET_KEY]): values are signed with
// the last key and verified with every key, newest first. Verification
// reports which key matched, so a caller can re-sign values still signed
// with an old key. The salt keeps signatures made for one purpose from
// being valid for another; it is not secret. Keys are derived once, when a
// signer is made; a signer is safe for concurrent use.
//
// A signature proves who made a value, it does not hide it: anyone can
// base64-decode the payload. Do not store secrets in it.
//
// # Compression
//
// The URL-safe serializer zlib-compresses a payload when that saves at
// least 2 bytes. Its compressor reproduces C zlib's default level byte for
// byte (payloads up to 32 KiB; larger ones use compress/zlib), so a
// payload made here is the one Python makes from the same bytes, and the
// choice to compress is the same: Go and Flask mint identical cookies.
// DecodePayload reads any zlib stream, accepting and rejecting what
// Python's zlib.decompress does, with a hard cap on the decoded size.
//
// # Performance
//
// Signing is one HMAC, verifying one per key tried (newest first), on
// pooled, pre-keyed hash states: AppendSign and AppendSignAt do not
// allocate when dst has room, Unsign and UnsignAt not at all.
// DecodePayload allocates only its result. The zlib compressor and
// decompressor are tuned for cookie-sized data, where compress/flate
// spends most of its time resetting large tables.
//
// # Differences from Python
//
// Base64Decode is strict: it takes only the canonical unpadded URL-safe
// form, which is all that itsdangerous writes, where Python also accepts
// padding, the standard alphabet and stray characters. Timestamps past
// year 9999, which Python cannot turn into a datetime, are malformed.
// DecodePayload caps the decoded size (Python has no cap).
//
// Time is a parameter: SignAt and UnsignAt take the current time, Sign and
// Unsign use time.Now.
package itsdangerous
