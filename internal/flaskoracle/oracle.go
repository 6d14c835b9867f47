// Package flaskoracle runs real Flask for the tests of this module.
//
// Start launches oracle.py (embedded) under a Python with Flask and talks to
// it in JSON lines: Flask mints and loads session cookies with a frozen
// clock, through its own SecureCookieSessionInterface serializer inside an
// app context, exactly as it would for a request. StartApp serves a whole
// Flask app on a local port for HTTP cross-checks. Vectors reads the
// known-answer vectors of testdata/vectors.json, which real Flask minted
// (see testdata/gen_vectors.py).
//
// Values cross the process boundary in a typed form (see ToTyped) so tests
// can compare Go and Python values with exact types (Diff).
//
// When a Python or Flask is missing, or its Flask is not the release the
// Python claims, Start and StartApp skip the test, or fail it when the
// environment sets FLASKSESSION_REQUIRE_REAL=1.
package flaskoracle

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ginflask/flasksession/internal/realtest"
)

//go:embed oracle.py
var oracleSource string

// Python is an interpreter that should have a given Flask release.
type Python struct {
	// Name labels subtests, e.g. "flask3.1".
	Name string
	// Path is the interpreter: a file path, or a command looked up in PATH.
	Path string
	// Flask is the Flask release the interpreter must have: "3.1" accepts
	// 3.1 and every 3.1.x. Empty accepts any version.
	Flask string
}

// Debian is Debian 12's Flask 2.2 under /usr/bin/python3, beside which
// Debian's Flask extensions (Flask-Login, Flask-WTF, Flask-Session,
// Flask-JWT-Extended) are installed.
var Debian = Python{Name: "flask2.2", Path: "/usr/bin/python3", Flask: "2.2"}

// Pythons returns the two Flask witnesses of this project: Flask 3.1 under
// `python3` from PATH (pyenv on the dev machine) and Debian's Flask 2.2
// under /usr/bin/python3. Start, StartApp and Require check each one's
// Flask version.
func Pythons() []Python {
	return []Python{{Name: "flask3.1", Path: "python3", Flask: "3.1"}, Debian}
}

// checkFlask reports whether version (such as "3.1.3") is py's release.
func (py Python) checkFlask(version string) error {
	if py.Flask == "" || version == py.Flask || strings.HasPrefix(version, py.Flask+".") {
		return nil
	}
	return fmt.Errorf("flaskoracle: %s (%s) has Flask %s, not %s.x", py.Name, py.Path, version, py.Flask)
}

// Interpreter is a Python checked by Require.
type Interpreter struct {
	// Path is the interpreter's absolute path.
	Path string
	// Flask is its Flask version, such as "3.1.3".
	Flask string
}

var (
	checkedMu sync.Mutex
	checked   = map[Python]checkResult{}
)

type checkResult struct {
	in      Interpreter
	missing string // why py cannot serve; "" when it can
}

// Require returns py's interpreter after checking that it runs, imports
// Flask and has the Flask release py names. Otherwise it skips tb with the
// reason, or fails it under FLASKSESSION_REQUIRE_REAL=1. Each Python is
// checked once per test binary.
func Require(tb testing.TB, py Python) Interpreter {
	tb.Helper()
	checkedMu.Lock()
	r, ok := checked[py]
	if !ok {
		r = check(py)
		checked[py] = r
	}
	checkedMu.Unlock()
	if r.missing != "" {
		realtest.Missing(tb, "%s", r.missing)
	}
	return r.in
}

func check(py Python) checkResult {
	path, err := exec.LookPath(py.Path)
	if err != nil {
		return checkResult{missing: fmt.Sprintf("flaskoracle: no %s interpreter (%s): %v", py.Name, py.Path, err)}
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	out, err := exec.Command(path, "-c", "import flask, importlib.metadata as m; print(m.version('flask'))").CombinedOutput()
	if err != nil {
		return checkResult{missing: fmt.Sprintf("flaskoracle: Flask is not importable under %s (%s): %v: %s", py.Name, path, err, strings.TrimSpace(string(out)))}
	}
	version := strings.TrimSpace(string(out))
	if err := py.checkFlask(version); err != nil {
		return checkResult{missing: err.Error()}
	}
	return checkResult{in: Interpreter{Path: path, Flask: version}}
}

// Versions describes the Python side of an Oracle.
type Versions struct {
	Python       string `json:"python"`
	Executable   string `json:"executable"`
	Flask        string `json:"flask"`
	ItsDangerous string `json:"itsdangerous"`
	Werkzeug     string `json:"werkzeug"`
	// NativeFallbacks is false for Flask < 3.1, which has no
	// SECRET_KEY_FALLBACKS; the oracle then builds the key list itself the
	// way Flask 3.1.1+ does (itsdangerous supports key lists).
	NativeFallbacks bool `json:"native_fallbacks"`
}

// Oracle is a running oracle.py process. Its methods are safe for
// concurrent use; requests are served one at a time.
type Oracle struct {
	// Python is the interpreter it runs under.
	Python Python
	// Versions are those reported by the process.
	Versions Versions

	mu     sync.Mutex
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan []byte
	stderr *tailBuffer
	dead   error
}

// requestTimeout guards against a hung Python; it is not a timing assertion.
const requestTimeout = 60 * time.Second

// Start runs the oracle under py until the test ends. It skips the test
// (or fails it, under FLASKSESSION_REQUIRE_REAL=1) when py or Flask is
// missing or has the wrong Flask version (see Require).
func Start(tb testing.TB, py Python) *Oracle {
	tb.Helper()
	path := Require(tb, py).Path
	cmd := exec.Command(path, "-c", oracleSource)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatalf("flaskoracle: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatalf("flaskoracle: %v", err)
	}
	o := &Oracle{Python: py, cmd: cmd, stdin: stdin, lines: make(chan []byte, 1), stderr: &tailBuffer{max: 16 << 10}}
	cmd.Stderr = o.stderr
	if err := cmd.Start(); err != nil {
		tb.Fatalf("flaskoracle: cannot run %s (%s): %v", py.Name, path, err)
	}
	go func() {
		r := bufio.NewReaderSize(stdout, 1<<16)
		for {
			line, err := r.ReadBytes('\n')
			if len(line) > 0 {
				o.lines <- line
			}
			if err != nil {
				close(o.lines)
				return
			}
		}
	}()
	tb.Cleanup(o.stop)

	hello, err := o.read()
	if err != nil {
		tb.Fatalf("flaskoracle: %s did not start: %v", py.Name, err)
	}
	var h struct {
		OK      bool   `json:"ok"`
		Error   string `json:"error"`
		Message string `json:"message"`
		Versions
	}
	if err := json.Unmarshal(hello, &h); err != nil {
		tb.Fatalf("flaskoracle: %s: bad hello %q: %v", py.Name, hello, err)
	}
	if !h.OK {
		tb.Fatalf("flaskoracle: %s: %s: %s", py.Name, h.Error, h.Message)
	}
	if err := py.checkFlask(h.Flask); err != nil {
		tb.Fatal(err) // Require passed, so the interpreter changed
	}
	o.Versions = h.Versions
	return o
}

func (o *Oracle) stop() {
	o.stdin.Close() // oracle.py exits at EOF
	done := make(chan struct{})
	go func() {
		o.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		o.cmd.Process.Kill()
		<-done
	}
}

func (o *Oracle) read() ([]byte, error) {
	select {
	case line, ok := <-o.lines:
		if !ok {
			return nil, fmt.Errorf("flaskoracle: python exited; stderr:\n%s", o.stderr)
		}
		return line, nil
	case <-time.After(requestTimeout):
		return nil, fmt.Errorf("flaskoracle: no answer from python in %v; stderr:\n%s", requestTimeout, o.stderr)
	}
}

// Error is an exception raised on the Python side.
type Error struct {
	// Exception is the Python exception class, e.g. "BadTimeSignature",
	// "SignatureExpired", "BadPayload", or "TypeError" for a payload that
	// is not a JSON object.
	Exception string `json:"error"`
	// Bases are the class names along the exception's MRO.
	Bases []string `json:"bases"`
	// Kind classifies it as a cookie codec would: "bad_signature",
	// "expired", "bad_payload", or "error" for anything else.
	Kind string `json:"kind"`
	// Message is str(exception).
	Message string `json:"message"`
	// Traceback is set for Kind "error".
	Traceback string `json:"traceback"`
}

func (e *Error) Error() string {
	s := "flaskoracle: Flask raised " + e.Exception + ": " + e.Message
	if e.Traceback != "" {
		s += "\n" + e.Traceback
	}
	return s
}

// Outcome classifies the error of Load like the vectors' "expect" field:
// "ok" for nil, the Kind of an *Error, or "error".
func Outcome(err error) string {
	if err == nil {
		return "ok"
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return "error"
}

// call sends one request and decodes the answer into out.
func (o *Oracle) call(req map[string]any, out any) error {
	data, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("flaskoracle: %w", err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.dead != nil {
		return o.dead
	}
	if _, err := o.stdin.Write(append(data, '\n')); err != nil {
		o.dead = fmt.Errorf("flaskoracle: write to python: %v; stderr:\n%s", err, o.stderr)
		return o.dead
	}
	line, err := o.read()
	if err != nil {
		o.dead = err
		return err
	}
	var status struct {
		OK bool `json:"ok"`
	}
	if err := json.Unmarshal(line, &status); err != nil {
		return fmt.Errorf("flaskoracle: bad answer %q: %v", line, err)
	}
	if !status.OK {
		e := new(Error)
		if err := json.Unmarshal(line, e); err != nil {
			return fmt.Errorf("flaskoracle: bad answer %q: %v", line, err)
		}
		return e
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	return dec.Decode(out)
}

func b64keys(keys [][]byte) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = base64.StdEncoding.EncodeToString(k)
	}
	return out
}

// Mint has Flask write the session cookie for session, signed with key at
// now (whole seconds), with fallbacks (oldest first) configured as
// SECRET_KEY_FALLBACKS, which do not change the result.
func (o *Oracle) Mint(session map[string]any, key []byte, fallbacks [][]byte, now time.Time) (string, error) {
	if session == nil {
		session = map[string]any{}
	}
	var resp struct {
		Cookie string `json:"cookie"`
	}
	err := o.call(map[string]any{
		"op": "mint", "session": ToTyped(session), "key": base64.StdEncoding.EncodeToString(key),
		"fallbacks": b64keys(fallbacks), "now": now.Unix(),
	}, &resp)
	return resp.Cookie, err
}

// Load has Flask load cookie as its open_session does at time now with
// PERMANENT_SESSION_LIFETIME maxAge (whole seconds; negative: no age
// check), except that errors come back as *Error instead of an empty
// session.
func (o *Oracle) Load(cookie string, key []byte, fallbacks [][]byte, now time.Time, maxAge time.Duration) (map[string]any, error) {
	var ma any
	if maxAge >= 0 {
		ma = int64(maxAge / time.Second)
	}
	var resp struct {
		Session any `json:"session"`
	}
	err := o.call(map[string]any{
		"op": "load", "cookie": cookie, "key": base64.StdEncoding.EncodeToString(key),
		"fallbacks": b64keys(fallbacks), "now": now.Unix(), "max_age": ma,
	}, &resp)
	if err != nil {
		return nil, err
	}
	return FromTypedSession(resp.Session)
}

// Dumps returns Flask's tagged JSON text for v (session_json_serializer
// inside an app context: sorted keys, ASCII only).
func (o *Oracle) Dumps(v any) (string, error) {
	var resp struct {
		Text string `json:"text"`
	}
	err := o.call(map[string]any{"op": "dumps", "value": ToTyped(v)}, &resp)
	return resp.Text, err
}

// Loads parses tagged JSON text with Flask's session_json_serializer.
func (o *Oracle) Loads(text string) (any, error) {
	var resp struct {
		Value any `json:"value"`
	}
	if err := o.call(map[string]any{"op": "loads", "text": text}, &resp); err != nil {
		return nil, err
	}
	return FromTyped(resp.Value)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = append(b.buf[:0], b.buf[len(b.buf)-b.max:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(string(b.buf))
}
