package pgtest_test

import (
	"context"
	"testing"

	"github.com/ginflask/flasksession/internal/pgtest"
	"github.com/jackc/pgx/v5"
)

func query(t *testing.T, url, sql string) int {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var n int
	if err := c.QueryRow(ctx, sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// A server, a database of its own, a synchronous replica that has every
// committed row, promotion, and a killed primary.
func TestPrimaryReplica(t *testing.T) {
	p := pgtest.StartOpts(t, pgtest.Options{Durable: true})
	p.Exec(t, "CREATE TABLE t (n int)")
	db := p.CreateDB(t)
	if n := query(t, db, "SELECT 1"); n != 1 {
		t.Fatalf("SELECT 1 = %d", n)
	}
	r := pgtest.StartReplica(t, p)
	p.SyncReplication(t)
	p.Exec(t, "INSERT INTO t SELECT generate_series(1, 100)")
	// Synchronous: the commit above waited for the replica's flush, but
	// not for its replay, so poll briefly.
	if n := query(t, r.URL("postgres"), "SELECT count(*) FROM t"); n != 100 {
		t.Logf("replica has %d rows right after the commit", n)
	}
	p.Kill()
	p.Kill() // idempotent
	p.Stop()
	r.Promote(t)
	r.Exec(t, "INSERT INTO t VALUES (101)")
	if n := query(t, r.URL("postgres"), "SELECT count(*) FROM t"); n != 101 {
		t.Errorf("promoted replica has %d rows, want 101", n)
	}
}
