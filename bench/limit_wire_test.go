package bench

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// TestLimitMatchesFlaskSession checks that the limit does the same work as
// flasksession: on every scenario, the same request (the 5-key cookie
// flasksession minted, where the scenario sends one) gets the same
// Set-Cookie and Vary headers from both, byte for byte, and the limit's
// /setup mints the same cookie as flasksession's. Cookies carry the second
// they were signed in, so an attempt that straddles a second is retried.
func TestLimitMatchesFlaskSession(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	for _, sc := range scenarios {
		t.Run(sc.String(), func(t *testing.T) {
			fs, lim := ginFlaskSession(t, sc), ginLimit(t, sc)
			for attempt := 1; ; attempt++ {
				start := time.Now().Unix()
				fsMint, limMint := mintCookie(t, fs), mintCookie(t, lim)
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				if sc.sendsCookie() {
					req.Header.Set("Cookie", fsMint)
				}
				want, got := serve(fs, req), serve(lim, req)
				if time.Now().Unix() != start {
					if attempt == 5 {
						t.Fatal("the clock's second changed during each of 5 attempts")
					}
					continue
				}
				if limMint != fsMint {
					t.Errorf("/setup cookie:\nlimit        %s\nflasksession %s", limMint, fsMint)
				}
				for _, h := range []string{"Set-Cookie", "Vary"} {
					if !slices.Equal(got[h], want[h]) {
						t.Errorf("%s:\nlimit        %q\nflasksession %q", h, got[h], want[h])
					}
				}
				if n := len(got["Set-Cookie"]); (n == 1) != sc.saves() || n > 1 {
					t.Errorf("%d Set-Cookie headers, want one exactly when the scenario saves", n)
				}
				return
			}
		})
	}
}

// serve returns the response headers h gives req.
func serve(h http.Handler, req *http.Request) http.Header {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req.Clone(req.Context()))
	return rec.Result().Header
}

// TestLimitLoad: the limit reads its own cookies and refuses what Flask
// refuses (an empty session, as Flask gives) and what it does not handle.
func TestLimitLoad(t *testing.T) {
	l := newLimit(signingKey)
	now := time.Now().Unix()
	session := `{"csrf_token":"x","login_at":1700000000,"roles":["admin","editor"],"user_id":42,"username":"alice"}`
	valid := sign(l, session, now)
	values := map[string]any{"csrf_token": "x", "login_at": 1700000000,
		"roles": []any{"admin", "editor"}, "user_id": 42, "username": "alice"}
	for _, tc := range []struct {
		name      string
		cookie    string
		want      map[string]any
		permanent bool
	}{
		{"valid", valid, values, false},
		{"permanent", sign(l, `{"_permanent":true,"a":"b"}`, now), map[string]any{"_permanent": true, "a": "b"}, true},
		{"not permanent", sign(l, `{"_permanent":false}`, now), map[string]any{"_permanent": false}, false},
		{"age equals the max age", sign(l, session, now-limitMaxAge), values, false},
		{"expired", sign(l, session, now-limitMaxAge-1), nil, false},
		{"from the future", sign(l, session, now+1), nil, false},
		{"other key", sign(newLimit([]byte("another-secret-key-0123456789abc")), session, now), nil, false},
		{"tampered payload", "X" + valid[1:], nil, false},
		// The signature's last character carries 4 bits and 2 of padding:
		// 'A' and 'E' differ in the bits.
		{"tampered signature", valid[:len(valid)-1] + map[bool]string{true: "E", false: "A"}[valid[len(valid)-1] == 'A'], nil, false},
		{"no dot", "eyJhIjoiYiJ9", nil, false},
		{"no signature", valid[:len(valid)-28], nil, false},
		{"compressed", sign(l, "."+session, now), nil, false},
		{"escaped string", sign(l, `{"a":"\u00e9"}`, now), nil, false},
		{"float", sign(l, `{"a":1.5}`, now), nil, false},
		{"nested object", sign(l, `{"a":{"b":1}}`, now), nil, false},
		{"tagged value", sign(l, `{" t":["a"]}`, now), nil, false},
		{"not an object", sign(l, `["a"]`, now), nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{"Cookie": {"other=1; " + cookieName + "=" + tc.cookie}}
			want := tc.want
			if want == nil {
				want = map[string]any{}
			}
			if got := l.load(h, now); !reflect.DeepEqual(got, want) {
				t.Errorf("load = %#v, want %#v", got, want)
			}
			if got := l.permanent(h, now); got != tc.permanent {
				t.Errorf("permanent = %v, want %v", got, tc.permanent)
			}
		})
	}
}

// sign signs a raw JSON payload (or, with a leading '.', one marked
// compressed) at the time at.
func sign(l *limit, js string, at int64) string {
	s := l.scratch.Get().(*limitScratch)
	defer l.scratch.Put(s)
	b := []byte(nil)
	if js != "" && js[0] == '.' {
		b, js = append(b, '.'), js[1:]
	}
	b = base64.RawURLEncoding.AppendEncode(b, []byte(js))
	return string(l.appendSignature(s, b, 0, at))
}

// FuzzLimitCookie: any Cookie header is read without panicking, and the
// top-level scan agrees with the full read on "_permanent".
func FuzzLimitCookie(f *testing.F) {
	l := newLimit(signingKey)
	const now = 1700000000
	for _, tc := range limitJSONCases {
		f.Add(cookieName + "=" + sign(l, tc.js, now))
	}
	f.Add(cookieName + "=" + sign(l, ".{}", now))
	f.Add("a=b; " + cookieName + "=x.y.z")
	f.Fuzz(func(t *testing.T, header string) {
		h := http.Header{"Cookie": {header}}
		m := l.load(h, now)
		want, _ := m["_permanent"].(bool)
		if got := l.permanent(h, now); len(m) > 0 && got != want {
			t.Fatalf("%q: permanent = %v, but the session read is %#v", header, got, m)
		}
	})
}

// limitJSONCases are JSON texts and what the limit makes of them: the
// session, or nil for a refusal; seeds for FuzzLimitJSON too.
var limitJSONCases = []struct {
	js        string
	want      map[string]any
	permanent bool
}{
	{`{}`, map[string]any{}, false},
	{` { "a" : "b" , "n" : -3 , "l" : [ "x" , "y" ] } `, map[string]any{"a": "b", "n": -3, "l": []any{"x", "y"}}, false},
	{`{"_permanent":true,"l":[],"z":null}`, map[string]any{"_permanent": true, "l": []any{}, "z": nil}, true},
	{`{"_permanent":true,"_permanent":false}`, map[string]any{"_permanent": false}, false},
	{`{"a":"é"}`, map[string]any{"a": "é"}, false},
	{`{"a":"\"","_permanent":true}`, nil, true}, // the scan skips escapes
	{`{"a":{"_permanent":false},"_permanent":true}`, nil, true},
	{`{"a":[1]}`, nil, false},
	{`{"a":1e3}`, nil, false},
	{`{"a":"b"`, nil, false},
	{`{"a":"b"}x`, nil, false},
	{`{"a" "b"}`, nil, false},
	{`{"a":}`, nil, false},
	{`{"a":"b",}`, nil, false},
	{`"a"`, nil, false},
	{``, nil, false},
}

func TestLimitJSON(t *testing.T) {
	for _, tc := range limitJSONCases {
		got, err := scanSession(tc.js)
		if tc.want == nil {
			if err == nil {
				t.Errorf("scanSession(%s) = %#v, want an error", tc.js, got)
			}
		} else if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("scanSession(%s) = %#v, %v; want %#v", tc.js, got, err, tc.want)
		}
		if p, _ := scanPermanent([]byte(tc.js)); p != tc.permanent {
			t.Errorf("scanPermanent(%s) = %v, want %v", tc.js, p, tc.permanent)
		}
	}
}

// FuzzLimitJSON: the scans never panic, agree on "_permanent" whenever the
// full scan accepts, and what the full scan reads is written back and
// read again unchanged.
func FuzzLimitJSON(f *testing.F) {
	for _, tc := range limitJSONCases {
		f.Add(tc.js)
	}
	f.Fuzz(func(t *testing.T, js string) {
		p, perr := scanPermanent([]byte(js))
		m, err := scanSession(js)
		if err != nil {
			return
		}
		if want, _ := m["_permanent"].(bool); perr != nil || p != want {
			t.Fatalf("scanPermanent(%q) = %v, %v; scanSession says %v", js, p, perr, want)
		}
		out, err := appendSession(nil, m)
		if errors.Is(err, errLimitJSON) {
			return // a one-key session whose key is a tag
		}
		again, err := scanSession(string(out))
		if err != nil {
			if slices.ContainsFunc([]byte(js), func(c byte) bool { return c >= 0x7f }) {
				return // written as \u escapes, which the scan refuses
			}
			t.Fatalf("scanSession(appendSession(%q) = %s): %v", js, out, err)
		}
		if !reflect.DeepEqual(again, m) {
			t.Fatalf("%q: read %#v, wrote %s, read back %#v", js, m, out, again)
		}
	})
}

// TestLimitString: strings are written as Python's json.dumps writes them
// with ensure_ascii.
func TestLimitString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"alice", `"alice"`},
		{`a"b\c/<>&`, `"a\"b\\c/<>&"`},
		{"\n\r\t\b\f\x01\x1f\x7f", `"\n\r\t\b\f\u0001\u001f\u007f"`},
		{"é€", `"\u00e9\u20ac"`},
		{"😀", `"\ud83d\ude00"`},
		{"\U0010ffff", `"\udbff\udfff"`},
		{"ab\xffcd", `"ab\ufffdcd"`},
	} {
		if got := string(appendString(nil, tc.in)); got != tc.want {
			t.Errorf("appendString(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
