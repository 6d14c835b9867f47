package taggedjson

import (
	"errors"
	"reflect"
	"strconv"
	"strings"

	"github.com/ginflask/flasksession/internal/errpath"
)

// ErrNotObject is returned (wrapped) by [UnmarshalObject] when the JSON text
// is valid but its top level is not an object, so it cannot be a session.
var ErrNotObject = errors.New("taggedjson: not a JSON object")

// UnsupportedTypeError is returned by [Marshal] for a value Flask could not
// store: a channel, function, complex number, unsafe.Pointer or a map whose
// keys are neither strings nor integers. Store a string, number, bool, nil,
// slice, map with string keys, struct, Tuple, []byte, template.HTML,
// uuid.UUID or time.Time instead.
type UnsupportedTypeError struct {
	// Path locates the value inside the marshaled value, in the form
	// `cart[2].price`; for a session it starts with the session key. It is
	// empty when the top-level value itself is unsupported.
	Path string
	// Type is the Go type that cannot be stored.
	Type reflect.Type
}

func (e *UnsupportedTypeError) Error() string {
	t := "<nil>"
	if e.Type != nil {
		t = e.Type.String()
	}
	if e.Path == "" {
		return "taggedjson: cannot store a value of type " + t
	}
	return "taggedjson: cannot store " + strconv.Quote(e.Path) + " of type " + t
}

// UnsupportedValueError is returned by [Marshal] for a value of a supported
// type that Flask could not load back, such as a time.Time outside the years
// 1 to 9999, an integer with more than 4300 digits, a cyclic or too deeply
// nested value, or a struct that encoding/json refuses. A zero time.Time
// (an unset field) is the usual cause of a year out of range.
type UnsupportedValueError struct {
	// Path locates the value, as in [UnsupportedTypeError].
	Path string
	// Type is the Go type of the value.
	Type reflect.Type
	// Reason says what is wrong with the value.
	Reason string
	// Err is the underlying error, if any (for example from encoding/json).
	Err error
}

func (e *UnsupportedValueError) Error() string {
	var b strings.Builder
	b.WriteString("taggedjson: cannot store ")
	if e.Path != "" {
		b.WriteString(strconv.Quote(e.Path))
	} else {
		b.WriteString("a value")
	}
	if e.Type != nil {
		b.WriteString(" of type ")
		b.WriteString(e.Type.String())
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns the underlying error.
func (e *UnsupportedValueError) Unwrap() error { return e.Err }

// SyntaxError is returned by [Unmarshal] for text that Python's json module
// would not parse: invalid JSON, invalid UTF-8, an integer literal with more
// than 4300 digits or nesting deeper than 1000 levels.
type SyntaxError struct {
	// Offset is the byte offset in the input where the problem was found.
	Offset int
	// Msg describes the problem.
	Msg string
}

func (e *SyntaxError) Error() string {
	return "taggedjson: invalid JSON at byte " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// TagError is returned by [Unmarshal] when a tagged value (such as
// {" u": ...}) has content Flask's TaggedJSONSerializer would fail on, for
// example a malformed UUID or badly padded base64. Flask answers such a
// cookie with a server error; callers typically treat it as a bad cookie.
type TagError struct {
	// Tag is the tag, such as " u".
	Tag string
	// Offset is the byte offset of the tagged object in the input.
	Offset int
	// Msg describes the problem.
	Msg string
}

func (e *TagError) Error() string {
	return "taggedjson: bad {" + strconv.Quote(e.Tag) + ": ...} at byte " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// withKey prefixes the path of an encoding error with a map key.
func withKey(err error, key string) error {
	if p := errPath(err); p != nil {
		errpath.Key(p, key)
	}
	return err
}

// withIndex prefixes the path of an encoding error with a list index.
func withIndex(err error, i int) error {
	if p := errPath(err); p != nil {
		errpath.Index(p, i)
	}
	return err
}

func errPath(err error) *string {
	switch e := err.(type) {
	case *UnsupportedTypeError:
		return &e.Path
	case *UnsupportedValueError:
		return &e.Path
	}
	return nil
}
