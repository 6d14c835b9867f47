package flaskrecord

import (
	"encoding/binary"
	"html/template"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/ginflask/flasksession/taggedjson"
)

// MessagePack as msgspec (Flask-Session 0.7+) writes and reads it. The
// subset is small (nil, bool, int, float, str, bin, array, map and the
// timestamp extension), so it is written here rather than imported: the
// choices msgspec makes (the smallest int form, float64 always, str8, the
// timestamp 32/64/96 rule) and the caps on lengths before allocating are
// then in one place.

// Bounds of Python's datetime as Unix seconds: 0001-01-01 and
// 9999-12-31T23:59:59 UTC (msgspec's MS_EPOCH_SECS_MIN and _MAX).
const (
	epochSecsMin = -62135596800
	epochSecsMax = 253402300799
)

type mpEncoder struct {
	b   []byte
	lim limits
}

func appendMsgpack(dst []byte, values map[string]any, l limits) ([]byte, error) {
	e := mpEncoder{b: dst, lim: l}
	if err := e.dict(values, 1); err != nil {
		return nil, err
	}
	return e.b, nil
}

func (e *mpEncoder) tooDeep() error {
	return &LimitError{Format: MsgPack, Err: ErrTooDeep, Limit: e.lim.depth, Offset: -1}
}

func (e *mpEncoder) value(v any, depth int) error {
	switch x := v.(type) {
	case nil:
		e.b = append(e.b, 0xc0)
	case bool:
		if x {
			e.b = append(e.b, 0xc3)
		} else {
			e.b = append(e.b, 0xc2)
		}
	case string:
		e.str(validString(x))
	case int:
		e.int(int64(x))
	case float64:
		e.b = append(e.b, 0xcb)
		e.b = binary.BigEndian.AppendUint64(e.b, math.Float64bits(x))
	case map[string]any:
		return e.dict(x, depth+1)
	case []any:
		return e.array(x, depth+1)
	case taggedjson.Tuple:
		return e.array(x, depth+1)
	case *big.Int:
		switch {
		case x == nil:
			e.b = append(e.b, 0xc0)
		case x.IsInt64():
			e.int(x.Int64())
		case x.IsUint64():
			e.b = append(e.b, 0xcf)
			e.b = binary.BigEndian.AppendUint64(e.b, x.Uint64())
		default:
			return &UnsupportedValueError{Format: MsgPack, Type: reflect.TypeOf(x), Reason: "msgpack holds ints from -2**63 to 2**64-1 only"}
		}
	case []byte:
		e.bin(x)
	case time.Time:
		return e.time(x)
	case Date:
		if !validDate(x.Year, int(x.Month), x.Day) {
			return &UnsupportedValueError{Format: MsgPack, Type: reflect.TypeOf(x), Reason: "not a valid date"}
		}
		e.b = append(e.b, 0xa0|10)
		e.b = appendDate(e.b, x.Year, int(x.Month), x.Day)
	case uuid.UUID:
		// msgspec writes a UUID as its canonical string; it comes back as
		// a str, in Python as here.
		e.b = append(e.b, 0xa0|36)
		e.b = appendUUID(e.b, x)
	case template.HTML:
		return &UnsupportedTypeError{Format: MsgPack, Type: typeHTML}
	default:
		c, err := canonical(MsgPack, v)
		if err != nil {
			return err
		}
		return e.value(c, depth)
	}
	return nil
}

func (e *mpEncoder) dict(m map[string]any, depth int) error {
	if depth > e.lim.depth {
		return e.tooDeep()
	}
	e.header(len(m), 0x80, 0xde)
	if len(m) == 0 {
		return nil
	}
	var buf [16]string
	for _, k := range sortedKeys(m, buf[:]) {
		e.str(validString(k))
		if err := e.value(m[k], depth); err != nil {
			return withKey(err, k)
		}
	}
	return nil
}

func (e *mpEncoder) array(a []any, depth int) error {
	if depth > e.lim.depth {
		return e.tooDeep()
	}
	e.header(len(a), 0x90, 0xdc)
	for i, v := range a {
		if err := e.value(v, depth); err != nil {
			return withIndex(err, i)
		}
	}
	return nil
}

// header writes an array (fix 0x90, 0xdc, 0xdd) or map (0x80, 0xde,
// 0xdf) header.
func (e *mpEncoder) header(n int, fix, op16 byte) {
	switch {
	case n < 16:
		e.b = append(e.b, fix|byte(n))
	case n < 1<<16:
		e.b = append(e.b, op16)
		e.b = binary.BigEndian.AppendUint16(e.b, uint16(n))
	default:
		e.b = append(e.b, op16+1)
		e.b = binary.BigEndian.AppendUint32(e.b, uint32(n))
	}
}

func (e *mpEncoder) int(x int64) {
	switch {
	case x >= 0 && x < 128:
		e.b = append(e.b, byte(x))
	case x >= -32 && x < 0:
		e.b = append(e.b, byte(x))
	case x >= 0:
		switch {
		case x < 1<<8:
			e.b = append(e.b, 0xcc, byte(x))
		case x < 1<<16:
			e.b = append(e.b, 0xcd)
			e.b = binary.BigEndian.AppendUint16(e.b, uint16(x))
		case x < 1<<32:
			e.b = append(e.b, 0xce)
			e.b = binary.BigEndian.AppendUint32(e.b, uint32(x))
		default:
			e.b = append(e.b, 0xcf)
			e.b = binary.BigEndian.AppendUint64(e.b, uint64(x))
		}
	case x >= -1<<7:
		e.b = append(e.b, 0xd0, byte(x))
	case x >= -1<<15:
		e.b = append(e.b, 0xd1)
		e.b = binary.BigEndian.AppendUint16(e.b, uint16(x))
	case x >= -1<<31:
		e.b = append(e.b, 0xd2)
		e.b = binary.BigEndian.AppendUint32(e.b, uint32(x))
	default:
		e.b = append(e.b, 0xd3)
		e.b = binary.BigEndian.AppendUint64(e.b, uint64(x))
	}
}

func (e *mpEncoder) str(s string) {
	n := len(s)
	switch {
	case n < 32:
		e.b = append(e.b, 0xa0|byte(n))
	case n < 1<<8:
		e.b = append(e.b, 0xd9, byte(n))
	case n < 1<<16:
		e.b = append(e.b, 0xda)
		e.b = binary.BigEndian.AppendUint16(e.b, uint16(n))
	default:
		e.b = append(e.b, 0xdb)
		e.b = binary.BigEndian.AppendUint32(e.b, uint32(n))
	}
	e.b = append(e.b, s...)
}

func (e *mpEncoder) bin(p []byte) {
	n := len(p)
	switch {
	case n < 1<<8:
		e.b = append(e.b, 0xc4, byte(n))
	case n < 1<<16:
		e.b = append(e.b, 0xc5)
		e.b = binary.BigEndian.AppendUint16(e.b, uint16(n))
	default:
		e.b = append(e.b, 0xc6)
		e.b = binary.BigEndian.AppendUint32(e.b, uint32(n))
	}
	e.b = append(e.b, p...)
}

// time writes an aware datetime as the timestamp extension (-1) and a
// naive one as its isoformat string, as msgspec does.
func (e *mpEncoder) time(t time.Time) error {
	p, ok := toPyTime(t)
	if !ok {
		return &UnsupportedValueError{Format: MsgPack, Type: reflect.TypeOf(t), Reason: "year outside Python's 1 to 9999"}
	}
	if p.naive {
		var buf [32]byte
		e.str(string(appendISO(buf[:0], p)))
		return nil
	}
	secs := t.Unix()
	nanos := uint64(p.us) * 1000
	if secs>>34 == 0 {
		data64 := nanos<<34 | uint64(secs)
		if data64&0xffffffff00000000 == 0 {
			e.b = append(e.b, 0xd6, 0xff)
			e.b = binary.BigEndian.AppendUint32(e.b, uint32(data64))
		} else {
			e.b = append(e.b, 0xd7, 0xff)
			e.b = binary.BigEndian.AppendUint64(e.b, data64)
		}
		return nil
	}
	e.b = append(e.b, 0xc7, 12, 0xff)
	e.b = binary.BigEndian.AppendUint32(e.b, uint32(nanos))
	e.b = binary.BigEndian.AppendUint64(e.b, uint64(secs))
	return nil
}

type mpDecoder struct {
	data  []byte
	src   string // data as one string, which str values are cut from
	pos   int
	lim   limits
	items int
}

func decodeMsgpack(data []byte, src string, l limits) (map[string]any, error) {
	d := mpDecoder{data: data, src: src, lim: l}
	v, err := d.value(1)
	if err != nil {
		return nil, err
	}
	if d.pos != len(d.data) {
		return nil, d.syntax("trailing bytes after the record")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &notDict{MsgPack, pyTypeName(v)}
	}
	return m, nil
}

func (d *mpDecoder) syntax(msg string) error {
	return &SyntaxError{Format: MsgPack, Offset: d.pos, Msg: msg}
}

func (d *mpDecoder) truncated() error { return d.syntax("truncated record") }

// take returns the next n bytes, if there are that many.
func (d *mpDecoder) take(n uint64) ([]byte, error) {
	if n > uint64(len(d.data)-d.pos) {
		return nil, d.truncated()
	}
	p := d.data[d.pos : d.pos+int(n)]
	d.pos += int(n)
	return p, nil
}

func (d *mpDecoder) size(n int) (uint64, error) {
	p, err := d.take(uint64(n))
	if err != nil {
		return 0, err
	}
	switch n {
	case 1:
		return uint64(p[0]), nil
	case 2:
		return uint64(binary.BigEndian.Uint16(p)), nil
	case 4:
		return uint64(binary.BigEndian.Uint32(p)), nil
	}
	return binary.BigEndian.Uint64(p), nil
}

func (d *mpDecoder) value(depth int) (any, error) {
	if d.pos >= len(d.data) {
		return nil, d.truncated()
	}
	d.items++
	if d.items > d.lim.items {
		return nil, &LimitError{Format: MsgPack, Err: ErrTooManyItems, Limit: d.lim.items, Offset: d.pos}
	}
	op := d.data[d.pos]
	d.pos++
	switch {
	case op <= 0x7f:
		return int(op), nil
	case op >= 0xe0:
		return int(int8(op)), nil
	case op >= 0xa0 && op <= 0xbf:
		return d.str(uint64(op & 0x1f))
	case op >= 0x90 && op <= 0x9f:
		return d.array(uint64(op&0x0f), depth)
	case op >= 0x80 && op <= 0x8f:
		return d.dict(uint64(op&0x0f), depth)
	}
	switch op {
	case 0xc0:
		return nil, nil
	case 0xc2:
		return false, nil
	case 0xc3:
		return true, nil
	case 0xcc, 0xcd, 0xce, 0xcf:
		u, err := d.size(1 << (op - 0xcc))
		if err != nil {
			return nil, err
		}
		return fromUint64(u), nil
	case 0xd0, 0xd1, 0xd2, 0xd3:
		u, err := d.size(1 << (op - 0xd0))
		if err != nil {
			return nil, err
		}
		var x int64
		switch op {
		case 0xd0:
			x = int64(int8(u))
		case 0xd1:
			x = int64(int16(u))
		case 0xd2:
			x = int64(int32(u))
		default:
			x = int64(u)
		}
		if int64(int(x)) != x {
			return big.NewInt(x), nil
		}
		return int(x), nil
	case 0xca:
		u, err := d.size(4)
		if err != nil {
			return nil, err
		}
		return float64(math.Float32frombits(uint32(u))), nil
	case 0xcb:
		u, err := d.size(8)
		if err != nil {
			return nil, err
		}
		return math.Float64frombits(u), nil
	case 0xd9, 0xda, 0xdb:
		n, err := d.size(1 << (op - 0xd9))
		if err != nil {
			return nil, err
		}
		return d.str(n)
	case 0xc4, 0xc5, 0xc6:
		n, err := d.size(1 << (op - 0xc4))
		if err != nil {
			return nil, err
		}
		p, err := d.take(n)
		if err != nil {
			return nil, err
		}
		return append([]byte(nil), p...), nil
	case 0xdc, 0xdd:
		n, err := d.size(2 << (op - 0xdc))
		if err != nil {
			return nil, err
		}
		return d.array(n, depth)
	case 0xde, 0xdf:
		n, err := d.size(2 << (op - 0xde))
		if err != nil {
			return nil, err
		}
		return d.dict(n, depth)
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		return d.ext(1 << (op - 0xd4))
	case 0xc7, 0xc8, 0xc9:
		n, err := d.size(1 << (op - 0xc7))
		if err != nil {
			return nil, err
		}
		return d.ext(n)
	}
	d.pos--
	return nil, d.syntax("invalid opcode 0x" + strconv.FormatUint(uint64(op), 16))
}

func (d *mpDecoder) str(n uint64) (any, error) {
	s, err := d.strRaw(n)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// strRaw is str without boxing the string, for keys.
func (d *mpDecoder) strRaw(n uint64) (string, error) {
	start := d.pos
	p, err := d.take(n)
	if err != nil {
		return "", err
	}
	if !utf8.Valid(p) {
		d.pos = start
		return "", d.syntax("str is not valid UTF-8")
	}
	return d.src[start:d.pos], nil
}

func (d *mpDecoder) tooDeep() error {
	return &LimitError{Format: MsgPack, Err: ErrTooDeep, Limit: d.lim.depth, Offset: d.pos}
}

func (d *mpDecoder) array(n uint64, depth int) (any, error) {
	if depth+1 > d.lim.depth {
		return nil, d.tooDeep()
	}
	// A header may claim more elements than follow: past a few, append
	// grows the slice as the elements come, so the memory stays in
	// proportion to the record.
	a := make([]any, 0, min(n, uint64(len(d.data)-d.pos), 16))
	for i := uint64(0); i < n; i++ {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, withIndex(err, int(i))
		}
		a = append(a, v)
	}
	return a, nil
}

func (d *mpDecoder) dict(n uint64, depth int) (any, error) {
	if depth+1 > d.lim.depth {
		return nil, d.tooDeep()
	}
	m := make(map[string]any, min(n, uint64(len(d.data)-d.pos)/2, 16))
	for range n {
		k, err := d.key(depth)
		if err != nil {
			return nil, err
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, withKey(err, k)
		}
		m[k] = v
	}
	return m, nil
}

// key reads a map key, which must be a str: msgspec would give Python
// other hashable keys (ints, tuples), which a map[string]any cannot hold.
func (d *mpDecoder) key(depth int) (string, error) {
	if d.pos < len(d.data) {
		if op := d.data[d.pos]; op >= 0xa0 && op <= 0xbf {
			d.pos++
			d.items++
			if d.items > d.lim.items {
				return "", &LimitError{Format: MsgPack, Err: ErrTooManyItems, Limit: d.lim.items, Offset: d.pos - 1}
			}
			return d.strRaw(uint64(op & 0x1f))
		}
	}
	v, err := d.value(depth + 1)
	if err != nil {
		return "", err
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	return "", &UnsupportedPythonError{Format: MsgPack, Type: pyTypeName(v) + " (as a dict key)"}
}

// ext reads an extension: the timestamp (-1) becomes an aware datetime
// in UTC, rounded to the microsecond as msgspec rounds it.
func (d *mpDecoder) ext(n uint64) (any, error) {
	start := d.pos - 1
	code, err := d.take(1)
	if err != nil {
		return nil, err
	}
	p, err := d.take(n)
	if err != nil {
		return nil, err
	}
	if int8(code[0]) != -1 {
		return nil, &UnsupportedPythonError{Format: MsgPack, Type: "msgspec.msgpack.Ext (extension type " + strconv.Itoa(int(int8(code[0]))) + ")"}
	}
	var secs int64
	var nanos uint64
	switch n {
	case 4:
		secs = int64(binary.BigEndian.Uint32(p))
	case 8:
		u := binary.BigEndian.Uint64(p)
		secs = int64(u & 0x3ffffffff)
		nanos = u >> 34
	case 12:
		nanos = uint64(binary.BigEndian.Uint32(p))
		secs = int64(binary.BigEndian.Uint64(p[4:]))
	default:
		d.pos = start
		return nil, d.syntax("invalid timestamp length " + strconv.FormatUint(n, 10))
	}
	if nanos > 999999999 {
		d.pos = start
		return nil, d.syntax("timestamp nanoseconds out of range")
	}
	if secs < epochSecsMin || secs > epochSecsMax {
		d.pos = start
		return nil, d.syntax("timestamp outside Python's datetime range")
	}
	us := (nanos + 500) / 1000
	if us == 1000000 {
		us = 0
		secs++
		if secs > epochSecsMax {
			d.pos = start
			return nil, d.syntax("timestamp outside Python's datetime range")
		}
	}
	return time.Unix(secs, int64(us)*1000).UTC(), nil
}
