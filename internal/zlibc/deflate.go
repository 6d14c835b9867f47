package zlibc

import (
	"encoding/binary"
	"hash/adler32"
	"math"
	"math/bits"
	"sync"
)

// The compressor follows zlib's deflate_slow, longest_match and trees.c
// choices: lazy matching with good=8, lazy=16, nice=128, chain=128; a
// 15-bit hash; Huffman trees built with zlib's heap order and length
// limiting; zlib's choice among stored, fixed and dynamic blocks. It takes
// inputs up to MaxInput, below which zlib never slides its window.

const (
	wSize        = 1 << 15
	wMask        = wSize - 1
	hashBits     = 15
	hashSize     = 1 << hashBits
	hashMask     = hashSize - 1
	minMatch     = 3
	maxMatch     = 258
	minLookahead = maxMatch + minMatch + 1
	maxDist      = wSize - minLookahead
	tooFar       = 4096
	goodMatch    = 8
	maxLazy      = 16
	niceMatch    = 128
	maxChain     = 128
	litBufSize   = 1 << 14 // memLevel 8

	lengthCodes = 29
	literals    = 256
	lCodes      = literals + 1 + lengthCodes
	dCodes      = 30
	blCodes     = 19
	heapSize    = 2*lCodes + 1
	maxBits     = 15
	maxBLBits   = 7
	endBlock    = 256
	rep3to6     = 16
	repz3to10   = 17
	repz11to138 = 18
)

var (
	extraLBits  = [lengthCodes]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	extraDBits  = [dCodes]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	extraBLBits = [blCodes]uint8{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7}
	blOrder     = [blCodes]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// Static tables, built once (zlib's tr_static_init).
var (
	lengthCode [maxMatch - minMatch + 1]uint8
	distCode   [512]uint8
	baseLength [lengthCodes]uint16
	baseDist   [dCodes]uint16
	staticL    codeTable // fixed literal/length codes (288 used)
	staticD    codeTable // fixed distance codes
)

// codeTable holds canonical codes, bit-reversed for LSB-first output.
type codeTable struct {
	code [lCodes + 2]uint16
	len  [lCodes + 2]uint8
}

func init() {
	length := 0
	code := 0
	for ; code < lengthCodes-1; code++ {
		baseLength[code] = uint16(length)
		for n := 0; n < 1<<extraLBits[code]; n++ {
			lengthCode[length] = uint8(code)
			length++
		}
	}
	// Length 258 has two encodings; zlib uses code 285.
	lengthCode[length-1] = uint8(code)

	dist := 0
	for code = 0; code < 16; code++ {
		baseDist[code] = uint16(dist)
		for n := 0; n < 1<<extraDBits[code]; n++ {
			distCode[dist] = uint8(code)
			dist++
		}
	}
	dist >>= 7
	for ; code < dCodes; code++ {
		baseDist[code] = uint16(dist << 7)
		for n := 0; n < 1<<(extraDBits[code]-7); n++ {
			distCode[256+dist] = uint8(code)
			dist++
		}
	}

	var blCount [maxBits + 1]uint16
	lens := make([]uint8, lCodes+2)
	for n := range lens {
		switch {
		case n <= 143:
			lens[n] = 8
		case n <= 255:
			lens[n] = 9
		case n <= 279:
			lens[n] = 7
		default:
			lens[n] = 8
		}
		blCount[lens[n]]++
	}
	copy(staticL.len[:], lens)
	genCodes(staticL.code[:], staticL.len[:], lCodes+1, &blCount)
	for n := 0; n < dCodes; n++ {
		staticD.len[n] = 5
		staticD.code[n] = bitReverse(uint16(n), 5)
	}
}

func dCode(dist int) uint8 {
	if dist < 256 {
		return distCode[dist]
	}
	return distCode[256+dist>>7]
}

func bitReverse(code uint16, n int) uint16 {
	var r uint16
	for ; n > 0; n-- {
		r = r<<1 | code&1
		code >>= 1
	}
	return r
}

// genCodes assigns canonical codes from code lengths (zlib gen_codes).
func genCodes(codes []uint16, lens []uint8, maxCode int, blCount *[maxBits + 1]uint16) {
	var next [maxBits + 1]uint16
	code := uint16(0)
	for bits := 1; bits <= maxBits; bits++ {
		code = (code + blCount[bits-1]) << 1
		next[bits] = code
	}
	for n := 0; n <= maxCode; n++ {
		l := lens[n]
		if l == 0 {
			continue
		}
		codes[n] = bitReverse(next[l], int(l))
		next[l]++
	}
}

// tree is one dynamic Huffman tree under construction (zlib ct_data plus
// tree_desc); leaves first, then internal nodes.
type tree struct {
	freq    [heapSize]uint32
	dad     [heapSize]uint16
	len     [heapSize]uint8
	code    [heapSize]uint16
	used    [(lCodes + 63) / 64]uint64 // leaves with non-zero frequency
	maxCode int
}

func (t *tree) mark(n int) { t.used[n>>6] |= 1 << (n & 63) }

// nextUsed returns the first used leaf >= n, or limit if there is none
// below limit.
func (t *tree) nextUsed(n, limit int) int {
	for w := n >> 6; w<<6 < limit; w++ {
		word := t.used[w]
		if w == n>>6 {
			word &= ^uint64(0) << (n & 63)
		}
		if word != 0 {
			if m := w<<6 + bits.TrailingZeros64(word); m < limit {
				return m
			}
			return limit
		}
	}
	return limit
}

// treeKind describes a tree family (zlib static_tree_desc).
type treeKind struct {
	static    *codeTable // nil for the bit length tree
	extra     []uint8
	extraBase int
	elems     int
	maxLength int
}

var (
	lKind  = treeKind{&staticL, extraLBits[:], literals + 1, lCodes, maxBits}
	dKind  = treeKind{&staticD, extraDBits[:], 0, dCodes, maxBits}
	blKind = treeKind{nil, extraBLBits[:], 0, blCodes, maxBLBits}
)

// deflater holds reusable compressor state.
type deflater struct {
	window []byte // input plus zero padding that longest match may read

	// head maps a hash to the latest position with it, tagged with gen
	// in the high bits so the table never needs clearing.
	head [hashSize]uint32
	gen  uint32
	prev [wSize]uint16

	strStart, lookahead, blockStart int
	matchLength, prevLength         int
	matchStart, prevMatch           int
	matchAvailable                  bool

	syms []uint32 // dist<<8 | lc; dist 0 means literal lc

	ltree, dtree, bltree tree
	heap                 [heapSize]int
	heapLen, heapMax     int
	key                  [heapSize]uint64 // freq<<8 | depth: the heap order
	blCount              [maxBits + 1]uint16
	optLen, staticLen    int64

	out   []byte
	bits  uint64
	nbits uint

	// limit, if >= 0, is the largest zlib stream the caller can use; a
	// single-block stream provably longer is abandoned before its trees
	// are built (gaveUp).
	limit  int
	gaveUp bool
}

var deflaters = sync.Pool{New: func() any { return new(deflater) }}

// zlibCompress appends the zlib stream of data (len(data) <=
// MaxInput) to dst, byte-identical to C zlib's compress().
func zlibCompress(dst, data []byte) []byte {
	d := deflaters.Get().(*deflater)
	dst = append(dst, d.zlib(data, -1)...)
	d.release()
	return dst
}

// zlib returns the zlib stream of data in a buffer owned by d, or nil if
// limit >= 0 and the stream would be longer than limit bytes. (A nil
// result is exact only in that direction: a stream it does return may
// still be longer than limit.)
func (d *deflater) zlib(data []byte, limit int) []byte {
	d.out = append(d.out[:0], 0x78, 0x9c) // deflate, 32K window, default level
	d.limit, d.gaveUp = limit, false
	d.compress(data)
	if d.gaveUp {
		return nil
	}
	d.out = binary.BigEndian.AppendUint32(d.out, adler32.Checksum(data))
	return d.out
}

// release returns d to the pool, dropping buffers grown for large input.
func (d *deflater) release() {
	if cap(d.window) > 2*maxPooledBuf {
		d.window = nil
	}
	if cap(d.syms) > maxPooledBuf {
		d.syms = nil
	}
	if cap(d.out) > maxPooledBuf {
		d.out = nil
	}
	deflaters.Put(d)
}

func (d *deflater) compress(data []byte) {
	n := len(data)
	// Window: the data, then zeros (zlib zeroes WIN_INIT = 258 bytes past
	// the data, and longest_match reads up to 258 bytes ahead).
	need := n + maxMatch + 8
	if cap(d.window) < need {
		d.window = make([]byte, need)
	}
	d.window = d.window[:need]
	copy(d.window, data)
	clear(d.window[n:])

	d.gen++
	if d.gen == 1<<16 {
		clear(d.head[:])
		d.gen = 1
	}
	d.strStart, d.lookahead, d.blockStart = 0, n, 0
	d.matchLength, d.prevLength = minMatch-1, minMatch-1
	d.matchStart, d.prevMatch = 0, 0
	d.matchAvailable = false
	d.syms = d.syms[:0]
	d.bits, d.nbits = 0, 0
	d.initBlock()
	d.deflateSlow()
}

// insert adds the string at pos to the hash chains and returns the
// previous head of its chain (0 = none; position 0 is never matched).
func (d *deflater) insert(pos int) int {
	w := d.window
	h := (uint32(w[pos])<<10 ^ uint32(w[pos+1])<<5 ^ uint32(w[pos+2])) & hashMask
	e := d.head[h]
	head := 0
	if e>>16 == d.gen {
		head = int(e & 0xffff)
	}
	d.prev[pos&wMask] = uint16(head)
	d.head[h] = d.gen<<16 | uint32(pos)
	return head
}

// deflateSlow is zlib's deflate_slow with all input in the window and
// flush = Z_FINISH.
func (d *deflater) deflateSlow() {
	for d.lookahead > 0 {
		hashHead := 0
		if d.lookahead >= minMatch {
			hashHead = d.insert(d.strStart)
		}
		d.prevLength, d.prevMatch = d.matchLength, d.matchStart
		d.matchLength = minMatch - 1
		if hashHead != 0 && d.prevLength < maxLazy && d.strStart-hashHead <= maxDist {
			d.matchLength = d.longestMatch(hashHead)
			if d.matchLength == minMatch && d.strStart-d.matchStart > tooFar {
				d.matchLength = minMatch - 1
			}
		}
		if d.prevLength >= minMatch && d.matchLength <= d.prevLength {
			maxInsert := d.strStart + d.lookahead - minMatch
			flush := d.tallyDist(d.strStart-1-d.prevMatch, d.prevLength-minMatch)
			d.lookahead -= d.prevLength - 1
			for k := d.prevLength - 2; k > 0; k-- {
				d.strStart++
				if d.strStart <= maxInsert {
					d.insert(d.strStart)
				}
			}
			d.matchAvailable = false
			d.matchLength = minMatch - 1
			d.strStart++
			if flush {
				d.flushBlock(false)
			}
		} else if d.matchAvailable {
			if d.tallyLit(d.window[d.strStart-1]) {
				d.flushBlock(false)
			}
			d.strStart++
			d.lookahead--
		} else {
			d.matchAvailable = true
			d.strStart++
			d.lookahead--
		}
	}
	if d.matchAvailable {
		d.tallyLit(d.window[d.strStart-1])
		d.matchAvailable = false
	}
	if d.limit >= 0 && d.blockStart == 0 && d.tooLong() {
		d.gaveUp = true
		return
	}
	d.flushBlock(true)
}

// tooLong reports whether the stream for the whole input, as one final
// block, is surely longer than d.limit. zlib emits the cheapest of a
// stored block and fixed codes (exact costs below) and dynamic codes,
// whose cost is bounded below by:
//
//   - the block header: 3+14 bits, and at least 4 bit length code
//     lengths of 3 bits;
//   - per tree, the data bits: no prefix code beats the entropy of the
//     symbol counts, nor gives the j-th most frequent of k symbols fewer
//     than max(1, ceil(log2(j+1))) bits (Kraft);
//   - the extra bits of lengths and distances, as for fixed codes;
//   - per tree, the code lengths sent: every bit length symbol costs at
//     least one bit and covers at most 6 non-zero lengths (3 bits with
//     its repeat count) or 138 zeros (8 bits), see runCost.
func (d *deflater) tooLong() bool {
	var fixed, extra int64
	for w, word := range d.ltree.used {
		for word != 0 {
			n := w<<6 + bits.TrailingZeros64(word)
			word &= word - 1
			f := int64(d.ltree.freq[n])
			fixed += f * int64(staticL.len[n])
			if n > literals {
				extra += f * int64(extraLBits[n-literals-1])
			}
		}
	}
	word := d.dtree.used[0]
	for word != 0 {
		n := bits.TrailingZeros64(word)
		word &= word - 1
		f := int64(d.dtree.freq[n])
		fixed += f * 5
		extra += f * int64(extraDBits[n])
	}
	budget := int64(d.limit - 6) // zlib header and checksum
	stored := int64(d.strStart) + 5
	if stored <= budget || (fixed+extra+3+7)>>3 <= budget {
		return false
	}
	dynamic := 14 + 4*3 + extra + d.ltree.minBits() + d.dtree.minBits()
	return (dynamic+3+7)>>3 > budget
}

// minBits bounds from below what a dynamic block spends on t: its data
// bits (without extra bits) plus sending its code lengths.
func (t *tree) minBits() int64 {
	var n, k int64
	var sumFLogF float64
	prev := -1 // last used symbol
	var lengths int64
	run := 0 // used symbols in a row
	for w, word := range t.used {
		for word != 0 {
			sym := w<<6 + bits.TrailingZeros64(word)
			word &= word - 1
			f := t.freq[sym]
			n += int64(f)
			k++
			sumFLogF += fLog2F(f)
			if sym == prev+1 {
				run++
			} else {
				lengths += int64(nonzeroRunBits[run]) + int64(zeroRunBits[sym-prev-1])
				run = 1
			}
			prev = sym
		}
	}
	lengths += int64(nonzeroRunBits[run])
	if k == 0 {
		return 0 // zlib adds two dummy codes, whose net cost is >= 0
	}
	kraft := int64(minCodeBits[k]) + n - k
	// Entropy n*log2(n) - sum f*log2(f), rounded down with a margin for
	// floating point error.
	entropy := int64(float64(n)*math.Log2(float64(n)) - sumFLogF - 1e-6)
	return max(kraft, entropy) + lengths
}

func fLog2F(f uint32) float64 {
	if int(f) < len(fLog2FTable) {
		return fLog2FTable[f]
	}
	return float64(f) * math.Log2(float64(f))
}

var fLog2FTable = func() (t [256]float64) {
	for f := 2; f < len(t); f++ {
		t[f] = float64(f) * math.Log2(float64(f))
	}
	return t
}()

// minCodeBits[k] is the least total length of k prefix codes (counting
// each symbol once): sum over j < k of max(1, ceil(log2(j+1))).
var minCodeBits = func() (t [lCodes + 1]int) {
	for k := 1; k <= lCodes; k++ {
		t[k] = t[k-1] + max(1, bits.Len(uint(k-1)))
	}
	return t
}()

// zeroRunBits[z] and nonzeroRunBits[u] are the fewest bits that can send
// z zero or u non-zero code lengths in a row, over every way of cutting
// them into bit length symbols (zlib uses one of those ways): a length on
// its own (1+ bits), 3-10 zeros (1+3), 11-138 zeros (1+7), 3-6 repeats
// (1+2).
var zeroRunBits, nonzeroRunBits = func() (z, u [lCodes + 1]int) {
	for n := 1; n <= lCodes; n++ {
		z[n] = z[n-1] + 1
		u[n] = u[n-1] + 1
		for c := 3; c <= 138 && c <= n; c++ {
			cost := 4
			if c >= 11 {
				cost = 8
			}
			z[n] = min(z[n], z[n-c]+cost)
			if c <= 6 {
				u[n] = min(u[n], u[n-c]+3)
			}
		}
	}
	return z, u
}()

// longestMatch is zlib's longest_match (level 6 parameters).
func (d *deflater) longestMatch(curMatch int) int {
	w := d.window
	chain := maxChain
	scan := d.strStart
	bestLen := d.prevLength
	nice := niceMatch
	limit := 0
	if d.strStart > maxDist {
		limit = d.strStart - maxDist
	}
	if d.prevLength >= goodMatch {
		chain >>= 2
	}
	if nice > d.lookahead {
		nice = d.lookahead
	}
	scanEnd1, scanEnd := w[scan+bestLen-1], w[scan+bestLen]
	for {
		m := curMatch
		if w[m+bestLen] == scanEnd && w[m+bestLen-1] == scanEnd1 && w[m] == w[scan] && w[m+1] == w[scan+1] {
			l := matchLen(w[m:m+maxMatch], w[scan:scan+maxMatch])
			if l > bestLen {
				d.matchStart = curMatch
				bestLen = l
				if l >= nice {
					break
				}
				scanEnd1, scanEnd = w[scan+bestLen-1], w[scan+bestLen]
			}
		}
		curMatch = int(d.prev[curMatch&wMask])
		chain--
		if curMatch <= limit || chain == 0 {
			break
		}
	}
	if bestLen <= d.lookahead {
		return bestLen
	}
	return d.lookahead
}

// matchLen returns the length of the common prefix of a and b, which
// have the same length.
func matchLen(a, b []byte) int {
	n := 0
	for len(a) >= 8 {
		x := binary.LittleEndian.Uint64(a) ^ binary.LittleEndian.Uint64(b[:8])
		if x != 0 {
			return n + trailingZeroBytes(x)
		}
		n += 8
		a, b = a[8:], b[8:]
	}
	for i := range a {
		if a[i] != b[i] {
			break
		}
		n++
	}
	return n
}

func trailingZeroBytes(x uint64) int {
	n := 0
	for x&0xff == 0 {
		x >>= 8
		n++
	}
	return n
}

func (d *deflater) tallyLit(c byte) bool {
	d.syms = append(d.syms, uint32(c))
	d.ltree.freq[c]++
	d.ltree.mark(int(c))
	return len(d.syms) == litBufSize-1
}

func (d *deflater) tallyDist(dist, lc int) bool {
	d.syms = append(d.syms, uint32(dist)<<8|uint32(lc))
	lsym, dsym := int(lengthCode[lc])+literals+1, int(dCode(dist-1))
	d.ltree.freq[lsym]++
	d.ltree.mark(lsym)
	d.dtree.freq[dsym]++
	d.dtree.mark(dsym)
	return len(d.syms) == litBufSize-1
}

func (d *deflater) initBlock() {
	clear(d.ltree.freq[:lCodes])
	clear(d.dtree.freq[:dCodes])
	clear(d.bltree.freq[:blCodes])
	d.ltree.used, d.dtree.used, d.bltree.used = [5]uint64{}, [5]uint64{}, [5]uint64{}
	d.ltree.freq[endBlock] = 1
	d.ltree.mark(endBlock)
	d.optLen, d.staticLen = 0, 0
	d.syms = d.syms[:0]
}

// flushBlock is zlib's _tr_flush_block for the block ending at strStart.
func (d *deflater) flushBlock(last bool) {
	storedLen := d.strStart - d.blockStart
	d.buildTree(&d.ltree, &lKind)
	d.buildTree(&d.dtree, &dKind)
	maxBLIndex := d.buildBLTree()
	optLenb := (d.optLen + 3 + 7) >> 3
	staticLenb := (d.staticLen + 3 + 7) >> 3
	if staticLenb <= optLenb {
		optLenb = staticLenb
	}
	lastBit := uint64(0)
	if last {
		lastBit = 1
	}
	switch {
	case int64(storedLen)+4 <= optLenb:
		d.sendBits(lastBit, 3) // STORED_BLOCK = 0
		d.windup()
		d.out = append(d.out, byte(storedLen), byte(storedLen>>8), ^byte(storedLen), ^byte(storedLen>>8))
		d.out = append(d.out, d.window[d.blockStart:d.strStart]...)
	case staticLenb == optLenb:
		d.sendBits(1<<1|lastBit, 3)
		d.compressBlock(staticL.code[:], staticL.len[:], staticD.code[:], staticD.len[:])
	default:
		d.sendBits(2<<1|lastBit, 3)
		d.sendAllTrees(d.ltree.maxCode+1, d.dtree.maxCode+1, maxBLIndex+1)
		d.compressBlock(d.ltree.code[:], d.ltree.len[:], d.dtree.code[:], d.dtree.len[:])
	}
	d.initBlock()
	if last {
		d.windup()
	}
	d.blockStart = d.strStart
}

// pqDownHeap restores the heap below k. Nodes are ordered by frequency,
// then depth (zlib's smaller()), which key packs into one number.
func (d *deflater) pqDownHeap(k int) {
	heap, key := &d.heap, &d.key
	v := heap[k]
	kv := key[v]
	j := k << 1
	for j <= d.heapLen {
		if j < d.heapLen && key[heap[j+1]] <= key[heap[j]] {
			j++
		}
		if kv <= key[heap[j]] {
			break
		}
		heap[k] = heap[j]
		k = j
		j <<= 1
	}
	heap[k] = v
}

// buildTree is zlib's build_tree: Huffman code lengths and codes for t.
func (d *deflater) buildTree(t *tree, kind *treeKind) {
	elems := kind.elems
	maxCode := -1
	d.heapLen, d.heapMax = 0, heapSize
	clear(t.len[:elems])
	for w, word := range t.used {
		for word != 0 {
			n := w<<6 + bits.TrailingZeros64(word)
			word &= word - 1
			d.heapLen++
			d.heap[d.heapLen] = n
			maxCode = n
			d.key[n] = uint64(t.freq[n]) << 8
		}
	}
	// At least two codes of non-zero frequency.
	for d.heapLen < 2 {
		node := 0
		if maxCode < 2 {
			maxCode++
			node = maxCode
		}
		d.heapLen++
		d.heap[d.heapLen] = node
		t.freq[node] = 1
		t.mark(node)
		d.key[node] = 1 << 8
		d.optLen--
		if kind.static != nil {
			d.staticLen -= int64(kind.static.len[node])
		}
	}
	t.maxCode = maxCode
	for n := d.heapLen / 2; n >= 1; n-- {
		d.pqDownHeap(n)
	}
	node := elems
	for {
		n := d.heap[1]
		d.heap[1] = d.heap[d.heapLen]
		d.heapLen--
		d.pqDownHeap(1)
		m := d.heap[1]
		d.heapMax--
		d.heap[d.heapMax] = n
		d.heapMax--
		d.heap[d.heapMax] = m
		t.freq[node] = t.freq[n] + t.freq[m]
		depth := max(d.key[n]&0xff, d.key[m]&0xff) + 1
		d.key[node] = uint64(t.freq[node])<<8 | depth
		t.dad[n], t.dad[m] = uint16(node), uint16(node)
		d.heap[1] = node
		node++
		d.pqDownHeap(1)
		if d.heapLen < 2 {
			break
		}
	}
	d.heapMax--
	d.heap[d.heapMax] = d.heap[1]
	d.genBitLen(t, kind)
	t.genCodes(&d.blCount)
}

// genCodes is genCodes for the used leaves of a dynamic tree.
func (t *tree) genCodes(blCount *[maxBits + 1]uint16) {
	var next [maxBits + 1]uint16
	code := uint16(0)
	for bits := 1; bits <= maxBits; bits++ {
		code = (code + blCount[bits-1]) << 1
		next[bits] = code
	}
	for w, word := range t.used {
		for word != 0 {
			n := w<<6 + bits.TrailingZeros64(word)
			word &= word - 1
			l := t.len[n]
			t.code[n] = bitReverse(next[l], int(l))
			next[l]++
		}
	}
}

// genBitLen is zlib's gen_bitlen: lengths from the tree, limited to
// kind.maxLength, and the block cost in optLen/staticLen.
func (d *deflater) genBitLen(t *tree, kind *treeKind) {
	maxLength := kind.maxLength
	clear(d.blCount[:])
	t.len[d.heap[d.heapMax]] = 0 // root
	overflow := 0
	h := d.heapMax + 1
	for ; h < heapSize; h++ {
		n := d.heap[h]
		bits := int(t.len[t.dad[n]]) + 1
		if bits > maxLength {
			bits = maxLength
			overflow++
		}
		t.len[n] = uint8(bits)
		if n > t.maxCode {
			continue // not a leaf
		}
		d.blCount[bits]++
		xbits := 0
		if n >= kind.extraBase {
			xbits = int(kind.extra[n-kind.extraBase])
		}
		f := int64(t.freq[n])
		d.optLen += f * int64(bits+xbits)
		if kind.static != nil {
			d.staticLen += f * int64(int(kind.static.len[n])+xbits)
		}
	}
	if overflow == 0 {
		return
	}
	for overflow > 0 {
		bits := maxLength - 1
		for d.blCount[bits] == 0 {
			bits--
		}
		d.blCount[bits]--
		d.blCount[bits+1] += 2
		d.blCount[maxLength]--
		overflow -= 2
	}
	for bits := maxLength; bits != 0; bits-- {
		n := int(d.blCount[bits])
		for n != 0 {
			h--
			m := d.heap[h]
			if m > t.maxCode {
				continue
			}
			if int(t.len[m]) != bits {
				d.optLen += int64(bits-int(t.len[m])) * int64(t.freq[m])
				t.len[m] = uint8(bits)
			}
			n--
		}
	}
}

// The lengths of a tree go out run-length coded with the bit length
// codes (zlib scan_tree and send_tree). zlib walks every element; this
// walks runs of equal lengths, skipping unused leaves with the bitmap,
// and makes the same decisions: a run is cut into chunks of at most 7
// (a new non-zero length), 6 (its repeats) or 138 (zeros), and a chunk
// shorter than 4 (new non-zero length) or 3 is sent as plain lengths.

// scanTree counts the bit length codes needed to send t.
func (d *deflater) scanTree(t *tree) { d.treeRuns(t, false) }

// sendTree writes t's code lengths with the bit length codes.
func (d *deflater) sendTree(t *tree) { d.treeRuns(t, true) }

func (d *deflater) treeRuns(t *tree, send bool) {
	prevLen := -1
	end := t.maxCode + 1 // zlib's guard: the length after maxCode differs
	for i := 0; i < end; {
		v := int(t.len[i])
		j := i + 1
		if v == 0 {
			j = t.nextUsed(i, end)
		} else {
			for j < end && int(t.len[j]) == v {
				j++
			}
		}
		run := j - i
		maxCount, minCount := 7, 4
		if v == 0 {
			maxCount, minCount = 138, 3
		}
		for run > 0 {
			c := min(run, maxCount)
			run -= c
			d.lengthChunk(v, c, prevLen, minCount, send)
			prevLen = v
			if v != 0 {
				maxCount, minCount = 6, 3
			}
		}
		i = j
	}
}

// lengthChunk sends (or counts) c repeats of length v.
func (d *deflater) lengthChunk(v, c, prevLen, minCount int, send bool) {
	bl := &d.bltree
	code := func(sym int) {
		if send {
			d.sendBits(uint64(bl.code[sym]), uint(bl.len[sym]))
		} else {
			bl.freq[sym]++
			bl.mark(sym)
		}
	}
	switch {
	case c < minCount:
		if !send {
			bl.freq[v] += uint32(c)
			bl.mark(v)
			return
		}
		for ; c > 0; c-- {
			code(v)
		}
	case v != 0:
		if v != prevLen {
			code(v)
			c--
		}
		code(rep3to6)
		if send {
			d.sendBits(uint64(c-3), 2)
		}
	case c <= 10:
		code(repz3to10)
		if send {
			d.sendBits(uint64(c-3), 3)
		}
	default:
		code(repz11to138)
		if send {
			d.sendBits(uint64(c-11), 7)
		}
	}
}

// buildBLTree is zlib's build_bl_tree; it returns the index in blOrder of
// the last bit length code to send.
func (d *deflater) buildBLTree() int {
	d.scanTree(&d.ltree)
	d.scanTree(&d.dtree)
	d.buildTree(&d.bltree, &blKind)
	maxBLIndex := blCodes - 1
	for ; maxBLIndex >= 3; maxBLIndex-- {
		if d.bltree.len[blOrder[maxBLIndex]] != 0 {
			break
		}
	}
	d.optLen += 3*(int64(maxBLIndex)+1) + 5 + 5 + 4
	return maxBLIndex
}

func (d *deflater) sendAllTrees(lcodes, dcodes, blcodes int) {
	d.sendBits(uint64(lcodes-257), 5)
	d.sendBits(uint64(dcodes-1), 5)
	d.sendBits(uint64(blcodes-4), 4)
	for rank := 0; rank < blcodes; rank++ {
		d.sendBits(uint64(d.bltree.len[blOrder[rank]]), 3)
	}
	d.sendTree(&d.ltree)
	d.sendTree(&d.dtree)
}

// compressBlock writes the block's symbols with the given codes.
func (d *deflater) compressBlock(lcode []uint16, llen []uint8, dcode []uint16, dlen []uint8) {
	for _, s := range d.syms {
		lc := int(s & 0xff)
		dist := int(s >> 8)
		if dist == 0 {
			d.sendBits(uint64(lcode[lc]), uint(llen[lc]))
			continue
		}
		code := int(lengthCode[lc])
		d.sendBits(uint64(lcode[code+literals+1]), uint(llen[code+literals+1]))
		if extra := uint(extraLBits[code]); extra != 0 {
			d.sendBits(uint64(lc-int(baseLength[code])), extra)
		}
		dist--
		dc := int(dCode(dist))
		d.sendBits(uint64(dcode[dc]), uint(dlen[dc]))
		if extra := uint(extraDBits[dc]); extra != 0 {
			d.sendBits(uint64(dist-int(baseDist[dc])), extra)
		}
	}
	d.sendBits(uint64(lcode[endBlock]), uint(llen[endBlock]))
}

// sendBits writes n bits LSB first, as zlib's send_bits does.
func (d *deflater) sendBits(v uint64, n uint) {
	d.bits |= v << d.nbits
	d.nbits += n
	if d.nbits >= 32 {
		d.out = binary.LittleEndian.AppendUint32(d.out, uint32(d.bits))
		d.bits >>= 32
		d.nbits -= 32
	}
}

// windup flushes the bit buffer to a byte boundary.
func (d *deflater) windup() {
	for d.nbits > 0 {
		d.out = append(d.out, byte(d.bits))
		d.bits >>= 8
		if d.nbits < 8 {
			d.nbits = 0
		} else {
			d.nbits -= 8
		}
	}
	d.bits = 0
}
