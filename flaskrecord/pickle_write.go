package flaskrecord

import (
	"encoding/binary"
	"html/template"
	"math"
	"math/big"
	"math/bits"
	"reflect"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/ginflask/flasksession/taggedjson"
)

// A pickler for protocol 4 that writes what CPython 3.11's
// pickle.dumps(dict(session)) writes for the same values: the C
// pickler's batches of 1000 (with its empty trailing SETITEMS batch after
// a multiple of 1000 dict items), MEMOIZE after every str, bytes, list,
// dict, non-empty tuple and datetime part, and 64 KiB frames, with
// strings and bytes of 64 KiB or more outside them.
//
// Python's memo is keyed by object identity, which Go values do not
// have. Equal values are written twice, as Python writes equal but
// distinct objects, except those CPython always shares: the empty str and
// the one-character latin-1 strs, the empty and one-byte bytes, the
// datetime module's classes and timezone.utc; repeats of those are
// BINGETs, as in Python. So a session that went through pickle.loads in
// Python pickles back to the same bytes here.

const (
	frameTarget = 64 << 10 // pickle's _FRAME_SIZE_TARGET
	frameMin    = 4        // pickle's _FRAME_SIZE_MIN
	batchSize   = 1000     // pickle's _BATCHSIZE
)

type pkEncoder struct {
	b      []byte
	fs     int // offset of the current frame's 9-byte header, or -1
	memoN  int // the next memo index
	single map[string]int
	// Memo indices of the datetime parts (-1: not written yet).
	module, utc int
	class       [gTimedelta + 1]int
	lim         limits
}

func appendPickle(dst []byte, values map[string]any, l limits) ([]byte, error) {
	e := pkEncoder{b: dst, fs: -1, lim: l, module: -1, utc: -1}
	for i := range e.class {
		e.class[i] = -1
	}
	e.b = append(e.b, opProto, 4)
	if err := e.save(values, 0); err != nil {
		return nil, err
	}
	e.op1(opStop)
	e.commit()
	return e.b, nil
}

// startFrame opens a frame before the first write after a commit.
func (e *pkEncoder) startFrame() {
	if e.fs < 0 {
		e.fs = len(e.b)
		e.b = append(e.b, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	}
}

// commit closes the current frame: a FRAME header when it holds at least
// frameMin bytes, else no header.
func (e *pkEncoder) commit() {
	if e.fs < 0 {
		return
	}
	n := len(e.b) - e.fs - 9
	if n >= frameMin {
		e.b[e.fs] = opFrame
		binary.LittleEndian.PutUint64(e.b[e.fs+1:], uint64(n))
	} else {
		copy(e.b[e.fs:], e.b[e.fs+9:])
		e.b = e.b[:len(e.b)-9]
	}
	e.fs = -1
}

func (e *pkEncoder) op1(op byte) {
	e.startFrame()
	e.b = append(e.b, op)
}

func (e *pkEncoder) op2(op, arg byte) {
	e.startFrame()
	e.b = append(e.b, op, arg)
}

func (e *pkEncoder) memoize() {
	e.op1(opMemoize)
	e.memoN++
}

func (e *pkEncoder) get(i int) {
	if i < 256 {
		e.op2(opBinGet, byte(i))
		return
	}
	e.startFrame()
	e.b = append(e.b, opLongBinGet)
	e.b = binary.LittleEndian.AppendUint32(e.b, uint32(i))
}

// sized writes a str or bytes opcode: the short form up to 255 bytes,
// the 4-byte form up to 4 GiB, outside the frame from 64 KiB on.
func (e *pkEncoder) sized(short, long, long8 byte, p []byte, s string) {
	n := max(len(p), len(s))
	if n <= 0xff {
		e.op2(short, byte(n))
		e.b = append(e.b, p...)
		e.b = append(e.b, s...)
		return
	}
	if n >= frameTarget {
		e.commit()
		if uint64(n) > 0xffffffff {
			e.b = append(e.b, long8)
			e.b = binary.LittleEndian.AppendUint64(e.b, uint64(n))
		} else {
			e.b = append(e.b, long)
			e.b = binary.LittleEndian.AppendUint32(e.b, uint32(n))
		}
	} else {
		e.startFrame()
		e.b = append(e.b, long)
		e.b = binary.LittleEndian.AppendUint32(e.b, uint32(n))
	}
	e.b = append(e.b, p...)
	e.b = append(e.b, s...)
}

func (e *pkEncoder) tooDeep() error {
	return &LimitError{Format: Pickle, Err: ErrTooDeep, Limit: e.lim.depth, Offset: -1}
}

// boundary is the start of pickle's save(): the frame is committed once
// it holds 64 KiB.
func (e *pkEncoder) boundary() {
	if e.fs >= 0 && len(e.b)-e.fs-9 >= frameTarget {
		e.commit()
	}
}

// save is pickle's save(): a frame boundary, then the value.
func (e *pkEncoder) save(v any, depth int) error {
	e.boundary()
	switch x := v.(type) {
	case nil:
		e.op1(opNone)
	case bool:
		if x {
			e.op1(opNewTrue)
		} else {
			e.op1(opNewFalse)
		}
	case string:
		e.str(validString(x))
	case int:
		e.int(int64(x))
	case float64:
		e.startFrame()
		e.b = append(e.b, opBinFloat)
		e.b = binary.BigEndian.AppendUint64(e.b, math.Float64bits(x))
	case map[string]any:
		return e.dict(x, depth+1)
	case []any:
		return e.list(x, depth+1)
	case taggedjson.Tuple:
		return e.tuple(x, depth+1)
	case *big.Int:
		if x == nil {
			e.op1(opNone)
		} else {
			e.bigInt(x)
		}
	case []byte:
		e.bytes(x)
	case time.Time:
		p, ok := toPyTime(x)
		if !ok {
			return &UnsupportedValueError{Format: Pickle, Type: reflect.TypeOf(x), Reason: "year outside Python's 1 to 9999"}
		}
		e.datetime(p)
	case Date:
		if !validDate(x.Year, int(x.Month), x.Day) {
			return &UnsupportedValueError{Format: Pickle, Type: reflect.TypeOf(x), Reason: "not a valid date"}
		}
		e.reduce(gDate, func() {
			e.save([]byte{byte(x.Year >> 8), byte(x.Year), byte(x.Month), byte(x.Day)}, 0)
		}, 1)
	case uuid.UUID:
		// uuid.UUID pickles through __setstate__ (BUILD), which the
		// reader refuses; store u.String() instead.
		return &UnsupportedTypeError{Format: Pickle, Type: typeUUID}
	case template.HTML:
		// markupsafe.Markup is not on the reader's allow-list; store
		// string(h) instead.
		return &UnsupportedTypeError{Format: Pickle, Type: typeHTML}
	default:
		c, err := canonical(Pickle, v)
		if err != nil {
			return err
		}
		return e.save(c, depth)
	}
	return nil
}

// singleton is called for a str (key prefix "s") or bytes ("b") object
// CPython always shares: it writes the BINGET and reports true if the
// object was written before, else notes the memo index it will get.
func (e *pkEncoder) singleton(key string) (done bool) {
	if i, ok := e.single[key]; ok {
		e.get(i)
		return true
	}
	if e.single == nil {
		e.single = make(map[string]int, 4)
	}
	e.single[key] = e.memoN
	return false
}

func (e *pkEncoder) str(s string) {
	if s == "" || (len(s) <= 2 && utf8.RuneCountInString(s) == 1 && s[0] <= 0xc3) {
		// "" and the latin-1 characters: U+0000 to U+00FF are one byte
		// or two starting 0xc2 or 0xc3.
		if e.singleton("s" + s) {
			return
		}
	}
	e.sized(opShortBinUnicod, opBinUnicode, opBinUnicode8, nil, s)
	e.memoize()
}

func (e *pkEncoder) bytes(p []byte) {
	if len(p) == 0 {
		if e.singleton("b") {
			return
		}
	}
	e.sized(opShortBinBytes, opBinBytes, opBinBytes8, p, "")
	e.memoize()
}

func (e *pkEncoder) int(x int64) {
	switch {
	case x >= 0 && x <= 0xff:
		e.op2(opBinInt1, byte(x))
	case x >= 0 && x <= 0xffff:
		e.startFrame()
		e.b = append(e.b, opBinInt2, byte(x), byte(x>>8))
	case x >= math.MinInt32 && x <= math.MaxInt32:
		e.startFrame()
		e.b = append(e.b, opBinInt)
		e.b = binary.LittleEndian.AppendUint32(e.b, uint32(x))
	default:
		// encode_long: (bit_length >> 3) + 1 bytes of two's complement,
		// one fewer for a negative number whose top byte is only sign.
		a := uint64(x)
		if x < 0 {
			a = -a
		}
		n := bits.Len64(a)/8 + 1
		var buf [9]byte
		binary.LittleEndian.PutUint64(buf[:], uint64(x))
		if x < 0 {
			buf[8] = 0xff
		}
		if x < 0 && n > 1 && buf[n-1] == 0xff && buf[n-2]&0x80 != 0 {
			n--
		}
		e.op2(opLong1, byte(n))
		e.b = append(e.b, buf[:n]...)
	}
}

func (e *pkEncoder) bigInt(x *big.Int) {
	if x.IsInt64() {
		e.int(x.Int64())
		return
	}
	n := x.BitLen()/8 + 1
	// Two's complement in n bytes: x, or 2**(8n) + x when negative.
	v := x
	if x.Sign() < 0 {
		v = new(big.Int).Lsh(big.NewInt(1), uint(8*n))
		v.Add(v, x)
	}
	be := v.FillBytes(make([]byte, n))
	if x.Sign() < 0 && n > 1 && be[0] == 0xff && be[1]&0x80 != 0 {
		be = be[1:]
		n--
	}
	if n < 256 {
		e.op2(opLong1, byte(n))
	} else {
		e.startFrame()
		e.b = append(e.b, opLong4)
		e.b = binary.LittleEndian.AppendUint32(e.b, uint32(n))
	}
	for i := len(be) - 1; i >= 0; i-- {
		e.b = append(e.b, be[i])
	}
}

func (e *pkEncoder) dict(m map[string]any, depth int) error {
	if depth > e.lim.depth {
		return e.tooDeep()
	}
	e.op1(opEmptyDict)
	e.memoize()
	if len(m) == 0 {
		return nil
	}
	var buf [16]string
	keys := sortedKeys(m, buf[:])
	if len(keys) == 1 {
		k := keys[0]
		if err := e.pair(k, m[k], depth); err != nil {
			return err
		}
		e.op1(opSetItem)
		return nil
	}
	// The C pickler's loop: a batch is written, even empty, after every
	// full one.
	for i := 0; ; {
		e.op1(opMark)
		n := 0
		for ; i < len(keys) && n < batchSize; i, n = i+1, n+1 {
			if err := e.pair(keys[i], m[keys[i]], depth); err != nil {
				return err
			}
		}
		e.op1(opSetItems)
		if n < batchSize {
			return nil
		}
	}
}

func (e *pkEncoder) pair(k string, v any, depth int) error {
	e.boundary() // save(k), without boxing k
	e.str(validString(k))
	if err := e.save(v, depth); err != nil {
		return withKey(err, k)
	}
	return nil
}

func (e *pkEncoder) list(a []any, depth int) error {
	if depth > e.lim.depth {
		return e.tooDeep()
	}
	e.op1(opEmptyList)
	e.memoize()
	if len(a) == 1 {
		if err := e.save(a[0], depth); err != nil {
			return withIndex(err, 0)
		}
		e.op1(opAppend)
		return nil
	}
	for i := 0; i < len(a); {
		e.op1(opMark)
		for n := 0; i < len(a) && n < batchSize; i, n = i+1, n+1 {
			if err := e.save(a[i], depth); err != nil {
				return withIndex(err, i)
			}
		}
		e.op1(opAppends)
	}
	return nil
}

func (e *pkEncoder) tuple(t []any, depth int) error {
	if len(t) == 0 {
		e.op1(opEmptyTuple)
		return nil
	}
	if depth > e.lim.depth {
		return e.tooDeep()
	}
	if len(t) > 3 {
		e.op1(opMark)
	}
	for i, v := range t {
		if err := e.save(v, depth); err != nil {
			return withIndex(err, i)
		}
	}
	if len(t) > 3 {
		e.op1(opTuple)
	} else {
		e.op1(opTuple1 + byte(len(t)-1))
	}
	e.memoize()
	return nil
}

// global writes a class of the datetime module as save_global does with
// STACK_GLOBAL, or its BINGET once written.
func (e *pkEncoder) global(g pyGlobal) {
	e.boundary()
	if i := e.class[g]; i >= 0 {
		e.get(i)
		return
	}
	e.str2(&e.module, "datetime")
	name := globalNames[g][len("datetime."):]
	e.str2(nil, name)
	e.op1(opStackGlobal)
	e.class[g] = e.memoN
	e.memoize()
}

// str2 is save() of a str the pickler shares through idx.
func (e *pkEncoder) str2(idx *int, s string) {
	e.boundary()
	if idx != nil && *idx >= 0 {
		e.get(*idx)
		return
	}
	if idx != nil {
		*idx = e.memoN
	}
	e.op2(opShortBinUnicod, byte(len(s)))
	e.b = append(e.b, s...)
	e.memoize()
}

// reduce writes save_reduce(cls, args): the class, the n arguments saved
// by args, TUPLEn, REDUCE.
func (e *pkEncoder) reduce(g pyGlobal, args func(), n int) {
	e.global(g)
	e.boundary() // save(args)
	args()
	e.op1(opTuple1 + byte(n-1))
	e.memoize()
	e.op1(opReduce)
	e.memoize()
}

// datetime writes a datetime's reduce: the class and its 10-byte state,
// with timezone.utc when aware.
func (e *pkEncoder) datetime(p pyTime) {
	state := []byte{byte(p.year >> 8), byte(p.year), byte(p.month), byte(p.day),
		byte(p.hour), byte(p.minute), byte(p.second), byte(p.us >> 16), byte(p.us >> 8), byte(p.us)}
	if p.naive {
		e.reduce(gDatetime, func() { e.save(state, 0) }, 1)
		return
	}
	e.reduce(gDatetime, func() {
		e.save(state, 0)
		e.utcTZ()
	}, 2)
}

// utcTZ writes timezone.utc: its reduce, (timezone, (timedelta(0),)),
// with timedelta(0) reduced to (timedelta, (0, 0, 0)); a BINGET once
// written.
func (e *pkEncoder) utcTZ() {
	e.boundary()
	if e.utc >= 0 {
		e.get(e.utc)
		return
	}
	e.reduce(gTimezone, func() {
		e.boundary()
		e.reduce(gTimedelta, func() {
			for range 3 {
				e.save(0, 0)
			}
		}, 3)
	}, 1)
	e.utc = e.memoN - 1
}
