package zlibc

import (
	"encoding/binary"
	"errors"
	"math/bits"
)

// The decoder's tables are only as large as the codes need, and its
// output is its window, so nothing is cleared or copied per stream. It
// accepts and rejects what C zlib does (errors carry zlib's messages) and
// never grows its output past the caller's limit.

var (
	errInflateTruncated = errors.New("zlibc: truncated stream")
	errBlockType        = errors.New("zlibc: invalid block type")
	errStoredLengths    = errors.New("zlibc: invalid stored block lengths")
	errTooManySymbols   = errors.New("zlibc: too many length or distance symbols")
	errCodeLengths      = errors.New("zlibc: invalid code lengths set")
	errBitLengthRepeat  = errors.New("zlibc: invalid bit length repeat")
	errMissingEOB       = errors.New("zlibc: invalid code -- missing end-of-block")
	errLitLenSet        = errors.New("zlibc: invalid literal/lengths set")
	errDistSet          = errors.New("zlibc: invalid distances set")
	errLitLenCode       = errors.New("zlibc: invalid literal/length code")
	errDistCode         = errors.New("zlibc: invalid distance code")
	errDistTooFar       = errors.New("zlibc: invalid distance too far back")
)

// A decoding table entry: for a leaf, symbol<<16 | code length; for a
// link to a sub-table, offset<<16 | entLink | sub-table index bits. Zero
// is an unused code.
const entLink = 1 << 4

type huffTable struct {
	t    []uint32
	root uint
}

const (
	litRootBits  = 9
	distRootBits = 7
	clRootBits   = 7
)

var fixedLit, fixedDist huffTable

func init() {
	var lens [288]uint8
	for i := range lens {
		switch {
		case i < 144:
			lens[i] = 8
		case i < 256:
			lens[i] = 9
		case i < 280:
			lens[i] = 7
		default:
			lens[i] = 8
		}
	}
	var scratch [320]uint16
	var set codeSet
	set.fromLens(lens[:])
	if err := fixedLit.build(lens[:], &set, litRootBits, false, &scratch); err != nil {
		panic(err)
	}
	for i := 0; i < 32; i++ { // 30 and 31 decode but are invalid distances
		lens[i] = 5
	}
	set.fromLens(lens[:32])
	if err := fixedDist.build(lens[:32], &set, distRootBits, false, &scratch); err != nil {
		panic(err)
	}
}

// codeSet lists the symbols that have a code, in ascending order, and
// counts the codes of each length.
type codeSet struct {
	syms  [288]uint16
	n     int
	count [16]int
}

func (c *codeSet) reset() {
	c.n = 0
	c.count = [16]int{}
}

func (c *codeSet) add(sym int, l uint8) {
	c.syms[c.n] = uint16(sym)
	c.n++
	c.count[l]++
}

// has reports whether sym has a code.
func (c *codeSet) has(sym uint16) bool {
	for _, s := range c.syms[:c.n] {
		if s >= sym {
			return s == sym
		}
	}
	return false
}

func (c *codeSet) fromLens(lens []uint8) {
	c.reset()
	for sym, l := range lens {
		if l != 0 {
			c.add(sym, l)
		}
	}
}

// build makes the decoding table for canonical code lengths lens, whose
// non-zero entries set lists, with zlib's checks (inflate_table):
// over-subscribed sets are invalid, incomplete ones too except a single
// one-bit code (or no code at all) in the literal/length and distance
// trees. scratch holds long codes.
func (h *huffTable) build(lens []uint8, set *codeSet, maxRoot uint, isCodeLengths bool, scratch *[320]uint16) error {
	count := &set.count
	maxLen := 15
	for maxLen > 0 && count[maxLen] == 0 {
		maxLen--
	}
	if maxLen == 0 {
		// No codes: every lookup is invalid.
		h.root = 1
		h.t = append(h.t[:0], 0, 0)
		return nil
	}
	left := 1
	for l := 1; l <= 15; l++ {
		left <<= 1
		left -= count[l]
		if left < 0 {
			return errCodeLengths // over-subscribed
		}
	}
	if left > 0 && (isCodeLengths || maxLen != 1) {
		return errCodeLengths // incomplete
	}
	var next [16]uint16
	code := uint16(0)
	for l := 1; l <= 15; l++ {
		code = (code + uint16(count[l-1])) << 1 // count[0] is 0: zero lengths are not added
		next[l] = code
	}
	start := next
	root := uint(maxLen)
	if root > maxRoot {
		root = maxRoot
	}
	h.root = root
	size := 1 << root
	if cap(h.t) < size {
		h.t = make([]uint32, size, size*2)
	}
	h.t = h.t[:size]
	if left > 0 || uint(maxLen) > root {
		clear(h.t) // not every entry gets written, or links are read back
	}
	long := scratch[:0]
	for _, sym := range set.syms[:set.n] {
		l := lens[sym]
		rev := bits.Reverse16(next[l]) >> (16 - l)
		next[l]++
		if uint(l) <= root {
			e := uint32(sym)<<16 | uint32(l)
			for i := int(rev); i < size; i += 1 << l {
				h.t[i] = e
			}
			continue
		}
		// Longer than the root: remember it for the sub-tables.
		long = append(long, sym)
		prefix := int(rev) & (size - 1)
		sub := uint32(uint(l) - root)
		if e := h.t[prefix]; e&15 < sub {
			h.t[prefix] = sub | entLink // offset assigned below
		}
	}
	if len(long) == 0 {
		return nil
	}
	// Lay out the sub-tables after the root table.
	for p := 0; p < size; p++ {
		e := h.t[p]
		if e&entLink == 0 {
			continue
		}
		off := len(h.t)
		h.t = append(h.t, make([]uint32, 1<<(e&15))...)
		h.t[p] = uint32(off)<<16 | e&0xffff
	}
	// The long codes again, in the same canonical order.
	next = start
	for _, sym := range long {
		l := lens[sym]
		rev := bits.Reverse16(next[l]) >> (16 - l)
		next[l]++
		link := h.t[int(rev)&(size-1)]
		off := int(link >> 16)
		subSize := 1 << (link & 15)
		e := uint32(sym)<<16 | uint32(l)
		for i := int(rev >> root); i < subSize; i += 1 << (uint(l) - root) {
			h.t[off+i] = e
		}
	}
	return nil
}

// inflater decodes one deflate stream.
type inflater struct {
	in    []byte
	pos   int
	bits  uint64
	nbits uint

	out []byte
	max int
	buf []byte // Decompress's output buffer, kept between streams

	lit, dist, cl          huffTable
	litSet, distSet, clSet codeSet
	lens                   [286 + 30]uint8
	scratch                [320]uint16
}

// refill tops the bit buffer up to at least 56 bits, or to the end of
// the input.
func (f *inflater) refill() {
	if f.pos+8 <= len(f.in) {
		f.bits |= binary.LittleEndian.Uint64(f.in[f.pos:]) << f.nbits
		f.pos += int(63-f.nbits) >> 3
		f.nbits |= 56
		return
	}
	for f.nbits <= 56 && f.pos < len(f.in) {
		f.bits |= uint64(f.in[f.pos]) << f.nbits
		f.pos++
		f.nbits += 8
	}
}

// take returns the next n (<= 32) bits.
func (f *inflater) take(n uint) (uint32, error) {
	if f.nbits < n {
		f.refill()
		if f.nbits < n {
			return 0, errInflateTruncated
		}
	}
	v := uint32(f.bits & (1<<n - 1))
	f.bits >>= n
	f.nbits -= n
	return v, nil
}

// decode reads one symbol with table h.
func (f *inflater) decode(h *huffTable) (int, error) {
	if f.nbits < 15 {
		f.refill()
	}
	e := h.t[f.bits&(1<<h.root-1)]
	if e&entLink != 0 {
		e = h.t[int(e>>16)+int((f.bits>>h.root)&(1<<(e&15)-1))]
	}
	n := uint(e & 15)
	if n == 0 {
		return -1, nil // unused code; the caller names the error
	}
	if n > f.nbits {
		return 0, errInflateTruncated
	}
	f.bits >>= n
	f.nbits -= n
	return int(e >> 16), nil
}

// inflate decodes the deflate stream at the start of in, appending to
// out, which it never grows past max bytes (ErrTooLarge). It returns the output and
// the number of input bytes the stream used.
func (f *inflater) inflate(in, out []byte, max int) ([]byte, int, error) {
	f.in, f.pos, f.bits, f.nbits = in, 0, 0, 0
	if cap(out) > max {
		out = out[:len(out):max] // the limit checks rely on cap(out) <= max
	}
	f.out, f.max = out, max
	err := f.blocks()
	out = f.out
	f.out, f.in = nil, nil
	if err != nil {
		return out, 0, err
	}
	return out, f.pos - int(f.nbits>>3), nil
}

func (f *inflater) blocks() error {
	for {
		hdr, err := f.take(3)
		if err != nil {
			return err
		}
		switch hdr >> 1 {
		case 0:
			err = f.stored()
		case 1:
			err = f.huffmanBlock(&fixedLit, &fixedDist)
		case 2:
			if err = f.dynamicTables(); err == nil {
				err = f.huffmanBlock(&f.lit, &f.dist)
			}
		default:
			err = errBlockType
		}
		if err != nil {
			return err
		}
		if hdr&1 != 0 {
			return nil
		}
	}
}

func (f *inflater) stored() error {
	// Skip to a byte boundary, then return whole bytes to the input.
	f.bits >>= f.nbits & 7
	f.nbits -= f.nbits & 7
	f.pos -= int(f.nbits >> 3)
	f.bits, f.nbits = 0, 0
	if f.pos+4 > len(f.in) {
		return errInflateTruncated
	}
	n := int(binary.LittleEndian.Uint16(f.in[f.pos:]))
	if uint16(n) != ^binary.LittleEndian.Uint16(f.in[f.pos+2:]) {
		return errStoredLengths
	}
	f.pos += 4
	if f.pos+n > len(f.in) {
		// Copy what is there first, like zlib, so a limit error wins.
		if err := f.room(len(f.in) - f.pos); err != nil {
			return err
		}
		return errInflateTruncated
	}
	if err := f.room(n); err != nil {
		return err
	}
	f.out = append(f.out, f.in[f.pos:f.pos+n]...)
	f.pos += n
	return nil
}

// room makes space for n more output bytes within the limit.
func (f *inflater) room(n int) error {
	need := len(f.out) + n
	if need > f.max {
		return ErrTooLarge
	}
	if need <= cap(f.out) {
		return nil
	}
	c := 2 * cap(f.out)
	if c < need {
		c = need
	}
	if c < 4*len(f.in)+64 {
		c = 4*len(f.in) + 64
	}
	if c > f.max/2 {
		c = f.max // one step to the limit; never past it, so cap(out) <= max
	}
	nb := make([]byte, len(f.out), c)
	copy(nb, f.out)
	f.out = nb
	return nil
}

var clOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

func (f *inflater) dynamicTables() error {
	v, err := f.take(14)
	if err != nil {
		return err
	}
	nlen := int(v&31) + 257
	ndist := int(v>>5&31) + 1
	ncode := int(v>>10) + 4
	if nlen > 286 || ndist > 30 {
		return errTooManySymbols
	}
	var clLens [19]uint8
	for i := 0; i < ncode; i++ {
		l, err := f.take(3)
		if err != nil {
			return err
		}
		clLens[clOrder[i]] = uint8(l)
	}
	f.clSet.fromLens(clLens[:])
	if err := f.cl.build(clLens[:], &f.clSet, clRootBits, true, &f.scratch); err != nil {
		return err
	}
	// Read the code lengths straight into the two code sets; zero lengths
	// are never looked at, so they are not stored.
	lens := f.lens[:nlen+ndist]
	f.litSet.reset()
	f.distSet.reset()
	prev := -1 // last length read, for code 16
	for i := 0; i < len(lens); {
		sym, err := f.decode(&f.cl)
		if err != nil {
			return err
		}
		if sym < 0 {
			return errCodeLengths // cannot happen: the set is complete
		}
		rep, val := 1, sym
		if sym >= 16 {
			var x uint32
			switch sym {
			case 16:
				if prev < 0 {
					return errBitLengthRepeat
				}
				val = prev
				x, err = f.take(2)
				rep = 3 + int(x)
			case 17:
				val = 0
				x, err = f.take(3)
				rep = 3 + int(x)
			default:
				val = 0
				x, err = f.take(7)
				rep = 11 + int(x)
			}
			if err != nil {
				return err
			}
			if i+rep > len(lens) {
				return errBitLengthRepeat
			}
		}
		prev = val
		if val == 0 {
			i += rep
			continue
		}
		for ; rep > 0; rep-- {
			lens[i] = uint8(val)
			if i < nlen {
				f.litSet.add(i, uint8(val))
			} else {
				f.distSet.add(i-nlen, uint8(val))
			}
			i++
		}
	}
	if f.litSet.n == 0 || f.litSet.syms[f.litSet.n-1] < 256 || !f.litSet.has(256) {
		return errMissingEOB
	}
	if err := f.lit.build(lens[:nlen], &f.litSet, litRootBits, false, &f.scratch); err != nil {
		return errLitLenSet
	}
	if err := f.dist.build(lens[nlen:], &f.distSet, distRootBits, false, &f.scratch); err != nil {
		return errDistSet
	}
	return nil
}

// huffmanBlock decodes one block's symbols. The bit reader lives in
// locals here, the hot loop of the decoder.
func (f *inflater) huffmanBlock(lit, dist *huffTable) (err error) {
	in := f.in
	pos, buf, nbits := f.pos, f.bits, f.nbits
	out := f.out
	litT, litRoot := lit.t, lit.root
	distT, distRoot := dist.t, dist.root
	litMask, distMask := uint64(1)<<litRoot-1, uint64(1)<<distRoot-1
	for {
		// 48 bits cover a whole length/distance pair: 15+5+15+13.
		if nbits < 48 {
			if pos+8 <= len(in) {
				buf |= binary.LittleEndian.Uint64(in[pos:]) << nbits
				pos += int(63-nbits) >> 3
				nbits |= 56
			} else {
				for nbits <= 56 && pos < len(in) {
					buf |= uint64(in[pos]) << nbits
					pos++
					nbits += 8
				}
			}
		}
		e := litT[buf&litMask]
		if e&entLink != 0 {
			e = litT[int(e>>16)+int((buf>>litRoot)&(1<<(e&15)-1))]
		}
		n := uint(e & 15)
		if n == 0 {
			err = errLitLenCode
			break
		}
		if n > nbits {
			err = errInflateTruncated
			break
		}
		buf >>= n
		nbits -= n
		sym := int(e >> 16)
		if sym < 256 {
			if len(out) == cap(out) {
				f.out = out
				if err = f.room(1); err != nil {
					break
				}
				out = f.out
			}
			out = append(out, byte(sym))
			continue
		}
		if sym == 256 {
			break
		}
		if sym > 285 {
			err = errLitLenCode
			break
		}
		sym -= 257
		length := int(baseLength[sym]) + minMatch
		if x := uint(extraLBits[sym]); x != 0 {
			if x > nbits {
				err = errInflateTruncated
				break
			}
			length += int(buf & (1<<x - 1))
			buf >>= x
			nbits -= x
		} else if sym == 28 {
			length = maxMatch // code 285 is 258, with no extra bits
		}
		e = distT[buf&distMask]
		if e&entLink != 0 {
			e = distT[int(e>>16)+int((buf>>distRoot)&(1<<(e&15)-1))]
		}
		n = uint(e & 15)
		if n == 0 {
			err = errDistCode
			break
		}
		if n > nbits {
			err = errInflateTruncated
			break
		}
		buf >>= n
		nbits -= n
		dsym := int(e >> 16)
		if dsym > 29 {
			err = errDistCode
			break
		}
		d := int(baseDist[dsym]) + 1
		if x := uint(extraDBits[dsym]); x != 0 {
			if x > nbits {
				err = errInflateTruncated
				break
			}
			d += int(buf & (1<<x - 1))
			buf >>= x
			nbits -= x
		}
		if d > len(out) {
			err = errDistTooFar
			break
		}
		if len(out)+length > cap(out) {
			f.out = out
			if err = f.room(length); err != nil {
				break
			}
			out = f.out
		}
		start := len(out) - d
		if d >= length {
			out = append(out, out[start:start+length]...)
		} else {
			for k := 0; k < length; k++ {
				out = append(out, out[start+k])
			}
		}
	}
	f.pos, f.bits, f.nbits, f.out = pos, buf, nbits, out
	return err
}
