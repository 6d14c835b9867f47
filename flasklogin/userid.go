package flasklogin

import (
	"github.com/ginflask/flasksession/internal/pyrepr"
	"github.com/google/uuid"
)

// userIDString is Python's str() of a user ID read back from the session,
// which Flask-Login hands to the user loader and signs into the remember
// cookie: a str as is, an int of any size, a float in Python's spelling,
// True, False, None, a UUID's hex form. It is "" for containers and bytes,
// whose str() is their repr (not something an app logs in with).
func userIDString(v any) string {
	if u, ok := v.(uuid.UUID); ok {
		return u.String()
	}
	s, _ := pyrepr.Str(v)
	return s
}
