package flasklogin

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The test oracle: the regexp implementation scanCookie replaced, kept
// verbatim. It runs Werkzeug 2.2's cookie regexp
// (werkzeug._internal._cookie_re) at the start of what is left of the
// header, one match per pair; scanCookie must answer as it does on every
// input.
var oracleCookiePair = regexp.MustCompile(`^([^=;]*)(?:` + oraclePySpace + `*=` + oraclePySpace + `*("(?:[^\\"]|\\.)*"|(?:.*?)))?` + oraclePySpace + `*;`)

// oraclePySpace is Python's \s in a bytes pattern.
const oraclePySpace = `[ \t\n\r\f\v]`

// readCookieOracle is the old readCookieRegexp: Werkzeug's regexp over s.
func readCookieOracle(s, name string) (string, bool) {
	s += ";"
	for i, n := 0, len(s)-1; i < n; {
		m := oracleCookiePair.FindStringSubmatchIndex(s[i:])
		if m == nil {
			break
		}
		key := strings.Trim(s[i+m[2]:i+m[3]], pySpaces)
		val := ""
		if m[4] >= 0 {
			val = s[i+m[4] : i+m[5]]
		}
		i += m[1]
		if key == name {
			return unquoteCookieValue(val), true
		}
	}
	return "", false
}

// readCookieHeaderOracle is readCookie with the oracle on every header.
func readCookieHeaderOracle(h http.Header, name string) (string, bool) {
	lines := h["Cookie"]
	if len(lines) == 0 {
		return "", false
	}
	v, ok := readCookieOracle(strings.Join(lines, ","), name)
	if !ok {
		return "", false
	}
	return strings.ToValidUTF8(v, "\uFFFD"), true
}

// trickyCookies are headers where Werkzeug's regexp does something other
// than split at ';' and '='. The name read is "t", or "" for emptyName.
var trickyCookies = []struct {
	lines     []string
	emptyName bool
	want      string
	ok        bool
}{
	{lines: []string{`t=abc`}, want: "abc", ok: true},
	{lines: []string{""}},
	{lines: []string{`u=1`}},
	// quotes
	{lines: []string{`t="a b"`}, want: "a b", ok: true},
	{lines: []string{`t=""`}, want: "", ok: true},
	{lines: []string{`t="`}, want: `"`, ok: true},
	{lines: []string{`t= "a" `}, want: "a", ok: true},
	{lines: []string{`t="a" ; u=1`}, want: "a", ok: true},
	{lines: []string{`u="a"; t="b"`}, want: "b", ok: true},
	{lines: []string{`t=a"b`}, want: `a"b`, ok: true},
	{lines: []string{`t="a"b"`}, want: `a"b`, ok: true},
	{lines: []string{`t = "a" x`}, want: `"a" x`, ok: true},
	{lines: []string{`"t"=1; t=2`}, want: "2", ok: true},
	{lines: []string{`u"=1; t=2`}, want: "2", ok: true},
	{lines: []string{`u=\"; t=1`}, want: "1", ok: true},
	// escaped quotes and backslashes
	{lines: []string{`t="a\"b"`}, want: `a"b`, ok: true},
	{lines: []string{`t="a\\"`}, want: `a\`, ok: true},
	{lines: []string{`t="a\\"b"`}, want: `a\"b`, ok: true},
	{lines: []string{`t="a\"`}, want: `a\`, ok: true},
	{lines: []string{`u="a\"; t=x"; t=z`}, want: "z", ok: true},
	{lines: []string{`u="\"; t=1`}, want: "1", ok: true},
	// unterminated quotes
	{lines: []string{`t="abc`}, want: `"abc`, ok: true},
	{lines: []string{`u="x; t=1`}, want: "1", ok: true},
	{lines: []string{`u="x; t="y`}, want: `"y`, ok: true},
	{lines: []string{`t="a\`}, want: `"a\`, ok: true},
	// ';' inside quotes
	{lines: []string{`t="a;b"; u=1`}, want: "a;b", ok: true},
	{lines: []string{`u="a;t=b"; t=c`}, want: "c", ok: true},
	{lines: []string{`u="a;t=b"`}},
	// newlines: a quoted value may hold one, an unquoted one may not, and
	// a value that cannot match stops the scan
	{lines: []string{"t=ab\n; u=1"}, want: "ab", ok: true},
	{lines: []string{"t=1\n"}, want: "1", ok: true},
	{lines: []string{"u=1;\nt=2"}, want: "2", ok: true},
	{lines: []string{"t\n=1"}, want: "1", ok: true},
	{lines: []string{"t=a\nb"}},
	{lines: []string{"u=1\n2; t=3"}},
	{lines: []string{"t=\"a\nb\""}, want: "a\nb", ok: true},
	{lines: []string{"u=\"x\ny\"; t=1"}, want: "1", ok: true},
	{lines: []string{"t=\"a\\\nb\""}},
	{lines: []string{"t=\"a\"\n"}, want: "a", ok: true},
	{lines: []string{"t=\"a\"\nx"}},
	// empty names
	{lines: []string{`=1; t=2`}, want: "2", ok: true},
	{lines: []string{`=1; t=2`}, emptyName: true, want: "1", ok: true},
	{lines: []string{` ; t=2`}, emptyName: true, want: "", ok: true},
	{lines: []string{`;;t=ok`}, want: "ok", ok: true},
	{lines: []string{`;;t=ok`}, emptyName: true, want: "", ok: true},
	// '=' in values
	{lines: []string{`t=a=b=c`}, want: "a=b=c", ok: true},
	{lines: []string{`t==`}, want: "=", ok: true},
	{lines: []string{`t="a=b"`}, want: "a=b", ok: true},
	// spaces
	{lines: []string{`  t  =  v  `}, want: "v", ok: true},
	{lines: []string{`t=v w`}, want: "v w", ok: true},
	{lines: []string{"t=\v\fv\t\r"}, want: "v", ok: true},
	{lines: []string{`t=; u=1`}, want: "", ok: true},
	{lines: []string{`t=  `}, want: "", ok: true},
	{lines: []string{`t`}, want: "", ok: true},
	// repeated names: the first wins, even without a value
	{lines: []string{`t=1; t=2`}, want: "1", ok: true},
	{lines: []string{`t; t=2`}, want: "", ok: true},
	{lines: []string{`tt=1; xt=2; t=3`}, want: "3", ok: true},
	// octal escapes: \ooo with a first digit 0-3, else one escaped byte
	{lines: []string{`t="\101\102"`}, want: "AB", ok: true},
	{lines: []string{`t="\0123"`}, want: "\n3", ok: true},
	{lines: []string{`t="\400"`}, want: "400", ok: true},
	{lines: []string{`t="\12"`}, want: "12", ok: true},
	{lines: []string{`t="\054\073"`}, want: ",;", ok: true},
	{lines: []string{`t="\377"`}, want: "\uFFFD", ok: true},
	{lines: []string{`t="\303\251"`}, want: "é", ok: true},
	// several headers are one, joined with ","
	{lines: []string{"t=1", "u=2"}, want: "1,u=2", ok: true},
	{lines: []string{`u="a`, `b"; t=1`}, want: "1", ok: true},
	// bytes that are not UTF-8
	{lines: []string{"t=\xff"}, want: "\uFFFD", ok: true},
	{lines: []string{"t=\"\xff\""}, want: "\uFFFD", ok: true},
}

func TestReadCookieTricky(t *testing.T) {
	for _, tc := range trickyCookies {
		name := "t"
		if tc.emptyName {
			name = ""
		}
		h := http.Header{"Cookie": tc.lines}
		got, ok := readCookie(h, name)
		if got != tc.want || ok != tc.ok {
			t.Errorf("readCookie(%q, %q) = %q, %v; want %q, %v", tc.lines, name, got, ok, tc.want, tc.ok)
		}
		if o, ook := readCookieHeaderOracle(h, name); got != o || ok != ook {
			t.Errorf("readCookie(%q, %q) = %q, %v; oracle %q, %v", tc.lines, name, got, ok, o, ook)
		}
	}
}

// FuzzReadCookie holds the scanner to the oracle's answers on any header,
// read whole and split into two Cookie headers.
func FuzzReadCookie(f *testing.F) {
	for _, tc := range trickyCookies {
		f.Add(strings.Join(tc.lines, ","), "t")
	}
	for _, h := range cookieHeaders {
		f.Add(h, "remember_token")
	}
	f.Fuzz(func(t *testing.T, header, name string) {
		for _, name := range []string{name, "t", "", "remember_token"} {
			v1, ok1 := scanCookie(header, name)
			v2, ok2 := readCookieOracle(header, name)
			if v1 != v2 || ok1 != ok2 {
				t.Fatalf("%q, name %q: scan %q %v, oracle %q %v", header, name, v1, ok1, v2, ok2)
			}
			h := http.Header{"Cookie": {header}}
			if i := strings.IndexByte(header, ','); i >= 0 {
				h["Cookie"] = []string{header[:i], header[i+1:]}
			}
			v1, ok1 = readCookie(h, name)
			v2, ok2 = readCookieHeaderOracle(h, name)
			if v1 != v2 || ok1 != ok2 {
				t.Fatalf("%q, name %q: readCookie %q %v, oracle %q %v", h["Cookie"], name, v1, ok1, v2, ok2)
			}
		}
	})
}

// largeCookieHeader is a header of at least size bytes: first, then pairs
// made by pair(i), then "t=last".
func largeCookieHeader(size int, first string, pair func(i int) string) string {
	var b strings.Builder
	b.Grow(size + 64)
	b.WriteString(first)
	for i := 0; b.Len() < size; i++ {
		b.WriteString(pair(i))
	}
	b.WriteString("t=last")
	return b.String()
}

// largeCookieShapes are 1 MiB headers that each hold a '"' and many
// pairs, shaped to make a quoted value's search run far.
var largeCookieShapes = []struct {
	name   string
	header func() string
}{
	{"one quote first", func() string {
		return largeCookieHeader(1<<20, `q="x; `, func(i int) string { return "k" + strconv.Itoa(i) + "=v; " })
	}},
	{"quoted values", func() string {
		return largeCookieHeader(1<<20, "", func(int) string { return `k="v;w"; ` })
	}},
	{"unterminated quotes", func() string {
		return largeCookieHeader(1<<20, "", func(int) string { return `k="v; ` })
	}},
	{"escaped quotes", func() string {
		return largeCookieHeader(1<<20, "", func(int) string { return `k="\"; ` })
	}},
	{"backslashes", func() string {
		return largeCookieHeader(1<<20, "", func(int) string { return `k="\\\\\\\"\; ` })
	}},
	{"one quote, no pairs", func() string {
		return `k="` + strings.Repeat("v", 1<<20) + "; t=last"
	}},
}

// TestReadCookieLarge scans 1 MiB headers that hold a '"' and many pairs,
// where the regexp's work per pair made it 8x slower. The scanner answers
// as the oracle does and allocates nothing: the answer is a substring of
// the header, and no per-pair state is built. BenchmarkReadCookie shows
// the time.
func TestReadCookieLarge(t *testing.T) {
	for _, shape := range largeCookieShapes {
		s := shape.header()
		v, ok := scanCookie(s, "t")
		if v != "last" || !ok {
			t.Errorf("%s: scanCookie = %q, %v; want last", shape.name, v, ok)
		}
		if o, ook := readCookieOracle(s, "t"); o != v || ook != ok {
			t.Errorf("%s: scanCookie = %q, %v; oracle %q, %v", shape.name, v, ok, o, ook)
		}
		h := http.Header{"Cookie": {s}}
		if allocs := testing.AllocsPerRun(3, func() { readCookie(h, "t") }); allocs != 0 {
			t.Errorf("%s: readCookie allocates %v times, want 0", shape.name, allocs)
		}
	}
}

// BenchmarkReadCookie reads a remember cookie from a plain header, one
// with a quoted value (where the regexp version used to take over) and a
// 1 MiB header with one '"' early on.
func BenchmarkReadCookie(b *testing.B) {
	const token = "alice|a45b878d766f7063f0412fd0176e57ef31bbb296c34d45ea900c6eab9674946cc3b28f9288e29af80021a38b9f9ae4a2418b2648872ef0bd385b1ecc650ebcb4"
	plain := "session=eyJfZnJlc2giOmZhbHNlfQ.ZmFrZQ.c2lnbmF0dXJl; theme=dark; remember_token=" + token
	quoted := `session=eyJfZnJlc2giOmZhbHNlfQ.ZmFrZQ.c2lnbmF0dXJl; theme="dark blue"; remember_token=` + token
	large := largeCookieHeader(1<<20, `q="x; `, func(i int) string { return "k" + strconv.Itoa(i) + "=v; " }) + "; remember_token=" + token
	for _, bc := range []struct{ name, header string }{
		{"plain", plain},
		{"with-quote", quoted},
		{"1MiB-with-quote", large},
	} {
		h := http.Header{"Cookie": {bc.header}}
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.header)))
			b.ReportAllocs()
			for b.Loop() {
				if v, _ := readCookie(h, "remember_token"); v != token {
					b.Fatal(v)
				}
			}
		})
	}
}
