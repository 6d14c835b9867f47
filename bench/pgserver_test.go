package bench

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ginflask/flasksession/internal/realtest"
	"github.com/ginflask/flasksession/internal/testserver"
	"github.com/jackc/pgx/v5"
)

// pgServer is a throwaway PostgreSQL 15 for BenchmarkPostgres and
// TestPostgresSubjects: internal/pgtest's start-up (a fresh directory, a
// free loopback port, trust authentication, fsync off, run as the user
// postgres when the tests run as root, stopped by PID), plus what pgtest
// has no option for: pg_stat_statements preloaded, which counts the
// statements each request costs on the server.
type pgServer struct {
	addr string // 127.0.0.1:port
	cmd  *exec.Cmd
	out  *testserver.Output
	done chan struct{}
}

// pgDatabases are the databases startPostgres makes, one a subject: each
// subject's statements are told apart in pg_stat_statements by database.
var pgDatabases = []string{"flasksession", "scs", "gincontrib"}

// startPostgres runs a server for tb and stops it in tb.Cleanup; it skips
// tb, or fails it under FLASKSESSION_REQUIRE_REAL=1, when PostgreSQL or
// its pg_stat_statements is not installed.
func startPostgres(tb testing.TB) *pgServer {
	tb.Helper()
	bin := os.Getenv("PGTEST_BINDIR")
	if bin == "" {
		bin = "/usr/lib/postgresql/15/bin"
	}
	for _, p := range []string{"initdb", "postgres"} {
		if _, err := os.Stat(filepath.Join(bin, p)); err != nil {
			realtest.Missing(tb, "PostgreSQL 15 is not installed: no %s (Debian: apt-get install postgresql-15)", filepath.Join(bin, p))
		}
	}
	// Debian's layout: bin and lib side by side.
	if lib := filepath.Join(filepath.Dir(bin), "lib", "pg_stat_statements.so"); !exists(lib) {
		realtest.Missing(tb, "PostgreSQL's pg_stat_statements is not installed: no %s", lib)
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			realtest.Missing(tb, "the tests run as root and there is no user postgres to run PostgreSQL as: %v", err)
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
	}
	// Not tb.TempDir: its parents are private to the user running the
	// tests, and the server may run as another.
	dir, err := os.MkdirTemp("", "bench-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			tb.Fatal(err)
		}
	}
	command := func(prog string, args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(bin, prog), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		if cred != nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
			cmd.Env = append(cmd.Env, "HOME="+dir, "USER=postgres")
		}
		return cmd
	}
	data := filepath.Join(dir, "data")
	if out, err := command("initdb", "-D", data, "-U", "postgres", "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions").CombinedOutput(); err != nil {
		tb.Fatalf("initdb: %v\n%s", err, out)
	}

	port, err := testserver.FreePort()
	if err != nil {
		tb.Fatal(err)
	}
	s := &pgServer{addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), out: &testserver.Output{}, done: make(chan struct{})}
	s.cmd = command("postgres", "-D", data, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+dir,
		"-c", "max_connections=200",
		"-c", "shared_buffers=64MB",
		"-c", "logging_collector=off",
		"-c", "log_min_messages=warning",
		// As pgtest: no fsync, so a commit costs what the store does,
		// not this machine's disk.
		"-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off",
		"-c", "shared_preload_libraries=pg_stat_statements",
		"-c", "pg_stat_statements.track=top",
		"-c", "pg_stat_statements.max=10000",
	)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("starting postgres: %v", err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.done)
	}()
	tb.Cleanup(s.stop)
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := s.ping()
		if err == nil {
			break
		}
		select {
		case <-s.done:
			tb.Fatalf("postgres on %s exited at start:\n%s", s.addr, s.out)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			tb.Fatalf("postgres on %s did not accept connections within a minute (%v):\n%s", s.addr, err, s.out)
		}
	}
	s.exec(tb, "CREATE EXTENSION pg_stat_statements")
	for _, db := range pgDatabases {
		s.exec(tb, "CREATE DATABASE "+db)
	}
	return s
}

// stop shuts the server down (SIGINT to its PID: fast shutdown) and waits
// for it; SIGKILL after 30 s.
func (s *pgServer) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// url is database db on the server at addr (the server's, or a proxy's).
func pgURL(addr, db string) string {
	return "postgres://postgres@" + addr + "/" + db + "?sslmode=disable&connect_timeout=5"
}

func (s *pgServer) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, pgURL(s.addr, "postgres"))
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	return c.Ping(ctx)
}

// exec runs sql on the database postgres.
func (s *pgServer) exec(tb testing.TB, sql string) {
	tb.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, pgURL(s.addr, "postgres"))
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// statements counts the statements the server has run for one database,
// from pg_stat_statements, on a connection to another database (so the
// counting is not counted).
type statements struct {
	c  *pgx.Conn
	db string
}

func newStatements(tb testing.TB, s *pgServer, db string) *statements {
	tb.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, pgURL(s.addr, "postgres"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close(context.Background()) })
	return &statements{c: c, db: db}
}

// byQuery is the calls of each normalized statement text.
type byQuery map[string]int64

func (b byQuery) total() int64 {
	var n int64
	for _, v := range b {
		n += v
	}
	return n
}

// minus is what b has more than before, leaving out the unchanged.
func (b byQuery) minus(before byQuery) byQuery {
	d := byQuery{}
	for q, n := range b {
		if n -= before[q]; n != 0 {
			d[q] = n
		}
	}
	return d
}

// read returns the calls of each statement and the time the server
// spent executing them all, in milliseconds.
func (k *statements) read(tb testing.TB) (byQuery, float64) {
	tb.Helper()
	rows, err := k.c.Query(context.Background(),
		`SELECT s.query, sum(s.calls)::bigint, sum(s.total_exec_time)::float8
		FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
		WHERE d.datname = $1 GROUP BY s.query`, k.db)
	if err != nil {
		tb.Fatalf("reading pg_stat_statements: %v", err)
	}
	b := byQuery{}
	var total float64
	for rows.Next() {
		var q string
		var n int64
		var ms float64
		if err := rows.Scan(&q, &n, &ms); err != nil {
			tb.Fatal(err)
		}
		b[q] += n
		total += ms
	}
	if err := rows.Err(); err != nil {
		tb.Fatalf("reading pg_stat_statements: %v", err)
	}
	return b, total
}

// wireCounter is a TCP proxy in front of the server that counts the
// round trips of the clients that connect through it: the server's
// ReadyForQuery messages, one for each simple Query or Sync a client
// sends and then waits for.
type wireCounter struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	ready  int64
	conns  sync.WaitGroup
}

func newWireCounter(tb testing.TB, target string) *wireCounter {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	w := &wireCounter{l: l, target: target}
	go w.serve()
	tb.Cleanup(func() {
		l.Close()
		w.conns.Wait()
	})
	return w
}

func (w *wireCounter) addr() string { return w.l.Addr().String() }

func (w *wireCounter) roundTrips() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ready
}

func (w *wireCounter) serve() {
	for {
		client, err := w.l.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", w.target)
		if err != nil {
			client.Close()
			continue
		}
		w.conns.Add(2)
		go func() {
			defer w.conns.Done()
			copyAndClose(server, client, nil)
		}()
		go func() {
			defer w.conns.Done()
			copyAndClose(client, server, w.count)
		}()
	}
}

// copyAndClose copies src to dst, showing each chunk to see, and closes
// both at the end.
func copyAndClose(dst, src net.Conn, see func(*msgScanner, []byte)) {
	defer dst.Close()
	defer src.Close()
	var sc msgScanner
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if see != nil {
				see(&sc, buf[:n])
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (w *wireCounter) count(sc *msgScanner, chunk []byte) {
	n := sc.feed(chunk)
	w.mu.Lock()
	w.ready += n
	w.mu.Unlock()
}

// msgScanner follows the server's side of the protocol (every message a
// type byte and a length, from the first; the clients here ask for no
// SSL) and counts ReadyForQuery ('Z') messages.
type msgScanner struct {
	hdr  [5]byte
	hn   int   // bytes of hdr read
	left int64 // bytes of the current message's body still to skip
}

func (m *msgScanner) feed(b []byte) (ready int64) {
	for len(b) > 0 {
		if m.left > 0 {
			k := min(int64(len(b)), m.left)
			b, m.left = b[k:], m.left-k
			continue
		}
		k := copy(m.hdr[m.hn:], b)
		b, m.hn = b[k:], m.hn+k
		if m.hn < 5 {
			return ready
		}
		m.hn = 0
		if m.hdr[0] == 'Z' {
			ready++
		}
		m.left = int64(m.hdr[1])<<24 | int64(m.hdr[2])<<16 | int64(m.hdr[3])<<8 | int64(m.hdr[4]) - 4
		if m.left < 0 {
			panic(fmt.Sprintf("bad message length in %q", m.hdr[:]))
		}
	}
	return ready
}
