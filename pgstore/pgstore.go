package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/storecall"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultTable is the table of a Store made without WithTable or
// WithFlaskSessionTable.
const DefaultTable = "flasksession_sessions"

// FlaskSessionTable and FlaskSessionKeyPrefix are Flask-Session's defaults
// (SESSION_SQLALCHEMY_TABLE, SESSION_KEY_PREFIX), which
// WithFlaskSessionTable uses unless WithTable or WithKeyPrefix says
// otherwise.
const (
	FlaskSessionTable     = "sessions"
	FlaskSessionKeyPrefix = "session:"
)

// DefaultTimeout bounds each store operation when New is given no
// WithTimeout. A session statement takes well under a millisecond; this
// only ends calls to a server that hangs or is failing over.
const DefaultTimeout = 3 * time.Second

// DefaultSweepEvery is how many Creates of a Store share one sweep of
// expired rows when New is given no WithSweepEvery; SweepBatch is how many
// rows a sweep deletes at most. Every session starts with a Create, so
// sweeping up to SweepBatch/DefaultSweepEvery (about 6) expired rows per
// Create keeps up with any load.
const (
	DefaultSweepEvery = 16
	SweepBatch        = 100
)

// Store keeps flasksession's server-side records in a PostgreSQL table
// through a pgx pool: one row per session, holding the session's bytes as
// the middleware gives them, and the expiry. It implements
// flasksession.Store and flasksession.ExpiryReader and is safe for
// concurrent use, also by many processes on one database.
type Store struct {
	pool       *pgxpool.Pool
	table      string // as given, for errors and CreateTable
	flask      bool   // Flask-Session's table layout
	prefix     string
	timeout    time.Duration
	sweepEvery uint64 // 0: Creates never sweep
	creates    atomic.Uint64

	// The statements, built once from the table's quoted name.
	qFind, qCreate, qCreateSweep, qUpdate, qUpdateOld, qAlive, qTouch, qDelete, qExpiry, qSweep string
}

var (
	_ flasksession.Store        = (*Store)(nil)
	_ flasksession.ExpiryReader = (*Store)(nil)
)

// Option changes a setting of New or CreateTable.
type Option func(*config)

type config struct {
	table      string
	tableSet   bool
	prefix     string
	prefixSet  bool
	flask      bool
	timeout    time.Duration
	sweepEvery int
}

// WithTable sets the table (DefaultTable, or FlaskSessionTable with
// WithFlaskSessionTable). The name is an identifier, optionally
// schema-qualified ("auth.sessions"): letters, digits, '_' and '$', not
// starting with a digit, at most 52 bytes a part (the expiry index's name
// adds 11). It is quoted in every statement, so case matters: "Sessions"
// is not the table sessions. New panics on an invalid name; CreateTable
// returns an error.
func WithTable(name string) Option {
	return func(c *config) { c.table, c.tableSet = name, true }
}

// WithKeyPrefix puts prefix before every session ID in the ID column (""
// by default; FlaskSessionKeyPrefix with WithFlaskSessionTable), so that
// several apps can share a table, or to match Flask-Session's
// SESSION_KEY_PREFIX.
func WithKeyPrefix(prefix string) Option {
	return func(c *config) { c.prefix, c.prefixSet = prefix, true }
}

// WithFlaskSessionTable uses the table of Flask-Session's
// SqlAlchemySessionInterface (SESSION_TYPE = "sqlalchemy") instead of the
// store's own: by default the table "sessions" with the key prefix
// "session:", Flask-Session's defaults. See the package documentation for
// the layout and what differs from the store's own table.
func WithFlaskSessionTable() Option {
	return func(c *config) { c.flask = true }
}

// WithTimeout bounds each store operation to d (DefaultTimeout if not
// given), on top of the request's context; d <= 0 leaves only the
// context's deadline.
func WithTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// WithSweepEvery makes every nth Create of the Store also delete up to
// SweepBatch expired rows, in the same statement (DefaultSweepEvery if not
// given). n <= 0 turns that off: call Sweep from a job of your own then,
// or expired rows pile up (they are never returned either way).
func WithSweepEvery(n int) Option {
	return func(c *config) { c.sweepEvery = n }
}

func newConfig(opts []Option) (*config, error) {
	c := &config{timeout: DefaultTimeout, sweepEvery: DefaultSweepEvery}
	for _, o := range opts {
		o(c)
	}
	if !c.tableSet {
		c.table = DefaultTable
		if c.flask {
			c.table = FlaskSessionTable
		}
	}
	if !c.prefixSet && c.flask {
		c.prefix = FlaskSessionKeyPrefix
	}
	if err := validTable(c.table); err != nil {
		return nil, err
	}
	return c, nil
}

// maxIdent is the longest table name part: PostgreSQL's 63 bytes, less
// "_expiry_idx" for the index name.
const maxIdent = 63 - len("_expiry_idx")

// validTable checks a table name WithTable takes.
func validTable(name string) error {
	parts := strings.Split(name, ".")
	if len(parts) > 2 {
		return fmt.Errorf("pgstore: invalid table name %q: more than schema.table", name)
	}
	for _, p := range parts {
		if p == "" || len(p) > maxIdent {
			return fmt.Errorf("pgstore: invalid table name %q: each part takes 1 to %d bytes", name, maxIdent)
		}
		for i := 0; i < len(p); i++ {
			b := p[i]
			letter := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || b == '_'
			if !letter && (i == 0 || !('0' <= b && b <= '9' || b == '$')) {
				return fmt.Errorf("pgstore: invalid table name %q: use letters, digits, '_' and '$', not starting with a digit", name)
			}
		}
	}
	return nil
}

// quoted is the table's name quoted for SQL, and its index's name.
func (c *config) quoted() (table, index string) {
	parts := strings.Split(c.table, ".")
	last := parts[len(parts)-1]
	return pgx.Identifier(parts).Sanitize(), pgx.Identifier{last + "_expiry_idx"}.Sanitize()
}

// New returns a Store on pool's database. The table must exist: create it
// with CreateTable, or with the SQL in the package documentation. The
// store does not close the pool. New panics if WithTable's name is
// invalid.
func New(pool *pgxpool.Pool, opts ...Option) *Store {
	c, err := newConfig(opts)
	if err != nil {
		panic(err)
	}
	s := &Store{pool: pool, table: c.table, flask: c.flask, prefix: c.prefix, timeout: c.timeout}
	if c.sweepEvery > 0 {
		s.sweepEvery = uint64(c.sweepEvery)
	}
	t, _ := c.quoted()
	id, now, data, expired := "id", "now()", "data", "expiry <= now()"
	if c.flask {
		// A naive UTC timestamp: compare with the UTC wall time, as
		// Flask-Session compares with datetime.utcnow(). Its NULL data or
		// expiry (a row it wrote for a non-permanent session) reads as
		// empty data or as expired.
		id, now, data = "session_id", "(now() AT TIME ZONE 'UTC')", "coalesce(data, ''::bytea)"
		expired = "(expiry <= " + now + " OR expiry IS NULL)"
	}
	alive := "expiry > " + now
	s.qFind = "SELECT " + data + " FROM " + t + " WHERE " + id + " = $1 AND " + alive
	s.qCreate = "INSERT INTO " + t + " AS s (" + id + ", data, expiry) VALUES ($1, $2, $3) ON CONFLICT (" + id +
		") DO UPDATE SET data = excluded.data, expiry = excluded.expiry WHERE " + strings.ReplaceAll(expired, "expiry", "s.expiry")
	// The sweep rides on the Create: no extra round trip. It skips the
	// row being created (one statement may not change a row twice) and
	// rows another sweep holds.
	//
	// By key, oldest first: the expiry index finds them. Picked by ctid
	// and without the ORDER BY, the generic plan pgx's prepared statement
	// settles on scanned the whole table twice, expired rows or not
	// (bench/results/pg-sweep.txt: 2.4 ms a sweep against 0.05 ms).
	s.qCreateSweep = "WITH swept AS (DELETE FROM " + t + " WHERE " + id + " = ANY (ARRAY(SELECT " + id + " FROM " + t +
		" WHERE expiry <= " + now + " AND " + id + " <> $1 ORDER BY expiry LIMIT " + strconv.Itoa(SweepBatch) +
		" FOR UPDATE SKIP LOCKED))) " + s.qCreate
	s.qUpdate = "UPDATE " + t + " SET data = $2, expiry = $3 WHERE " + id + " = $1 AND " + alive
	s.qUpdateOld = s.qUpdate + " AND data = $4"
	s.qAlive = "SELECT EXISTS (SELECT FROM " + t + " WHERE " + id + " = $1 AND " + alive + ")"
	s.qTouch = "UPDATE " + t + " SET expiry = $2 WHERE " + id + " = $1 AND " + alive
	s.qDelete = "DELETE FROM " + t + " WHERE " + id + " = $1"
	s.qExpiry = "SELECT expiry FROM " + t + " WHERE " + id + " = $1 AND " + alive
	// Only rows this store could have written: NULL expiries are
	// Flask-Session's, left to it.
	s.qSweep = "DELETE FROM " + t + " WHERE expiry <= " + now
	return s
}

// Find returns the record's data: one SELECT.
func (s *Store) Find(ctx context.Context, id string) ([]byte, bool, error) {
	var data []byte
	err := s.do(ctx, "find", func(ctx context.Context) error {
		return s.pool.QueryRow(ctx, s.qFind, s.prefix+id).Scan(&data)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if data == nil {
		data = []byte{}
	}
	return data, true, nil
}

// Create stores a new record: one INSERT ... ON CONFLICT DO UPDATE that
// takes over the ID only from an expired row. It returns
// flasksession.ErrRecordExists when the ID is taken. Every nth Create
// (WithSweepEvery) also deletes up to SweepBatch expired rows, in the
// same statement.
func (s *Store) Create(ctx context.Context, id string, data []byte, expiry time.Time) error {
	q := s.qCreate
	if s.sweepEvery > 0 && s.creates.Add(1)%s.sweepEvery == 0 {
		q = s.qCreateSweep
	}
	var n int64
	err := s.do(ctx, "create", func(ctx context.Context) error {
		tag, err := s.pool.Exec(ctx, q, s.prefix+id, nonNil(data), s.at(expiry))
		n = tag.RowsAffected()
		return err
	})
	if err == nil && n == 0 {
		return flasksession.ErrRecordExists
	}
	return err
}

// Update replaces a live record's data and expiry: one UPDATE, which with
// old set also requires data = old. When it changes no row with old set,
// a second statement tells flasksession.ErrConflict (the record is there)
// from flasksession.ErrRecordNotFound; with old nil no row changed means
// ErrRecordNotFound.
func (s *Store) Update(ctx context.Context, id string, old, data []byte, expiry time.Time) error {
	return s.do(ctx, "update", func(ctx context.Context) error {
		key := s.prefix + id
		var (
			tag pgconn.CommandTag
			err error
		)
		if old == nil {
			tag, err = s.pool.Exec(ctx, s.qUpdate, key, nonNil(data), s.at(expiry))
		} else {
			tag, err = s.pool.Exec(ctx, s.qUpdateOld, key, nonNil(data), s.at(expiry), old)
		}
		switch {
		case err != nil:
			return err
		case tag.RowsAffected() > 0:
			return nil
		case old == nil:
			return flasksession.ErrRecordNotFound
		}
		var alive bool
		if err := s.pool.QueryRow(ctx, s.qAlive, key).Scan(&alive); err != nil {
			return err
		}
		if alive {
			return flasksession.ErrConflict
		}
		return flasksession.ErrRecordNotFound
	})
}

// Touch moves a live record's expiry without rewriting its data: one
// UPDATE. It returns flasksession.ErrRecordNotFound when the record is
// gone.
func (s *Store) Touch(ctx context.Context, id string, expiry time.Time) error {
	return s.do(ctx, "touch", func(ctx context.Context) error {
		tag, err := s.pool.Exec(ctx, s.qTouch, s.prefix+id, s.at(expiry))
		if err == nil && tag.RowsAffected() == 0 {
			return flasksession.ErrRecordNotFound
		}
		return err
	})
}

// Delete removes the record: one DELETE.
func (s *Store) Delete(ctx context.Context, id string) error {
	return s.do(ctx, "delete", func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, s.qDelete, s.prefix+id)
		return err
	})
}

// Expiry returns when the record under id expires, to the microsecond:
// one SELECT. found is false for a record that is missing or expired. It
// implements flasksession.ExpiryReader.
func (s *Store) Expiry(ctx context.Context, id string) (time.Time, bool, error) {
	var at time.Time
	err := s.do(ctx, "expiry", func(ctx context.Context) error {
		return s.pool.QueryRow(ctx, s.qExpiry, s.prefix+id).Scan(&at)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	return at, true, nil
}

// Sweep deletes every expired row of the table, in one statement, and
// returns how many. Creates sweep a few rows each already
// (WithSweepEvery); call Sweep from a job of your own if you turned that
// off. It deletes rows of every key prefix.
func (s *Store) Sweep(ctx context.Context) (int64, error) {
	var n int64
	err := s.do(ctx, "sweep", func(ctx context.Context) error {
		tag, err := s.pool.Exec(ctx, s.qSweep)
		n = tag.RowsAffected()
		return err
	})
	return n, err
}

// at is expiry as the table's column takes it: Flask-Session's naive
// timestamp holds the UTC wall time (pgx writes a time's wall clock).
func (s *Store) at(expiry time.Time) time.Time {
	if s.flask {
		return expiry.UTC()
	}
	return expiry
}

// nonNil keeps empty data from becoming NULL: pgx sends a nil slice as
// NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// do runs call bounded by the store's timeout and ctx, and wraps its
// error in an *Error; the store's sentinels and pgx.ErrNoRows, answers
// and not failures, pass through.
func (s *Store) do(ctx context.Context, op string, call func(context.Context) error) error {
	ctx, cancel := storecall.Bound(ctx, s.timeout)
	defer cancel()
	err := ctx.Err() // a request already cancelled sends nothing
	if err == nil {
		err = call(ctx)
	}
	if err == nil || errors.Is(err, pgx.ErrNoRows) || errors.Is(err, flasksession.ErrRecordNotFound) ||
		errors.Is(err, flasksession.ErrConflict) || errors.Is(err, flasksession.ErrRecordExists) {
		return err
	}
	return &Error{Op: op, Table: s.table, Err: storecall.Cause(ctx, err)}
}

// Error is a failed database call of a Store: the server unreachable,
// timing out, refusing writes (a standby during a failover), a missing
// table, or the request cancelled. It holds the operation and the table;
// its message names the operation, never the session ID or data. It
// unwraps to the cause, so errors.Is
// finds context.Canceled or context.DeadlineExceeded, and errors.As a
// *pgconn.PgError.
type Error struct {
	Op    string // "find", "create", "update", "touch", "delete", "expiry", "sweep" or "create table"
	Table string // the store's table
	Err   error  // the cause
}

// Error is "pgstore: " + Op + ": " + the cause.
func (e *Error) Error() string { return "pgstore: " + e.Op + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }
