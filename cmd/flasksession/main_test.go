package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ginflask/flasksession/itsdangerous"
)

const testKey = "inspect-test-key-0123456789"

// flaskCookie was minted by real Flask 3.1.3 (SecureCookieSessionInterface
// inside an app context, signing time frozen at 1700000000) with the key
// testKey; it is compressed. The Python column is what repr() printed for
// each value Flask loaded back.
const flaskCookie = ".eJx9TjtrwzAQ_ivilg51nZMsPyJC1kJLt2xNKHKsxqaybGyJJIT8957cpUsLAh3f-wYfo5l67YzzoPwUTAJ1dwLFeYX5mhcCS15KzjPMpJBEXr2ZQd2A1aBgdT2-wj2Bpjv6CGpQ7zzFA-lACSJabT9BYZrTGU6Gcs0jLxKw3eyjNoELJLGWLL2evsK4ZPeUvam3bbdZ1dtY4AZHZhesjffgFlVDqh0tZijYi3ZMoJCMC4VIjz2_7aJzMZJ4qTsQMPfaWhqS5uYJaZc3F-Kg8w8z2wdEs94HSqqAqDDaX24CzgPEjBC6ZsEDObnIZF6U1V9_XHFuzT-bMVMoFeY_m-_fjEBt5A.ZVPxAA.VL4C3cKF_5JDRDn7Enok1i-iJHQ"

var flaskRepr = []struct{ key, goType, pyType, repr string }{
	{"'_permanent'", "bool", "bool", "True"},
	{"'big'", "*big.Int", "int", "1180591620717411303424"},
	{"'bytes'", "[]byte", "bytes", `b"\xff'\n"`},
	{"'dict'", "map[string]any", "dict", "{'a': [1.0], 'b': 2}"},
	{"'half'", "float64", "float", "0.5"},
	{"'huge'", "float64", "float", "1e+16"},
	{"'list'", "[]any", "list", "[1, 'x', True]"},
	{"'markup'", "template.HTML", "Markup", "Markup('<b>hi</b>')"},
	{"'none'", "nil", "NoneType", "None"},
	{"'noon'", "time.Time", "datetime", "datetime.datetime(2024, 1, 2, 12, 0, tzinfo=datetime.timezone.utc)"},
	{"'one'", "flasksession.Tuple", "tuple", "(1,)"},
	{"'small'", "float64", "float", "1.5e-05"},
	{"'text'", "string", "str", `"it's é\u2028"`},
	{"'tuple'", "flasksession.Tuple", "tuple", "(1, 'two')"},
	{"'uuid'", "uuid.UUID", "UUID", "UUID('12345678-1234-5678-1234-567812345678')"},
	{"'when'", "time.Time", "datetime", "datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)"},
}

// cli runs the command with SECRET_KEY unset unless env sets it (to
// anything, the empty string included).
func cli(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv("SECRET_KEY", "") // restored after the test
	if v, ok := env["SECRET_KEY"]; ok {
		os.Setenv("SECRET_KEY", v)
	} else {
		os.Unsetenv("SECRET_KEY")
	}
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func mustSign(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := cli(t, nil, append([]string{"sign"}, args...)...)
	if code != 0 {
		t.Fatalf("sign %q: exit %d: %s", args, code, errs)
	}
	return strings.TrimSpace(out)
}

func TestGenkey(t *testing.T) {
	tests := []struct {
		args   []string
		length int
		alpha  *regexp.Regexp
	}{
		{nil, 64, regexp.MustCompile(`^[0-9a-f]+$`)},
		{[]string{"-bytes", "16"}, 32, regexp.MustCompile(`^[0-9a-f]+$`)},
		{[]string{"-base64"}, 43, regexp.MustCompile(`^[A-Za-z0-9_-]+$`)},
	}
	for _, tt := range tests {
		code, out1, errs := cli(t, nil, append([]string{"genkey"}, tt.args...)...)
		if code != 0 {
			t.Fatalf("genkey %q: exit %d: %s", tt.args, code, errs)
		}
		_, out2, _ := cli(t, nil, append([]string{"genkey"}, tt.args...)...)
		k1, k2 := strings.TrimSuffix(out1, "\n"), strings.TrimSuffix(out2, "\n")
		if len(k1) != tt.length || !tt.alpha.MatchString(k1) {
			t.Errorf("genkey %q = %q: want %d characters matching %s", tt.args, k1, tt.length, tt.alpha)
		}
		if k1 == k2 {
			t.Errorf("genkey %q printed the same key twice: %q", tt.args, k1)
		}
		if !strings.Contains(errs, "export SECRET_KEY=") {
			t.Errorf("genkey %q: stderr does not say how to use the key: %q", tt.args, errs)
		}
	}
	// The key is usable as is: a cookie signed with it verifies.
	_, out, _ := cli(t, nil, "genkey")
	key := strings.TrimSpace(out)
	if _, err := hex.DecodeString(key); err != nil {
		t.Fatal(err)
	}
	c := mustSign(t, "-key", key, `{"a": 1}`)
	if code, _, errs := cli(t, nil, "inspect", "-key", key, c); code != 0 {
		t.Fatalf("inspect with a genkey key: exit %d: %s", code, errs)
	}
	if _, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(mustRun(t, "genkey", "-base64"))); err != nil {
		t.Fatal(err)
	}
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := cli(t, nil, args...)
	if code != 0 {
		t.Fatalf("%q: exit %d: %s", args, code, errs)
	}
	return out
}

var rowRE = regexp.MustCompile(`^('\S+')\s+(\S+)\s+(\S+)\s+(.*)$`)

// rows maps each KEY of inspect's table to its other columns.
func rows(out string) map[string][]string {
	m := map[string][]string{}
	for _, line := range strings.Split(out, "\n") {
		if f := rowRE.FindStringSubmatch(line); f != nil {
			m[f[1]] = f[2:]
		}
	}
	return m
}

func TestInspectFlaskCookie(t *testing.T) {
	check := func(t *testing.T, out string) {
		t.Helper()
		for _, want := range []string{"Signed at   2023-11-14T22:13:20Z", "Compressed  yes", "Permanent   yes", "Keys        16"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		rows := rows(out)
		for _, w := range flaskRepr {
			got := rows[w.key]
			if got == nil {
				t.Errorf("no row for %s:\n%s", w.key, out)
				continue
			}
			if got[0] != w.goType || got[1] != w.pyType || got[2] != w.repr {
				t.Errorf("row %s = %q, want %q %q %q", w.key, got, w.goType, w.pyType, w.repr)
			}
		}
	}
	at := "2023-11-15T00:13:20Z" // two hours after signing

	t.Run("unverified", func(t *testing.T) {
		code, out, errs := cli(t, nil, "inspect", "-at", at, flaskCookie)
		if code != exitUnverified {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if !strings.HasPrefix(out, "UNVERIFIED") {
			t.Errorf("output does not start with UNVERIFIED:\n%s", out)
		}
		if !strings.Contains(out, "(2h0m0s ago)") {
			t.Errorf("age missing:\n%s", out)
		}
		check(t, out)
	})
	t.Run("verified", func(t *testing.T) {
		code, out, errs := cli(t, nil, "inspect", flaskCookie, "-key", testKey, "-at", at)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if !strings.Contains(out, "Signature   valid: current key (-key)") || strings.Contains(out, "UNVERIFIED") {
			t.Errorf("not reported as verified with the current key:\n%s", out)
		}
		check(t, out)
	})
	t.Run("key from environment", func(t *testing.T) {
		code, out, errs := cli(t, map[string]string{"SECRET_KEY": testKey}, "inspect", "-at", at, flaskCookie)
		if code != 0 || !strings.Contains(out, "valid: current key ($SECRET_KEY)") {
			t.Errorf("exit %d, stderr %q, output:\n%s", code, errs, out)
		}
	})
	t.Run("fallback", func(t *testing.T) {
		code, out, errs := cli(t, nil, "inspect", "-at", at, "-key", "a-newer-key-0123456789", "-fallback", "an-older-key-0123456789", "-fallback", testKey, flaskCookie)
		if code != 0 || !strings.Contains(out, "valid: fallback key #2 of 2") {
			t.Errorf("exit %d, stderr %q, output:\n%s", code, errs, out)
		}
	})
	t.Run("json", func(t *testing.T) {
		tests := []struct {
			name     string
			env      map[string]string
			args     []string
			code     int
			verified bool
			key      string // the "key" field's JSON
		}{
			{"current key", nil, []string{"-key", testKey}, exitOK, true, "0"},
			{"key from environment", map[string]string{"SECRET_KEY": testKey}, nil, exitOK, true, "0"},
			{"fallback key", nil, []string{"-key", "a-newer-key-0123456789", "-fallback", testKey}, exitOK, true, "1"},
			{"no key", nil, nil, exitUnverified, false, "null"},
		}
		for _, tt := range tests {
			args := append(append([]string{"inspect", "-json", "-at", at}, tt.args...), flaskCookie)
			code, out, errs := cli(t, tt.env, args...)
			if code != tt.code {
				t.Errorf("%s: exit %d, want %d; stderr %q", tt.name, code, tt.code, errs)
			}
			var got struct {
				Verified   *bool           `json:"verified"`
				Key        json.RawMessage `json:"key"`
				SignedAt   string          `json:"signed_at"`
				Compressed bool            `json:"compressed"`
				Session    json.RawMessage `json:"session"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%s: output is not JSON: %v\n%s", tt.name, err, out)
			}
			if got.Verified == nil || *got.Verified != tt.verified || string(got.Key) != tt.key {
				t.Errorf("%s: verified %v, key %s; want %v, %s:\n%s", tt.name, got.Verified, got.Key, tt.verified, tt.key, out)
			}
			if got.SignedAt != "2023-11-14T22:13:20Z" || !got.Compressed {
				t.Errorf("%s: signed_at %q, compressed %v", tt.name, got.SignedAt, got.Compressed)
			}
			if !strings.HasPrefix(string(got.Session), `{"_permanent":true,"big":1180591620717411303424,"bytes":{" b":"/ycK"}`) {
				t.Errorf("%s: session %s", tt.name, got.Session)
			}
		}
	})
}

// TestInspectEmptySecretKey: SECRET_KEY set to "" is a mistake to report,
// not a request to read the cookie unverified.
func TestInspectEmptySecretKey(t *testing.T) {
	for _, args := range [][]string{
		{"inspect", flaskCookie},
		{"inspect", "-json", flaskCookie},
		{"sign", `{"a": 1}`},
	} {
		code, out, errs := cli(t, map[string]string{"SECRET_KEY": ""}, args...)
		if code != exitUsage || out != "" || !strings.Contains(errs, "SECRET_KEY is set but empty") {
			t.Errorf("%q with SECRET_KEY=: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
}

func TestSignInspectRoundTrip(t *testing.T) {
	cookie := mustSign(t, "-key", testKey, "-permanent", `{"user": "alice", "cart": {" t": [1, 2]}}`)
	code, out, errs := cli(t, nil, "inspect", "-key", testKey, cookie)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"valid: current key", "Permanent   yes", "Compressed  no"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	r := rows(out)
	if got := strings.Join(r["'user'"], " | "); got != "string | str | 'alice'" {
		t.Errorf("user row = %q", got)
	}
	if got := strings.Join(r["'cart'"], " | "); got != "flasksession.Tuple | tuple | (1, 2)" {
		t.Errorf("cart row = %q", got)
	}
	// Compressed, signed at a fixed time, JSON on stdin.
	at := "2024-05-01T12:00:00Z"
	big := `{"text": "` + strings.Repeat("abc", 100) + `"}`
	var stdout, stderr bytes.Buffer
	t.Setenv("SECRET_KEY", testKey)
	oldStdin := stdin
	stdin = strings.NewReader(big)
	defer func() { stdin = oldStdin }()
	if code := run([]string{"sign", "-compress", "-at", at, "-"}, &stdout, &stderr); code != 0 {
		t.Fatalf("sign from stdin: exit %d: %s", code, stderr.String())
	}
	cookie = strings.TrimSpace(stdout.String())
	if !strings.HasPrefix(cookie, ".") {
		t.Errorf("-compress cookie %q does not start with '.'", cookie)
	}
	code, out, errs = cli(t, nil, "inspect", "-key", testKey, "-at", "2024-05-02T13:00:00Z", "session="+cookie+"; HttpOnly; Path=/")
	if code != 0 || !strings.Contains(out, "Signed at   2024-05-01T12:00:00Z (1d1h0m0s ago)") || !strings.Contains(out, "Compressed  yes") {
		t.Errorf("exit %d, stderr %q, output:\n%s", code, errs, out)
	}
}

func TestInspectRejects(t *testing.T) {
	now := time.Now().UTC()
	good := mustSign(t, "-key", testKey, `{"user": "alice"}`)
	// Change one character of the payload: "alice" becomes something else.
	tampered := "eyJ1c2VyIjoibWFsbG9yeSJ9" + good[strings.IndexByte(good, '.'):]
	old := mustSign(t, "-key", testKey, "-at", now.Add(-40*24*time.Hour).Format(time.RFC3339), `{"a": 1}`)
	future := mustSign(t, "-key", testKey, "-at", now.Add(time.Hour).Format(time.RFC3339), `{"a": 1}`)
	// Validly signed, but the payload is not JSON (Flask answers 500).
	signer, err := itsdangerous.NewTimestampSigner([][]byte{[]byte(testKey)}, itsdangerous.FlaskSessionConfig())
	if err != nil {
		t.Fatal(err)
	}
	badPayload := string(signer.SignAt([]byte(base64.RawURLEncoding.EncodeToString([]byte("not json"))), now))

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"tampered", []string{"inspect", "-key", testKey, tampered}, "signature does not match the key from -key"},
		{"wrong key", []string{"inspect", "-key", "another-key-0123456789", good}, "signature does not match the key from -key"},
		{"wrong key and fallback", []string{"inspect", "-key", "another-key-0123456789", "-fallback", "yet-another-key-0123", good}, "or any of the 1 fallback keys"},
		{"expired", []string{"inspect", "-key", testKey, old}, "expired"},
		{"future", []string{"inspect", "-key", testKey, future}, "in the future"},
		{"bad payload", []string{"inspect", "-key", testKey, badPayload}, "the signature is valid but the content cannot be decoded"},
		{"garbage", []string{"inspect", "-key", testKey, "not-a-cookie"}, "not a Flask session cookie"},
		{"garbage unverified", []string{"inspect", "not-a-cookie"}, "not a readable Flask session cookie"},
		{"empty cookie", []string{"inspect", "session=; Path=/"}, "the cookie is empty"},
		{"bad JSON", []string{"sign", "-key", testKey, `{"a": }`}, "must be a JSON object"},
		{"JSON not an object", []string{"sign", "-key", testKey, `[1, 2]`}, "must be a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := cli(t, nil, tt.args...)
			if code != exitError {
				t.Errorf("exit %d, want %d; stdout %q", code, exitError, out)
			}
			if out != "" {
				t.Errorf("a rejected cookie printed content: %q", out)
			}
			if !strings.Contains(errs, tt.want) || !strings.HasPrefix(errs, "flasksession: ") {
				t.Errorf("stderr %q, want it to start with \"flasksession: \" and contain %q", errs, tt.want)
			}
		})
	}
	// The age check can be turned off; the tampered cookie still reads unverified.
	if code, _, errs := cli(t, nil, "inspect", "-key", testKey, "-max-age", "0", old); code != 0 {
		t.Errorf("-max-age 0: exit %d: %s", code, errs)
	}
	if code, out, _ := cli(t, nil, "inspect", tampered); code != exitUnverified || !strings.Contains(out, "'mallory'") || !strings.HasPrefix(out, "UNVERIFIED") {
		t.Errorf("tampered cookie without a key: exit %d:\n%s", code, out)
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "Usage:"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"genkey", "extra"}, "genkey takes no arguments"},
		{[]string{"genkey", "-bytes", "8"}, "use 16 to 1024"},
		{[]string{"genkey", "-nope"}, "flag provided but not defined"},
		{[]string{"inspect"}, "inspect takes one COOKIE"},
		{[]string{"inspect", "a", "b"}, "inspect takes one COOKIE"},
		{[]string{"inspect", "-at", "yesterday", "x.y.z"}, "want an RFC 3339 time"},
		{[]string{"inspect", "-fallback", "k", "x.y.z"}, "-fallback needs the current key"},
		{[]string{"inspect", "-key", "", "x.y.z"}, "-key is empty"},
		{[]string{"inspect", "-max-age", "-1s", "x.y.z"}, "negative"},
		{[]string{"sign", `{}`}, "sign needs a key"},
		{[]string{"sign", "-key", "k"}, "sign takes one JSON object"},
	}
	for _, tt := range tests {
		code, out, errs := cli(t, nil, tt.args...)
		if code != exitUsage {
			t.Errorf("%q: exit %d, want %d (stdout %q)", tt.args, code, exitUsage, out)
		}
		if !strings.Contains(errs, tt.want) {
			t.Errorf("%q: stderr %q lacks %q", tt.args, errs, tt.want)
		}
	}
	if code, out, _ := cli(t, nil, "help"); code != 0 || !strings.Contains(out, "Usage:") {
		t.Errorf("help: exit %d, stdout %q", code, out)
	}
}

func TestCookieValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc.def.ghi", "abc.def.ghi"},
		{"  abc.def.ghi\n", "abc.def.ghi"},
		{"session=abc.def.ghi", "abc.def.ghi"},
		{"session=abc.def.ghi; Expires=Thu, 01 Jan 2099 00:00:00 GMT; HttpOnly; Path=/", "abc.def.ghi"},
		{"Set-Cookie: session=abc.def.ghi; HttpOnly", "abc.def.ghi"},
		{"Cookie: theme=dark; session=abc.def.ghi", "abc.def.ghi"},
		{`session="abc.def.ghi"`, "abc.def.ghi"},
		{"my_session=abc.def.ghi; Path=/", "abc.def.ghi"},
	}
	for _, tt := range tests {
		if got := cookieValue(tt.in); got != tt.want {
			t.Errorf("cookieValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPyFloat(t *testing.T) {
	// Python's repr() of each.
	tests := []struct {
		f    float64
		want string
	}{
		{0, "0.0"}, {1, "1.0"}, {-2.5, "-2.5"}, {0.1, "0.1"}, {1e-4, "0.0001"}, {1e-5, "1e-05"},
		{123456789012345.6, "123456789012345.6"}, {1e15, "1000000000000000.0"}, {1e16, "1e+16"},
		{1.2345678901234568e+17, "1.2345678901234568e+17"}, {5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
	}
	for _, tt := range tests {
		if got := pyFloat(tt.f); got != tt.want {
			t.Errorf("pyFloat(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestPyStr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "''"}, {"a", "'a'"}, {"it's", `"it's"`}, {`"x"`, `'"x"'`}, {`it's "x"`, `'it\'s "x"'`},
		{"a\\b", `'a\\b'`}, {"\x00\x7f\n\t", `'\x00\x7f\n\t'`}, {"é☃", "'é☃'"}, {"\u2028\u00ad", `'\u2028\xad'`},
	}
	for _, tt := range tests {
		if got := pyStr(tt.in); got != tt.want {
			t.Errorf("pyStr(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
