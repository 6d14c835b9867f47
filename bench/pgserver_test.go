package bench

import (
	"context"
	"fmt"
	"net"
	"os"
	"sync"
	"testing"

	"github.com/ginflask/flasksession/internal/pgtest"
	"github.com/ginflask/flasksession/internal/realtest"
	"github.com/jackc/pgx/v5"
)

// pgDatabases are the databases startPostgres makes, one a subject: each
// subject's statements are told apart in pg_stat_statements by database.
var pgDatabases = []string{"flasksession", "scs", "gincontrib"}

// startPostgres runs a throwaway PostgreSQL 15 (internal/pgtest) with
// pg_stat_statements preloaded, which counts the statements each request
// costs on the server, and a database per subject. It skips tb, or fails
// it under FLASKSESSION_REQUIRE_REAL=1, when PostgreSQL or its
// pg_stat_statements is not installed.
func startPostgres(tb testing.TB) *pgtest.Server {
	tb.Helper()
	// Debian's layout: the server's lib directory beside its bin.
	if lib := "/usr/lib/postgresql/15/lib/pg_stat_statements.so"; os.Getenv("PGTEST_BINDIR") == "" && !exists(lib) {
		realtest.Missing(tb, "PostgreSQL's pg_stat_statements is not installed: no %s (Debian: apt-get install postgresql-15)", lib)
	}
	s := pgtest.StartOpts(tb, pgtest.Options{Settings: []string{
		"shared_preload_libraries=pg_stat_statements",
		"pg_stat_statements.track=top",
		"pg_stat_statements.max=10000",
	}})
	s.Exec(tb, "CREATE EXTENSION pg_stat_statements")
	for _, db := range pgDatabases {
		s.Exec(tb, "CREATE DATABASE "+db)
	}
	return s
}

// pgURL is database db on the server at addr (the server's, or a proxy's).
func pgURL(addr, db string) string {
	return "postgres://postgres@" + addr + "/" + db + "?sslmode=disable&connect_timeout=5"
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

func newStatements(tb testing.TB, s *pgtest.Server, db string) *statements {
	tb.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, s.URL("postgres"))
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
