package flaskcookie

import (
	"time"

	"github.com/ginflask/flasksession/itsdangerous"
	"github.com/ginflask/flasksession/taggedjson"
)

// PermanentKey is the session key of Flask's session.permanent.
const PermanentKey = "_permanent"

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
	if notPermanent(cookie, c.maxSize) {
		return dst, false, nil
	}
	u, err := c.signer.UnsignAt(readOnly(cookie), c.maxAge, now)
	if err != nil {
		return dst, false, err
	}
	bp := jsonBufs.Get()
	defer jsonBufs.Put(bp)
	js, err := itsdangerous.AppendDecodePayload(*bp, u.Value, c.maxSize)
	*bp = js
	if err != nil {
		return dst, false, err
	}
	permanent, err := taggedjson.KeyTruthy(js, PermanentKey)
	if err != nil {
		return dst, false, &itsdangerous.BadPayloadError{Err: err}
	}
	if !permanent {
		return dst, false, nil
	}
	return c.signer.AppendSignAt(dst, u.Value, now), true, nil
}

// notPermanent reports whether cookie is well formed and its session,
// read without verifying it, plainly not permanent. Compressed payloads
// are inflated only once verified, so they never are here.
func notPermanent(cookie string, maxSize int) bool {
	b := readOnly(cookie)
	sig := lastDot(b)
	if sig < 0 {
		return false
	}
	ts := lastDot(b[:sig])
	if ts <= 0 || b[0] == '.' {
		return false
	}
	// Most sessions fit the stack buffer.
	var buf [1024]byte
	js, err := itsdangerous.AppendDecodePayload(buf[:0], b[:ts], maxSize)
	if err != nil {
		return false
	}
	permanent, err := taggedjson.KeyTruthy(js, PermanentKey)
	return err == nil && !permanent
}
