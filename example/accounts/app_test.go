package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/flasklogin"
)

func TestParseProtection(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want flasklogin.Protection
		err  bool
	}{
		{"", flasklogin.ProtectionBasic, false},
		{"basic", flasklogin.ProtectionBasic, false},
		{"strong", flasklogin.ProtectionStrong, false},
		{"off", flasklogin.ProtectionOff, false},
		{"none", flasklogin.ProtectionOff, false},
		{"Strong", 0, true},
		{"stong", 0, true},
	} {
		got, err := parseProtection(tc.in)
		if (err != nil) != tc.err || (err == nil && got != tc.want) {
			t.Errorf("parseProtection(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// The Location of a followed "next" is Werkzeug's redirect()'s: the
// target as it is, or made a URI when it has other text or whitespace.
func TestRedirectURI(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/private?x=1#top", "/private?x=1#top"},
		{"/\"<{|}>^`%zz", "/\"<{|}>^`%zz"},
		{"/a b", "/a%20b"},
		{"/café?q=é&r=a b#é", "/caf%C3%A9?q=%C3%A9&r=a%20b#%C3%A9"},
		{"/é?#", "/%C3%A9"},
		{"/é\"<>?a=\"<>", "/%C3%A9%22%3C%3E?a=%22%3C%3E"},
	} {
		if got := redirectURI(tt.in); got != tt.want {
			t.Errorf("redirectURI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// An unset SECRET_KEY gives a random key with a loud warning, a short one
// is taken with a warning; either way the session middleware accepts it.
func TestSecretKey(t *testing.T) {
	for _, tt := range []struct {
		env      string
		wantWeak bool
		wantWarn string
		wantSame bool // key == env
	}{
		{"", false, "SECRET_KEY is not set", false},
		{"short", true, "only 5 bytes long", true},
		{testKey, false, "", true},
	} {
		var log bytes.Buffer
		key, weak := secretKey(tt.env, &log)
		if weak != tt.wantWeak || (string(key) == tt.env) != tt.wantSame {
			t.Errorf("secretKey(%q) = %q, %v", tt.env, key, weak)
		}
		if tt.wantWarn == "" && log.Len() != 0 || !strings.Contains(log.String(), tt.wantWarn) {
			t.Errorf("secretKey(%q) printed %q, want %q", tt.env, log.String(), tt.wantWarn)
		}
		cfg := flasksession.DefaultConfig()
		cfg.SecretKey, cfg.AllowWeakSecretKey = key, weak
		if err := cfg.Validate(); err != nil {
			t.Errorf("secretKey(%q): config refused: %v", tt.env, err)
		}
	}
	k1, _ := secretKey("", io.Discard)
	k2, _ := secretKey("", io.Discard)
	if bytes.Equal(k1, k2) {
		t.Error("two random keys are equal")
	}
}

// A mistyped SESSION_PROTECTION, or a TOKENS_DIR that is a file, stops
// the program before it listens.
func TestRunRefusesBadSettings(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		env  map[string]string
		want string // in the error
	}{
		{map[string]string{"SESSION_PROTECTION": "stong", "TOKENS_DIR": t.TempDir()}, "stong"},
		{map[string]string{"TOKENS_DIR": file}, "TOKENS_DIR"},
	} {
		tt.env["SECRET_KEY"] = testKey
		var log strings.Builder
		err := run(context.Background(), "127.0.0.1:0", func(k string) string { return tt.env[k] }, &log)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(log.String(), "Listening") {
			t.Errorf("run with %v = %v, log %q; want an error naming %q, before listening", tt.env, err, log.String(), tt.want)
		}
	}
}

var listeningRE = regexp.MustCompile(`^Listening on (http://127\.0\.0\.1:\d+)$`)

// run says where it listens and serves the app there; when its context
// ends it stops taking connections, answers the request in flight (a
// login whose body is still on its way), and only then returns.
func TestRun(t *testing.T) {
	env := map[string]string{"SECRET_KEY": testKey, "TOKENS_DIR": t.TempDir()}
	logR, logW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() {
		served <- run(ctx, "127.0.0.1:0", func(k string) string { return env[k] }, logW)
		logW.Close()
	}()
	sc := bufio.NewScanner(logR)
	if !sc.Scan() {
		t.Fatalf("no output: %v", <-served)
	}
	m := listeningRE.FindStringSubmatch(sc.Text())
	if m == nil {
		t.Fatalf("first line %q, want Listening on http://127.0.0.1:PORT", sc.Text())
	}
	go io.Copy(io.Discard, logR)
	base := m[1]

	// The login form, its session cookie and its CSRF token.
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tok := tokenRE.FindStringSubmatch(string(body))
	if resp.StatusCode != http.StatusOK || tok == nil || len(resp.Cookies()) == 0 {
		t.Fatalf("GET /login: %d, cookies %v:\n%s", resp.StatusCode, resp.Cookies(), body)
	}
	var cookies []string
	for _, c := range resp.Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}

	// The login's headers, with Expect: 100-continue: the server says
	// "100 Continue" once the handler reads the body, so the request is in
	// flight before the context ends.
	form := url.Values{"csrf_token": {tok[1]}, "username": {"ada"}}.Encode()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Minute)) // against a hang only
	fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
		strings.TrimPrefix(base, "http://"), strings.Join(cookies, "; "), len(form))
	br := bufio.NewReader(conn)
	if line, err := br.ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 100 ") {
		t.Fatalf("after the headers: %q, %v; want 100 Continue", line, err)
	}
	for line := ""; line != "\r\n"; {
		if line, err = br.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
	}

	cancel()
	// Shutdown closes the listener first: once a new connection is refused,
	// run is shutting down with the login in flight. The deadline only
	// guards against a hang.
	for deadline := time.Now().Add(time.Minute); ; {
		c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener is still open a minute after the context ended")
		}
	}
	select {
	case err := <-served:
		t.Fatalf("run returned (%v) with a request in flight", err)
	default:
	}
	io.WriteString(conn, form)
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("the login in flight: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/" {
		t.Errorf("the login in flight: %d %q, want 302 /", resp.StatusCode, resp.Header.Get("Location"))
	}
	if err := <-served; err != nil {
		t.Errorf("run after shutdown = %v", err)
	}
}
