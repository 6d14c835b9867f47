// Package redistest starts a throwaway redis-server for tests: on a free
// loopback port, persistence off, stopped when the test ends.
//
// When redis-server is not installed the test is skipped with a reason, or
// failed when the environment sets FLASKSESSION_REQUIRE_REAL=1 (as CI does):
// see internal/realtest.
//
// Beside a single server (Start, StartArgs, StartTLS) it starts a Redis
// Cluster (StartCluster) and a Sentinel setup (StartSentinel), for tests
// of clients that follow a topology.
package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ginflask/flasksession/internal/realtest"
	"github.com/ginflask/flasksession/internal/testserver"
)

// Binary is the program Start runs, looked up in PATH.
const Binary = "redis-server"

// startTimeout bounds the wait for a fresh server to answer PING; it is
// generous because CI machines are slow and noisy.
const startTimeout = 30 * time.Second

// Server is a running redis-server.
type Server struct {
	// Addr is the server's host:port on 127.0.0.1.
	Addr string

	cmd  *exec.Cmd
	out  *testserver.Output
	done chan struct{} // closed when the process has exited
	once sync.Once
}

// Start runs a redis-server for tb and stops it in tb.Cleanup. It skips tb
// (or fails it, under FLASKSESSION_REQUIRE_REAL=1) when redis-server is
// not installed.
func Start(tb testing.TB) *Server {
	tb.Helper()
	return StartArgs(tb)
}

// StartArgs is Start with more redis-server arguments, such as
// "--replicaof", "127.0.0.1", "6379".
func StartArgs(tb testing.TB, args ...string) *Server {
	tb.Helper()
	return launch(tb, func(port int, dir string) []string {
		return append(serverArgs(port, dir), args...)
	})
}

// serverArgs are the arguments of every server: loopback only, the given
// port and directory, persistence off, in the foreground, logging to
// stdout.
func serverArgs(port int, dir string) []string {
	return []string{
		"--bind", "127.0.0.1",
		"--port", strconv.Itoa(port),
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
		"--daemonize", "no",
		"--logfile", "",
	}
}

// launch starts redis-server with the arguments argv gives for a free
// port and a fresh directory, retrying when the port was taken meanwhile,
// and stops it in tb.Cleanup.
func launch(tb testing.TB, argv func(port int, dir string) []string) *Server {
	tb.Helper()
	bin, err := exec.LookPath(Binary)
	if err != nil {
		realtest.Missing(tb, "redis-server is not installed (Debian: apt-get install redis-server)")
	}
	// A free port can be taken by someone else between our probe and the
	// server's bind; try a few.
	var lastErr error
	for range 3 {
		port, err := testserver.FreePort()
		if err != nil {
			tb.Fatalf("redistest: %v", err)
		}
		s, err := start(bin, port, argv(port, tb.TempDir()))
		if err == nil {
			tb.Cleanup(s.Stop)
			return s
		}
		lastErr = err
	}
	tb.Fatalf("redistest: %v", lastErr)
	return nil
}

func start(bin string, port int, args []string) (*Server, error) {
	s := &Server{
		Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		out:  &testserver.Output{},
		done: make(chan struct{}),
	}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Stdout = s.out
	s.cmd.Stderr = s.out
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %v", bin, err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.done)
	}()
	deadline := time.Now().Add(startTimeout)
	for {
		if err := s.Ping(); err == nil {
			return s, nil
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("redis-server on %s exited at start:\n%s", s.Addr, s.out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("redis-server on %s did not answer PING within %v:\n%s", s.Addr, startTimeout, s.out.String())
		}
	}
}

// Ping sends PING and expects PONG.
func (s *Server) Ping() error {
	c, err := net.DialTimeout("tcp", s.Addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return errors.New("unexpected reply to PING: " + strconv.Quote(line))
	}
	return nil
}

// Stop ends the server and waits for it to exit. It is safe to call more
// than once, and after Kill; Start registers it with tb.Cleanup.
func (s *Server) Stop() {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
}

// Kill ends the server at once, SIGKILL to its PID, as a crashed machine
// would (no shutdown, no goodbye to replicas or sentinels), and waits for
// it to exit.
func (s *Server) Kill() {
	s.once.Do(func() {
		_ = s.cmd.Process.Kill()
		<-s.done
	})
}
