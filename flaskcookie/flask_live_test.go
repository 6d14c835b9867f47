package flaskcookie

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"html/template"
	"math"
	"math/big"
	"math/rand"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/ginflask/flasksession/taggedjson"
	"github.com/google/uuid"

	"github.com/ginflask/flasksession/internal/flaskoracle"
	"github.com/ginflask/flasksession/itsdangerous"
)

// flaskLiveSessions is the number of random sessions per Flask version.
const flaskLiveSessions = 300

// flaskLiveSeed returns the generator seed: 1, or FLASKSESSION_LIVE_SEED.
func flaskLiveSeed(t *testing.T) int64 {
	seed := int64(1)
	if s := os.Getenv("FLASKSESSION_LIVE_SEED"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("FLASKSESSION_LIVE_SEED: %v", err)
		}
		seed = n
	}
	return seed
}

// TestFlaskLive checks the codec against real Flask, 3.1 and 2.2, one
// oracle process per version shared by the subtests.
func TestFlaskLive(t *testing.T) {
	for _, py := range flaskoracle.Pythons() {
		t.Run(py.Name, func(t *testing.T) {
			o := flaskoracle.Start(t, py)
			t.Run("RandomSessions", func(t *testing.T) { flaskLiveRandom(t, o) })
			t.Run("Rotation", func(t *testing.T) { flaskLiveRotation(t, o) })
			t.Run("NonFinite", func(t *testing.T) { flaskLiveNonFinite(t, o) })
			t.Run("LooseJSON", func(t *testing.T) { flaskLiveLooseJSON(t, o) })
			t.Run("OddPayloads", func(t *testing.T) { flaskLiveOddPayloads(t, o) })
		})
	}
}

// flaskLiveRandom is a property test: for random sessions, Go mints and
// Flask loads, Flask mints and Go loads, both with types intact; and Go
// writes the same cookie as Flask byte for byte (compressed too, when
// compression is tried as Flask does) and the same JSON text.
func flaskLiveRandom(t *testing.T, o *flaskoracle.Oracle) {
	seed := flaskLiveSeed(t)
	rng := rand.New(rand.NewSource(seed))
	g := flaskGen{rng: rng}
	// a few keys, so the oracle reuses its Flask apps
	keys := [][]byte{g.key(), g.key(), g.key(), []byte("dev key")}
	var goToFlask, flaskToGo, byteExact, jsonExact, flaskCompressed int
	for i := 0; i < flaskLiveSessions && !t.Failed(); i++ {
		key := keys[rng.Intn(len(keys))]
		var s map[string]any
		switch {
		case i%3 == 0:
			s = g.smallSession() // mostly stays uncompressed
		case i%25 == 1:
			s = g.largeSession() // several deflate blocks
		default:
			s = g.session()
		}
		now := time.Unix(1_600_000_000+rng.Int63n(200_000_000), 0)
		plain := flaskMustCodec(t, Config{SecretKey: key})
		opts := Config{SecretKey: key}
		if rng.Intn(2) == 0 {
			opts.CompressAbove = 1 + rng.Intn(200)
		}
		c := flaskMustCodec(t, opts)

		// Go mints, Flask loads.
		cookie, err := c.EncodeAt(s, now)
		if err != nil {
			t.Fatalf("session %d: EncodeAt(%#v): %v", i, s, err)
		}
		got, err := o.Load(cookie, key, nil, now, time.Hour)
		if err != nil {
			t.Fatalf("session %d: Flask cannot load our cookie %.100q: %v\nsession %#v", i, cookie, err, s)
		}
		if d := flaskoracle.Diff(s, got); d != "" {
			t.Fatalf("session %d: Flask loaded our cookie differently:\n%s", i, d)
		}
		goToFlask++

		// Flask mints, Go loads.
		fcookie, err := o.Mint(s, key, nil, now)
		if err != nil {
			t.Fatalf("session %d: Flask cannot mint %#v: %v", i, s, err)
		}
		dec, err := plain.DecodeAt(fcookie, now.Add(time.Duration(rng.Intn(100))*time.Second))
		if err != nil {
			t.Fatalf("session %d: cannot decode Flask's cookie %.100q: %v", i, fcookie, err)
		}
		if d := flaskoracle.Diff(s, dec.Session); d != "" {
			t.Fatalf("session %d: Flask's cookie decodes differently:\n%s", i, d)
		}
		flaskToGo++

		// Same JSON text, and same bytes: uncompressed when Flask did not
		// compress, and always when compression is tried as Flask tries it
		// (CompressAbove 1).
		mine, err := plain.EncodeAt(s, now)
		if err != nil {
			t.Fatal(err)
		}
		fj, err1 := flaskPayloadJSON(fcookie)
		mj, err2 := flaskPayloadJSON(mine)
		if err1 != nil || err2 != nil {
			t.Fatalf("session %d: payloads: %v, %v", i, err1, err2)
		}
		if !bytes.Equal(fj, mj) {
			t.Fatalf("session %d: our JSON differs from Flask's:\n got %s\nwant %s", i, mj, fj)
		}
		jsonExact++
		if strings.HasPrefix(fcookie, ".") {
			flaskCompressed++
		} else if mine != fcookie {
			t.Fatalf("session %d: our cookie differs from Flask's:\n got %s\nwant %s", i, mine, fcookie)
		}
		if len(fj) > 32<<10 {
			continue // above 32 KiB the codec deflates with compress/zlib (other bytes)
		}
		flaskLike := flaskMustCodec(t, Config{SecretKey: key, CompressAbove: 1})
		if z, err := flaskLike.EncodeAt(s, now); err != nil || z != fcookie {
			t.Fatalf("session %d (JSON %d bytes): our cookie (CompressAbove 1, %d bytes) differs from Flask's (%d bytes) (%v):\n got %.300s\nwant %.300s",
				i, len(fj), len(z), len(fcookie), err, z, fcookie)
		}
		byteExact++
	}
	t.Logf("seed %d, %s: %d sessions Go->Flask, %d Flask->Go; %d cookies byte-identical (%d of them compressed), %d JSON texts identical",
		seed, o.Versions.Flask, goToFlask, flaskToGo, byteExact, flaskCompressed, jsonExact)
}

// flaskLiveRotation checks key rotation both ways: a cookie signed with
// an old key loads where that key is a fallback, and not where it is gone.
func flaskLiveRotation(t *testing.T, o *flaskoracle.Oracle) {
	now := time.Unix(1_700_000_000, 0)
	s := map[string]any{"user_id": 7, "_flashes": []any{taggedjson.Tuple{"message", "hi"}}}
	older, old, cur := []byte("older key"), []byte("old key"), []byte("current key")
	fallbacks := [][]byte{older, old}
	for i, signKey := range [][]byte{older, old, cur} {
		goOld := flaskMustCodec(t, Config{SecretKey: signKey})
		goCur := flaskMustCodec(t, Config{SecretKey: cur, SecretKeyFallbacks: fallbacks})
		goNoFallbacks := flaskMustCodec(t, Config{SecretKey: cur})

		gc, err := goOld.EncodeAt(s, now)
		if err != nil {
			t.Fatal(err)
		}
		got, err := o.Load(gc, cur, fallbacks, now, time.Hour)
		if err != nil {
			t.Fatalf("key %d: Flask with fallbacks rejects our cookie: %v", i, err)
		}
		if d := flaskoracle.Diff(s, got); d != "" {
			t.Fatalf("key %d: %s", i, d)
		}

		fc, err := o.Mint(s, signKey, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		if fc != gc {
			t.Errorf("key %d: cookies differ: Flask %s, Go %s", i, fc, gc)
		}
		d, err := goCur.DecodeAt(fc, now)
		if err != nil {
			t.Fatalf("key %d: we reject Flask's cookie: %v", i, err)
		}
		if want := []int{1, 2, 0}[i]; d.Key != want {
			t.Errorf("key %d: Decoded.Key = %d, want %d", i, d.Key, want)
		}
		_, goErr := goNoFallbacks.DecodeAt(fc, now)
		_, pyErr := o.Load(gc, cur, nil, now, time.Hour)
		wantOutcome := "bad_signature"
		if i == 2 {
			wantOutcome = "ok"
		}
		if flaskOutcome(goErr) != wantOutcome || flaskoracle.Outcome(pyErr) != wantOutcome {
			t.Errorf("key %d without fallbacks: Go %v, Flask %v; want %s", i, goErr, pyErr, wantOutcome)
		}
	}
}

// flaskLiveNonFinite checks NaN and ±Infinity, which Flask writes as bare JSON
// tokens and reads them back; check both directions.
func flaskLiveNonFinite(t *testing.T, o *flaskoracle.Oracle) {
	now := time.Unix(1_700_000_000, 0)
	key := []byte("k")
	s := map[string]any{"nan": math.NaN(), "inf": math.Inf(1), "ninf": []any{math.Inf(-1)}}
	c := flaskMustCodec(t, Config{SecretKey: key})
	fc, err := o.Mint(s, key, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DecodeAt(fc, now)
	if err != nil {
		t.Fatalf("decode Flask's NaN/Infinity cookie: %v", err)
	}
	if diff := flaskoracle.Diff(s, d.Session); diff != "" {
		t.Fatal(diff)
	}
	gc, err := c.EncodeAt(s, now)
	if err != nil {
		t.Fatalf("EncodeAt NaN/Infinity: %v", err)
	}
	got, err := o.Load(gc, key, nil, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if diff := flaskoracle.Diff(s, got); diff != "" {
		t.Fatal(diff)
	}
}

// flaskGen makes random sessions of every type Flask's tagged JSON knows.
type flaskGen struct{ rng *rand.Rand }

func (g flaskGen) key() []byte {
	k := make([]byte, 1+g.rng.Intn(80))
	g.rng.Read(k)
	return k
}

func (g flaskGen) session() map[string]any {
	s := map[string]any{}
	for n := g.rng.Intn(6); n >= 0; n-- {
		s[g.str(8)] = g.value(3)
	}
	switch g.rng.Intn(8) {
	case 0:
		s["_permanent"] = true
	case 1:
		s["_flashes"] = []any{taggedjson.Tuple{"message", g.str(20)}, taggedjson.Tuple{"error", template.HTML("<b>" + g.str(5) + "</b>")}}
	}
	return s
}

// smallSession is one or two short scalar values, which Flask usually
// leaves uncompressed.
func (g flaskGen) smallSession() map[string]any {
	s := map[string]any{}
	for n := g.rng.Intn(2); n >= 0; n-- {
		k := string(rune('a' + g.rng.Intn(26)))
		switch g.rng.Intn(6) {
		case 0:
			s[k] = g.int()
		case 1:
			s[k] = g.float()
		case 2:
			s[k] = g.str(4)
		case 3:
			s[k] = taggedjson.Tuple{g.rng.Intn(10)}
		default:
			s[k] = g.value(0)
		}
	}
	return s
}

// largeSession holds many random sessions: a few to a few tens of
// kilobytes of JSON, several deflate blocks.
func (g flaskGen) largeSession() map[string]any {
	items := make([]any, 5+g.rng.Intn(80))
	for i := range items {
		items[i] = g.session()
	}
	return map[string]any{"items": items, "text": strings.Repeat(g.str(40), g.rng.Intn(50))}
}

// tagKeys are the registered tag names and near misses, for the " di" escape.
var tagKeys = []string{" t", " di", " b", " m", " u", " d", " t__", " di__", " x", "t", " T"}

func (g flaskGen) value(depth int) any {
	r := g.rng
	max := 16
	if depth <= 0 {
		max = 11
	}
	switch r.Intn(max) {
	case 0:
		return nil
	case 1:
		return r.Intn(2) == 0
	case 2:
		return g.int()
	case 3:
		return g.float()
	case 4, 5:
		return g.str(30)
	case 6:
		b := make([]byte, r.Intn(20))
		r.Read(b)
		return b
	case 7:
		return template.HTML(g.str(20))
	case 8:
		var u uuid.UUID
		r.Read(u[:])
		return u
	case 9:
		// years 1000-9999: Python's parser turns two-digit years into 19xx/20xx
		return time.Unix(-30_610_224_000+r.Int63n(253_402_300_800+30_610_224_000), 0).UTC()
	case 10:
		return big.NewInt(0).Lsh(big.NewInt(int64(1+r.Intn(1000))), uint(64+r.Intn(100)))
	case 11:
		xs := make(taggedjson.Tuple, r.Intn(4))
		for i := range xs {
			xs[i] = g.value(depth - 1)
		}
		return xs
	case 12:
		xs := make([]any, r.Intn(4))
		for i := range xs {
			xs[i] = g.value(depth - 1)
		}
		return xs
	case 13:
		// the " di" escape shapes: one key that is (or looks like) a tag
		return map[string]any{tagKeys[r.Intn(len(tagKeys))]: g.value(depth - 1)}
	default:
		m := map[string]any{}
		for n := r.Intn(4); n > 0; n-- {
			m[g.str(6)] = g.value(depth - 1)
		}
		return m
	}
}

func (g flaskGen) int() any {
	r := g.rng
	switch r.Intn(5) {
	case 0:
		return r.Intn(100) - 50
	case 1:
		return int(r.Uint64())
	case 2:
		return []int{0, -1, 1 << 53, math.MaxInt64, math.MinInt64, math.MaxInt32}[r.Intn(6)]
	case 3:
		n := new(big.Int).Lsh(big.NewInt(1), 63) // just outside int64
		if r.Intn(2) == 0 {
			return n.Neg(n).Sub(n, big.NewInt(1))
		}
		return n
	default:
		n := new(big.Int).Rand(r, new(big.Int).Lsh(big.NewInt(1), 200))
		n.Add(n, new(big.Int).Lsh(big.NewInt(1), 64))
		if r.Intn(2) == 0 {
			n.Neg(n)
		}
		return n
	}
}

func (g flaskGen) float() float64 {
	r := g.rng
	for {
		var f float64
		switch r.Intn(4) {
		case 0:
			f = math.Float64frombits(r.Uint64())
		case 1:
			f = r.NormFloat64() * math.Pow(10, float64(r.Intn(44)-22))
		case 2:
			f = float64(r.Intn(2000)-1000) / 8
		default:
			f = []float64{0, math.Copysign(0, -1), 2, 1e16, 1e-5, 0.0001, 5e-324, 1e22, 1.2345678901234568e+17, math.MaxFloat64}[r.Intn(10)]
		}
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f
		}
	}
}

// runePools mix ASCII, JSON specials, controls, BMP and astral characters.
var runePools = [][2]rune{
	{'a', 'z'}, {' ', '~'}, {0, 0x1f}, {0x7f, 0xff}, {0x100, 0x7ff}, {0x800, 0xd7ff},
	{0xe000, 0xffff}, {0x10000, 0x10ffff}, {0x1f600, 0x1f64f},
}

func (g flaskGen) str(maxLen int) string {
	r := g.rng
	var b strings.Builder
	for n := r.Intn(maxLen + 1); n > 0; n-- {
		if r.Intn(4) == 0 {
			b.WriteString([]string{`"`, `\`, "/", "<", ">", "&", "\u2028", "\x00", "\n", "é", "😀"}[r.Intn(11)])
			continue
		}
		p := runePools[r.Intn(len(runePools))]
		b.WriteRune(p[0] + rune(r.Intn(int(p[1]-p[0]+1))))
	}
	return b.String()
}

// flaskSignPayload signs a raw payload as Flask's session serializer would,
// computed here with crypto/hmac so the test does not lean on the code it
// checks.
func flaskSignPayload(key []byte, payload string, now time.Time) string {
	derive := hmac.New(sha1.New, key)
	derive.Write([]byte(Salt))
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(now.Unix()))
	msg := payload + "." + base64.RawURLEncoding.EncodeToString(bytes.TrimLeft(ts[:], "\x00"))
	mac := hmac.New(sha1.New, derive.Sum(nil))
	mac.Write([]byte(msg))
	return msg + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// flaskLiveLooseJSON feeds Flask and the codec the same validly signed
// payloads written in JSON forms Flask never emits but accepts: random
// whitespace and key order, raw UTF-8 or upper-case \u escapes, "\/",
// float spellings like 1E5, duplicate keys. Both must load the original
// value.
func flaskLiveLooseJSON(t *testing.T, o *flaskoracle.Oracle) {
	seed := flaskLiveSeed(t)
	rng := rand.New(rand.NewSource(seed))
	g := flaskGen{rng: rng}
	key := []byte("loose key")
	c := flaskMustCodec(t, Config{SecretKey: key})
	now := time.Unix(1_700_000_000, 0)
	var agreed int
	for i := 0; i < 150 && !t.Failed(); i++ {
		s := g.session()
		var b strings.Builder
		g.looseJSON(&b, s)
		text := b.String()
		cookie := flaskSignPayload(key, base64.RawURLEncoding.EncodeToString([]byte(text)), now)
		fs, ferr := o.Load(cookie, key, nil, now, time.Hour)
		if ferr != nil {
			t.Fatalf("text %d: Flask rejects %q: %v", i, text, ferr)
		}
		if d := flaskoracle.Diff(s, fs); d != "" {
			t.Fatalf("text %d: Flask reads %q differently (generator bug?):\n%s", i, text, d)
		}
		d, err := c.DecodeAt(cookie, now)
		if err != nil {
			t.Fatalf("text %d: codec refuses what Flask accepts: %v\n  %q", i, err, text)
		}
		if diff := flaskoracle.Diff(s, d.Session); diff != "" {
			t.Fatalf("text %d: codec reads %q differently from Flask:\n%s", i, text, diff)
		}
		agreed++
	}
	t.Logf("%s: %d loose payloads read alike", o.Versions.Flask, agreed)
}

// flaskLiveOddPayloads compares Flask and the codec on hand-written,
// validly signed payloads at the edges of Flask's decoder. Where both
// accept, the values must be equal; the codec must never accept what Flask
// refuses. It may refuse what Flask accepts in one case only: a payload
// that is not a JSON object, which Flask turns into an empty session
// through dict(value) (an empty list or string; on Flask 2.2 any false
// value), and the codec reports as ErrBadPayload, which also means an
// empty session.
func flaskLiveOddPayloads(t *testing.T, o *flaskoracle.Oracle) {
	payloads := []string{
		`{}`, `{"a":1}`, ` {"a" : 1 } `, "{\"a\":1}\n", `{"a":1.0}`, `{"a":1E2}`, `{"a":-0}`, `{"a":-0.0}`,
		`{"a":1e400}`, `{"a":-1e400}`, `{"a":NaN}`, `{"a":Infinity}`, `{"a":-Infinity}`, `{"a":1e-400}`,
		`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":+1}`, `{"a":0x10}`, `{"a":tru}`, `{"a":True}`,
		`{"a":"\u00E9"}`, `{"a":"\/"}`, `{"a":"\ud83d\ude00"}`, `{"a":"\ud800"}`, `{"a":"\udc00\ud800"}`,
		`{"a":"\ud83d"}`, "{\"a\":\"\x01\"}", "{\"a\":\"\t\"}", "{\"a\":\"\x7f\"}", `{"a":"\x"}`,
		"\ufeff{\"a\":1}", `{"a":1,"a":2}`, `{"a":{"b":1},"a":{"c":2}}`, `{"a":1,}`, `[]`, `""`, `0`, `false`,
		`{" t":"abc"}`, `{"x":{" t":"abc"}}`, `{"x":{" t":{"a":1}}}`, `{"x":{" t":null}}`, `{"x":{" m":5}}`,
		`{"x":{" m":null}}`, `{"x":{" b":"!!YQ=="}}`, `{"x":{" b":"YQ"}}`, `{"x":{" b":"YQ=="}}`, `{"x":{" b":"Y Q = ="}}`,
		`{"x":{" b":"-_8="}}`, `{"x":{" b":5}}`, `{"x":{" u":"12345678-1234-5678-1234-567812345678"}}`,
		`{"x":{" u":"{12345678123456781234567812345678}"}}`, `{"x":{" u":"urn:uuid:12345678-1234-5678-1234-567812345678"}}`,
		`{"x":{" u":"12345678123456781234567812345678"}}`, `{"x":{" u":"1234567812345678123456781234567G"}}`,
		`{"x":{" u":"123456781234567812345678123456789"}}`, `{"x":{" d":"Tue, 14 Nov 2023 22:13:20 GMT"}}`,
		`{"x":{" d":"garbage"}}`, `{"x":{" d":"Tue, 14 Nov 2023 22:13:20 +0200"}}`, `{"x":{" d":"14 Nov 2023 22:13:20"}}`,
		`{"x":{" d":"Tue, 14 Nov 2023 22:13:20 UTC"}}`, `{"x":{" d":"Tue, 14 Nov 23 22:13:20 GMT"}}`,
		`{"x":{" d":"Mon, 14 Nov 2023 22:13:20 GMT"}}`, `{"x":{" d":"Tue, 14 Nov 2023 22:13:20.5 GMT"}}`,
		`{"x":{" d":5}}`, `{"x":{" di":{" t__":[1]}}}`, `{"x":{" di":{" t":[1]}}}`, `{"x":{" di":{"a":1}}}`,
		`{"x":{" di":{"a__":1,"b__":2}}}`, `{"x":{" di":{}}}`, `{"x":{" di":"str"}}`, `{"x":{" di":[1]}}`,
		`{"x":{" t":[1],"y":2}}`, `{"x":{" t":[{" t":[]}]}}`, `{"x":{" z":1}}`, `{" t":[1]}`, `{" di":{" t__":1}}`,
		`{"x":[{" b":"AA=="},{" m":"<b>"}]}`, strings.Repeat(`{"a":`, 200) + `1` + strings.Repeat(`}`, 200),
		`{"\u0000":1}`, `{"":1}`, `{"a":"` + strings.Repeat("\\u00e9", 100) + `"}`,
	}
	key := []byte("odd key")
	c := flaskMustCodec(t, Config{SecretKey: key})
	now := time.Unix(1_700_000_000, 0)
	var same, onlyFlask, onlyGo, bothRefuse int
	for _, p := range payloads {
		cookie := flaskSignPayload(key, base64.RawURLEncoding.EncodeToString([]byte(p)), now)
		fs, ferr := o.Load(cookie, key, nil, now, time.Hour)
		d, gerr := c.DecodeAt(cookie, now)
		switch {
		case ferr == nil && gerr == nil:
			if diff := flaskoracle.Diff(fs, d.Session); diff != "" {
				t.Errorf("%q: both accept, values differ (want Flask's):\n%s", p, diff)
			} else {
				same++
			}
		case ferr == nil:
			onlyFlask++
			if len(fs) != 0 || !errors.Is(gerr, itsdangerous.ErrBadPayload) || !errors.Is(gerr, taggedjson.ErrNotObject) {
				t.Errorf("only Flask accepts %q -> %#v; codec: %v", p, fs, gerr)
			}
		case gerr == nil:
			onlyGo++
			t.Errorf("only the codec accepts %q -> %#v; Flask: %v", p, d.Session, ferr)
		default:
			bothRefuse++
			if k := flaskOutcome(gerr); k != "bad_payload" {
				t.Errorf("%q: codec error %v is %s, want bad_payload (Flask: %s)", p, gerr, k, flaskoracle.Outcome(ferr))
			}
		}
	}
	t.Logf("%s: %d payloads: %d read alike, %d refused by both, %d only Flask accepts, %d only the codec accepts",
		o.Versions.Flask, len(payloads), same, bothRefuse, onlyFlask, onlyGo)
}

// looseJSON writes v as tagged JSON in a form Flask would not write but
// accepts (see flaskLiveLooseJSON).
func (g flaskGen) looseJSON(b *strings.Builder, v any) {
	r := g.rng
	ws := func() {
		for n := r.Intn(3) - 1; n > 0; n-- {
			b.WriteByte(" \t\n\r"[r.Intn(4)])
		}
	}
	tag := func(name string, inner func()) {
		b.WriteByte('{')
		ws()
		g.looseString(b, name)
		ws()
		b.WriteByte(':')
		ws()
		inner()
		ws()
		b.WriteByte('}')
	}
	ws()
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case *big.Int:
		b.WriteString(x.String())
	case float64:
		var s string
		switch r.Intn(4) {
		case 0:
			s = strconv.FormatFloat(x, 'e', -1, 64)
		case 1:
			s = strings.ToUpper(strconv.FormatFloat(x, 'e', -1, 64))
		case 2:
			s = strconv.FormatFloat(x, 'f', -1, 64)
			if !strings.Contains(s, ".") {
				s += ".0"
			}
		default:
			s = taggedjson.FormatFloat(x)
		}
		b.WriteString(s)
	case string:
		g.looseString(b, x)
	case []byte:
		tag(" b", func() { g.looseString(b, base64.StdEncoding.EncodeToString(x)) })
	case template.HTML:
		tag(" m", func() { g.looseString(b, string(x)) })
	case uuid.UUID:
		tag(" u", func() { g.looseString(b, strings.ReplaceAll(x.String(), "-", "")) })
	case time.Time:
		tag(" d", func() { g.looseString(b, x.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")) })
	case taggedjson.Tuple:
		tag(" t", func() { g.looseJSON(b, []any(x)) })
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			g.looseJSON(b, e)
		}
		ws()
		b.WriteByte(']')
	case map[string]any:
		if len(x) == 1 {
			for k, e := range x {
				if slices.Contains([]string{" t", " di", " b", " m", " u", " d"}, k) {
					tag(" di", func() { g.looseJSON(b, map[string]any{k + "__": e}) })
					ws()
					return
				}
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			if r.Intn(8) == 0 { // a duplicate that the real entry overrides
				ws()
				g.looseString(b, k)
				b.WriteString(":0,")
			}
			ws()
			g.looseString(b, k)
			ws()
			b.WriteByte(':')
			g.looseJSON(b, x[k])
		}
		ws()
		b.WriteByte('}')
	default:
		panic(fmt.Sprintf("looseJSON: %T", v))
	}
	ws()
}

// looseString writes s as a JSON string, each character raw or escaped at
// random.
func (g flaskGen) looseString(b *strings.Builder, s string) {
	r := g.rng
	b.WriteByte('"')
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c == '/' && r.Intn(2) == 0:
			b.WriteString(`\/`)
		case c < 0x20 || r.Intn(3) == 0:
			hex := "%04x"
			if r.Intn(2) == 0 {
				hex = "%04X"
			}
			if c > 0xffff {
				hi, lo := utf16.EncodeRune(c)
				fmt.Fprintf(b, `\u`+hex+`\u`+hex, hi, lo)
			} else {
				fmt.Fprintf(b, `\u`+hex, c)
			}
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
}
