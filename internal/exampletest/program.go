// Package exampletest holds the test helpers of the example programs:
// build the program once (Main), run it on a free loopback port (Start),
// serve its Flask twin, flask_app.py (StartFlask), and drive headless
// Chromium at it (NewBrowser). A missing outside program skips the test,
// or fails it under FLASKSESSION_REQUIRE_REAL=1 (see internal/realtest).
//
// An example's tests start with
//
//	var program exampletest.Program
//
//	func TestMain(m *testing.M) { exampletest.Main(m, &program) }
//
//	func TestSomething(t *testing.T) {
//		base, _ := exampletest.Start(t, program, "SECRET_KEY="+testKey)
//		...
//	}
package exampletest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// Program is the path of a built example program.
type Program string

// Main builds the Go program of the package under test (the working
// directory) into *prog, runs the tests and exits with their status; it
// is the whole of an example's TestMain. A failed build exits with 1.
func Main(m *testing.M, prog *Program) {
	os.Exit(run(m, prog))
}

func run(m *testing.M, prog *Program) int {
	dir, err := os.MkdirTemp("", "flasksession-example-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if *prog, err = build(".", dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// build builds the Go program in pkgDir into outDir, named as its
// directory is.
func build(pkgDir, outDir string) (Program, error) {
	abs, err := filepath.Abs(pkgDir)
	if err != nil {
		return "", err
	}
	name := filepath.Base(abs)
	out := filepath.Join(outDir, name)
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = pkgDir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building %s: %v", name, err)
	}
	return Program(out), nil
}

var listening = regexp.MustCompile(`^Listening on (http://\S+)$`)

// Start runs prog on a free port of 127.0.0.1 until the test ends (then
// SIGTERM), in gin's release mode, with env ("KEY=value") added to PATH
// alone. It returns once the program prints "Listening on URL": the URL,
// and a function that returns what the program printed on stderr so far.
// What it printed is logged when the test fails.
func Start(t testing.TB, prog Program, env ...string) (baseURL string, output func() string) {
	t.Helper()
	cmd := exec.Command(string(prog), "-addr", "127.0.0.1:0")
	cmd.Env = append([]string{"GIN_MODE=release", "PATH=" + os.Getenv("PATH")}, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log safeBuffer
	urls := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			log.WriteString(line + "\n")
			if m := listening.FindStringSubmatch(line); m != nil {
				urls <- m[1]
			}
		}
		close(urls)
	}()
	name := filepath.Base(string(prog))
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		<-done
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, log.String())
		}
	})
	u, ok := <-urls
	if !ok {
		t.Fatalf("%s exited without listening:\n%s", name, log.String())
	}
	return u, log.String
}

// safeBuffer collects a process's output from its reader goroutine.
type safeBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *safeBuffer) WriteString(str string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.WriteString(str)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
