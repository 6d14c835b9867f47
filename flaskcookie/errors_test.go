package flaskcookie

import (
	"errors"
	"strings"
	"testing"

	"github.com/ginflask/flasksession/itsdangerous"
)

// errPrefixes are the packages a codec error may come from, each naming
// itself.
var errPrefixes = []string{"flaskcookie: ", "itsdangerous: ", "taggedjson: "}

func hasErrPrefix(err error) bool {
	for _, p := range errPrefixes {
		if strings.HasPrefix(err.Error(), p) {
			return true
		}
	}
	return false
}

func TestErrors(t *testing.T) {
	_, noKey := New(Config{})
	_, noDot := ParseUnverified("nodot")
	_, noTime := ParseUnverified("e30.sig")
	tests := []struct {
		name string
		err  error
		is   error
		msg  string
	}{
		{"no key", noKey, ErrNoSecretKey, "flaskcookie: no secret key"},
		{"no separator", noDot, itsdangerous.ErrBadSignature, "flaskcookie: not a Flask session cookie: no '.' separator: "},
		{"no timestamp", noTime, itsdangerous.ErrBadTimeSignature, "flaskcookie: not a Flask session cookie: timestamp missing: "},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.is) {
			t.Errorf("%s: %v does not match %v", tt.name, tt.err, tt.is)
			continue
		}
		if msg := tt.err.Error(); !strings.HasPrefix(msg, tt.msg) || len(msg) > 120 {
			t.Errorf("%s: message %q, want a short one starting %q", tt.name, msg, tt.msg)
		}
	}
}
