package flaskoracle

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"math/big"
	"math/rand"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ginflask/flasksession/internal/realtest"
	"github.com/ginflask/flasksession/taggedjson"
)

func sampleValues() map[string]any {
	big64, _ := new(big.Int).SetString("18446744073709551616", 10)
	return map[string]any{
		"none":   nil,
		"bool":   true,
		"int":    -42,
		"big":    big64,
		"float":  1e-05,
		"negz":   math.Copysign(0, -1),
		"str":    "h\u00e9llo \U0001F600",
		"bytes":  []byte{0xff, 0},
		"tuple":  taggedjson.Tuple{1, "a", taggedjson.Tuple{}},
		"list":   []any{[]any{}, map[string]any{}},
		"markup": template.HTML("<em>x</em>"),
		"uuid":   uuid.MustParse("12345678-1234-5678-1234-567812345678"),
		"time":   time.Unix(1700000000, 0).UTC(),
		"dict":   map[string]any{" t": "x"},
	}
}

func TestTypedRoundTrip(t *testing.T) {
	v := sampleValues()
	data, err := json.Marshal(ToTyped(v))
	if err != nil {
		t.Fatal(err)
	}
	var back any
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	got, err := FromTypedSession(back)
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(v, got); d != "" {
		t.Fatalf("round trip differs:\n%s", d)
	}
}

func TestDiffIsExact(t *testing.T) {
	tests := []struct {
		name      string
		want, got any
	}{
		{"int vs float", map[string]any{"a": 2}, map[string]any{"a": 2.0}},
		{"int vs int64", map[string]any{"a": 2}, map[string]any{"a": int64(2)}},
		{"tuple vs list", taggedjson.Tuple{1}, []any{1}},
		{"negative zero", 0.0, math.Copysign(0, -1)},
		{"markup vs str", template.HTML("x"), "x"},
		{"missing key", map[string]any{"a": 1}, map[string]any{}},
		{"extra key", map[string]any{}, map[string]any{"a": 1}},
		{"time zone", time.Unix(0, 0).UTC(), time.Unix(0, 0).In(time.FixedZone("X", 3600))},
		{"big", big.NewInt(1), big.NewInt(2)},
	}
	for _, tt := range tests {
		if Diff(tt.want, tt.got) == "" {
			t.Errorf("%s: Diff found no difference", tt.name)
		}
	}
	if d := Diff(map[string]any{"f": math.NaN()}, map[string]any{"f": math.NaN()}); d != "" {
		t.Errorf("NaN should equal NaN: %s", d)
	}
}

func TestFromTypedRejects(t *testing.T) {
	for _, in := range []string{
		`5`, `{"t":"int","v":5}`, `{"t":"int","v":"x"}`, `{"t":"float","v":"1.5x"}`,
		`{"t":"bytes","v":"!!"}`, `{"t":"uuid","v":"nope"}`, `{"t":"what"}`,
		`{"t":"datetime","v":1.5}`, `{"t":"dict","v":[]}`,
	} {
		var v any
		if err := json.Unmarshal([]byte(in), &v); err != nil {
			t.Fatal(err)
		}
		if _, err := FromTyped(v); err == nil {
			t.Errorf("FromTyped(%s) accepted", in)
		}
	}
}

func TestVectorsFile(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range Vectors(t) {
		if seen[v.Name] {
			t.Errorf("duplicate vector %q", v.Name)
		}
		seen[v.Name] = true
		s, err := v.Session()
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
		}
		if (v.Expect == "ok") != (s != nil) && v.Name != "zlib_bomb_2MiB" {
			t.Errorf("%s: expect %s but session %v", v.Name, v.Expect, s)
		}
	}
}

// TestOracleAgainstVectors proves the oracle and the vectors agree under
// each Flask: Flask re-mints every byte-exact vector and loads every vector
// with the expected outcome.
func TestOracleAgainstVectors(t *testing.T) {
	for _, py := range Pythons() {
		t.Run(py.Name, func(t *testing.T) {
			o := Start(t, py)
			t.Logf("%+v", o.Versions)
			for _, v := range Vectors(t) {
				got, err := o.Load(v.Cookie, v.Key(), v.FallbackKeys(), v.NowTime(), v.MaxAgeDuration())
				outcome := Outcome(err)
				var pe *Error
				if outcome == "error" && asError(err, &pe) && pe.Exception == v.PythonError {
					outcome = v.Expect // a non-BadData exception the vector records (Flask: 500)
				}
				want := v.Expect
				if v.Name == "zlib_bomb_2MiB" {
					want = "ok" // Flask has no cap
				}
				if outcome != want {
					t.Errorf("%s: Load outcome %s (%v), want %s", v.Name, outcome, err, want)
					continue
				}
				if v.Expect == "ok" {
					s, _ := v.Session()
					if d := Diff(s, got); d != "" {
						t.Errorf("%s: Load:\n%s", v.Name, d)
					}
				}
				if v.ByteExact {
					s, _ := v.Session()
					cookie, err := o.Mint(s, []byte(*v.SigningKey), nil, v.SignedAtTime())
					if err != nil || cookie != v.Cookie {
						t.Errorf("%s: Mint = %q, %v; want %q", v.Name, cookie, err, v.Cookie)
					}
				}
			}
		})
	}
}

// TestOracleFloatRepr checks taggedjson.FormatFloat against the floats
// Flask's JSON writes.
func TestOracleFloatRepr(t *testing.T) {
	o := Start(t, Pythons()[0])
	rng := rand.New(rand.NewSource(1))
	var fs []any
	for len(fs) < 3000 {
		var f float64
		switch rng.Intn(3) {
		case 0:
			f = math.Float64frombits(rng.Uint64())
		case 1:
			f = rng.NormFloat64() * math.Pow(10, float64(rng.Intn(40)-20))
		default:
			f = float64(rng.Int63n(1<<53)) * math.Pow(10, float64(rng.Intn(10)-5))
		}
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			fs = append(fs, f)
		}
	}
	text, err := o.Dumps(fs)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.Trim(text, "[]"), ",")
	for i, f := range fs {
		if want := taggedjson.FormatFloat(f.(float64)); got[i] != want {
			t.Errorf("Flask writes %s, taggedjson.FormatFloat %s", got[i], want)
		}
	}
}

func TestOracleRoundTripAndErrors(t *testing.T) {
	for _, py := range Pythons() {
		t.Run(py.Name, func(t *testing.T) {
			o := Start(t, py)
			now := time.Unix(1700000000, 0)
			in := sampleValues()
			delete(in, "negz") // fine, but keep the map simple to read on failure
			cookie, err := o.Mint(in, []byte("k"), nil, now)
			if err != nil {
				t.Fatal(err)
			}
			out, err := o.Load(cookie, []byte("new"), [][]byte{[]byte("k")}, now.Add(time.Second), time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if d := Diff(in, out); d != "" {
				t.Fatalf("round trip:\n%s", d)
			}
			_, err = o.Load(cookie, []byte("k"), nil, now.Add(2*time.Hour), time.Hour)
			var pe *Error
			if Outcome(err) != "expired" || !asError(err, &pe) || pe.Exception != "SignatureExpired" {
				t.Errorf("expired load: %v", err)
			}
			if _, err := o.Load(cookie, []byte("other"), nil, now, time.Hour); Outcome(err) != "bad_signature" {
				t.Errorf("wrong key: %v", err)
			}
			if _, err := o.Mint(map[string]any{"c": make(chan int)}, []byte("k"), nil, now); Outcome(err) != "error" {
				t.Errorf("unsupported type: %v", err)
			}
			if _, err := o.Loads("{"); err == nil {
				t.Errorf("Loads accepted bad JSON")
			}
			// the oracle survives errors
			if text, err := o.Dumps(map[string]any{"b": 1, "a": taggedjson.Tuple{}}); err != nil || text != `{"a":{" t":[]},"b":1}` {
				t.Errorf("Dumps = %q, %v", text, err)
			}
		})
	}
}

func asError(err error, target **Error) bool {
	e, ok := err.(*Error)
	*target = e
	return ok
}

const testApp = `
import os
from flask import Flask, session
app = Flask(__name__)
app.secret_key = os.environ["TEST_SECRET"]

@app.route("/")
def index():
    return "up"

@app.route("/set")
def set_():
    session["n"] = session.get("n", 0) + 1
    return str(session["n"])
`

func TestStartApp(t *testing.T) {
	for _, py := range Pythons() {
		t.Run(py.Name, func(t *testing.T) {
			base := StartApp(t, py, testApp, map[string]string{"TEST_SECRET": "app key"})
			resp, err := http.Get(base + "/set")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != "1" {
				t.Fatalf("body %q", body)
			}
			var cookie string
			for _, c := range resp.Cookies() {
				if c.Name == "session" {
					cookie = c.Value
				}
			}
			if cookie == "" {
				t.Fatalf("no session cookie in %v", resp.Header)
			}
			o := Start(t, py)
			s, err := o.Load(cookie, []byte("app key"), nil, time.Now(), time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if d := Diff(map[string]any{"n": 1}, s); d != "" {
				t.Fatal(d)
			}
		})
	}
}

func TestMissingFlaskSkips(t *testing.T) {
	t.Setenv(realtest.EnvVar, "")
	noFlask := t.TempDir() + "/python-without-site"
	// -S leaves out site-packages, so Flask cannot be imported
	if err := os.WriteFile(noFlask, []byte("#!/bin/sh\nexec /usr/bin/python3 -S \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, py := range []Python{{Name: "absent", Path: "/nonexistent/python3"}, {Name: "noflask", Path: noFlask}} {
		var oracle, app *testing.T
		t.Run(py.Name+"/oracle", func(t *testing.T) { oracle = t; Start(t, py) })
		t.Run(py.Name+"/app", func(t *testing.T) { app = t; StartApp(t, py, testApp, nil) })
		if !oracle.Skipped() || !app.Skipped() {
			t.Errorf("%s: Start skipped %v, StartApp skipped %v; want both skipped", py.Name, oracle.Skipped(), app.Skipped())
		}
	}
}

func TestCheckFlask(t *testing.T) {
	tests := []struct {
		claim, version string
		ok             bool
	}{
		{"3.1", "3.1.3", true},
		{"3.1", "3.1", true},
		{"3.1", "3.1.0rc1", true},
		{"3.1", "3.10.0", false},
		{"3.1", "2.2.2", false},
		{"3.1", "", false},
		{"2.2", "2.2.2", true},
		{"2.2", "3.1.3", false},
		{"2.2", "2.20.1", false},
		{"", "1.0", true},
	}
	for _, tt := range tests {
		err := Python{Name: "x", Path: "p", Flask: tt.claim}.checkFlask(tt.version)
		if (err == nil) != tt.ok {
			t.Errorf("claim %q, version %q: %v, want ok=%v", tt.claim, tt.version, err, tt.ok)
		}
	}
	for _, py := range Pythons() {
		if py.Flask == "" || !strings.HasSuffix(py.Name, py.Flask) {
			t.Errorf("%+v: a witness must claim the Flask release its name says", py)
		}
	}
}

// fakeTB records the skip or failure that ends a test and, like testing.T,
// stops the goroutine there.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Skipf(format string, args ...any) {
	f.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (f *fakeTB) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }

// runFake runs fn with a fakeTB and reports how fn ended.
func runFake(t *testing.T, fn func(testing.TB)) (f *fakeTB, returned bool) {
	f = &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
		returned = true
	}()
	<-done
	return f, returned
}

// TestWrongFlaskRefused points the Flask 3.1 witness at Debian's Flask 2.2:
// every entry point refuses it, skipping with the reason, or failing under
// FLASKSESSION_REQUIRE_REAL=1.
func TestWrongFlaskRefused(t *testing.T) {
	real22 := Pythons()[1]
	if in := Require(t, real22); !strings.HasPrefix(in.Flask, "2.2.") {
		t.Fatalf("Require(%+v) = %+v", real22, in)
	}
	liar := Python{Name: "flask3.1", Path: real22.Path, Flask: "3.1"}
	entries := map[string]func(testing.TB){
		"Require":  func(tb testing.TB) { Require(tb, liar) },
		"Start":    func(tb testing.TB) { Start(tb, liar) },
		"StartApp": func(tb testing.TB) { StartApp(tb, liar, testApp, nil) },
	}
	for name, fn := range entries {
		for _, require := range []string{"", "1"} {
			t.Setenv(realtest.EnvVar, require)
			f, returned := runFake(t, fn)
			msg, other := f.skipped, f.failed
			if require == "1" {
				msg, other = f.failed, f.skipped
			}
			if returned || other != "" || !strings.Contains(msg, "has Flask 2.2.") || !strings.Contains(msg, "not 3.1.x") {
				t.Errorf("%s with %s=%q: returned %v, skipped %q, failed %q; want it refused with the versions named",
					name, realtest.EnvVar, require, returned, f.skipped, f.failed)
			}
		}
	}
}
