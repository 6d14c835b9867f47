// Package memstore is an in-memory flasksession.Store, for tests and for
// apps that run as one process. Sessions are lost when the process ends,
// and processes do not share them: use a Redis store to run more than one
// instance.
//
//	r.Use(flasksession.New(flasksession.Config{
//		SecretKey: key,
//		Store:     memstore.New(),
//	}))
//
// The store runs no goroutine and needs no Close. Expired records are
// never returned, and are swept lazily: a Create that finds the store has
// grown since the last sweep (by as many records as it then held, and at
// least 64) removes every expired record first, so the sweeps cost O(1)
// per Create on average and the store holds at most about twice the
// records that are alive.
package memstore

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/ginflask/flasksession"
)

// minSweep is the least number of Creates between two sweeps.
const minSweep = 64

// Store is an in-memory flasksession.Store, safe for concurrent use. It
// copies data in and out: slices passed to it or returned by it are the
// caller's. Each method is atomic on its record. The zero Store is not
// usable; call New.
type Store struct {
	now func() time.Time // time.Now; tests replace it

	mu         sync.RWMutex
	records    map[string]record
	creates    int // Creates since the last sweep
	sweepEvery int // Creates between sweeps: the size at the last sweep, at least minSweep
}

type record struct {
	data   []byte
	expiry time.Time
}

var _ flasksession.Store = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{now: time.Now, records: make(map[string]record), sweepEvery: minSweep}
}

// live returns the record under id if it has not expired at now.
func (s *Store) live(id string, now time.Time) (record, bool) {
	r, ok := s.records[id]
	return r, ok && r.expiry.After(now)
}

// Find returns a copy of the record's data; an expired record is not
// found.
func (s *Store) Find(ctx context.Context, id string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.live(id, now)
	if !ok {
		return nil, false, nil
	}
	return bytes.Clone(r.data), true, nil
}

// Create stores a copy of data under id until expiry, or returns
// flasksession.ErrRecordExists if a record under id has not expired. An
// expiry that is not in the future stores nothing.
func (s *Store) Create(ctx context.Context, id string, data []byte, expiry time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.live(id, now); ok {
		return flasksession.ErrRecordExists
	}
	if s.creates++; s.creates >= s.sweepEvery {
		s.sweep(now)
	}
	s.put(id, record{bytes.Clone(data), expiry}, now)
	return nil
}

// Update replaces the data and expiry of a record that has not expired;
// see flasksession.Store for old.
func (s *Store) Update(ctx context.Context, id string, old, data []byte, expiry time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.existing(id, now)
	if err != nil {
		return err
	}
	if old != nil && !bytes.Equal(r.data, old) {
		return flasksession.ErrConflict
	}
	s.put(id, record{bytes.Clone(data), expiry}, now)
	return nil
}

// Touch sets the expiry of a record that has not expired.
func (s *Store) Touch(ctx context.Context, id string, expiry time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.existing(id, now)
	if err != nil {
		return err
	}
	r.expiry = expiry
	s.put(id, r, now)
	return nil
}

// Delete removes the record under id, if any.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.records, id)
	return nil
}

// existing returns the record under id for Update and Touch, which
// apply only while it lives; an expired one is removed. The caller
// holds mu.
func (s *Store) existing(id string, now time.Time) (record, error) {
	r, ok := s.live(id, now)
	if !ok {
		delete(s.records, id)
		return record{}, flasksession.ErrRecordNotFound
	}
	return r, nil
}

// put stores r under id, or removes id if r has already expired.
// The caller holds mu.
func (s *Store) put(id string, r record, now time.Time) {
	if !r.expiry.After(now) {
		delete(s.records, id)
		return
	}
	s.records[id] = r
}

// sweep removes the expired records. The caller holds mu.
func (s *Store) sweep(now time.Time) {
	for id, r := range s.records {
		if !r.expiry.After(now) {
			delete(s.records, id)
		}
	}
	s.creates = 0
	s.sweepEvery = max(len(s.records), minSweep)
}
