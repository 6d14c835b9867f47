// Package pgstore keeps flasksession's server-side sessions in PostgreSQL.
package pgstore
