package cookiecodec

import "github.com/ginflask/flasksession/taggedjson"

// Whether a session is permanent is decided here, for every backend: the
// middleware's Session, the refresh of a cookie nobody touched, and
// Flask-Session's records. (Server-side IDs of the middleware's own
// records carry a mark saying so, written from this rule's answer.)

// PermanentKey is the session key of Flask's session.permanent.
const PermanentKey = "_permanent"

// Permanent reports whether a session is permanent: as in Flask, whether
// "_permanent" holds a value Python's bool() finds true.
func Permanent(values map[string]any) bool {
	return taggedjson.Truthy(values[PermanentKey])
}

// permanentJSON is Permanent on a session's JSON, read without decoding
// the rest of it.
func permanentJSON(js []byte) (bool, error) {
	return keyTruthy(js, PermanentKey)
}
