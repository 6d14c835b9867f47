package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// CreateTable creates the table a Store made with the same options uses,
// and its index on expiry, unless they exist (CREATE ... IF NOT EXISTS):
// the store's own layout, or with WithFlaskSessionTable, the table
// Flask-SQLAlchemy's db.create_all() makes for Flask-Session's model (plus
// the index, which Flask-Session ignores). Instances starting together
// may all call it: a transaction-scoped advisory lock on the table's name
// makes them take turns. It changes nothing in a table that exists.
func CreateTable(ctx context.Context, pool *pgxpool.Pool, opts ...Option) error {
	c, err := newConfig(opts)
	if err != nil {
		return err
	}
	stmts := tableSQL(c)
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// Two concurrent CREATE TABLE IF NOT EXISTS can both miss the
		// table and one then fails on the catalog's unique index.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", "pgstore "+c.table); err != nil {
			return err
		}
		for _, q := range stmts {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return &Error{Op: "create table", Table: c.table, Err: err}
	}
	return nil
}

// tableSQL is CreateTable's statements, as the package documentation
// shows them for the default names.
func tableSQL(c *config) []string {
	t, idx := c.quoted()
	if c.flask {
		return []string{
			"CREATE TABLE IF NOT EXISTS " + t + ` (
	id SERIAL NOT NULL,
	session_id VARCHAR(255),
	data BYTEA,
	expiry TIMESTAMP WITHOUT TIME ZONE,
	PRIMARY KEY (id),
	UNIQUE (session_id)
)`,
			"CREATE INDEX IF NOT EXISTS " + idx + " ON " + t + " (expiry)",
		}
	}
	return []string{
		"CREATE TABLE IF NOT EXISTS " + t + ` (
	id     text PRIMARY KEY,
	data   bytea NOT NULL,
	expiry timestamptz NOT NULL
)`,
		"CREATE INDEX IF NOT EXISTS " + idx + " ON " + t + " (expiry)",
	}
}
