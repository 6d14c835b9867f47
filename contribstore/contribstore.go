// Package contribstore makes a github.com/gin-contrib/sessions store (or
// any github.com/gorilla/sessions store: Redis, memstore, the filesystem,
// the database stores) usable as a flasksession.Store:
//
//	redis, err := ginredis.NewStore(10, "tcp", "localhost:6379", "", "", idKey)
//	...
//	r.Use(flasksession.New(flasksession.Config{
//		SecretKey: secretKey,
//		Store:     contribstore.New(redis, idKey),
//	}))
//
// Prefer a store written for flasksession (memstore, redisstore): this
// adapter is for the backends only gin-contrib or gorilla reach, and for
// moving an app over without changing its store.
//
// # Keys
//
// Gorilla-style stores load a session only from their own signed ID
// cookie, so the adapter makes one for each call: New needs the same key
// pairs the store was made with. With others, every call fails with an
// error matching ErrDecode.
//
// # Records
//
// Each flasksession record is one gorilla session under the ID the
// middleware minted, holding two values: the data ([]byte) and the expiry
// (int64, Unix nanoseconds). Stores that gob-encode need no gob.Register
// for them. The adapter checks the expiry itself on every call, and also
// passes it to the store as the session's MaxAge (whole seconds, rounded
// up), which Redis uses as the key's TTL. Stores that never delete by
// themselves (gin-contrib's memstore, gorilla's FilesystemStore) keep
// expired records until deleted: they are never returned, but they take
// memory or disk (remove old session files with a cron job).
//
// Some stores need their limits lifted for flasksession's records:
//
//   - gin-contrib's redis store and boj/redistore refuse records over 4096
//     bytes: ginredis.GetRedisStore(s) then SetMaxLength(0).
//   - gorilla's FilesystemStore refuses records over 4096 bytes and, by
//     default, records not rewritten for 30 days: fs.MaxLength(0) and
//     fs.MaxAge(0) (the adapter enforces the expiry itself). Its file
//     names are "session_" and the ID.
//
// # What the adapter cannot promise
//
// A gorilla-style store can only load a whole session and save a whole
// session: it cannot write only while a record exists, compare before
// writing, or change an expiry alone. The adapter does each of those as a
// read then a write, and holds a lock on the ID in between, so within one
// process every operation is atomic on its record and the whole
// storetest suite passes. Between processes (two app instances on one
// Redis) nothing holds the record between the read and the write:
//
//   - Update and Touch racing a Delete from another instance can bring
//     the record back (a logout undone by a request in flight elsewhere);
//   - Touch rewrites the data it read, so it can undo an Update another
//     instance made meanwhile (a read-only request erasing a write);
//   - Update's version check (Config.DetectConflicts) can let two
//     instances both win;
//   - two Creates of one ID can both succeed (harmless: the middleware's
//     IDs are random 256-bit values).
//
// The window is one store round trip. These are the storetest subtests
// named Atomic*, which the adapter's tests run across two adapters on one
// store with storetest.Options{NotAtomic: true}. Use a store written for
// flasksession (redisstore) where these races matter.
package contribstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/ginflask/flasksession"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
)

// Name is the session name the adapter gives the store: the name of the
// ID cookie it makes, which the store's signature covers.
const Name = "flasksession"

// The keys of a record's two values in the gorilla session.
const (
	dataKey   = "flasksession.data"
	expiryKey = "flasksession.expiry"
)

// ErrDecode matches the errors of a store that could not decode the ID
// cookie the adapter made (the key pairs given to New are not the
// store's) or the record it holds.
var ErrDecode = errors.New("contribstore: the store could not decode the session ID or record")

// ErrNotRecord matches the error for a session under a flasksession ID
// that holds other values than a record the adapter wrote.
var ErrNotRecord = errors.New("contribstore: the stored session is not a flasksession record")

// Store is a gorilla-style store as a flasksession.Store. It is safe for
// concurrent use if the store is.
type Store struct {
	store  sessions.Store
	codecs []securecookie.Codec
	seed   maphash.Seed
	locks  [64]sync.Mutex // by ID: each operation is atomic in this process
}

var _ flasksession.Store = (*Store)(nil)

// New returns an adapter for store, which must have been made with
// keyPairs (the adapter signs the ID cookies the store reads with them).
// It panics if keyPairs is empty.
func New(store sessions.Store, keyPairs ...[]byte) *Store {
	if len(keyPairs) == 0 || len(keyPairs[0]) == 0 {
		panic("contribstore: New needs the key pairs the store was made with")
	}
	return &Store{store: store, codecs: securecookie.CodecsFromPairs(keyPairs...), seed: maphash.MakeSeed()}
}

func (s *Store) lock(id string) func() {
	mu := &s.locks[maphash.String(s.seed, id)%uint64(len(s.locks))]
	mu.Lock()
	return mu.Unlock
}

// Find loads the record; one past its expiry is not found.
func (s *Store) Find(ctx context.Context, id string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	data, _, found, err := s.load(ctx, id)
	return data, found, err
}

// Create stores a new record, after checking that id is free.
func (s *Store) Create(ctx context.Context, id string, data []byte, expiry time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.lock(id)()
	if _, _, found, err := s.load(ctx, id); err != nil {
		return err
	} else if found {
		return flasksession.ErrRecordExists
	}
	return s.save(ctx, id, data, expiry)
}

// Update loads the record, checks old against it, and saves data.
func (s *Store) Update(ctx context.Context, id string, old, data []byte, expiry time.Time) error {
	return s.rewrite(ctx, id, old, data, false, expiry)
}

// Touch loads the record and saves it again with the new expiry.
func (s *Store) Touch(ctx context.Context, id string, expiry time.Time) error {
	return s.rewrite(ctx, id, nil, nil, true, expiry)
}

// rewrite saves an existing record again, with data (or, with keep, its
// own) and expiry, if it still equals old (nil: whatever it holds).
func (s *Store) rewrite(ctx context.Context, id string, old, data []byte, keep bool, expiry time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.lock(id)()
	cur, _, found, err := s.load(ctx, id)
	switch {
	case err != nil:
		return err
	case !found:
		return flasksession.ErrRecordNotFound
	case old != nil && !bytes.Equal(cur, old):
		return flasksession.ErrConflict
	}
	if keep {
		data = cur
	}
	return s.save(ctx, id, data, expiry)
}

// Delete saves the session with a negative MaxAge, which is how
// gorilla-style stores delete.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.lock(id)()
	gs := sessions.NewSession(s.store, Name)
	gs.ID = id
	gs.Options = &sessions.Options{Path: "/", MaxAge: -1}
	return s.write(ctx, "delete", gs)
}

// load reads the record under id through the store's New.
func (s *Store) load(ctx context.Context, id string) (data []byte, expiry time.Time, found bool, err error) {
	r, err := s.request(ctx, id)
	if err != nil {
		return nil, time.Time{}, false, err
	}
	gs, err := s.store.New(r, Name)
	var scErr securecookie.Error
	switch {
	case errors.Is(err, fs.ErrNotExist): // FilesystemStore: no file
		return nil, time.Time{}, false, nil
	case errors.As(err, &scErr):
		return nil, time.Time{}, false, fmt.Errorf("%w: %w", ErrDecode, err)
	case err != nil:
		return nil, time.Time{}, false, fmt.Errorf("contribstore: load: %w", err)
	case gs == nil || gs.IsNew:
		return nil, time.Time{}, false, nil
	}
	data, okData := gs.Values[dataKey].([]byte)
	nanos, okExpiry := gs.Values[expiryKey].(int64)
	if !okExpiry || (!okData && gs.Values[dataKey] != nil) {
		return nil, time.Time{}, false, ErrNotRecord
	}
	expiry = time.Unix(0, nanos)
	if !expiry.After(time.Now()) {
		return nil, time.Time{}, false, nil
	}
	if data == nil {
		data = []byte{} // gob decodes an empty slice as nil
	}
	return data, expiry, true, nil
}

// save writes the record under id; an expiry already past deletes it.
func (s *Store) save(ctx context.Context, id string, data []byte, expiry time.Time) error {
	gs := sessions.NewSession(s.store, Name)
	gs.ID = id
	gs.Options = &sessions.Options{Path: "/", MaxAge: maxAge(time.Until(expiry))}
	if gs.Options.MaxAge > 0 {
		gs.Values[dataKey] = data
		gs.Values[expiryKey] = expiry.UnixNano()
	}
	return s.write(ctx, "save", gs)
}

// maxAge is d in whole seconds, rounded up; -1 for d <= 0 (delete).
func maxAge(d time.Duration) int {
	if d <= 0 {
		return -1
	}
	return int(min(math.Ceil(d.Seconds()), math.MaxInt32))
}

func (s *Store) write(ctx context.Context, op string, gs *sessions.Session) error {
	r, err := s.request(ctx, gs.ID)
	if err != nil {
		return err
	}
	if err := s.store.Save(r, discard{}, gs); err != nil {
		return fmt.Errorf("contribstore: %s: %w", op, err)
	}
	return nil
}

// request is the request a store reads: it carries the ID cookie signed
// with the store's keys.
func (s *Store) request(ctx context.Context, id string) (*http.Request, error) {
	cookie, err := securecookie.EncodeMulti(Name, id, s.codecs...)
	if err != nil {
		return nil, fmt.Errorf("contribstore: signing the ID: %w", err)
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
	if err != nil {
		return nil, err
	}
	r.AddCookie(&http.Cookie{Name: Name, Value: cookie})
	return r, nil
}

// discard is the response a store writes its cookie to: the middleware
// sends its own.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}
