package pgstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/flaskrecord"
	"github.com/ginflask/flasksession/pgstore"
	"github.com/ginflask/flasksession/storetest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The middleware-level guarantees, through the suite every store runs, on
// both tables.
func TestMiddlewareSuite(t *testing.T) {
	t.Parallel()
	_, _, pool := setup(t)
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) {
			storetest.RunMiddleware(t, func(*testing.T) flasksession.Store { return pgstore.New(pool, l.opts...) })
		})
	}
}

// The same with Flask-Session's records and IDs (Config.FlaskSession:
// pickles, signed IDs) in Flask-Session's table, as an app sharing it
// with Flask-Session 0.3.2 runs.
func TestMiddlewareSuiteFlaskSession(t *testing.T) {
	t.Parallel()
	_, _, pool := setup(t)
	cfg := flasksession.Config{FlaskSession: &flasksession.FlaskSession{
		Codec: flaskrecord.Codec{Format: flaskrecord.Pickle}, UseSigner: true,
	}}
	storetest.RunMiddlewareConfig(t, cfg, func(*testing.T) flasksession.Store {
		return pgstore.New(pool, pgstore.WithFlaskSessionTable())
	})
}

// Table names are identifiers, checked and quoted: reserved words, mixed
// case and a schema work; anything that could be more than a name is
// refused by New (a panic) and CreateTable (an error).
func TestTableNames(t *testing.T) {
	t.Parallel()
	_, _, pool := setup(t)
	ctx := t.Context()
	if _, err := pool.Exec(ctx, "CREATE SCHEMA auth"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"sessions_2", true},
		{"user", true},       // a reserved word
		{"MySessions", true}, // case kept: quoted
		{"auth.sessions", true},
		{"_x$1", true},
		{strings.Repeat("a", 52), true},
		{strings.Repeat("a", 53), false}, // no room for "_expiry_idx"
		{"", false},
		{"1sessions", false},
		{"a.b.c", false},
		{"auth.", false},
		{".sessions", false},
		{"sessions; DROP TABLE x", false},
		{`ses"sions`, false},
		{"sessions ", false},
		{"séssions", false},
		{"$sessions", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, l := range layouts {
				opts := append(l.opts[:len(l.opts):len(l.opts)], pgstore.WithTable(tc.name))
				err := pgstore.CreateTable(ctx, pool, opts...)
				if !tc.ok {
					if err == nil || !strings.HasPrefix(err.Error(), "pgstore: invalid table name") {
						t.Errorf("%s: CreateTable = %v, want an invalid table name error", l.name, err)
					}
					func() {
						defer func() {
							if recover() == nil {
								t.Errorf("%s: New did not panic", l.name)
							}
						}()
						pgstore.New(pool, opts...)
					}()
					continue
				}
				if err != nil {
					t.Fatalf("%s: CreateTable: %v", l.name, err)
				}
				if err := pgstore.CreateTable(ctx, pool, opts...); err != nil {
					t.Fatalf("%s: CreateTable again: %v", l.name, err)
				}
				s := pgstore.New(pool, opts...)
				if err := s.Create(ctx, "id-"+l.name, []byte("v"), time.Now().Add(time.Hour)); err != nil {
					t.Fatalf("%s: Create: %v", l.name, err)
				}
				if data, found, err := s.Find(ctx, "id-"+l.name); err != nil || !found || string(data) != "v" {
					t.Errorf("%s: Find = %q, %v, %v", l.name, data, found, err)
				}
				// Each layout in its own table: drop it for the next.
				parts := strings.Split(tc.name, ".")
				if _, err := pool.Exec(ctx, "DROP TABLE "+pgx.Identifier(parts).Sanitize()); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// row reads a record's row as stored: the ID column, data and expiry
// (Flask-Session's naive timestamp read as UTC).
func row(t *testing.T, pool *pgxpool.Pool, q string, key string) (data []byte, expiry time.Time, found bool) {
	t.Helper()
	err := pool.QueryRow(t.Context(), q, key).Scan(&data, &expiry)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, time.Time{}, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return data, expiry, true
}

// The rows are what the package documentation says: the ID with its
// prefix, the bytes given, and the expiry to the microsecond; in
// Flask-Session's table, the UTC wall time in a naive timestamp, as
// datetime.utcnow() + lifetime.
func TestRecordLayout(t *testing.T) {
	t.Parallel()
	_, _, pool := setup(t)
	ctx := t.Context()
	// Not UTC: the naive column must get the UTC wall time anyway.
	expiry := time.Now().Add(time.Hour).In(time.FixedZone("X", -7*3600)).Truncate(time.Microsecond)
	data := []byte("\x80\x04\x95record")
	for _, tc := range []struct {
		name  string
		opts  []pgstore.Option
		query string // the row of a key
		key   string
	}{
		{"own", nil, "SELECT data, expiry FROM flasksession_sessions WHERE id = $1", "abc"},
		{"own, prefix", []pgstore.Option{pgstore.WithKeyPrefix("app1:")}, "SELECT data, expiry FROM flasksession_sessions WHERE id = $1", "app1:abc"},
		{"flask-session", []pgstore.Option{pgstore.WithFlaskSessionTable()},
			"SELECT data, expiry AT TIME ZONE 'UTC' FROM sessions WHERE session_id = $1", "session:abc"},
		{"flask-session, prefix", []pgstore.Option{pgstore.WithFlaskSessionTable(), pgstore.WithKeyPrefix("")},
			"SELECT data, expiry AT TIME ZONE 'UTC' FROM sessions WHERE session_id = $1", "abc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := pgstore.New(pool, tc.opts...)
			if err := s.Create(ctx, "abc", data, expiry); err != nil {
				t.Fatal(err)
			}
			check := func(when string, want []byte, at time.Time) {
				t.Helper()
				got, gotAt, found := row(t, pool, tc.query, tc.key)
				if !found || string(got) != string(want) || !gotAt.Equal(at) {
					t.Errorf("%s: row = %q, %v, found %v; want %q, %v", when, got, gotAt, found, want, at)
				}
				if e, ok, err := s.Expiry(ctx, "abc"); err != nil || !ok || !e.Equal(at) {
					t.Errorf("%s: Expiry = %v, %v, %v; want %v", when, e, ok, err, at)
				}
			}
			check("after Create", data, expiry)
			later := expiry.Add(time.Hour)
			if err := s.Touch(ctx, "abc", later); err != nil {
				t.Fatal(err)
			}
			check("after Touch", data, later)
			if err := s.Update(ctx, "abc", data, []byte("v2"), expiry); err != nil {
				t.Fatal(err)
			}
			check("after Update", []byte("v2"), expiry)
			if err := s.Delete(ctx, "abc"); err != nil {
				t.Fatal(err)
			}
			if _, _, found := row(t, pool, tc.query, tc.key); found {
				t.Error("after Delete the row is still there")
			}
		})
	}
}

// Rows of Flask-Session's table that the store never writes: a NULL
// expiry (Flask-Session's non-permanent session) counts as expired, NULL
// data reads as empty.
func TestFlaskSessionNulls(t *testing.T) {
	t.Parallel()
	_, _, pool := setup(t)
	ctx := t.Context()
	s := pgstore.New(pool, pgstore.WithFlaskSessionTable())
	if _, err := pool.Exec(ctx, `INSERT INTO sessions (session_id, data, expiry) VALUES
		('session:noexpiry', 'x', NULL), ('session:nodata', NULL, now() AT TIME ZONE 'UTC' + interval '1 hour')`); err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.Find(ctx, "noexpiry"); found || err != nil {
		t.Errorf("Find(NULL expiry) = found %v, %v; want not found", found, err)
	}
	if err := s.Touch(ctx, "noexpiry", time.Now().Add(time.Hour)); !errors.Is(err, flasksession.ErrRecordNotFound) {
		t.Errorf("Touch(NULL expiry) = %v, want ErrRecordNotFound", err)
	}
	if err := s.Create(ctx, "noexpiry", []byte("new"), time.Now().Add(time.Hour)); err != nil {
		t.Errorf("Create over a NULL expiry: %v", err)
	}
	if data, found, err := s.Find(ctx, "nodata"); !found || err != nil || data == nil || len(data) != 0 {
		t.Errorf("Find(NULL data) = %q (nil %v), %v, %v; want empty", data, data == nil, found, err)
	}
	if err := s.Update(ctx, "nodata", []byte{}, []byte("v"), time.Now().Add(time.Hour)); !errors.Is(err, flasksession.ErrConflict) {
		t.Errorf("Update(NULL data, old empty) = %v, want ErrConflict (NULL is not empty)", err)
	}
}

// count is the number of rows of a table.
func count(t *testing.T, pool *pgxpool.Pool, table string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(t.Context(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Every nth Create deletes up to SweepBatch expired rows; Sweep deletes
// them all; live rows, and Flask-Session's NULL expiries, stay.
func TestSweep(t *testing.T) {
	t.Parallel()
	_, _, pool := setup(t)
	ctx := t.Context()
	for _, tc := range []struct {
		name, table, key string
		opts             []pgstore.Option
		insert           string // 250 expired rows and one live one
	}{
		{"own", "flasksession_sessions", "id", nil, `INSERT INTO flasksession_sessions (id, data, expiry)
			SELECT 'old' || i, 'x'::bytea, now() - interval '1 second' FROM generate_series(1, 250) i
			UNION ALL SELECT 'live', 'x', now() + interval '1 hour'`},
		{"flask-session", "sessions", "session_id", []pgstore.Option{pgstore.WithFlaskSessionTable()}, `INSERT INTO sessions (session_id, data, expiry)
			SELECT 'session:old' || i, 'x'::bytea, now() AT TIME ZONE 'UTC' - interval '1 second' FROM generate_series(1, 250) i
			UNION ALL SELECT 'session:live', 'x', now() AT TIME ZONE 'UTC' + interval '1 hour'
			UNION ALL SELECT 'session:null', 'x', NULL`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := pool.Exec(ctx, tc.insert); err != nil {
				t.Fatal(err)
			}
			before := count(t, pool, tc.table)
			s := pgstore.New(pool, append(tc.opts, pgstore.WithSweepEvery(3))...)
			for i := range 6 { // two sweeps
				if err := s.Create(ctx, "new"+string(rune('a'+i)), []byte("x"), time.Now().Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			if got, want := count(t, pool, tc.table), before+6-2*pgstore.SweepBatch; got != want {
				t.Errorf("after 6 Creates sweeping every 3rd: %d rows, want %d", got, want)
			}
			never := pgstore.New(pool, append(tc.opts, pgstore.WithSweepEvery(0))...)
			for i := range 6 {
				if err := never.Create(ctx, "never"+string(rune('a'+i)), []byte("x"), time.Now().Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			if got, want := count(t, pool, tc.table), before+12-2*pgstore.SweepBatch; got != want {
				t.Errorf("after 6 Creates that never sweep: %d rows, want %d", got, want)
			}
			n, err := s.Sweep(ctx)
			if err != nil || n != 250-2*pgstore.SweepBatch {
				t.Errorf("Sweep = %d, %v; want %d", n, err, 250-2*pgstore.SweepBatch)
			}
			if got, want := count(t, pool, tc.table), before+12-250; got != want {
				t.Errorf("after Sweep: %d rows, want %d", got, want)
			}
			if _, found, _ := s.Find(ctx, "live"); !found {
				t.Error("the live row was swept")
			}
			if n, err := s.Sweep(ctx); n != 0 || err != nil {
				t.Errorf("Sweep again = %d, %v", n, err)
			}
		})
	}
}

// A statement that waits (here on a row lock another transaction holds)
// ends at the store's timeout, with an error saying so that names the
// operation, never the ID or data; a missing table is an error too.
func TestErrors(t *testing.T) {
	t.Parallel()
	_, _, pool := setup(t)
	ctx := t.Context()
	const id = "ID-SECRET"
	secret := []byte("DATA-SECRET")
	s := pgstore.New(pool, pgstore.WithTimeout(200*time.Millisecond))
	if err := s.Create(ctx, id, secret, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT FROM flasksession_sessions WHERE id = $1 FOR UPDATE", id); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = s.Update(ctx, id, secret, secret, time.Now().Add(time.Hour))
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Update took %v with a 200ms timeout", d)
	}
	checkErr(t, err, "update", context.DeadlineExceeded, id, secret)
	tx.Rollback(ctx)

	missing := pgstore.New(pool, pgstore.WithTable("nosuchtable"))
	_, _, err = missing.Find(ctx, id)
	checkErr(t, err, "find", nil, id, secret)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42P01" {
		t.Errorf("error %v does not unwrap to undefined_table", err)
	}
	err = missing.Create(ctx, id, secret, time.Now().Add(time.Hour))
	checkErr(t, err, "create", nil, id, secret)
}

func checkErr(t *testing.T, err error, op string, cause error, id string, data []byte) {
	t.Helper()
	var se *pgstore.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T), want a *pgstore.Error", err, err)
	}
	if se.Op != op {
		t.Errorf("Op = %q, want %q", se.Op, op)
	}
	if cause != nil && !errors.Is(err, cause) {
		t.Errorf("error %v does not match %v", err, cause)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "pgstore: "+op+": ") {
		t.Errorf("message %q, want it to start %q", msg, "pgstore: "+op+": ")
	}
	if strings.Contains(msg, id) || strings.Contains(msg, string(data)) {
		t.Errorf("message %q shows the ID or the data", msg)
	}
	t.Logf("%s: %v", op, msg)
}
