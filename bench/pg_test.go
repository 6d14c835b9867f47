package bench

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/alexedwards/scs/pgxstore"
	gcpostgres "github.com/gin-contrib/sessions/postgres"
	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/pgstore"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Whole requests through the PostgreSQL store of each library, on one
// local PostgreSQL 15 (started here, fsync off, pg_stat_statements
// preloaded), each subject in a database of its own:
//
//	cd bench && go test -run '^$' -bench Postgres -benchmem -count 6 | benchstat -
//
// stmts/op is the statements the server ran per request
// (pg_stat_statements' calls), server-ns/op the time it spent executing
// them (their total_exec_time): the rest of sec/op is the client, the
// protocol and the scheduler. TestPostgresSubjects also counts the round
// trips on the wire: lib/pq (gin-contrib's driver) sends each statement
// with arguments in two (Parse/Describe, then Bind/Execute), pgx in one
// once the statement is prepared on the connection.
//
//	cd bench && go test -run TestPostgresSubjects -v

// scsTable is the table scs's pgxstore README asks for.
const scsTable = `CREATE TABLE IF NOT EXISTS sessions (
	token TEXT PRIMARY KEY,
	data BYTEA NOT NULL,
	expiry TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expiry_idx ON sessions (expiry);`

// pgSubjects are the three stores, each used as its README shows, on the
// server (or proxy) at addr, each in its database (pgDatabases, in the
// same order). Each build has its own pool, closed after tb.
func pgSubjects(addr string) []subject {
	pool := func(tb testing.TB, db string) *pgxpool.Pool {
		p, err := pgxpool.New(context.Background(), pgURL(addr, db))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(p.Close)
		return p
	}
	return []subject{
		{"flasksession", func(tb testing.TB, sc scenario) http.Handler {
			p := pool(tb, "flasksession")
			if err := pgstore.CreateTable(context.Background(), p); err != nil {
				tb.Fatal(err)
			}
			return flaskSessionApp(sc, flasksession.Config{SecretKey: signingKey, Store: pgstore.New(p)})
		}},
		{"scs-pgx", func(tb testing.TB, sc scenario) http.Handler {
			p := pool(tb, "scs")
			if _, err := p.Exec(context.Background(), scsTable); err != nil {
				tb.Fatal(err)
			}
			store := pgxstore.New(p)
			tb.Cleanup(store.StopCleanup)
			return scsApp(sc, store)
		}},
		{"gincontrib-postgres", func(tb testing.TB, sc scenario) http.Handler {
			// database/sql on lib/pq, as the store's README and tests
			// open it; NewStore creates its table (http_sessions).
			db, err := sql.Open("postgres", pgURL(addr, "gincontrib"))
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { db.Close() })
			store, err := gcpostgres.NewStore(db, signingKey)
			if err != nil {
				tb.Fatal(err)
			}
			return ginContrib(sc, store)
		}},
	}
}

// BenchmarkPostgres: the five scenarios on flasksession's pgstore, scs's
// pgxstore and gin-contrib/sessions' postgres store, on one server.
func BenchmarkPostgres(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	srv := startPostgres(b)
	counters := map[string]*statements{}
	subjects := pgSubjects(srv.Addr())
	for i, sub := range subjects {
		counters[sub.name] = newStatements(b, srv, pgDatabases[i])
	}
	for _, sc := range scenarios {
		for _, sub := range subjects {
			b.Run(sc.String()+"/"+sub.name, func(b *testing.B) {
				h, tmpl := redisRequest(b, sub, sc)
				w := &discardWriter{h: make(http.Header)}
				k := counters[sub.name]
				before, beforeMs := k.read(b)
				b.ReportAllocs()
				for b.Loop() {
					clear(w.h)
					h.ServeHTTP(w, fresh(tmpl))
				}
				b.StopTimer()
				after, afterMs := k.read(b)
				b.ReportMetric(float64(after.minus(before).total())/float64(b.N), "stmts/op")
				b.ReportMetric((afterMs-beforeMs)*1e6/float64(b.N), "server-ns/op")
			})
		}
	}
}

// pgCost is what one request costs a subject.
type pgCost struct {
	stmts, roundTrips int64
	queries           byQuery // statement text: calls
}

// TestPostgresSubjects checks every PostgreSQL subject on every scenario
// against a real server, as BenchmarkPostgres runs them, and measures
// what a request costs: the statements the server ran
// (pg_stat_statements) and the round trips on the wire (a proxy counting
// the server's ReadyForQuery messages). Each request must cost the same,
// every subject must run a statement where the session is kept in
// PostgreSQL (so it really uses it), and flasksession must stay at its
// documented minimum: one statement a store operation, one round trip a
// statement. It logs the table of costs.
func TestPostgresSubjects(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	srv := startPostgres(t)
	wire := newWireCounter(t, srv.Addr())
	subjects := pgSubjects(wire.addr())
	costs := map[string]map[scenario]pgCost{}
	for i, sub := range subjects {
		k := newStatements(t, srv, pgDatabases[i])
		costs[sub.name] = map[scenario]pgCost{}
		for _, sc := range scenarios {
			t.Run(sub.name+"/"+sc.String(), func(t *testing.T) {
				h, tmpl := redisRequest(t, sub, sc)
				// One request first: a statement's first use on a
				// connection prepares it (pgx), a pool may dial.
				check(t, sc, false, h, fresh(tmpl))
				var first pgCost
				for i := range 3 {
					before, _ := k.read(t)
					rt := wire.roundTrips()
					check(t, sc, false, h, fresh(tmpl))
					after, _ := k.read(t)
					q := after.minus(before)
					n := pgCost{stmts: q.total(), roundTrips: wire.roundTrips() - rt, queries: q}
					if i == 0 {
						first = n
						t.Logf("per request: %d statements, %d round trips", n.stmts, n.roundTrips)
						for _, s := range slices.Sorted(maps.Keys(q)) {
							t.Logf("  %d× %s", q[s], oneLine(s))
						}
					} else if n.stmts != first.stmts || n.roundTrips != first.roundTrips {
						t.Fatalf("request %d: %d statements, %d round trips; request 1: %d, %d",
							i+1, n.stmts, n.roundTrips, first.stmts, first.roundTrips)
					}
				}
				costs[sub.name][sc] = first
				if (sc == newSet || sc == readOnly || sc == readModifySave) && first.stmts < 1 {
					t.Errorf("no statement: the session is not kept in PostgreSQL")
				}
				if first.roundTrips < first.stmts {
					t.Errorf("%d round trips for %d statements", first.roundTrips, first.stmts)
				}
				if sub.name == "flasksession" {
					if want := flasksessionRoundTrips[sc]; first.stmts != want || first.roundTrips != want {
						t.Errorf("flasksession: %d statements and %d round trips, want %d of each", first.stmts, first.roundTrips, want)
					}
				}
			})
		}
	}
	var tbl strings.Builder
	fmt.Fprintf(&tbl, "statements / round trips per request\n%-16s", "scenario")
	for _, sub := range subjects {
		fmt.Fprintf(&tbl, " %20s", sub.name)
	}
	for _, sc := range scenarios {
		fmt.Fprintf(&tbl, "\n%-16s", sc)
		for _, sub := range subjects {
			c, ok := costs[sub.name][sc]
			cell := "-"
			if ok {
				cell = fmt.Sprintf("%d / %d", c.stmts, c.roundTrips)
			}
			fmt.Fprintf(&tbl, " %20s", cell)
		}
	}
	t.Log("\n" + tbl.String())
}

// oneLine is a statement's text on one line, shortened.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}
