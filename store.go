package flasksession

import (
	"context"
	"errors"
	"time"
)

// Store keeps server-side session records (Config.Store). A record is the
// session as Flask's tagged JSON under a session ID the middleware mints;
// the cookie carries only the signed ID. Every method gets the request's
// context and must honour its cancellation.
//
// The methods are what the middleware's guarantees need: a logout sticks
// because Update and Touch never bring back a record that is gone, and a
// request that changed nothing only extends the expiry (Touch) instead of
// rewriting data another request may have changed. Each method must be
// atomic on its one record. The package storetest checks all of this for
// any Store.
type Store interface {
	// Find returns the record's data. A record that is missing or expired
	// is (nil, false, nil), not an error.
	Find(ctx context.Context, id string) (data []byte, found bool, err error)

	// Create stores a new record that expires at expiry. It never
	// overwrites: if id is taken it returns ErrRecordExists.
	Create(ctx context.Context, id string, data []byte, expiry time.Time) error

	// Update replaces the data and expiry of an existing record. It
	// returns ErrRecordNotFound, and writes nothing, if the record is gone
	// (deleted or expired). With old non-nil it is a version check: it
	// writes only while the stored data still equals old, and otherwise
	// returns ErrConflict.
	Update(ctx context.Context, id string, old, data []byte, expiry time.Time) error

	// Touch sets the expiry of an existing record without rewriting its
	// data. It returns ErrRecordNotFound if the record is gone.
	Touch(ctx context.Context, id string, expiry time.Time) error

	// Delete removes the record. Deleting a missing record is not an error.
	Delete(ctx context.Context, id string) error
}

// Errors a Store returns; the middleware tests for them with errors.Is.
var (
	// ErrRecordNotFound: Update or Touch found no record under the ID: it
	// was deleted (a logout, a regenerated ID) or it expired.
	ErrRecordNotFound = errors.New("flasksession: session record not found")

	// ErrRecordExists: Create found the ID taken.
	ErrRecordExists = errors.New("flasksession: session record exists")

	// ErrConflict: another request changed the session since this one
	// loaded it (Update's version check, Config.DetectConflicts).
	ErrConflict = errors.New("flasksession: session changed by another request")
)
