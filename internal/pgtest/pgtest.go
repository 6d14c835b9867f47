// Package pgtest starts throwaway PostgreSQL servers for tests: Debian's
// PostgreSQL 15 (BinDir), in a fresh directory, on a free loopback port,
// trust authentication, stopped by PID when the test ends. It also starts
// a streaming replica (StartReplica), turns on synchronous replication,
// promotes a replica and kills a server, for failover tests.
//
// PostgreSQL refuses to run as root: when the tests do, initdb, postgres
// and pg_basebackup run as the user "postgres" (Debian's package creates
// it), in a directory that user owns.
//
// When the binaries are missing the test is skipped with a reason, or
// failed when the environment sets FLASKSESSION_REQUIRE_REAL=1 (as CI
// does): see internal/realtest.
package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ginflask/flasksession/internal/realtest"
	"github.com/ginflask/flasksession/internal/testserver"
	"github.com/jackc/pgx/v5"
)

// BinDir holds initdb, postgres and pg_basebackup; the environment
// variable PGTEST_BINDIR overrides it.
const BinDir = "/usr/lib/postgresql/15/bin"

// startTimeout bounds the wait for a fresh server to accept connections;
// generous because CI machines are slow and noisy.
const startTimeout = 60 * time.Second

// Options are the settings of a server Start runs.
type Options struct {
	// Durable keeps fsync and full_page_writes on, for tests where a
	// crash must lose nothing that was committed. Off (the default) is
	// faster, and a killed process still loses nothing the OS has.
	Durable bool
	// Settings are more server settings, "name=value" as postgres -c
	// takes them ("shared_preload_libraries=pg_stat_statements").
	Settings []string
}

// Server is a running PostgreSQL server.
type Server struct {
	// Host and Port are where it listens: 127.0.0.1 only.
	Host string
	Port int
	// Dir is the server's directory: its data directory is Dir/data, its
	// Unix socket is in Dir.
	Dir string

	cred     *syscall.Credential // nil when the tests do not run as root
	bin      string
	cmd      *exec.Cmd
	out      *testserver.Output
	done     chan struct{} // closed when the postmaster has exited
	once     sync.Once
	durable  bool
	settings []string // Options.Settings
}

// Start runs a PostgreSQL server for tb and stops it in tb.Cleanup. It
// skips tb (or fails it, under FLASKSESSION_REQUIRE_REAL=1) when
// PostgreSQL is not installed.
func Start(tb testing.TB) *Server {
	tb.Helper()
	return StartOpts(tb, Options{})
}

// StartOpts is Start with options.
func StartOpts(tb testing.TB, o Options) *Server {
	tb.Helper()
	s := prepare(tb, o)
	s.run(tb, "initdb", "-D", s.data(), "-U", "postgres", "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions")
	s.launch(tb)
	return s
}

// StartReplica runs a streaming replica of primary, made with
// pg_basebackup -R, and stops it in tb.Cleanup. It is a hot standby
// (read-only) until Promote. Replication is asynchronous until
// primary.SyncReplication.
func StartReplica(tb testing.TB, primary *Server) *Server {
	tb.Helper()
	s := prepare(tb, Options{Durable: primary.durable, Settings: primary.settings})
	s.run(tb, "pg_basebackup", "-h", primary.Host, "-p", strconv.Itoa(primary.Port), "-U", "postgres",
		"-D", s.data(), "-R", "-X", "stream", "--no-sync", "-c", "fast")
	s.launch(tb)
	return s
}

// prepare finds the binaries and makes the server's directory, owned by
// the user the server runs as and removed in tb.Cleanup.
func prepare(tb testing.TB, o Options) *Server {
	tb.Helper()
	bin := os.Getenv("PGTEST_BINDIR")
	if bin == "" {
		bin = BinDir
	}
	for _, p := range []string{"initdb", "postgres", "pg_basebackup"} {
		if _, err := os.Stat(filepath.Join(bin, p)); err != nil {
			realtest.Missing(tb, "PostgreSQL 15 is not installed: no %s (Debian: apt-get install postgresql-15)", filepath.Join(bin, p))
		}
	}
	s := &Server{Host: "127.0.0.1", bin: bin, durable: o.Durable, settings: o.Settings}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			realtest.Missing(tb, "the tests run as root and there is no user postgres to run PostgreSQL as: %v", err)
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
	}
	// Not tb.TempDir: its parents are private to the user running the
	// tests, and the server may run as another.
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			tb.Logf("pgtest: removing %s: %v", dir, err)
		}
	})
	if s.cred != nil {
		if err := os.Chown(dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			tb.Fatalf("pgtest: %v", err)
		}
	}
	s.Dir = dir
	return s
}

func (s *Server) data() string { return filepath.Join(s.Dir, "data") }

// command is one of the PostgreSQL programs, run as the server's user.
func (s *Server) command(prog string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, prog), args...)
	cmd.Dir = s.Dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "PGAPPNAME=pgtest")
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
		cmd.Env = append(cmd.Env, "HOME="+s.Dir, "USER=postgres")
	}
	return cmd
}

// run runs a program to its end, failing tb with its output if it fails.
func (s *Server) run(tb testing.TB, prog string, args ...string) {
	tb.Helper()
	out, err := s.command(prog, args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("pgtest: %s: %v\n%s", prog, err, out)
	}
}

// launch starts the postmaster on a free port, retrying when the port
// was taken meanwhile, and registers Stop with tb.Cleanup.
func (s *Server) launch(tb testing.TB) {
	tb.Helper()
	var lastErr error
	for range 3 {
		port, err := testserver.FreePort()
		if err != nil {
			tb.Fatalf("pgtest: %v", err)
		}
		s.Port = port
		if lastErr = s.start(); lastErr == nil {
			tb.Cleanup(s.Stop)
			return
		}
	}
	tb.Fatalf("pgtest: %v", lastErr)
}

func (s *Server) start() error {
	args := []string{
		"-D", s.data(),
		"-p", strconv.Itoa(s.Port),
		"-c", "listen_addresses=" + s.Host,
		"-c", "unix_socket_directories=" + s.Dir,
		"-c", "max_connections=200",
		"-c", "shared_buffers=32MB",
		"-c", "logging_collector=off",
		"-c", "log_min_messages=warning",
	}
	if !s.durable {
		args = append(args, "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off")
	}
	for _, kv := range s.settings {
		args = append(args, "-c", kv)
	}
	s.out = &testserver.Output{}
	s.done = make(chan struct{})
	s.once = sync.Once{}
	s.cmd = s.command("postgres", args...)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("starting postgres: %v", err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.done)
	}()
	deadline := time.Now().Add(startTimeout)
	for {
		if err := s.ping(); err == nil {
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("postgres on port %d exited at start:\n%s", s.Port, s.out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return fmt.Errorf("postgres on port %d did not accept connections within %v:\n%s", s.Port, startTimeout, s.out.String())
		}
	}
}

// ping connects and runs a query.
func (s *Server) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	return c.Ping(ctx)
}

// URL is a connection URL for database db on the server, as user
// postgres (trust: no password).
func (s *Server) URL(db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Host:     net.JoinHostPort(s.Host, strconv.Itoa(s.Port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable&connect_timeout=5",
	}
	return u.String()
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Exec runs statements on database "postgres", failing tb on an error.
func (s *Server) Exec(tb testing.TB, sql string, args ...any) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql, args...); err != nil {
		tb.Fatalf("pgtest: %s: %v", sql, err)
	}
}

// CreateDB creates a fresh database and returns its URL. A server can
// hold many: tests sharing one server get one each.
func (s *Server) CreateDB(tb testing.TB) string {
	tb.Helper()
	name := "t_" + strings.ToLower(rand.Text())
	s.Exec(tb, "CREATE DATABASE "+name)
	return s.URL(name)
}

// SyncReplication makes commits on s wait until a standby has flushed
// them (synchronous_standby_names = '*', synchronous_commit on), and
// waits until a standby streams synchronously. Call it after
// StartReplica: a replica copies the setting, and once promoted would
// wait for a standby of its own forever.
func (s *Server) SyncReplication(tb testing.TB) {
	tb.Helper()
	s.Exec(tb, "ALTER SYSTEM SET synchronous_standby_names = '*'")
	s.Exec(tb, "ALTER SYSTEM SET synchronous_commit = 'on'")
	s.Exec(tb, "SELECT pg_reload_conf()")
	s.waitFor(tb, "a synchronous standby", "SELECT count(*) > 0 FROM pg_stat_replication WHERE sync_state = 'sync'")
}

// Promote ends recovery on a replica (pg_promote) and waits until it
// takes writes.
func (s *Server) Promote(tb testing.TB) {
	tb.Helper()
	s.Exec(tb, "SELECT pg_promote(true, 60)")
	s.waitFor(tb, "the end of recovery", "SELECT NOT pg_is_in_recovery()")
}

// waitFor polls a query returning one boolean until it is true.
func (s *Server) waitFor(tb testing.TB, what, query string) {
	tb.Helper()
	deadline := time.Now().Add(startTimeout)
	for {
		ok, err := s.queryBool(query)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("pgtest: no %s on port %d within %v (last error: %v)", what, s.Port, startTimeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *Server) queryBool(query string) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return false, err
	}
	defer c.Close(ctx)
	var ok bool
	err = c.QueryRow(ctx, query).Scan(&ok)
	return ok, err
}

// Stop shuts the server down (SIGINT: fast shutdown, sessions ended) and
// waits for the postmaster to exit; SIGKILL after 30 s. It is safe to call
// more than once, and after Kill; Start registers it with tb.Cleanup.
func (s *Server) Stop() {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			s.kill()
		}
	})
}

// Kill ends the server at once, SIGKILL to the postmaster's PID, as a
// crashed machine would: no shutdown checkpoint, no goodbye to replicas or
// clients. It waits for the postmaster and the backends it had started to
// exit (they notice their parent's death by themselves).
func (s *Server) Kill() {
	s.once.Do(s.kill)
}

func (s *Server) kill() {
	children := childPIDs(s.cmd.Process.Pid)
	_ = s.cmd.Process.Kill()
	<-s.done
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range children {
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if alive(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// Log is what the server has written to its stderr.
func (s *Server) Log() string { return s.out.String() }

// childPIDs lists the processes whose parent is pid, from /proc.
func childPIDs(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after ')'.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			pids = append(pids, child)
		}
	}
	return pids
}

// alive reports whether pid runs and is not a zombie.
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && len(stat) > i+2 && stat[i+2] != 'Z'
}
