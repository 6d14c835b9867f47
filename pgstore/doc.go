// Package pgstore keeps flasksession's server-side sessions in PostgreSQL,
// through a github.com/jackc/pgx/v5 pool: one row per session, in a table
// of its own or in Flask-Session's SQLAlchemy table
// (WithFlaskSessionTable).
//
//	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
//	...
//	if err := pgstore.CreateTable(ctx, pool); err != nil { ... }
//	r.Use(flasksession.New(flasksession.Config{
//		SecretKey: key,
//		Store:     pgstore.New(pool),
//	}))
//
// # Tables
//
// The store's own table, as CreateTable makes it (WithTable renames it;
// the index is named after it):
//
//	CREATE TABLE IF NOT EXISTS flasksession_sessions (
//		id     text PRIMARY KEY,
//		data   bytea NOT NULL,
//		expiry timestamptz NOT NULL
//	);
//	CREATE INDEX IF NOT EXISTS flasksession_sessions_expiry_idx ON flasksession_sessions (expiry);
//
// id is the session ID with the key prefix (WithKeyPrefix, "" by
// default), data the bytes the middleware gives (Flask's tagged JSON, or
// Flask-Session's records under Config.FlaskSession), expiry when the row
// stops counting.
//
// With WithFlaskSessionTable, the table of Flask-Session's
// SqlAlchemySessionInterface (SESSION_TYPE = "sqlalchemy"), as
// Flask-SQLAlchemy's db.create_all() makes it, plus an index on expiry
// that Flask-Session ignores and the sweep uses (add it to a table Flask
// made):
//
//	CREATE TABLE IF NOT EXISTS sessions (
//		id SERIAL NOT NULL,
//		session_id VARCHAR(255),
//		data BYTEA,
//		expiry TIMESTAMP WITHOUT TIME ZONE,
//		PRIMARY KEY (id),
//		UNIQUE (session_id)
//	);
//	CREATE INDEX IF NOT EXISTS sessions_expiry_idx ON sessions (expiry);
//
// session_id is "session:" + ID (SESSION_KEY_PREFIX; WithKeyPrefix), at
// most 255 characters; expiry is a naive timestamp holding UTC wall time,
// as Flask-Session writes datetime.utcnow() + lifetime and compares with
// datetime.utcnow(). The store writes and compares UTC whatever the
// connection's TimeZone, and needs the UNIQUE constraint (Create's ON
// CONFLICT relies on it).
//
// # Statements and round trips
//
// Each method is one statement, atomic on its row:
//
//	Find    SELECT data WHERE id AND expiry > now()                1 round trip
//	Create  INSERT ... ON CONFLICT (id) DO UPDATE ... WHERE the
//	        row there has expired                                  1
//	Update  UPDATE ... WHERE id AND expiry > now() [AND data = old] 1
//	        with old, when no row changed: SELECT EXISTS           2
//	Touch   UPDATE SET expiry WHERE id AND expiry > now()          1
//	Delete  DELETE WHERE id                                        1
//	Expiry  SELECT expiry WHERE id AND expiry > now()              1
//
// Update with old (Config.DetectConflicts) is the version check in its
// WHERE: it writes only while the stored data still equals old. When it
// changes nothing, a second statement asks whether a live row is there, to
// return flasksession.ErrConflict rather than ErrRecordNotFound; that
// happens only on a conflict or a logout. There is no version column: the
// interface's version is the data the request loaded, and a counter would
// need the store to remember what each Find returned. Comparing data
// costs sending old (only under DetectConflicts) and a compare that stops
// at the first differing length or byte; it works on Flask-Session's table
// unchanged.
//
// An expired row never counts: it is never returned, Update and Touch
// leave it alone, Create takes its ID over. Expiries are compared with the
// database's clock (now()), one clock for every instance of the app.
//
// # Sweeping
//
// Every 16th Create of a Store (WithSweepEvery; DefaultSweepEvery) also
// deletes up to SweepBatch (100) expired rows, in the same statement: a
// data-modifying WITH that picks the oldest through the expiry index, FOR
// UPDATE SKIP LOCKED, so that concurrent sweeps take different rows. Every
// session starts with a Create, so this deletes expired rows faster than
// sessions expire, without a goroutine or a job to run. Sweep deletes every
// expired row at once, for a job of your own with WithSweepEvery(0).
// Sweeps delete the rows of every key prefix in the table; in
// Flask-Session's table, never a row with a NULL expiry.
//
// # Cost
//
// A Touch or Update writes a new row version, as every PostgreSQL UPDATE
// does (data over about 2 KB is TOASTed and not copied by a Touch), and
// autovacuum reclaims the old ones: a busy session table wants autovacuum
// on, as it is by default. On loopback, each operation takes 50 to 150 µs
// (store_bench_test.go).
//
// # Pool sizing
//
// A session statement holds a connection for a round trip, and a request
// makes one to three of them (a login more: the user index). pgxpool's
// default MaxConns, the larger of 4 and the number of CPUs, serves
// thousands of requests a second; raise it (pool_max_conns in the URL) to
// a few times the CPUs if requests wait for connections (pool.Stat()),
// keeping instances × MaxConns under the server's max_connections, less
// what other clients use. Set MinConns to keep warm connections after
// idle periods. Behind PgBouncer in transaction mode before 1.21 (no
// prepared statements), set ConnConfig.DefaultQueryExecMode to
// pgx.QueryExecModeExec: no statement needs a transaction.
//
// # Failover
//
// Give the pool every host, and let it pick the one that takes writes:
//
//	postgres://app@db1:5432,db2:5432/app?target_session_attrs=read-write&connect_timeout=2
//
// When the primary dies, statements on its connections fail, and new
// connections skip standbys until one is promoted (by Patroni, repmgr, or
// pg_promote()). Meanwhile store calls fail: the middleware reports
// flasksession.ErrStore to Config.ErrorHandler and c.Errors, users look
// logged out for those requests, and nothing is saved over a session that
// could not be read. Once a standby is promoted the pool connects to it,
// with no restart.
//
// What survives depends on replication. With PostgreSQL's default,
// asynchronous streaming, a commit is acknowledged before any standby has
// it, and the last commits before a crash are lost in a failover: a new
// login (the user logs in again), but also a logout: the DELETE is lost
// and the session comes back, a logout undone, as is the delete of the old
// ID at a login (Regenerate), which is what defeats session fixation. With
// synchronous replication (synchronous_standby_names on the primary,
// synchronous_commit = on, the default), a commit returns only once a
// standby has flushed it, and every acknowledged save and logout survives
// the failover; each write then waits a round trip to the standby. To
// pay that only for sessions, set synchronous_commit = local on the
// server and "ALTER ROLE app SET synchronous_commit = on" for the role the
// sessions' pool logs in as. failover_test.go kills a primary
// under load with a synchronous standby and checks both.
//
// # Flask-Session's table
//
// On the Go side every guarantee of flasksession.Store holds on
// Flask-Session's table as on the store's own: each operation is the same
// single statement; Create never overwrites a live row (the UNIQUE
// session_id, with ON CONFLICT taking over only an expired row); Update
// and Touch never bring back a deleted row; Update with old compares data,
// no version column needed; Touch changes only expiry. Rows Flask-Session
// wrote read as theirs: a NULL data as empty, a NULL expiry (its
// non-permanent sessions, which 0.3.2 itself fails to read back) as
// expired. Flask-Session 0.3.2 itself keeps fewer: it reads, then
// updates by primary key or inserts, so a Flask request racing a logout
// made on the Go side can insert the session again; it rewrites data on
// every request it saves, so it can erase a write a Go request made
// meanwhile; it keeps an ID the client sends even when no row has it.
//
// Its id is a SERIAL, a 32-bit integer that every Create (and every
// insert by Flask-Session) draws from, taken or not: about two billion
// sessions over the table's life. A busy site should widen it once:
// ALTER TABLE sessions ALTER id TYPE bigint, and ALTER SEQUENCE
// sessions_id_seq AS bigint. Flask-Session reads either.
//
// # Timeouts and errors
//
// Each operation ends at the store's timeout (DefaultTimeout,
// WithTimeout) or the request's deadline or cancellation; pgx then stops
// waiting and closes the connection (the pool opens another). connect_timeout in the URL
// bounds each connection attempt, per host.
//
// A failed call is an *Error naming the operation, never the session ID
// or data; errors.Is finds its cause (context.DeadlineExceeded,
// context.Canceled), errors.As a *pgconn.PgError.
//
// The tests start PostgreSQL 15 themselves (Debian's postgresql-15: a
// server, a streaming replica, a failover); without it they skip, or fail
// under FLASKSESSION_REQUIRE_REAL=1.
package pgstore
