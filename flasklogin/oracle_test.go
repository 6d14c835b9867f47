package flasklogin

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/ginflask/flasksession/internal/realtest"
)

// debianPython is the interpreter with Flask-Login 0.6.2 (Debian's
// python3-flask-login, beside Flask 2.2 and Werkzeug 2.2).
const debianPython = "/usr/bin/python3"

// askFlaskLogin runs testdata/oracle.py under Debian's Python with the
// cases and decodes its answers into out. It skips (or fails, under
// FLASKSESSION_REQUIRE_REAL=1) when Flask-Login is not installed.
func askFlaskLogin(t *testing.T, cases []map[string]any, out any) {
	t.Helper()
	if err := exec.Command(debianPython, "-c", "import flask_login").Run(); err != nil {
		realtest.Missing(t, "Flask-Login is not importable under %s (Debian: apt-get install python3-flask-login): %v", debianPython, err)
		return
	}
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(debianPython, "testdata/oracle.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle.py: %v\n%s", err, stderr.String())
	}
	if err := json.Unmarshal(res, out); err != nil {
		t.Fatalf("oracle.py answered %q: %v", res, err)
	}
}

// latin1 is raw bytes as the Latin-1 text WSGI carries them in.
func latin1(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

// fromLatin1 is the reverse of latin1.
func fromLatin1(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return string(b)
}

// rawRequest is what Go's server makes of a request for target on host,
// with the given peer address and headers; ok is false if Go refuses it.
func rawRequest(target, host, addr string, headers [][2]string) (*http.Request, bool) {
	var b strings.Builder
	b.WriteString("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n")
	for _, h := range headers {
		b.WriteString(h[0] + ": " + h[1] + "\r\n")
	}
	b.WriteString("\r\n")
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(b.String())))
	if err != nil {
		return nil, false
	}
	if addr != "" {
		r.RemoteAddr = addr + ":50000"
		if strings.Contains(addr, ":") {
			r.RemoteAddr = "[" + addr + "]:50000"
		}
	}
	return r, true
}
