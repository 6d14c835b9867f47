package flasklogin

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// identifierCases are requests whose session identifier must be
// Flask-Login's: peers, X-Forwarded-For forms, User-Agents with quotes,
// escapes and bytes from 0x80 up, and missing headers.
var identifierCases = []struct {
	name    string
	addr    string // "" for none
	headers [][2]string
}{
	{"loopback", "127.0.0.1", [][2]string{{"User-Agent", "Go-http-client/1.1"}}},
	{"ipv6", "::1", [][2]string{{"User-Agent", "curl/8.0"}}},
	{"no user agent", "127.0.0.1", nil},
	{"empty user agent", "127.0.0.1", [][2]string{{"User-Agent", ""}}},
	{"no address", "", [][2]string{{"User-Agent", "x"}}},
	{"forwarded", "127.0.0.1", [][2]string{{"X-Forwarded-For", "203.0.113.7, 10.0.0.1"}, {"User-Agent", "x"}}},
	{"forwarded spaces", "127.0.0.1", [][2]string{{"X-Forwarded-For", "  203.0.113.7  ,x"}, {"User-Agent", "x"}}},
	{"forwarded empty first", "127.0.0.1", [][2]string{{"X-Forwarded-For", ",1.2.3.4"}, {"User-Agent", "x"}}},
	{"forwarded twice", "127.0.0.1", [][2]string{{"X-Forwarded-For", "1.1.1.1"}, {"X-Forwarded-For", "2.2.2.2"}, {"User-Agent", "x"}}},
	{"single quote", "127.0.0.1", [][2]string{{"User-Agent", "it's"}}},
	{"both quotes", "127.0.0.1", [][2]string{{"User-Agent", `it's "x"`}}},
	{"double quote", "127.0.0.1", [][2]string{{"User-Agent", `say "x"`}}},
	{"backslash", "127.0.0.1", [][2]string{{"User-Agent", `a\b`}}},
	{"tab", "127.0.0.1", [][2]string{{"User-Agent", "a\tb"}}},
	{"high bytes", "127.0.0.1", [][2]string{{"User-Agent", "caf\xe9 \xff\x80"}}},
	{"utf-8", "127.0.0.1", [][2]string{{"User-Agent", "Zoë/1.0"}}},
	{"chromium", "127.0.0.1", [][2]string{{"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36"}}},
}

func identifierDiff(t *testing.T) ([]map[string]any, func(t *testing.T, answers []json.RawMessage)) {
	var cases []map[string]any
	var reqs []*http.Request
	for _, tc := range identifierCases {
		r, ok := rawRequest("/", "localhost", tc.addr, tc.headers)
		if !ok {
			t.Fatalf("%s: Go refuses the request", tc.name)
		}
		// The environ Werkzeug's server builds: repeated headers joined with ",".
		headers := map[string]any{}
		for _, h := range tc.headers {
			if v, ok := headers[h[0]]; ok {
				headers[h[0]] = v.(string) + "," + latin1(h[1])
			} else {
				headers[h[0]] = latin1(h[1])
			}
		}
		c := map[string]any{"op": "identifier", "headers": headers}
		if tc.addr != "" {
			c["addr"] = tc.addr
		}
		cases = append(cases, c)
		reqs = append(reqs, r)
	}
	return cases, func(t *testing.T, answers []json.RawMessage) {
		want := decodeAll[string](t, answers)
		for i, tc := range identifierCases {
			if got := SessionIdentifier(reqs[i]); got != want[i] {
				t.Errorf("%s: SessionIdentifier = %s…, Flask-Login %s…", tc.name, got[:16], want[i][:16])
			}
		}
	}
}

// loginURLCases are request targets and login views whose login URL must
// be Flask-Login's byte for byte.
var loginURLCases = []struct{ view, target string }{
	{"/login", "/private"},
	{"/login", "/"},
	{"/login", "/private?x=1&y=2"},
	{"/login", "/private?"},
	{"/login", "//private//a"},
	{"/login", "/a%20b/c%2Fd"},
	{"/login", "/caf%C3%A9/%E2%82%AC"},
	{"/login", "/bad%FFutf8"},
	{"/login", "/p:q@r;s=t,u!v$w'x(y)z*+~"},
	{"/login", "/p?a=b%20c&d=%2F%C3%A9&e=%7e&f=%41&g=%zz&h=%"},
	{"/login", "/p?q=caf%C3%A9%FF&r=%C3"},
	{"/login", "/p?a=\"<>[]{}|^`"},
	{"/login", "/p?a=/?#"},
	{"/login", "/p?%E2%82%AC=%e2%82%ac"},
	{"/login?b=2&a=1", "/private"},
	{"/login?next=old&z=1", "/private"},
	{"/login?a=x+y&a=%20", "/private"},
	{"/login#top", "/private"},
	{"http://localhost/login", "/private?x=1"},
	{"http://auth.example/login", "/private?x=1"},
	{"https://localhost/login", "/private"},
}

func loginURLDiff(t *testing.T) ([]map[string]any, func(t *testing.T, answers []json.RawMessage)) {
	var cases []map[string]any
	var reqs []*http.Request
	var names []string
	for _, tc := range loginURLCases {
		r, ok := rawRequest(tc.target, "localhost", "127.0.0.1", nil)
		if !ok {
			continue // Go's server answers 400; nothing to compare
		}
		cases = append(cases, map[string]any{"op": "login_url", "view": tc.view, "target": latin1(tc.target)})
		reqs = append(reqs, r)
		names = append(names, tc.view+" "+tc.target)
	}
	if len(cases) < len(loginURLCases)-2 {
		t.Fatalf("Go refused %d of %d targets", len(loginURLCases)-len(cases), len(loginURLCases))
	}
	return cases, func(t *testing.T, answers []json.RawMessage) {
		want := decodeAll[string](t, answers)
		for i, name := range names {
			view := cases[i]["view"].(string)
			// With the request's own origin as the configured site,
			// LoginURLFor is Flask-Login's login_url.
			if got := LoginURLFor(view, "http://localhost", reqs[i]); got != want[i] {
				t.Errorf("LoginURLFor %s:\n got %s\nwant %s", name, got, want[i])
			}
			// LoginURL differs on purpose for a view on another host: its
			// "next" is relative, not built from the Host header.
			wantLocal := want[i]
			if u, err := url.Parse(view); err == nil && u.Host != "" && u.Host != "localhost" {
				wantLocal = strings.Replace(wantLocal, "next="+quotePlus("http://localhost"), "next=", 1)
			}
			if got := LoginURL(view, reqs[i]); got != wantLocal {
				t.Errorf("LoginURL %s:\n got %s\nwant %s", name, got, wantLocal)
			}
		}
	}
}

// cookieIDs are user IDs whose remember cookies must be Flask-Login's,
// quoting included.
var cookieIDs = []string{"1", "alice", "Ada Lovelace", `Zoë <b>&"'`, "a,b;c", `back\slash`, "tab\there", "€uro", "pipe|in|id", "", "(x)[y]{z}@?"}

func rememberCookieDiff(*testing.T) ([]map[string]any, func(t *testing.T, answers []json.RawMessage)) {
	// Not "ключ": Flask-Login fails on a key that is not Latin-1 text.
	keys := []string{"example-test-key-0123456789abcdef", "clé-latin-1"}
	var cases []map[string]any
	for _, key := range keys {
		for _, id := range cookieIDs {
			cases = append(cases, map[string]any{"op": "encode_cookie", "key": key, "id": id})
		}
	}
	return cases, func(t *testing.T, answers []json.RawMessage) {
		want := decodeAll[string](t, answers)
		for i, c := range cases {
			codec := NewRememberCodec([]byte(c["key"].(string)))
			got := quoteCookieValue(codec.Encode(c["id"].(string)))
			if w := fromLatin1(want[i]); got != w {
				t.Errorf("key %q id %q: got %s, want %s", c["key"], c["id"], got, w)
			}
		}
	}
}

// cookieHeaders are Cookie headers that Werkzeug 2.2 must read as
// readCookie does.
var cookieHeaders = []string{
	`remember_token=abc`,
	`a=1; remember_token=abc; b=2`,
	`remember_token="a b|c"`,
	`remember_token="Zo\303\253\054\073\"\\|x"`,
	`remember_token="\400\3777"`,
	`remember_token = spaced ; x=1`,
	`remember_token=first; remember_token=second`,
	`remember_token`,
	`remember_token=`,
	`x=1;remember_token="unterminated`,
	`x="a;b"; remember_token=y`,
	`x="a\"; remember_token=y"; remember_token=z`,
	`remember_token=a=b=c`,
	`  remember_token=  v  `,
	`remember_token=v;;;`,
	`remember_tokenx=1; xremember_token=2`,
	"remember_token=caf\xe9",
	"remember_token=\"\\\n\"",
	`;;remember_token=ok`,
	`remember_token="a"b"`,
	``,
}

func readCookieDiff(*testing.T) ([]map[string]any, func(t *testing.T, answers []json.RawMessage)) {
	key := "example-test-key-0123456789abcdef"
	codec := NewRememberCodec([]byte(key))
	valid := quoteCookieValue(codec.Encode(`Zoë <b>&"'`))
	headers := append(cookieHeaders, "remember_token="+valid, "a=1; remember_token="+quoteCookieValue(codec.Encode("alice")))
	var cases []map[string]any
	for _, h := range headers {
		cases = append(cases, map[string]any{"op": "read_cookie", "key": key, "name": "remember_token", "header": latin1(h)})
	}
	type answer struct {
		Found bool    `json:"found"`
		Value string  `json:"value"`
		ID    *string `json:"id"`
	}
	return cases, func(t *testing.T, answers []json.RawMessage) {
		want := decodeAll[answer](t, answers)
		for i, h := range headers {
			hdr := http.Header{}
			if h != "" {
				hdr.Set("Cookie", h)
			}
			v, found := readCookie(hdr, "remember_token")
			if found != want[i].Found || v != want[i].Value {
				t.Errorf("Cookie: %s\n got %v %q\nwant %v %q", h, found, v, want[i].Found, want[i].Value)
				continue
			}
			id, err := codec.Decode(v)
			if (err == nil) != (want[i].ID != nil) || (err == nil && id != *want[i].ID) {
				t.Errorf("Cookie: %s: Decode = %q, %v; Flask-Login %v", h, id, err, want[i].ID)
			}
		}
	}
}

// TestMatchesFlaskLogin asks Flask-Login 0.6.2 itself, in one Python run,
// for session identifiers, login URLs, remember cookies and Cookie header
// parsing, and compares each answer with this package's.
func TestMatchesFlaskLogin(t *testing.T) {
	diffs := []struct {
		name string
		make func(*testing.T) ([]map[string]any, func(*testing.T, []json.RawMessage))
	}{
		{"session identifier", identifierDiff},
		{"login URL", loginURLDiff},
		{"remember cookie", rememberCookieDiff},
		{"read cookie", readCookieDiff},
	}
	var all []map[string]any
	var checks []func(*testing.T, []json.RawMessage)
	var counts []int
	for _, d := range diffs {
		cases, check := d.make(t)
		all = append(all, cases...)
		checks = append(checks, check)
		counts = append(counts, len(cases))
	}
	var answers []json.RawMessage
	askFlaskLogin(t, all, &answers)
	if len(answers) != len(all) {
		t.Fatalf("%d answers to %d cases", len(answers), len(all))
	}
	for i, d := range diffs {
		t.Run(d.name, func(t *testing.T) { checks[i](t, answers[:counts[i]]) })
		answers = answers[counts[i]:]
	}
}

// decodeAll decodes each answer into a T.
func decodeAll[T any](t *testing.T, answers []json.RawMessage) []T {
	t.Helper()
	out := make([]T, len(answers))
	for i, a := range answers {
		if err := json.Unmarshal(a, &out[i]); err != nil {
			t.Fatalf("answer %s: %v", a, err)
		}
	}
	return out
}
