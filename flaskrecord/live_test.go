package flaskrecord

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ginflask/flasksession/internal/realtest"
	"github.com/ginflask/flasksession/taggedjson"
)

// debianPython is Debian 12's Python 3.11 with python3-flask-session
// (0.3.2) and python3-msgpack.
const debianPython = "/usr/bin/python3"

// pyOracle is testdata/pyrecord.py serve, running under one interpreter.
type pyOracle struct {
	cmd *exec.Cmd
	in  *bufio.Writer
	out *bufio.Scanner
}

// startOracle runs pyrecord.py serve under python, skipping (or failing
// under FLASKSESSION_REQUIRE_REAL=1) when it or the modules are missing.
func startOracle(t *testing.T, python string, modules ...string) *pyOracle {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		realtest.Missing(t, "%s is missing (Debian: apt-get install python3)", python)
	}
	for _, m := range modules {
		if out, err := exec.Command(python, "-c", "import "+m).CombinedOutput(); err != nil {
			realtest.Missing(t, "%s cannot import %s (Debian: apt-get install python3-flask-session python3-msgpack): %v: %s", python, m, err, out)
		}
	}
	script, err := filepath.Abs("testdata/pyrecord.py")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, script, "serve")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	o := &pyOracle{cmd: cmd, in: bufio.NewWriter(stdin), out: bufio.NewScanner(stdout)}
	o.out.Buffer(nil, 64<<20)
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	return o
}

type oracleAnswer struct {
	Value  *typed `json:"value"`
	Redump string `json:"redump"`
	Hex    string `json:"hex"`
	Error  string `json:"error"`
}

func (o *pyOracle) ask(t *testing.T, req map[string]any) oracleAnswer {
	t.Helper()
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	o.in.Write(b)
	o.in.WriteByte('\n')
	if err := o.in.Flush(); err != nil {
		t.Fatal(err)
	}
	if !o.out.Scan() {
		t.Fatalf("oracle stopped: %v", o.out.Err())
	}
	var a oracleAnswer
	if err := json.Unmarshal(o.out.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// liveValues are the sessions the live tests send: the golden cases, the
// frame cases (too big for golden.json) and random sessions.
func liveValues(t *testing.T, random int) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, c := range loadGolden(t).Cases {
		if c.Value == nil {
			out[c.Name] = batchesValue()
			continue
		}
		out[c.Name] = mustTyped(t, c.Value).(map[string]any)
	}
	var strs []any
	for i := range 20000 {
		strs = append(strs, fmt.Sprintf("%05d", i))
	}
	var dts []any
	for range 3 {
		dts = append(dts, time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC))
	}
	out["frames"] = map[string]any{
		"a": strings.Repeat("x", 70000),
		"b": bytes.Repeat([]byte("y"), 70000),
		"c": strs,
		"d": strings.Repeat("z", 65535),
		"e": dts,
		"f": strings.Repeat("é", 40000),
	}
	out["frames_small_before_big"] = map[string]any{"a": "x", "b": strings.Repeat("y", 1<<16)}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		out[fmt.Sprintf("random%03d", i)] = randomSession(r)
	}
	return out
}

// randomSession makes a session of the value types every format carries
// or converts, with the strings and bytes CPython shares.
func randomSession(r *rand.Rand) map[string]any {
	m := map[string]any{}
	for range 1 + r.IntN(8) {
		m[randomString(r)] = randomValue(r, 0)
	}
	return m
}

func randomString(r *rand.Rand) string {
	pool := []string{"", "a", "é", "ÿ", "\x00", "€", "😀", "key", "_flashes", "\"\\\n\t\x1f", "<b>&</b>"}
	if r.IntN(3) == 0 {
		return pool[r.IntN(len(pool))]
	}
	var b strings.Builder
	for range r.IntN(40) {
		b.WriteString(pool[r.IntN(len(pool))])
	}
	return b.String()
}

func randomValue(r *rand.Rand, depth int) any {
	n := 14
	if depth > 3 {
		n = 10 // no containers
	}
	switch r.IntN(n) {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		ints := []int{0, 1, -1, 255, 256, 65535, 65536, -32, -33, math.MaxInt32, math.MinInt32,
			math.MaxInt32 + 1, math.MinInt32 - 1, math.MaxInt64, math.MinInt64, 1700000000123}
		if r.IntN(2) == 0 {
			return ints[r.IntN(len(ints))]
		}
		return int(r.Int64()) >> r.IntN(64)
	case 3:
		floats := []float64{0, math.Copysign(0, -1), 1.5, 0.1, 1e16, 1e-5, 1e-7, 5e-324, math.MaxFloat64, 123456.789}
		if r.IntN(2) == 0 {
			return floats[r.IntN(len(floats))]
		}
		return math.Float64frombits(r.Uint64()&^(0x7ff<<52) | uint64(r.IntN(0x7ff))<<52)
	case 4, 5:
		return randomString(r)
	case 6:
		b := make([]byte, r.IntN(3)*r.IntN(200))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return b
	case 7:
		t := time.Unix(r.Int64N(253402300799+62135596800)-62135596800, r.Int64N(1e6)*1000)
		if r.IntN(2) == 0 {
			y, mo, d := t.UTC().Date()
			h, mi, s := t.UTC().Clock()
			return time.Date(y, mo, d, h, mi, s, t.Nanosecond(), Naive)
		}
		return t.UTC()
	case 8:
		return Date{1 + r.IntN(9999), time.Month(1 + r.IntN(12)), 1 + r.IntN(28)}
	case 9:
		z := new(big.Int).Lsh(big.NewInt(int64(1+r.IntN(1000))), uint(64+r.IntN(200)))
		if r.IntN(2) == 0 {
			z.Neg(z)
		}
		return z
	case 10, 11:
		a := make([]any, r.IntN(6))
		for i := range a {
			a[i] = randomValue(r, depth+1)
		}
		return a
	case 12:
		a := make(taggedjson.Tuple, r.IntN(6))
		for i := range a {
			a[i] = randomValue(r, depth+1)
		}
		return a
	}
	m := map[string]any{}
	for range r.IntN(5) {
		m[randomString(r)] = randomValue(r, depth+1)
	}
	return m
}

// TestLivePickle has real Python (Debian's, with Flask-Session 0.3.2,
// and python3 on PATH when that is another interpreter) load what the Go
// pickler writes: the same values come back, pickle.dumps of them is the
// same bytes, and Flask-Session 0.3.2's open_session loads the record.
// Then Python pickles the values and Go reads them.
func TestLivePickle(t *testing.T) {
	pythons := []string{debianPython}
	if p, err := exec.LookPath("python3"); err == nil {
		if rp, _ := filepath.EvalSymlinks(p); rp != debianPython && p != debianPython {
			pythons = append(pythons, p)
		}
	}
	values := liveValues(t, 300)
	for i, python := range pythons {
		t.Run(filepath.Base(filepath.Dir(python))+"_"+filepath.Base(python), func(t *testing.T) {
			var o *pyOracle
			if i == 0 {
				o = startOracle(t, python, "flask_session")
			} else {
				o = startOracle(t, python)
			}
			for name, v := range values {
				rec, err := Codec{Format: Pickle, MaxSize: -1}.Encode(v)
				if err != nil {
					t.Fatalf("%s: Encode: %v", name, err)
				}
				a := o.ask(t, map[string]any{"op": "loads", "hex": hex.EncodeToString(rec)})
				if a.Error != "" {
					t.Fatalf("%s: pickle.loads: %s", name, a.Error)
				}
				got := mustTyped(t, a.Value)
				if d := diff(got, any(v)); d != "" {
					t.Errorf("%s: Python loaded %s", name, d)
				}
				if redump := unhex(t, a.Redump); !bytes.Equal(redump, rec) {
					t.Errorf("%s: pickle.dumps(pickle.loads(record)) differs: %s", name, firstDiff(rec, redump))
				}
				if i == 0 {
					a := o.ask(t, map[string]any{"op": "open032", "hex": hex.EncodeToString(rec)})
					if a.Error != "" {
						t.Fatalf("%s: Flask-Session 0.3.2: %s", name, a.Error)
					}
					if d := diff(mustTyped(t, a.Value), any(v)); d != "" {
						t.Errorf("%s: Flask-Session 0.3.2 open_session: %s", name, d)
					}
				}
				// And back: Python's pickle of the values, read here.
				b := o.ask(t, map[string]any{"op": "dumps", "value": json.RawMessage(typedJSON(t, v))})
				if b.Error != "" {
					t.Fatalf("%s: pickle.dumps: %s", name, b.Error)
				}
				back, err := Codec{MaxSize: -1}.Decode(unhex(t, b.Hex))
				if err != nil {
					t.Fatalf("%s: Decode of Python's pickle: %v", name, err)
				}
				if d := diff(back, any(v)); d != "" {
					t.Errorf("%s: Decode of Python's pickle: %s", name, d)
				}
			}
		})
	}
}

// TestLiveMsgpackJSON has Python read the msgpack (as msgspec's decoder
// gives it, through python3-msgpack) and the JSON records Go writes, and
// checks it gets what Decode gets.
func TestLiveMsgpackJSON(t *testing.T) {
	o := startOracle(t, debianPython, "msgpack")
	for name, v := range liveValues(t, 300) {
		for _, f := range []Format{MsgPack, JSON} {
			c := Codec{Format: f, MaxSize: -1}
			rec, err := c.Encode(v)
			if err != nil {
				if isBigForMsgpack(v) && f == MsgPack {
					continue
				}
				t.Fatalf("%s: %v: Encode: %v", name, f, err)
			}
			mine, err := c.Decode(rec)
			if err != nil {
				t.Fatalf("%s: %v: Decode: %v", name, f, err)
			}
			a := o.ask(t, map[string]any{"op": f.String(), "hex": hex.EncodeToString(rec)})
			if a.Error != "" {
				t.Fatalf("%s: %v: Python: %s", name, f, a.Error)
			}
			if d := diff(mustTyped(t, a.Value), any(mine)); d != "" {
				t.Errorf("%s: %v: Python read %s", name, f, d)
			}
		}
	}
}

func isBigForMsgpack(v any) bool {
	switch x := v.(type) {
	case *big.Int:
		return !x.IsInt64() && !x.IsUint64()
	case map[string]any:
		for _, e := range x {
			if isBigForMsgpack(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if isBigForMsgpack(e) {
				return true
			}
		}
	case taggedjson.Tuple:
		for _, e := range x {
			if isBigForMsgpack(e) {
				return true
			}
		}
	}
	return false
}

// typedJSON writes a Go session value in pyrecord.py's typed form.
func typedJSON(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	var write func(v any)
	str := func(s string) { js, _ := json.Marshal(s); b.Write(js) }
	write = func(v any) {
		switch x := v.(type) {
		case nil:
			b.WriteString(`{"t":"none"}`)
		case bool:
			fmt.Fprintf(&b, `{"t":"bool","v":%v}`, x)
		case int:
			fmt.Fprintf(&b, `{"t":"int","v":"%d"}`, x)
		case *big.Int:
			fmt.Fprintf(&b, `{"t":"int","v":"%s"}`, x)
		case float64:
			b.WriteString(`{"t":"float","v":`)
			switch {
			case math.IsNaN(x):
				str("nan")
			case math.IsInf(x, 1):
				str("inf")
			case math.IsInf(x, -1):
				str("-inf")
			default:
				str(fmt.Sprintf("%v", x))
			}
			b.WriteString("}")
		case string:
			b.WriteString(`{"t":"str","v":`)
			str(x)
			b.WriteString("}")
		case []byte:
			b.WriteString(`{"t":"bytes","v":`)
			js, _ := json.Marshal(x)
			b.Write(js)
			b.WriteString("}")
		case []any, taggedjson.Tuple:
			kind, items := "list", []any(nil)
			if tu, ok := x.(taggedjson.Tuple); ok {
				kind, items = "tuple", tu
			} else {
				items = x.([]any)
			}
			fmt.Fprintf(&b, `{"t":%q,"v":[`, kind)
			for i, e := range items {
				if i > 0 {
					b.WriteString(",")
				}
				write(e)
			}
			b.WriteString("]}")
		case map[string]any:
			b.WriteString(`{"t":"dict","v":[`)
			var buf [16]string
			for i, k := range sortedKeys(x, buf[:]) {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString("[")
				str(k)
				b.WriteString(",")
				write(x[k])
				b.WriteString("]")
			}
			b.WriteString("]}")
		case time.Time:
			p, _ := toPyTime(x)
			s := string(appendISO(nil, p))
			if !p.naive {
				s = strings.TrimSuffix(s, "Z") + "+00:00"
			}
			b.WriteString(`{"t":"datetime","v":`)
			str(s)
			b.WriteString("}")
		case Date:
			fmt.Fprintf(&b, `{"t":"date","v":%q}`, x.String())
		default:
			t.Fatalf("typedJSON: %T", v)
		}
	}
	write(v)
	return b.Bytes()
}
