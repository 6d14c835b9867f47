package zlibc

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"
)

// Python 3.11 zlib.compress (C zlib 1.2.13, level 6) outputs.
var zlibVectors = []struct{ in, out string }{
	{"", "789c030000000001"},
	{"a", "789c4b040000620062"},
	{`{"a":1}`, "789cab564a54b232ac0500082a0209"},
	{strings.Repeat("x", 200), "789caba8181e0000d0c45dc1"},
	{"hello hello hello hello", "789ccb48cdc9c957c8402701680308b1"},
}

func TestZlibCompressKnownAnswers(t *testing.T) {
	for _, v := range zlibVectors {
		got := hex.EncodeToString(zlibCompress(nil, []byte(v.in)))
		if got != v.out {
			t.Errorf("zlibCompress(%.20q) = %s, want %s", v.in, got, v.out)
		}
	}
}

// corpusRand is a fixed xorshift generator, so the corpus below never
// changes with Go versions.
type corpusRand uint64

func (r *corpusRand) next() uint64 {
	x := uint64(*r)
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	*r = corpusRand(x)
	return x
}

func (r *corpusRand) intn(n int) int { return int(r.next() % uint64(n)) }

var jsonWords = strings.Fields(`user_id csrf_token _fresh _id true false null " t" " b" " d" " m" " u" session cart items price 42 3.14 hello world flask gin`)

// jsonLike appends n bytes of session-like JSON: Flask's keys and tags,
// numbers, hex tokens.
func jsonLike(r *corpusRand, b []byte, n int) []byte {
	n += len(b)
	b = append(b, '{')
	for len(b) < n {
		b = fmt.Appendf(b, "%q:", jsonWords[r.intn(len(jsonWords))])
		if r.intn(3) == 0 {
			b = fmt.Append(b, r.intn(100000))
		} else {
			b = append(b, '"')
			for k := r.intn(40); k > 0; k-- {
				b = append(b, "0123456789abcdef"[r.intn(16)])
			}
			b = append(b, '"')
		}
		b = append(b, ',')
	}
	return b[:n]
}

// zlibCorpus makes inputs that reach every part of the compressor:
// JSON-like text, small alphabets, long runs, copies at all distances,
// skewed frequencies (code length overflow), sizes up to MaxInput
// (several blocks).
func zlibCorpus() [][]byte {
	r := corpusRand(0x9e3779b97f4a7c15)
	sizes := []int{0, 1, 2, 3, 4, 5, 10, 11, 20, 50, 100, 159, 300, 1000, 4000, 4097, 9000, 16383, 20000, 32767, MaxInput}
	var out [][]byte
	for i := 0; i < 96; i++ {
		n := sizes[i%len(sizes)]
		if i >= 2*len(sizes) {
			n = r.intn(MaxInput + 1)
		}
		b := make([]byte, 0, n)
		switch i % 6 {
		case 0: // small alphabet noise
			a := 1 + r.intn(256)
			for len(b) < n {
				b = append(b, byte(r.intn(a)))
			}
		case 1:
			b = jsonLike(&r, b, n)
		case 2: // runs
			for len(b) < n {
				c := byte(r.intn(256))
				for k := r.intn(300); k > 0 && len(b) < n; k-- {
					b = append(b, c)
				}
			}
		case 3: // copies from the past
			for len(b) < n {
				if len(b) > 10 && r.intn(2) == 0 {
					start, l := r.intn(len(b)), r.intn(300)
					for k := 0; k < l && len(b) < n; k++ {
						b = append(b, b[start+k%(len(b)-start)])
					}
				} else {
					b = append(b, byte('a'+r.intn(26)))
				}
			}
		case 4: // Fibonacci-like frequencies, shuffled
			f1, f2 := 1, 1
			for sym := 0; len(b) < n && sym < 256; sym++ {
				for k := 0; k < f1 && len(b) < n; k++ {
					b = append(b, byte(sym*37))
				}
				f1, f2 = f2, f1+f2
			}
			for j := len(b) - 1; j > 0; j-- {
				k := r.intn(j + 1)
				b[j], b[k] = b[k], b[j]
			}
		default: // base64 text
			for len(b) < n {
				b = append(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[r.intn(64)])
			}
		}
		out = append(out, b)
	}
	return out
}

// SHA-256 prefixes of Python's zlib.compress(x) for x in zlibCorpus().
var zlibCorpusSums = strings.Fields(`
aca503def43dc086 f085a1a0cbff7cf2 293eefb44df637f3 152e00253de4bc44 35a0383e8cd5de94 94e58883c6f76612
0466108f17188da2 a8da2e090784693a 8ce74125b4405e50 028a0445af4535d6 d37a8555a1f3629e d1009dc065408cf7
231bcd7704ba9921 9c964e40364b3e3c 7175b39fe0b7adbf 6311caab76eb7e32 72514698cd81f378 0ee1a8de9fcd1745
0a4ae462016373f9 6d0e88f3341c6be4 c8baa6048e93617d aca503def43dc086 bfd38e0d4937d7dc b173994244b5cb3c
a5c9a72ce7d155dc a6ffc21bd6c1eb96 92d81786d1b21c87 f998dd249699f0a2 be55d0e1f31d45e0 085fbfe9636a9a26
169dbbc9fc7af6d6 9581bd4d82f32ac2 4b4b9904fb647b48 82f33aff15825db5 6e5e9b335dc9f0d1 2077e8c77faff920
8cbedc85a3d1868d cb5a4ec6457bbbc0 2127ef3507b1cb69 07cb620b24c6f888 9d77beaa420adc43 bbc62443d119ab83
5b91dcdf5fbc01bb 9da04f44c1bfae73 4741707dca90c927 132bfaa8a1922461 14e364c47b9c2654 a96db1b7253b116c
cf52fc269d11c44c ddbd35dfcb72080b 3e886b627d6f2126 602de067992de48d d5d48bb035903021 38c555a6f3fc5d7d
bb68b4911508cd13 7f94fe8fa5cebdae f66e1bab134e1679 79868f2a23c94456 53a75488de8e5e68 699d73582aa410f6
8c56f4e98540ff0b f25e213dcd7b8e6a bb028745b49bf013 fea653c41809937a 271dd38e8bc309bc 4527c029328015c6
81facd32bb17a76a 71fa6460ea8d46d4 40d68c6569ae0058 9d2e55eb9af7f082 07d18f844e768832 c8b489e833a4b28a
943bebc44d8b4ff3 79a7e808e02ddc31 58096217cf1eee2c ee22b0f73bcae76c 7ffa57b475f7a189 3d19596fb7db038c
f8a95bc3c701909d 5754a03c9edce393 b730a072a295e1d9 5558a9d61a5dfce9 de13b9860d4d03b9 91c0aefcf71a1b35
7eeaece5b54496b5 1fb1fbc98c5676d1 8006a439e21c5c69 7474f0c1b7fb427b 81a541d39f0ddc8f c83a99ef5ef413dd
bc7dd7c771b0554e 98ec4c6c3e59b18f 0041200f763a5315 ae8ba36aeaca76da 32e5b04d00c6666e 08cc9251a97ea86c
`)

func TestZlibCompressCorpus(t *testing.T) {
	corpus := zlibCorpus()
	if len(corpus) != len(zlibCorpusSums) {
		t.Fatalf("corpus has %d inputs, %d sums", len(corpus), len(zlibCorpusSums))
	}
	for i, in := range corpus {
		z := zlibCompress(nil, in)
		sum := sha256.Sum256(z)
		if got := hex.EncodeToString(sum[:8]); got != zlibCorpusSums[i] {
			t.Errorf("corpus %d (%d bytes): output %d bytes, sum %s, want %s", i, len(in), len(z), got, zlibCorpusSums[i])
		}
		checkInflate(t, in, z)
	}
}

func checkInflate(t *testing.T, in, z []byte) {
	t.Helper()
	r, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatalf("zlib header: %v", err)
	}
	back, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(back, in) {
		t.Fatalf("round trip of %d bytes: %v", len(in), err)
	}
}

// checkGiveUp checks that the deflater abandons only streams that would
// be too long: giving up must never change AppendPayload's result.
func checkGiveUp(t *testing.T, in []byte) bool {
	t.Helper()
	full := zlibCompress(nil, in)
	d := deflaters.Get().(*deflater)
	defer d.release()
	for _, limit := range []int{len(in) - 2, len(full) - 1, len(full), len(full) + 1} {
		if limit < 0 {
			continue
		}
		z := d.zlib(in, limit)
		if z == nil && len(full) <= limit {
			t.Fatalf("%d bytes: gave up at limit %d, stream is %d", len(in), limit, len(full))
		}
		if z != nil && !bytes.Equal(z, full) {
			t.Fatalf("%d bytes: limit %d changed the stream", len(in), limit)
		}
	}
	return d.zlib(in, len(in)-2) == nil
}

func TestGiveUpIsExact(t *testing.T) {
	r := corpusRand(7)
	gaveUp, total := 0, 0
	for i := 0; i < 3000; i++ {
		n := 11 + r.intn(120)
		b := make([]byte, n)
		alphabet := 2 + r.intn(90)
		for j := range b {
			b[j] = byte(' ' + r.intn(alphabet))
		}
		if r.intn(3) == 0 { // some repetition
			k := r.intn(n)
			copy(b[k:], b)
		}
		total++
		if checkGiveUp(t, b) {
			gaveUp++
		}
	}
	for _, v := range zlibVectors {
		if len(v.in) >= 11 {
			checkGiveUp(t, []byte(v.in))
		}
	}
	t.Logf("gave up early on %d of %d", gaveUp, total)
	if gaveUp == 0 {
		t.Fatal("the early exit never fired")
	}
}

func FuzzZlibCompress(f *testing.F) {
	for _, v := range zlibVectors {
		f.Add([]byte(v.in))
	}
	for _, in := range zlibCorpus()[:40] {
		if len(in) < 5000 {
			f.Add(in)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > MaxInput {
			in = in[:MaxInput]
		}
		z := zlibCompress(nil, in)
		// zlib's worst case: stored blocks plus header and checksum.
		if bound := len(in) + 5*(len(in)/16383+1) + 6; len(z) > bound {
			t.Fatalf("%d bytes compress to %d > %d", len(in), len(z), bound)
		}
		checkInflate(t, in, z)
		if again := zlibCompress(nil, in); !bytes.Equal(again, z) {
			t.Fatal("not deterministic")
		}
		checkGiveUp(t, in)
	})
}
