package bench

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The root module's internal/redistest and internal/realtest, which this
// module cannot import, cut to what BenchmarkRedis needs: one throwaway
// redis-server on a free loopback port, persistence off, stopped by PID
// when the test ends.

// requireReal is the root module's rule: under FLASKSESSION_REQUIRE_REAL=1
// (as CI sets) a missing outside program fails the test instead of
// skipping it.
const requireReal = "FLASKSESSION_REQUIRE_REAL"

func missing(tb testing.TB, why string) {
	tb.Helper()
	if os.Getenv(requireReal) == "1" {
		tb.Fatalf("%s (%s=1)", why, requireReal)
	}
	tb.Skipf("%s; install it, or set %s=1 to make this a failure", why, requireReal)
}

// redisStartTimeout bounds the wait for the server's first PONG; generous
// for slow, shared CI machines.
const redisStartTimeout = 30 * time.Second

// startRedis runs a redis-server for tb and returns its address; it is
// stopped in tb.Cleanup.
func startRedis(tb testing.TB) string {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		missing(tb, "redis-server is not installed (Debian: apt-get install redis-server)")
	}
	// The free port can be taken between the probe and the server's bind:
	// try a few.
	var lastErr error
	for range 3 {
		addr, err := freeLoopbackAddr()
		if err != nil {
			tb.Fatal(err)
		}
		if lastErr = launchRedis(tb, bin, addr); lastErr == nil {
			return addr
		}
	}
	tb.Fatalf("bench: %v", lastErr)
	return ""
}

func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// launchRedis starts redis-server on addr and waits for its PONG; once it
// answers, tb.Cleanup stops it.
func launchRedis(tb testing.TB, bin, addr string) error {
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin,
		"--bind", "127.0.0.1", "--port", port,
		"--save", "", "--appendonly", "no", "--dir", tb.TempDir(),
		"--daemonize", "no", "--logfile", "")
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	deadline := time.Now().Add(redisStartTimeout)
	for ping(addr) != nil {
		select {
		case <-done:
			return errors.New("redis-server on " + addr + " exited at start:\n" + out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return errors.New("redis-server on " + addr + " did not answer PING within " +
				redisStartTimeout.String() + ":\n" + out.String())
		}
	}
	tb.Cleanup(stop)
	return nil
}

// ping sends PING and expects PONG.
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
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
		return errors.New("PING answered " + strconv.Quote(line))
	}
	return nil
}

// syncBuffer collects the server's output for error messages.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
