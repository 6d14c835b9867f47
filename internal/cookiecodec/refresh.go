package cookiecodec

import (
	"time"

	"github.com/ginflask/flasksession/itsdangerous"
)

// AppendRefreshAt is Flask's refresh of a permanent session that the
// request did not touch, without decoding the session: if the session is
// permanent (a true "_permanent" at its top level), it verifies cookie at
// now as DecodeAt does, appends the same payload signed at now to dst and
// reports true. A session that is not permanent leaves dst as it is.
// Errors are DecodeAt's.
//
// A session that is plainly not permanent is never sent again, valid or
// not, so its signature is not checked at all: no error for it.
func (c *Codec) AppendRefreshAt(dst []byte, cookie string, now time.Time) ([]byte, bool, error) {
	// Most sessions fit the stack buffer.
	var buf [1024]byte
	permanent, known := readPermanent(buf[:0], cookie, c.maxSize)
	if known && !permanent {
		return dst, false, nil
	}
	u, err := c.signer.UnsignAt(readOnly(cookie), c.maxAge, now)
	if err != nil {
		return dst, false, err
	}
	if !known {
		// Compressed, or unreadable before the signature was checked:
		// read it now, for DecodeAt's errors.
		bp := jsonBufs.Get()
		defer jsonBufs.Put(bp)
		js, err := itsdangerous.AppendDecodePayload(*bp, u.Value, c.maxSize)
		*bp = js
		if err != nil {
			return dst, false, err
		}
		if permanent, err = permanentJSON(js); err != nil {
			return dst, false, &itsdangerous.BadPayloadError{Err: err}
		}
		if !permanent {
			return dst, false, nil
		}
	}
	return c.signer.AppendSignAt(dst, u.Value, now), true, nil
}

// readPermanent reads "_permanent" from cookie's payload without
// verifying the cookie, decoding into scratch; known is false when the
// payload cannot be read that way: a malformed cookie, or a compressed
// payload, which is inflated only once verified. The payload read here is
// the one UnsignAt then verifies, so a verified cookie needs no second
// reading.
func readPermanent(scratch []byte, cookie string, maxSize int) (permanent, known bool) {
	b := readOnly(cookie)
	sig := lastDot(b)
	if sig < 0 {
		return false, false
	}
	ts := lastDot(b[:sig])
	if ts <= 0 || b[0] == '.' {
		return false, false
	}
	js, err := itsdangerous.AppendDecodePayload(scratch, b[:ts], maxSize)
	if err != nil {
		return false, false
	}
	permanent, err = permanentJSON(js)
	return permanent, err == nil
}
