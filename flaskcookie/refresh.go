package flaskcookie

import (
	"time"

	"github.com/ginflask/flasksession/itsdangerous"
	"github.com/ginflask/flasksession/taggedjson"
)

// PermanentKey is the session key of Flask's session.permanent.
const PermanentKey = "_permanent"

// AppendRefreshAt is Flask's refresh of a permanent session that the
// request did not touch, without decoding the session: it verifies cookie
// at now as DecodeAt does and, if the session is permanent (a true
// "_permanent" at its top level), appends the same payload signed at now
// to dst and reports true. A session that is not permanent leaves dst as
// it is. Errors are DecodeAt's.
func (c *Codec) AppendRefreshAt(dst []byte, cookie string, now time.Time) ([]byte, bool, error) {
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
