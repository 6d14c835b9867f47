package flaskrecord

import (
	"fmt"
	"strconv"
	"time"
)

// Format is a Flask-Session record format.
type Format int

const (
	// MsgPack is msgspec's MessagePack, Flask-Session 0.7's default
	// (SESSION_SERIALIZATION_FORMAT = "msgpack"). It is the zero Format.
	MsgPack Format = iota
	// JSON is msgspec's JSON, Flask-Session 0.7's "json" option.
	JSON
	// Pickle is pickle protocol 4, what Flask-Session 0.3 to 0.6 write on
	// Python 3.8 and later, and what every version reads.
	Pickle
)

// String returns "msgpack", "json" or "pickle", the names
// SESSION_SERIALIZATION_FORMAT uses for the first two.
func (f Format) String() string {
	switch f {
	case MsgPack:
		return "msgpack"
	case JSON:
		return "json"
	case Pickle:
		return "pickle"
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// ParseFormat returns the Format named s, as String writes it: the value
// of a Flask app's SESSION_SERIALIZATION_FORMAT, or "pickle".
func ParseFormat(s string) (Format, error) {
	switch s {
	case "msgpack":
		return MsgPack, nil
	case "json":
		return JSON, nil
	case "pickle":
		return Pickle, nil
	}
	return 0, fmt.Errorf("flaskrecord: unknown format %q (want msgpack, json or pickle)", s)
}

// Defaults for the Codec's caps.
const (
	// DefaultMaxSize is the largest record a Codec reads or writes unless
	// MaxSize says otherwise: 4 MiB. Flask-Session has no cap; this one
	// is far above any session a web app should keep, and low enough that
	// a corrupted or hostile record costs little.
	DefaultMaxSize = 4 << 20
	// DefaultMaxDepth is the deepest nesting of lists, dicts and tuples:
	// 1000 levels, about where Python's pickler, msgspec and json give up
	// (RecursionError), so no Flask app writes deeper records.
	DefaultMaxDepth = 1000
	// DefaultMaxItems is the most values (every str, number, list, key
	// and so on) a record may hold: 1<<18.
	DefaultMaxItems = 1 << 18
)

// Codec reads and writes Flask-Session's server-side records: the value
// the session interface stores under "session:<sid>". The zero Codec
// writes MsgPack with the default caps. A Codec is a value with no state
// and is safe for concurrent use.
type Codec struct {
	// Format is what Encode writes. Decode reads every format.
	Format Format
	// MaxSize caps a record both ways, in bytes: a longer record is not
	// read, and a session whose record would be longer is not written, so
	// every record a Codec writes, it can read back. Zero means
	// DefaultMaxSize; negative means no cap.
	MaxSize int
	// MaxDepth caps nesting both ways. Zero means DefaultMaxDepth.
	MaxDepth int
	// MaxItems caps the number of values Decode builds, counting every
	// value each time a pickle refers to it. Zero means DefaultMaxItems.
	MaxItems int
}

type limits struct {
	size, depth, items int
}

func (c Codec) limits() limits {
	l := limits{size: c.MaxSize, depth: c.MaxDepth, items: c.MaxItems}
	if l.size == 0 {
		l.size = DefaultMaxSize
	}
	if l.depth <= 0 {
		l.depth = DefaultMaxDepth
	}
	if l.items <= 0 {
		l.items = DefaultMaxItems
	}
	return l
}

// Decode reads a record the way Flask-Session 0.7 and 0.8 do: as msgpack,
// then, if that fails, as JSON, then as a pickle. Records of 0.3 to 0.6
// are pickles. A record that decodes to something other than a dict gives
// an error wrapping ErrNotDict.
//
// Values come back as string, int (or *big.Int beyond int's range),
// float64, bool, nil, []any, map[string]any, taggedjson.Tuple (pickle
// tuples), []byte, time.Time (aware datetimes in UTC, naive ones in the
// Naive location) and Date; see the package doc for each format.
func (c Codec) Decode(data []byte) (map[string]any, error) {
	m, _, err := c.DecodeFormat(data)
	return m, err
}

// DecodeFormat is Decode that also reports the format the record was in,
// so that a caller can tell records of old Flask-Session versions (Pickle)
// from those of current ones.
func (c Codec) DecodeFormat(data []byte) (map[string]any, Format, error) {
	l := c.limits()
	if l.size >= 0 && len(data) > l.size {
		f := sniff(data)
		return nil, f, &LimitError{Format: f, Err: ErrTooLarge, Limit: l.size, Offset: l.size}
	}
	// One copy of the record, which the decoders cut strings from.
	src := string(data)
	var errMsgpack, errJSON error
	// A decoder that surely fails on the record's first bytes is not
	// run: the order, and so the result, stays Flask-Session's.
	if !msgpackCannot(data) {
		m, err := decodeMsgpack(data, src, l)
		if err == nil {
			return m, MsgPack, nil
		}
		if !isSyntax(err) {
			return nil, MsgPack, err
		}
		errMsgpack = err
	}
	if !jsonCannot(data) {
		m, err := decodeJSON(data, src, l)
		if err == nil {
			return m, JSON, nil
		}
		if !isSyntax(err) {
			return nil, JSON, err
		}
		errJSON = err
	}
	m, err := decodePickle(data, src, l)
	if err == nil {
		return m, Pickle, nil
	}
	if !isSyntax(err) {
		return nil, Pickle, err
	}
	// Nothing reads it: report the failure of the format it looks like.
	switch f := sniff(data); f {
	case MsgPack:
		if errMsgpack == nil {
			_, errMsgpack = decodeMsgpack(data, src, l)
		}
		return nil, f, errMsgpack
	case JSON:
		if errJSON == nil {
			_, errJSON = decodeJSON(data, src, l)
		}
		return nil, f, errJSON
	}
	return nil, Pickle, err
}

// isSyntax reports a *SyntaxError, which the decoders return unwrapped.
func isSyntax(err error) bool {
	_, ok := err.(*SyntaxError)
	return ok
}

// msgpackCannot reports a record that msgpack surely fails on: a
// complete one-byte value (such as a pickle's PROTO, 0x80, an empty map,
// or JSON's "{", an int) followed by more bytes.
func msgpackCannot(data []byte) bool {
	if len(data) < 2 {
		return false
	}
	switch c := data[0]; {
	case c <= 0x7f, c >= 0xe0, c == 0x80, c == 0x90, c == 0xa0, c == 0xc0, c == 0xc2, c == 0xc3:
		return true
	}
	return false
}

// jsonCannot reports a record that does not start like a JSON value.
func jsonCannot(data []byte) bool {
	for _, c := range data {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[', '"', '-', 't', 'f', 'n':
			return false
		}
		return c < '0' || c > '9'
	}
	return true
}

// sniff guesses a broken record's format from its first byte.
func sniff(data []byte) Format {
	for _, b := range data {
		switch b {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[', '"':
			return JSON
		case 0x80, '(', '}', ']':
			return Pickle
		}
		return MsgPack
	}
	return MsgPack
}

// Encode returns the record of the session values in c.Format. Map keys
// are written in sorted order. A value the format cannot carry gives an
// *UnsupportedTypeError or *UnsupportedValueError naming its path; a
// record over MaxSize gives a *LimitError.
func (c Codec) Encode(values map[string]any) ([]byte, error) {
	return c.AppendEncode(make([]byte, 0, 256), values)
}

// AppendEncode appends the record Encode returns to dst. On error it
// returns dst unchanged.
func (c Codec) AppendEncode(dst []byte, values map[string]any) ([]byte, error) {
	l := c.limits()
	n := len(dst)
	var out []byte
	var err error
	switch c.Format {
	case MsgPack:
		out, err = appendMsgpack(dst, values, l)
	case JSON:
		out, err = appendJSON(dst, values, l)
	case Pickle:
		out, err = appendPickle(dst, values, l)
	default:
		return dst, fmt.Errorf("flaskrecord: unknown format %v", c.Format)
	}
	if err != nil {
		return dst[:n], err
	}
	if l.size >= 0 && len(out)-n > l.size {
		return dst[:n], &LimitError{Format: c.Format, Err: ErrTooLarge, Limit: l.size, Offset: -1}
	}
	return out, nil
}

// Naive is the location of the time.Time values Decode returns for
// Python's naive datetimes (those without tzinfo, such as
// datetime.utcnow()): the wall clock as stored, at offset zero, which is
// what Flask apps mean by them. Encode writes a time.Time in Naive back
// as a naive datetime, and any other time.Time as an aware one in UTC.
var Naive = time.FixedZone("naive", 0)

// Date is a Python datetime.date, which Go has no type for. Decode returns
// it for a pickled date; Encode writes it back as a date in a pickle, and
// as msgspec does, as the string "2006-01-02", in msgpack and JSON.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// String returns the date as Python's isoformat does: "2006-01-02".
func (d Date) String() string {
	b := make([]byte, 0, 10)
	return string(appendDate(b, d.Year, int(d.Month), d.Day))
}

// MarshalText writes the date as String does, so that encoding/json and
// taggedjson store it as that string.
func (d Date) MarshalText() ([]byte, error) {
	if !validDate(d.Year, int(d.Month), d.Day) {
		return nil, fmt.Errorf("flaskrecord: invalid date %d-%d-%d", d.Year, int(d.Month), d.Day)
	}
	return []byte(d.String()), nil
}

// Time returns midnight of the date in loc.
func (d Date) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

func appendDate(b []byte, y, m, d int) []byte {
	b = append4(b, y)
	b = append(b, '-')
	b = append2(b, m)
	b = append(b, '-')
	return append2(b, d)
}

func append4(b []byte, v int) []byte {
	return append(b, byte('0'+v/1000%10), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

func append2(b []byte, v int) []byte {
	return append(b, byte('0'+v/10%10), byte('0'+v%10))
}

func validDate(y, m, d int) bool {
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
