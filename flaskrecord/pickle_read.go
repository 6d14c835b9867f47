package flaskrecord

import (
	"encoding/binary"
	"math"
	"math/big"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ginflask/flasksession/taggedjson"
)

// A restricted unpickler: the opcodes of protocols 0 to 5 that pickled
// dicts of plain data produce, and an allow-list of globals that are
// interpreted, never imported or called. Everything else is refused with
// a *PickleRefusedError naming the opcode or global.
//
// Lists and dicts are built as they are in Python, as objects the memo
// can share, and converted to Go values after STOP; that pass counts
// every value each time it is reached, so a small pickle that refers to
// the same list many times cannot make Decode build a huge value.

// Opcodes (pickletools names).
const (
	opMark           = '('
	opStop           = '.'
	opPop            = '0'
	opPopMark        = '1'
	opDup            = '2'
	opFloat          = 'F'
	opInt            = 'I'
	opBinInt         = 'J'
	opBinInt1        = 'K'
	opLong           = 'L'
	opBinInt2        = 'M'
	opNone           = 'N'
	opPersID         = 'P'
	opBinPersID      = 'Q'
	opReduce         = 'R'
	opString         = 'S'
	opBinString      = 'T'
	opShortBinString = 'U'
	opUnicode        = 'V'
	opBinUnicode     = 'X'
	opAppend         = 'a'
	opBuild          = 'b'
	opGlobal         = 'c'
	opDict           = 'd'
	opEmptyDict      = '}'
	opAppends        = 'e'
	opGet            = 'g'
	opBinGet         = 'h'
	opInst           = 'i'
	opLongBinGet     = 'j'
	opList           = 'l'
	opEmptyList      = ']'
	opObj            = 'o'
	opPut            = 'p'
	opBinPut         = 'q'
	opLongBinPut     = 'r'
	opSetItem        = 's'
	opTuple          = 't'
	opEmptyTuple     = ')'
	opSetItems       = 'u'
	opBinFloat       = 'G'
	opBinBytes       = 'B'
	opShortBinBytes  = 'C'

	opProto          = 0x80
	opNewObj         = 0x81
	opExt1           = 0x82
	opExt2           = 0x83
	opExt4           = 0x84
	opTuple1         = 0x85
	opTuple2         = 0x86
	opTuple3         = 0x87
	opNewTrue        = 0x88
	opNewFalse       = 0x89
	opLong1          = 0x8a
	opLong4          = 0x8b
	opShortBinUnicod = 0x8c
	opBinUnicode8    = 0x8d
	opBinBytes8      = 0x8e
	opEmptySet       = 0x8f
	opAddItems       = 0x90
	opFrozenSet      = 0x91
	opNewObjEx       = 0x92
	opStackGlobal    = 0x93
	opMemoize        = 0x94
	opFrame          = 0x95
	opByteArray8     = 0x96
	opNextBuffer     = 0x97
	opReadonlyBuffer = 0x98
)

// refusedOps are opcodes Python knows that this reader will not run, with
// why.
var refusedOps = map[byte]string{
	opPersID:         "persistent IDs",
	opBinPersID:      "persistent IDs",
	opBuild:          "object state",
	opInst:           "class instances",
	opObj:            "class instances",
	opExt1:           "the extension registry",
	opExt2:           "the extension registry",
	opExt4:           "the extension registry",
	opEmptySet:       "a set",
	opAddItems:       "a set",
	opFrozenSet:      "a frozenset",
	opNewObjEx:       "class instances",
	opByteArray8:     "a bytearray",
	opNextBuffer:     "out-of-band buffers",
	opReadonlyBuffer: "out-of-band buffers",
	opString:         "a Python 2 str",
	opBinString:      "a Python 2 str",
	opShortBinString: "a Python 2 str",
}

var opNames = map[byte]string{
	opMark: "MARK", opStop: "STOP", opPop: "POP", opPopMark: "POP_MARK", opDup: "DUP",
	opFloat: "FLOAT", opInt: "INT", opBinInt: "BININT", opBinInt1: "BININT1", opLong: "LONG",
	opBinInt2: "BININT2", opNone: "NONE", opPersID: "PERSID", opBinPersID: "BINPERSID",
	opReduce: "REDUCE", opString: "STRING", opBinString: "BINSTRING",
	opShortBinString: "SHORT_BINSTRING", opUnicode: "UNICODE", opBinUnicode: "BINUNICODE",
	opAppend: "APPEND", opBuild: "BUILD", opGlobal: "GLOBAL", opDict: "DICT",
	opEmptyDict: "EMPTY_DICT", opAppends: "APPENDS", opGet: "GET", opBinGet: "BINGET",
	opInst: "INST", opLongBinGet: "LONG_BINGET", opList: "LIST", opEmptyList: "EMPTY_LIST",
	opObj: "OBJ", opPut: "PUT", opBinPut: "BINPUT", opLongBinPut: "LONG_BINPUT",
	opSetItem: "SETITEM", opTuple: "TUPLE", opEmptyTuple: "EMPTY_TUPLE", opSetItems: "SETITEMS",
	opBinFloat: "BINFLOAT", opBinBytes: "BINBYTES", opShortBinBytes: "SHORT_BINBYTES",
	opProto: "PROTO", opNewObj: "NEWOBJ", opExt1: "EXT1", opExt2: "EXT2", opExt4: "EXT4",
	opTuple1: "TUPLE1", opTuple2: "TUPLE2", opTuple3: "TUPLE3", opNewTrue: "NEWTRUE",
	opNewFalse: "NEWFALSE", opLong1: "LONG1", opLong4: "LONG4",
	opShortBinUnicod: "SHORT_BINUNICODE", opBinUnicode8: "BINUNICODE8", opBinBytes8: "BINBYTES8",
	opEmptySet: "EMPTY_SET", opAddItems: "ADDITEMS", opFrozenSet: "FROZENSET",
	opNewObjEx: "NEWOBJ_EX", opStackGlobal: "STACK_GLOBAL", opMemoize: "MEMOIZE",
	opFrame: "FRAME", opByteArray8: "BYTEARRAY8", opNextBuffer: "NEXT_BUFFER",
	opReadonlyBuffer: "READONLY_BUFFER",
}

// Objects that exist only while unpickling.
type (
	pyList     struct{ items []any }
	pyTuple    []any
	pyGlobal   uint8
	pyTimedelt struct{ us int64 } // a timedelta, in microseconds
	pyTimezone struct{ us int64 } // a fixed-offset tzinfo, in microseconds
)

// The allow-list.
const (
	gDatetime pyGlobal = iota + 1
	gDate
	gTimezone
	gTimedelta
	gEncode // _codecs.encode, which protocols 0 to 2 spell bytes with
	gBytes  // builtins.bytes, which protocols 0 to 2 spell b'' with
)

var globalNames = [...]string{
	gDatetime:  "datetime.datetime",
	gDate:      "datetime.date",
	gTimezone:  "datetime.timezone",
	gTimedelta: "datetime.timedelta",
	gEncode:    "_codecs.encode",
	gBytes:     "builtins.bytes",
}

func lookupGlobal(module, name string) pyGlobal {
	switch module {
	case "datetime":
		switch name {
		case "datetime":
			return gDatetime
		case "date":
			return gDate
		case "timezone":
			return gTimezone
		case "timedelta":
			return gTimedelta
		}
	case "_codecs":
		if name == "encode" {
			return gEncode
		}
	case "builtins", "__builtin__":
		if name == "bytes" {
			return gBytes
		}
	}
	return 0
}

// unset marks the memo slots no PUT filled.
type unsetSlot struct{}

var unset any = unsetSlot{}

type pickleReader struct {
	data    []byte
	src     string // data as one string, which str values are cut from
	pos     int
	op      int // offset of the opcode being run
	stack   []any
	marks   []int
	memo    []any
	sparse  map[uint64]any // memo entries far past the end of memo
	memoN   int            // memo entries set, which MEMOIZE indexes by
	items   int
	open    int // lists, dicts and marks on the stack
	openMax int
	lim     limits
	// strs holds the strs read, which the stack refers to as *string:
	// a key is then never boxed in an interface, only a value is, when it
	// goes into a container (see val).
	strs []string
}

// readers keeps pickleReaders, so that their stack, marks and memo
// slices are reused across records.
var readers = sync.Pool{New: func() any {
	return &pickleReader{stack: make([]any, 0, 32), marks: make([]int, 0, 8), memo: make([]any, 0, 32), strs: make([]string, 0, 32)}
}}

func decodePickle(data []byte, src string, l limits) (map[string]any, error) {
	r := readers.Get().(*pickleReader)
	*r = pickleReader{data: data, src: src, lim: l, openMax: 2*l.depth + 2048,
		stack: r.stack[:0], marks: r.marks[:0], memo: r.memo[:0], strs: r.strs[:0]}
	v, err := r.run()
	// Drop the references to this record's values before reuse, and keep
	// only small buffers.
	clear(r.stack[:cap(r.stack)])
	clear(r.memo[:cap(r.memo)])
	clear(r.strs[:cap(r.strs)])
	if cap(r.stack) <= 1024 && cap(r.memo) <= 1024 && cap(r.marks) <= 1024 && cap(r.strs) <= 1024 {
		*r = pickleReader{stack: r.stack[:0], marks: r.marks[:0], memo: r.memo[:0], strs: r.strs[:0]}
		readers.Put(r)
	}
	if err != nil {
		return nil, err
	}
	w := walker{lim: l, offset: len(data)}
	v, err = w.finish(v, 1)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &notDict{Pickle, pyTypeName(v)}
	}
	return m, nil
}

func (r *pickleReader) syntax(msg string) error {
	return &SyntaxError{Format: Pickle, Offset: r.op, Msg: msg}
}

func (r *pickleReader) refused(reason string) error {
	op := r.data[r.op]
	return &PickleRefusedError{Offset: r.op, Opcode: opNames[op], Reason: reason}
}

func (r *pickleReader) truncated() error {
	return &SyntaxError{Format: Pickle, Offset: len(r.data), Msg: "truncated pickle"}
}

func (r *pickleReader) take(n uint64) ([]byte, error) {
	if n > uint64(len(r.data)-r.pos) {
		return nil, r.truncated()
	}
	p := r.data[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return p, nil
}

func (r *pickleReader) uint(n int) (uint64, error) {
	p, err := r.take(uint64(n))
	if err != nil {
		return 0, err
	}
	switch n {
	case 1:
		return uint64(p[0]), nil
	case 2:
		return uint64(binary.LittleEndian.Uint16(p)), nil
	case 4:
		return uint64(binary.LittleEndian.Uint32(p)), nil
	}
	return binary.LittleEndian.Uint64(p), nil
}

func (r *pickleReader) line() ([]byte, error) {
	for i := r.pos; i < len(r.data); i++ {
		if r.data[i] == '\n' {
			p := r.data[r.pos:i]
			r.pos = i + 1
			return p, nil
		}
	}
	return nil, r.truncated()
}

func isOpen(v any) bool {
	switch v.(type) {
	case *pyList, map[string]any:
		return true
	}
	return false
}

func (r *pickleReader) push(v any) error {
	r.items++
	if r.items > r.lim.items {
		return &LimitError{Format: Pickle, Err: ErrTooManyItems, Limit: r.lim.items, Offset: r.op}
	}
	if isOpen(v) {
		if r.open++; r.open > r.openMax {
			return r.tooDeep()
		}
	}
	r.stack = append(r.stack, v)
	return nil
}

// tooDeep: more unfinished lists, dicts and marks on the stack than any
// pickle of a value within MaxDepth has, which stops a record of deeply
// nested lists after a few kilobytes instead of at its end.
func (r *pickleReader) tooDeep() error {
	return &LimitError{Format: Pickle, Err: ErrTooDeep, Limit: r.lim.depth, Offset: r.op}
}

// pushStr pushes a str as a *string into r.strs, whose chunks are never
// grown in place, so the pointers stay valid.
func (r *pickleReader) pushStr(s string) error {
	if len(r.strs) == cap(r.strs) {
		r.strs = make([]string, 0, max(32, 2*cap(r.strs)))
	}
	r.strs = append(r.strs, s)
	return r.push(&r.strs[len(r.strs)-1])
}

// val is a stack entry as it goes into a container: a str boxed as a
// string.
// vals applies val to the items of a slice in place.
func vals(items []any) []any {
	for i, v := range items {
		items[i] = val(v)
	}
	return items
}

func val(v any) any {
	if p, ok := v.(*string); ok {
		return *p
	}
	return v
}

func (r *pickleReader) fence() int {
	if len(r.marks) == 0 {
		return 0
	}
	return r.marks[len(r.marks)-1]
}

func (r *pickleReader) underflow() error { return r.syntax("unpickling stack underflow") }

func (r *pickleReader) pop() (any, error) {
	n := len(r.stack)
	if n <= r.fence() {
		return nil, r.underflow()
	}
	v := r.stack[n-1]
	r.stack[n-1] = nil
	r.stack = r.stack[:n-1]
	if isOpen(v) {
		r.open--
	}
	return v, nil
}

func (r *pickleReader) top() (any, error) {
	n := len(r.stack)
	if n <= r.fence() {
		return nil, r.underflow()
	}
	return r.stack[n-1], nil
}

// popMark removes the items above the last mark, and the mark. The slice
// it returns is valid until the next push; its strs are still *string
// (see vals).
func (r *pickleReader) popMark() ([]any, error) {
	if len(r.marks) == 0 {
		return nil, r.syntax("could not find MARK")
	}
	k := r.marks[len(r.marks)-1]
	r.marks = r.marks[:len(r.marks)-1]
	r.open--
	items := r.stack[k:]
	r.stack = r.stack[:k]
	for _, v := range items {
		if isOpen(v) {
			r.open--
		}
	}
	return items, nil
}

func (r *pickleReader) memoPut(idx uint64, v any) error {
	if idx >= uint64(r.lim.items) {
		return &LimitError{Format: Pickle, Err: ErrTooManyItems, Limit: r.lim.items, Offset: r.op}
	}
	// Python numbers memo entries in order; an index far ahead goes in
	// a map, so that a few bytes cannot make the memo huge.
	if idx >= uint64(len(r.memo))+64 {
		if r.sparse == nil {
			r.sparse = make(map[uint64]any)
		}
		if _, ok := r.sparse[idx]; !ok {
			r.memoN++
		}
		r.sparse[idx] = v
		return nil
	}
	i := int(idx)
	for i >= len(r.memo) {
		r.memo = append(r.memo, unset)
	}
	if r.memo[i] == unset {
		r.memoN++
	}
	r.memo[i] = v
	return nil
}

func (r *pickleReader) memoGet(idx uint64) error {
	if idx < uint64(len(r.memo)) && r.memo[idx] != unset {
		return r.push(r.memo[idx])
	}
	if v, ok := r.sparse[idx]; ok {
		return r.push(v)
	}
	return r.syntax("memo value not found at index " + strconv.FormatUint(idx, 10))
}

func (r *pickleReader) run() (any, error) {
	if len(r.data) == 0 {
		return nil, &SyntaxError{Format: Pickle, Msg: "empty record"}
	}
	for {
		if r.pos >= len(r.data) {
			return nil, r.truncated()
		}
		r.op = r.pos
		op := r.data[r.pos]
		r.pos++
		if op == opStop {
			// Python ignores what follows STOP.
			v, err := r.pop()
			return val(v), err
		}
		if err := r.step(op); err != nil {
			return nil, err
		}
	}
}

func (r *pickleReader) step(op byte) error {
	switch op {
	case opProto:
		v, err := r.uint(1)
		if err != nil {
			return err
		}
		if v > 5 {
			return r.syntax("unsupported pickle protocol " + strconv.FormatUint(v, 10))
		}
	case opFrame:
		n, err := r.uint(8)
		if err != nil {
			return err
		}
		if n > uint64(len(r.data)-r.pos) {
			return r.truncated()
		}
	case opMark:
		if r.open++; r.open > r.openMax {
			return r.tooDeep()
		}
		r.marks = append(r.marks, len(r.stack))
	case opPop:
		if len(r.stack) > r.fence() {
			_, err := r.pop()
			return err
		}
		if len(r.marks) == 0 {
			return r.underflow()
		}
		r.marks = r.marks[:len(r.marks)-1]
		r.open--
	case opPopMark:
		_, err := r.popMark()
		return err
	case opDup:
		v, err := r.top()
		if err != nil {
			return err
		}
		return r.push(v)

	case opNone:
		return r.push(nil)
	case opNewTrue:
		return r.push(true)
	case opNewFalse:
		return r.push(false)
	case opBinInt1, opBinInt2:
		v, err := r.uint(1 + int(op-opBinInt1)/2)
		if err != nil {
			return err
		}
		return r.push(int(v))
	case opBinInt:
		v, err := r.uint(4)
		if err != nil {
			return err
		}
		return r.push(int(int32(uint32(v))))
	case opLong1, opLong4:
		var n uint64
		var err error
		if op == opLong1 {
			n, err = r.uint(1)
		} else {
			n, err = r.uint(4)
			if err == nil && int32(uint32(n)) < 0 {
				return r.syntax("LONG pickle has negative byte count")
			}
		}
		if err != nil {
			return err
		}
		p, err := r.take(n)
		if err != nil {
			return err
		}
		return r.push(decodeLong(p))
	case opBinFloat:
		v, err := r.take(8)
		if err != nil {
			return err
		}
		return r.push(math.Float64frombits(binary.BigEndian.Uint64(v)))
	case opInt, opLong, opFloat:
		return r.textNumber(op)

	case opShortBinUnicod, opBinUnicode, opBinUnicode8:
		n, err := r.uint(lenSize(op))
		if err != nil {
			return err
		}
		p, err := r.take(n)
		if err != nil {
			return err
		}
		if utf8.Valid(p) {
			return r.pushStr(r.src[r.pos-len(p) : r.pos])
		}
		s, ok := surrogatePass(p)
		if !ok {
			return r.syntax("str is not valid UTF-8")
		}
		return r.pushStr(s)
	case opUnicode:
		p, err := r.line()
		if err != nil {
			return err
		}
		s, ok := rawUnicodeEscape(p)
		if !ok {
			return r.syntax("bad raw-unicode-escape in UNICODE")
		}
		return r.pushStr(s)
	case opShortBinBytes, opBinBytes, opBinBytes8:
		n, err := r.uint(lenSize(op))
		if err != nil {
			return err
		}
		p, err := r.take(n)
		if err != nil {
			return err
		}
		return r.push(append([]byte{}, p...))

	case opEmptyDict:
		return r.push(map[string]any{})
	case opEmptyList:
		return r.push(&pyList{})
	case opEmptyTuple:
		return r.push(pyTuple{})
	case opDict:
		items, err := r.popMark()
		if err != nil {
			return err
		}
		m := make(map[string]any, len(items)/2)
		if err := r.setItems(m, items); err != nil {
			return err
		}
		return r.push(m)
	case opList:
		items, err := r.popMark()
		if err != nil {
			return err
		}
		return r.push(&pyList{items: append([]any(nil), vals(items)...)})
	case opTuple:
		items, err := r.popMark()
		if err != nil {
			return err
		}
		return r.push(append(pyTuple{}, vals(items)...))
	case opTuple1, opTuple2, opTuple3:
		n := int(op-opTuple1) + 1
		if len(r.stack)-n < r.fence() {
			return r.underflow()
		}
		t := make(pyTuple, n)
		for i, v := range r.stack[len(r.stack)-n:] {
			t[i] = val(v)
		}
		for range n {
			if _, err := r.pop(); err != nil {
				return err
			}
		}
		return r.push(t)
	case opAppend:
		v, err := r.pop()
		if err != nil {
			return err
		}
		l, err := r.top()
		if err != nil {
			return err
		}
		pl, ok := l.(*pyList)
		if !ok {
			return r.refused("APPEND to a " + pickleTypeName(l))
		}
		pl.items = append(pl.items, val(v))
	case opAppends:
		items, err := r.popMark()
		if err != nil {
			return err
		}
		l, err := r.top()
		if err != nil {
			return err
		}
		pl, ok := l.(*pyList)
		if !ok {
			return r.refused("APPENDS to a " + pickleTypeName(l))
		}
		pl.items = append(pl.items, vals(items)...)
	case opSetItem:
		v, err := r.pop()
		if err != nil {
			return err
		}
		k, err := r.pop()
		if err != nil {
			return err
		}
		d, err := r.top()
		if err != nil {
			return err
		}
		m, ok := d.(map[string]any)
		if !ok {
			return r.refused("SETITEM on a " + pickleTypeName(d))
		}
		return r.setItem(m, k, v)
	case opSetItems:
		items, err := r.popMark()
		if err != nil {
			return err
		}
		d, err := r.top()
		if err != nil {
			return err
		}
		m, ok := d.(map[string]any)
		if !ok {
			return r.refused("SETITEMS on a " + pickleTypeName(d))
		}
		return r.setItems(m, items)

	case opMemoize:
		v, err := r.top()
		if err != nil {
			return err
		}
		return r.memoPut(uint64(r.memoN), v)
	case opBinPut, opLongBinPut, opPut:
		var idx uint64
		var err error
		switch op {
		case opBinPut:
			idx, err = r.uint(1)
		case opLongBinPut:
			idx, err = r.uint(4)
		default:
			idx, err = r.lineIndex()
		}
		if err != nil {
			return err
		}
		v, err := r.top()
		if err != nil {
			return err
		}
		return r.memoPut(idx, v)
	case opBinGet, opLongBinGet, opGet:
		var idx uint64
		var err error
		switch op {
		case opBinGet:
			idx, err = r.uint(1)
		case opLongBinGet:
			idx, err = r.uint(4)
		default:
			idx, err = r.lineIndex()
		}
		if err != nil {
			return err
		}
		return r.memoGet(idx)

	case opGlobal:
		module, err := r.line()
		if err != nil {
			return err
		}
		name, err := r.line()
		if err != nil {
			return err
		}
		return r.global(string(module), string(name))
	case opStackGlobal:
		name, err := r.pop()
		if err != nil {
			return err
		}
		module, err := r.pop()
		if err != nil {
			return err
		}
		ms, ok1 := val(module).(string)
		ns, ok2 := val(name).(string)
		if !ok1 || !ok2 {
			return r.syntax("STACK_GLOBAL requires str")
		}
		return r.global(ms, ns)
	case opReduce, opNewObj:
		args, err := r.pop()
		if err != nil {
			return err
		}
		fn, err := r.pop()
		if err != nil {
			return err
		}
		v, err := r.apply(op, fn, args)
		if err != nil {
			return err
		}
		return r.push(v)

	default:
		if reason, ok := refusedOps[op]; ok {
			return r.refused(reason)
		}
		return r.syntax("invalid load key 0x" + strconv.FormatUint(uint64(op), 16))
	}
	return nil
}

// lenSize is the size of the length field of a str or bytes opcode.
func lenSize(op byte) int {
	switch op {
	case opShortBinUnicod, opShortBinBytes:
		return 1
	case opBinUnicode, opBinBytes:
		return 4
	}
	return 8
}

func (r *pickleReader) global(module, name string) error {
	g := lookupGlobal(module, name)
	if g == 0 {
		return &PickleRefusedError{Offset: r.op, Opcode: opNames[r.data[r.op]], Global: module + "." + name}
	}
	return r.push(g)
}

// setItems adds key, value pairs to m; a key must be a str.
func (r *pickleReader) setItems(m map[string]any, items []any) error {
	if len(items)%2 != 0 {
		return r.syntax("odd number of items for SETITEMS")
	}
	for i := 0; i < len(items); i += 2 {
		if err := r.setItem(m, items[i], items[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func (r *pickleReader) setItem(m map[string]any, k, v any) error {
	ks, ok := k.(*string)
	if !ok {
		if s, isStr := k.(string); isStr { // from popMark
			m[s] = val(v)
			return nil
		}
		return &UnsupportedPythonError{Format: Pickle, Type: pickleTypeName(k) + " (as a dict key)"}
	}
	m[*ks] = val(v)
	return nil
}

func (r *pickleReader) lineIndex() (uint64, error) {
	p, err := r.line()
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(string(p), 10, 32)
	if err != nil {
		return 0, r.syntax("bad memo index")
	}
	return n, nil
}

// textNumber reads protocol 0's INT, LONG and FLOAT, decimal text on a
// line. INT "00" and "01" are False and True (protocols 0 and 1).
func (r *pickleReader) textNumber(op byte) error {
	p, err := r.line()
	if err != nil {
		return err
	}
	s := string(p)
	switch op {
	case opFloat:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !isRange(err) {
			return r.syntax("bad FLOAT")
		}
		return r.push(f)
	case opInt:
		switch s {
		case "00":
			return r.push(false)
		case "01":
			return r.push(true)
		}
	case opLong:
		if len(s) > 0 && s[len(s)-1] == 'L' {
			s = s[:len(s)-1]
		}
	}
	if n, err := strconv.ParseInt(s, 10, 0); err == nil {
		return r.push(int(n))
	}
	z, ok := new(big.Int).SetString(s, 10)
	if !ok || s == "" || s[0] == '+' && len(s) > 1 && s[1] == '-' {
		return r.syntax("bad " + opNames[op])
	}
	return r.push(z)
}

// decodeLong reads LONG1 and LONG4's little-endian two's complement.
func decodeLong(p []byte) any {
	if len(p) == 0 {
		return 0
	}
	if len(p) <= 8 {
		var u uint64
		for i := len(p) - 1; i >= 0; i-- {
			u = u<<8 | uint64(p[i])
		}
		shift := 64 - 8*uint(len(p))
		x := int64(u<<shift) >> shift
		if int64(int(x)) == x {
			return int(x)
		}
		return big.NewInt(x)
	}
	be := make([]byte, len(p))
	for i, c := range p {
		be[len(p)-1-i] = c
	}
	z := new(big.Int).SetBytes(be)
	if p[len(p)-1]&0x80 != 0 {
		z.Sub(z, new(big.Int).Lsh(big.NewInt(1), uint(8*len(p))))
	}
	if z.IsInt64() && int64(int(z.Int64())) == z.Int64() {
		return int(z.Int64())
	}
	return z
}

// apply runs REDUCE or NEWOBJ for an allowed global, by interpreting its
// arguments, as the global would.
func (r *pickleReader) apply(op byte, fn, args any) (any, error) {
	g, ok := fn.(pyGlobal)
	if !ok {
		return nil, r.refused("calling a " + pickleTypeName(fn))
	}
	a, ok := args.(pyTuple)
	if !ok {
		return nil, r.syntax(opNames[op] + " arguments are not a tuple")
	}
	bad := func(reason string) error {
		return &PickleRefusedError{Offset: r.op, Opcode: opNames[op], Global: globalNames[g], Reason: reason}
	}
	if op == opNewObj && (g == gEncode) {
		return nil, bad("NEWOBJ of a function")
	}
	switch g {
	case gDatetime:
		if len(a) < 1 || len(a) > 2 {
			return nil, bad("called with other than its pickled state")
		}
		state, ok := a[0].([]byte)
		if !ok || len(state) != 10 || state[2]&0x7f < 1 || state[2]&0x7f > 12 {
			return nil, bad("called with other than its pickled state")
		}
		var tz *pyTimezone
		if len(a) == 2 {
			switch z := a[1].(type) {
			case nil:
			case pyTimezone:
				tz = &z
			default:
				return nil, bad("tzinfo of type " + pickleTypeName(a[1]))
			}
		}
		y := int(state[0])<<8 | int(state[1])
		mo, d := int(state[2]&0x7f), int(state[3])
		h, mi, s := int(state[4]), int(state[5]), int(state[6])
		us := int(state[7])<<16 | int(state[8])<<8 | int(state[9])
		if !validDate(y, mo, d) || h > 23 || mi > 59 || s > 59 || us > 999999 {
			return nil, r.syntax("invalid datetime state")
		}
		if tz == nil {
			return time.Date(y, time.Month(mo), d, h, mi, s, us*1000, Naive), nil
		}
		t := time.Date(y, time.Month(mo), d, h, mi, s, us*1000, time.UTC)
		return t.Add(-time.Duration(tz.us) * time.Microsecond), nil
	case gDate:
		if len(a) != 1 {
			return nil, bad("called with other than its pickled state")
		}
		state, ok := a[0].([]byte)
		if !ok || len(state) != 4 || state[2] < 1 || state[2] > 12 {
			return nil, bad("called with other than its pickled state")
		}
		y, mo, d := int(state[0])<<8|int(state[1]), int(state[2]), int(state[3])
		if !validDate(y, mo, d) {
			return nil, r.syntax("invalid date state")
		}
		return Date{y, time.Month(mo), d}, nil
	case gTimezone:
		if len(a) < 1 || len(a) > 2 {
			return nil, bad("called with other than an offset and a name")
		}
		off, ok := a[0].(pyTimedelt)
		if !ok {
			return nil, bad("offset of type " + pickleTypeName(a[0]))
		}
		if len(a) == 2 {
			if _, ok := a[1].(string); !ok {
				return nil, bad("name of type " + pickleTypeName(a[1]))
			}
		}
		if off.us <= -86400e6 || off.us >= 86400e6 {
			return nil, r.syntax("timezone offset of a day or more")
		}
		return pyTimezone{off.us}, nil
	case gTimedelta:
		if len(a) > 3 {
			return nil, bad("called with more than days, seconds, microseconds")
		}
		// Bounds that keep the sum within int64 microseconds; Python's
		// own limit is 999999999 days.
		bounds := [3]int{1e6, 1e11, 1e17}
		scale := [3]int64{86400e6, 1e6, 1}
		var us int64
		for i, v := range a {
			n, ok := v.(int)
			if !ok {
				return nil, bad("argument of type " + pickleTypeName(v))
			}
			if n < -bounds[i] || n > bounds[i] {
				return nil, bad("value out of range")
			}
			us += int64(n) * scale[i]
		}
		return pyTimedelt{us}, nil
	case gEncode:
		if len(a) != 2 {
			return nil, bad("called with other than a str and \"latin1\"")
		}
		s, ok1 := a[0].(string)
		enc, ok2 := a[1].(string)
		if !ok1 || !ok2 || enc != "latin1" {
			return nil, bad("called with other than a str and \"latin1\"")
		}
		b := make([]byte, 0, len(s))
		for _, c := range s {
			if c > 0xff {
				return nil, r.syntax("_codecs.encode: character outside latin-1")
			}
			b = append(b, byte(c))
		}
		return b, nil
	case gBytes:
		if len(a) != 0 {
			return nil, bad("called with arguments")
		}
		return []byte{}, nil
	}
	return nil, bad("not callable")
}

func pickleTypeName(v any) string {
	switch x := v.(type) {
	case *string:
		return "str"
	case *pyList:
		return "list"
	case pyTuple:
		return "tuple"
	case pyGlobal:
		return globalNames[x]
	case pyTimedelt:
		return "datetime.timedelta"
	case pyTimezone:
		return "datetime.timezone"
	}
	return pyTypeName(v)
}

// surrogatePass decodes UTF-8 as Python's "surrogatepass" does, which is
// how pickle stores str: encoded lone surrogates, which a Go string
// cannot hold as text, become U+FFFD (as in taggedjson).
func surrogatePass(p []byte) (string, bool) {
	if utf8.Valid(p) {
		return string(p), true
	}
	out := make([]byte, 0, len(p))
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && n <= 1 {
			if i+2 < len(p) && p[i] == 0xed && p[i+1] >= 0xa0 && p[i+1] <= 0xbf && p[i+2] >= 0x80 && p[i+2] <= 0xbf {
				out = append(out, "\uFFFD"...)
				i += 3
				continue
			}
			return "", false
		}
		out = append(out, p[i:i+n]...)
		i += n
	}
	return string(out), true
}

// rawUnicodeEscape decodes protocol 0's UNICODE: latin-1 bytes, with
// \uXXXX and \UXXXXXXXX escapes after an odd run of backslashes (CPython's
// raw_unicode_escape decoder).
func rawUnicodeEscape(p []byte) (string, bool) {
	out := make([]byte, 0, len(p))
	for i := 0; i < len(p); {
		c := p[i]
		if c != '\\' {
			out = utf8.AppendRune(out, rune(c))
			i++
			continue
		}
		j := i
		for j < len(p) && p[j] == '\\' {
			j++
		}
		run := j - i
		if run%2 == 0 || j >= len(p) || (p[j] != 'u' && p[j] != 'U') {
			for range run {
				out = append(out, '\\')
			}
			i = j
			continue
		}
		for range run - 1 {
			out = append(out, '\\')
		}
		n := 4
		if p[j] == 'U' {
			n = 8
		}
		if j+1+n > len(p) {
			return "", false
		}
		v, err := strconv.ParseUint(string(p[j+1:j+1+n]), 16, 32)
		if err != nil || v > utf8.MaxRune {
			return "", false
		}
		r := rune(v)
		if r >= 0xd800 && r <= 0xdfff {
			r = utf8.RuneError
		}
		out = utf8.AppendRune(out, r)
		i = j + 1 + n
	}
	return string(out), true
}

// walker turns the unpickled objects into Go values, counting each value
// every time it is reached and bounding the depth, which also stops at
// cycles.
type walker struct {
	lim    limits
	items  int
	offset int
}

func (w *walker) finish(v any, depth int) (any, error) {
	w.items++
	if w.items > w.lim.items {
		return nil, &LimitError{Format: Pickle, Err: ErrTooManyItems, Limit: w.lim.items, Offset: w.offset}
	}
	switch v.(type) {
	case nil, bool, int, float64, string, *big.Int, []byte, time.Time, Date:
		return v, nil
	}
	if depth > w.lim.depth {
		return nil, &LimitError{Format: Pickle, Err: ErrTooDeep, Limit: w.lim.depth, Offset: w.offset}
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			y, err := w.finish(e, depth+1)
			if err != nil {
				return nil, withKey(err, k)
			}
			switch e.(type) {
			case *pyList, pyTuple:
				x[k] = y // only these change type
			}
		}
		return x, nil
	case *pyList:
		// In place: a list the pickle shares stays shared, as in Python.
		for i, e := range x.items {
			y, err := w.finish(e, depth+1)
			if err != nil {
				return nil, withIndex(err, i)
			}
			x.items[i] = y
		}
		if x.items == nil {
			return []any{}, nil
		}
		return x.items, nil
	case pyTuple:
		for i, e := range x {
			y, err := w.finish(e, depth+1)
			if err != nil {
				return nil, withIndex(err, i)
			}
			x[i] = y
		}
		return taggedjson.Tuple(x), nil
	case []any:
		for i, e := range x {
			if _, err := w.finish(e, depth+1); err != nil {
				return nil, withIndex(err, i)
			}
		}
		return x, nil
	case taggedjson.Tuple:
		for i, e := range x {
			if _, err := w.finish(e, depth+1); err != nil {
				return nil, withIndex(err, i)
			}
		}
		return x, nil
	}
	return nil, &UnsupportedPythonError{Format: Pickle, Type: pickleTypeName(v)}
}
