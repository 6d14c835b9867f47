package pgstore_test

import (
	"context"
	"testing"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/pgtest"
	"github.com/ginflask/flasksession/pgstore"
	"github.com/ginflask/flasksession/storetest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// newPool is a pool on url, closed when the test ends.
func newPool(t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	p, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// layouts are the two tables, as options.
var layouts = []struct {
	name string
	opts []pgstore.Option
}{
	{"own", nil},
	{"flask-session", []pgstore.Option{pgstore.WithFlaskSessionTable()}},
}

// setup starts a server and makes a database with both tables in it.
func setup(t testing.TB) (srv *pgtest.Server, url string, pool *pgxpool.Pool) {
	t.Helper()
	srv = pgtest.Start(t)
	url = srv.CreateDB(t)
	pool = newPool(t, url)
	for _, l := range layouts {
		if err := pgstore.CreateTable(context.Background(), pool, l.opts...); err != nil {
			t.Fatal(err)
		}
	}
	return srv, url, pool
}

func TestStore(t *testing.T) {
	t.Parallel()
	_, url, pool := setup(t)
	other := newPool(t, url)
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) {
			storetest.Run(t, func(*testing.T) flasksession.Store { return pgstore.New(pool, l.opts...) })
		})
		// Two instances, each on its own pool, taking turns: atomic across
		// processes.
		t.Run(l.name+"/two pools", func(t *testing.T) {
			storetest.Run(t, func(*testing.T) flasksession.Store {
				return storetest.Alternate(pgstore.New(pool, l.opts...), pgstore.New(other, l.opts...))
			})
		})
	}
}
