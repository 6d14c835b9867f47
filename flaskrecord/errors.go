package flaskrecord

import (
	"errors"
	"reflect"
	"strconv"
	"strings"

	"github.com/ginflask/flasksession/internal/errpath"
)

// Sentinels a [LimitError] unwraps to, and ErrNotDict, which Decode
// returns wrapped when a record is well formed but is not a session.
var (
	// ErrTooLarge: the record (on Decode) or the encoded session (on
	// Encode) is over Codec.MaxSize.
	ErrTooLarge = errors.New("flaskrecord: record too large")
	// ErrTooDeep: the values nest deeper than Codec.MaxDepth (a cyclic Go
	// value or a recursive pickle counts as too deep).
	ErrTooDeep = errors.New("flaskrecord: record nested too deeply")
	// ErrTooManyItems: the record holds more than Codec.MaxItems values.
	ErrTooManyItems = errors.New("flaskrecord: record has too many items")
	// ErrNotDict: the record decodes, but to something other than a
	// dict, so it is not a session.
	ErrNotDict = errors.New("flaskrecord: record is not a dict")
)

// LimitError reports a record over one of the Codec's caps. It unwraps to
// ErrTooLarge, ErrTooDeep or ErrTooManyItems.
type LimitError struct {
	Format Format // the format being read or written
	Err    error  // ErrTooLarge, ErrTooDeep or ErrTooManyItems
	Limit  int    // the cap in force
	Offset int    // byte offset where decoding stopped; -1 when encoding
}

// Error describes the cap and where it was passed.
func (e *LimitError) Error() string {
	var b strings.Builder
	b.WriteString("flaskrecord: ")
	b.WriteString(e.Format.String())
	b.WriteString(": ")
	switch e.Err {
	case ErrTooLarge:
		b.WriteString("record larger than ")
		b.WriteString(strconv.Itoa(e.Limit))
		b.WriteString(" bytes")
	case ErrTooDeep:
		b.WriteString("values nested deeper than ")
		b.WriteString(strconv.Itoa(e.Limit))
		b.WriteString(" levels (or cyclic)")
	case ErrTooManyItems:
		b.WriteString("more than ")
		b.WriteString(strconv.Itoa(e.Limit))
		b.WriteString(" values")
	default:
		b.WriteString(e.Err.Error())
	}
	if e.Offset >= 0 {
		b.WriteString(" at byte ")
		b.WriteString(strconv.Itoa(e.Offset))
	}
	return b.String()
}

// Unwrap returns the sentinel.
func (e *LimitError) Unwrap() error { return e.Err }

// SyntaxError reports a record that is not valid in Format: truncated,
// malformed, or something Python itself would fail to load. When Decode
// finds no format that reads the record, it returns the SyntaxError of
// the format the record's first byte points to.
type SyntaxError struct {
	Format Format
	Offset int    // byte offset of the problem
	Msg    string // what is wrong
}

// Error describes the format, the problem and its offset.
func (e *SyntaxError) Error() string {
	return "flaskrecord: " + e.Format.String() + ": " + e.Msg + " at byte " + strconv.Itoa(e.Offset)
}

// PickleRefusedError reports a pickle that Python could load but this
// reader will not: an opcode outside the data subset Flask sessions use
// (BUILD, INST, sets, persistent IDs, out-of-band buffers, Python 2
// strings) or a global outside the allow-list (datetime.datetime,
// datetime.date, datetime.timezone, datetime.timedelta, and, for
// protocols 0 to 2, the _codecs.encode and bytes that spell bytes). No
// global is ever imported or called: the allowed ones are interpreted.
type PickleRefusedError struct {
	Offset int    // byte offset of the opcode
	Opcode string // the opcode's name in pickletools, such as "BUILD"
	Global string // for GLOBAL, STACK_GLOBAL, REDUCE, NEWOBJ: "module.name"
	Reason string // what is refused, when more than the opcode or global
}

// Error describes the opcode or global refused and its offset.
func (e *PickleRefusedError) Error() string {
	var b strings.Builder
	b.WriteString("flaskrecord: pickle: ")
	switch {
	case e.Global != "" && e.Reason == "":
		b.WriteString("global ")
		b.WriteString(e.Global)
		b.WriteString(" (opcode ")
		b.WriteString(e.Opcode)
		b.WriteString(") is not on the allow-list")
	case e.Global != "":
		b.WriteString(e.Global)
		b.WriteString(": ")
		b.WriteString(e.Reason)
	default:
		b.WriteString("opcode ")
		b.WriteString(e.Opcode)
		b.WriteString(" is not supported")
		if e.Reason != "" {
			b.WriteString(" (")
			b.WriteString(e.Reason)
			b.WriteString(")")
		}
	}
	b.WriteString(" at byte ")
	b.WriteString(strconv.Itoa(e.Offset))
	return b.String()
}

// UnsupportedPythonError reports a record that holds a Python value with
// no Go counterpart in this package: a dict key that is not a str, a
// msgpack extension other than the timestamp, a timedelta or timezone
// outside a datetime.
type UnsupportedPythonError struct {
	Format Format
	// Path locates the value, in the form `cart[2].price`; it starts with
	// the session key.
	Path string
	// Type is the Python type, such as "int (as a dict key)".
	Type string
}

// Error describes the Python type and its path.
func (e *UnsupportedPythonError) Error() string {
	s := "flaskrecord: " + e.Format.String() + ": cannot load "
	if e.Path != "" {
		s += strconv.Quote(e.Path) + ", "
	}
	return s + "a Python " + e.Type
}

// UnsupportedTypeError is returned by Encode for a Go value of a type the
// format cannot carry, such as template.HTML (msgspec refuses Markup, and
// markupsafe.Markup is not a pickle global this package writes), uuid.UUID
// in a pickle, a channel or a function.
type UnsupportedTypeError struct {
	Format Format
	// Path locates the value, in the form `cart[2].price`; it starts with
	// the session key.
	Path string
	// Type is the Go type of the value.
	Type reflect.Type
}

// Error describes the Go type and its path.
func (e *UnsupportedTypeError) Error() string {
	t := "<nil>"
	if e.Type != nil {
		t = e.Type.String()
	}
	return "flaskrecord: " + e.Format.String() + ": cannot store " + quotePath(e.Path) + " of type " + t
}

// UnsupportedValueError is returned by Encode for a value of a supported
// type that the format, or Python, cannot hold: an int outside msgpack's
// range, a time.Time outside the years 1 to 9999, an int of more than
// 4300 digits in JSON.
type UnsupportedValueError struct {
	Format Format
	Path   string       // as in UnsupportedTypeError
	Type   reflect.Type // the Go type of the value
	Reason string       // what is wrong with it
	Err    error        // the underlying error, if any
}

// Error describes the value's path and what is wrong with it.
func (e *UnsupportedValueError) Error() string {
	s := "flaskrecord: " + e.Format.String() + ": cannot store " + quotePath(e.Path)
	if e.Type != nil {
		s += " of type " + e.Type.String()
	}
	return s + ": " + e.Reason
}

// Unwrap returns the underlying error.
func (e *UnsupportedValueError) Unwrap() error { return e.Err }

func quotePath(p string) string {
	if p == "" {
		return "a value"
	}
	return strconv.Quote(p)
}

// notDict is ErrNotDict with the format and the type found.
type notDict struct {
	format Format
	found  string
}

func (e *notDict) Error() string {
	return "flaskrecord: " + e.format.String() + ": record is a " + e.found + ", not a dict"
}

func (e *notDict) Unwrap() error { return ErrNotDict }

// withKey and withIndex prefix the path of an error on the way out of a
// container, so the path is built only when something fails.
func withKey(err error, key string) error {
	if p := errPath(err); p != nil {
		errpath.Key(p, key)
	}
	return err
}

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
	case *UnsupportedPythonError:
		return &e.Path
	}
	return nil
}
