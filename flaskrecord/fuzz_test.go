package flaskrecord

import (
	"bytes"
	"encoding/hex"
	"errors"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// fuzzLimits are smaller than the defaults, so that each input is quick.
var fuzzLimits = limits{size: 1 << 16, depth: 200, items: 1 << 14}

var fuzzCalls atomic.Uint64

// checkAlloc runs decode, and on every 64th call measures what it
// allocated: never more than a fixed multiple of the input, so no length
// field or shared reference can make a small record cost much memory.
func checkAlloc(t *testing.T, data []byte, decode func()) {
	if fuzzCalls.Add(1)%64 != 0 {
		decode()
		return
	}
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	decode()
	runtime.ReadMemStats(&b)
	if n, limit := b.TotalAlloc-a.TotalAlloc, uint64(512*len(data)+1<<20); n > limit {
		t.Fatalf("decoding %d bytes allocated %d bytes", len(data), n)
	}
}

// checkDecodeErr: every failure is one of the package's errors.
func checkDecodeErr(t *testing.T, err error) {
	var (
		se *SyntaxError
		le *LimitError
		pe *PickleRefusedError
		ue *UnsupportedPythonError
	)
	if !errors.As(err, &se) && !errors.As(err, &le) && !errors.As(err, &pe) && !errors.As(err, &ue) && !errors.Is(err, ErrNotDict) {
		t.Fatalf("unexpected error %T: %v", err, err)
	}
	if !strings.HasPrefix(err.Error(), "flaskrecord: ") {
		t.Fatalf("message %q", err)
	}
}

func addGoldenSeeds(f *testing.F, pick func(goldenCase) []string) {
	for _, c := range loadGolden(f).Cases {
		for _, h := range pick(c) {
			if len(h) > 2*fuzzLimits.size {
				continue
			}
			b, err := hex.DecodeString(h)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
}

// FuzzPickle: the reader never panics or allocates out of proportion;
// what it reads, the writer writes, and the reader reads back the same.
func FuzzPickle(f *testing.F) {
	addGoldenSeeds(f, func(c goldenCase) []string {
		var out []string
		for _, h := range c.Pickle {
			out = append(out, h)
		}
		if c.FlaskSession032 != "" {
			out = append(out, c.FlaskSession032)
		}
		return out
	})
	for _, s := range [][]byte{pickleOSSystem, pickleSet, pickleIntKey, pickleDelta, pickleBytearr,
		[]byte("(dp0\nVa\np1\nI01\nsVb\np2\nL18446744073709551616L\nsVc\np3\nF1.5\nsVd\ng1\ns.")} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m map[string]any
		var err error
		checkAlloc(t, data, func() { m, err = decodePickle(data, string(data), fuzzLimits) })
		if err != nil {
			checkDecodeErr(t, err)
			return
		}
		rec, err := appendPickle(nil, m, fuzzLimits)
		if err != nil {
			// An aware datetime near year 1 or 9999 with an offset is
			// outside Python's range once at UTC.
			var ve *UnsupportedValueError
			if errors.As(err, &ve) && strings.Contains(ve.Reason, "9999") {
				return
			}
			t.Fatalf("Encode of a decoded pickle: %v", err)
		}
		m2, err := decodePickle(rec, string(rec), fuzzLimits)
		if err != nil {
			t.Fatalf("Decode of the re-encoded pickle: %v", err)
		}
		if d := diff(any(m2), any(m)); d != "" {
			t.Fatalf("round trip: %s", d)
		}
	})
}

// FuzzMsgpack: as FuzzPickle, and what the writer writes for decoded
// values is a fixed point.
func FuzzMsgpack(f *testing.F) {
	addGoldenSeeds(f, func(c goldenCase) []string {
		if c.MsgPack == "" {
			return nil
		}
		return []string{c.MsgPack}
	})
	for _, s := range []string{"\x81\xa1a\x81\x01\x02", "\x81\xa1a\xd4\x05\x00", "\x81\xa1a\xc7\x0c\xff\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff", "\x80"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m map[string]any
		var err error
		checkAlloc(t, data, func() { m, err = decodeMsgpack(data, string(data), fuzzLimits) })
		if err != nil {
			checkDecodeErr(t, err)
			return
		}
		rec, err := appendMsgpack(nil, m, fuzzLimits)
		if err != nil {
			t.Fatalf("Encode of a decoded record: %v", err)
		}
		m2, err := decodeMsgpack(rec, string(rec), fuzzLimits)
		if err != nil {
			t.Fatalf("Decode of the re-encoded record: %v", err)
		}
		if d := diff(any(m2), any(m)); d != "" {
			t.Fatalf("round trip: %s", d)
		}
		rec2, err := appendMsgpack(nil, m2, fuzzLimits)
		if err != nil || !bytes.Equal(rec2, rec) {
			t.Fatalf("not a fixed point: %v %s", err, firstDiff(rec, rec2))
		}
	})
}

// FuzzJSON: as FuzzMsgpack, for the JSON reader and writer.
func FuzzJSON(f *testing.F) {
	addGoldenSeeds(f, func(c goldenCase) []string {
		if c.JSON == "" {
			return nil
		}
		return []string{c.JSON}
	})
	for _, s := range []string{`{"a":"\ud83d\ude00\u00e9\n"}`, `{"a":[1e400]}`, `{"a":-0.0,"b":1E+2}`, ` {} `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m map[string]any
		var err error
		checkAlloc(t, data, func() { m, err = decodeJSON(data, string(data), fuzzLimits) })
		if err != nil {
			checkDecodeErr(t, err)
			return
		}
		rec, err := appendJSON(nil, m, fuzzLimits)
		if err != nil {
			t.Fatalf("Encode of a decoded record: %v", err)
		}
		m2, err := decodeJSON(rec, string(rec), fuzzLimits)
		if err != nil {
			t.Fatalf("Decode of the re-encoded record: %v", err)
		}
		if d := diff(any(m2), any(m)); d != "" {
			t.Fatalf("round trip: %s", d)
		}
	})
}
