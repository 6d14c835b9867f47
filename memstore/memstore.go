// Package memstore is an in-memory flasksession.Store, for tests and for
// apps that run as one process. Sessions are lost when the process ends,
// and processes do not share them: use a Redis store to run more than one
// instance.
//
//	r.Use(flasksession.New(flasksession.Config{
//		SecretKey: key,
//		Store:     memstore.New(memstore.WithMaxRecords(100_000)),
//	}))
//
// The store runs no goroutine and needs no Close. It keeps its records in
// a map and in a min-heap ordered by expiry. Expired records are never
// returned, and each Create first removes the records that have expired
// (from the top of the heap), so the store holds the live records plus at
// most those that expired since the last Create.
//
// # Capping the records
//
// Without WithMaxRecords the store grows with every new session. Every
// cookieless visitor that gets a session (a CSRF token on a form) creates
// a record, so an unauthenticated client can grow the store at will; a
// cap bounds its memory. When a Create of a new record finds the store at
// the cap, it evicts the record that expires soonest: expired records
// first, then live ones, soonest expiry first. Short-lived anonymous
// records therefore go before long-lived logged-in sessions; a session
// whose expiry is nearer than the anonymous records' goes before them. An
// evicted session is lost, as if it had expired. Each eviction costs
// O(log n); Update, Touch and Delete keep the heap in order at O(log n)
// too, and Find stays a map lookup.
package memstore

import (
	"bytes"
	"container/heap"
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/ginflask/flasksession"
)

// Store is an in-memory flasksession.Store, safe for concurrent use. It
// copies data in and out: slices passed to it or returned by it are the
// caller's. Each method is atomic on its record. The zero Store is not
// usable; call New.
type Store struct {
	now func() time.Time // time.Now; tests replace it
	max int              // most records held; 0: no cap

	mu      sync.RWMutex
	records map[string]*entry
	byExp   expiryHeap // the same entries, soonest expiry on top
}

// entry is one record. exp is the expiry in Unix nanoseconds: a third of
// a time.Time's size, and it orders the heap.
type entry struct {
	id    string
	data  []byte
	exp   int64
	index int // in byExp
}

var (
	_ flasksession.Store        = (*Store)(nil)
	_ flasksession.ExpiryReader = (*Store)(nil)
)

// Option changes a setting of New.
type Option func(*Store)

// WithMaxRecords caps the store at n records (n <= 0: no cap, the
// default). A Create that would exceed the cap evicts the records that
// expire soonest, expired ones first; see the package doc.
func WithMaxRecords(n int) Option {
	return func(s *Store) { s.max = max(n, 0) }
}

// New returns an empty Store.
func New(opts ...Option) *Store {
	s := &Store{now: time.Now, records: make(map[string]*entry)}
	for _, o := range opts {
		o(s)
	}
	return s
}

// nanos is t in Unix nanoseconds, clamped to int64 (years 1678 to 2262).
func nanos(t time.Time) int64 {
	switch {
	case t.Unix() >= math.MaxInt64/1_000_000_000:
		return math.MaxInt64
	case t.Unix() <= math.MinInt64/1_000_000_000:
		return math.MinInt64
	}
	return t.UnixNano()
}

// live returns the entry under id if it has not expired at now.
func (s *Store) live(id string, now int64) (*entry, bool) {
	e, ok := s.records[id]
	return e, ok && e.exp > now
}

// Find returns a copy of the record's data; an expired record is not
// found.
func (s *Store) Find(ctx context.Context, id string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	now := nanos(s.now())
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.live(id, now)
	if !ok {
		return nil, false, nil
	}
	return bytes.Clone(e.data), true, nil
}

// Expiry returns when the record under id expires, to the nanosecond
// given; found is false for a record that is missing or expired. It
// implements flasksession.ExpiryReader.
func (s *Store) Expiry(ctx context.Context, id string) (time.Time, bool, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, false, err
	}
	now := nanos(s.now())
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.live(id, now)
	if !ok {
		return time.Time{}, false, nil
	}
	return time.Unix(0, e.exp), true, nil
}

// Create stores a copy of data under id until expiry, or returns
// flasksession.ErrRecordExists if a record under id has not expired. An
// expiry that is not in the future stores nothing. At the cap it first
// evicts the record that expires soonest.
func (s *Store) Create(ctx context.Context, id string, data []byte, expiry time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now, exp := nanos(s.now()), nanos(expiry)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.live(id, now); ok {
		return flasksession.ErrRecordExists
	}
	// Expired records (id's among them) are on top of the heap: each is popped once, so
	// this costs O(log n) per record over the store's life.
	for len(s.byExp) > 0 && s.byExp[0].exp <= now {
		s.remove(s.byExp[0].id)
	}
	if exp <= now {
		return nil
	}
	for s.max > 0 && len(s.records) >= s.max {
		s.remove(s.byExp[0].id)
	}
	e := &entry{id: id, data: bytes.Clone(data), exp: exp}
	s.records[id] = e
	heap.Push(&s.byExp, e)
	return nil
}

// Update replaces the data and expiry of a record that has not expired;
// see flasksession.Store for old.
func (s *Store) Update(ctx context.Context, id string, old, data []byte, expiry time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := nanos(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.existing(id, now)
	if err != nil {
		return err
	}
	if old != nil && !bytes.Equal(e.data, old) {
		return flasksession.ErrConflict
	}
	e.data = bytes.Clone(data)
	s.setExpiry(e, nanos(expiry), now)
	return nil
}

// Touch sets the expiry of a record that has not expired.
func (s *Store) Touch(ctx context.Context, id string, expiry time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := nanos(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.existing(id, now)
	if err != nil {
		return err
	}
	s.setExpiry(e, nanos(expiry), now)
	return nil
}

// Delete removes the record under id, if any.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remove(id)
	return nil
}

// existing returns the entry under id for Update and Touch, which apply
// only while it lives; an expired one is removed. The caller holds mu.
func (s *Store) existing(id string, now int64) (*entry, error) {
	e, ok := s.live(id, now)
	if !ok {
		s.remove(id)
		return nil, flasksession.ErrRecordNotFound
	}
	return e, nil
}

// setExpiry moves e to exp, or removes it if exp has passed. The caller
// holds mu.
func (s *Store) setExpiry(e *entry, exp, now int64) {
	if exp <= now {
		s.remove(e.id)
		return
	}
	if e.exp != exp {
		e.exp = exp
		heap.Fix(&s.byExp, e.index)
	}
}

// remove deletes the record under id, if any. The caller holds mu.
func (s *Store) remove(id string) {
	e, ok := s.records[id]
	if !ok {
		return
	}
	delete(s.records, id)
	heap.Remove(&s.byExp, e.index)
}

// expiryHeap is a container/heap of entries, soonest expiry first; each
// entry knows its index so that Fix and Remove find it.
type expiryHeap []*entry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].exp < h[j].exp }

func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *expiryHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}

func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil // let the entry go
	*h = old[:len(old)-1]
	if cap(*h) > 1024 && len(*h) < cap(*h)/4 {
		*h = slices.Clone(*h) // give back the memory of a burst
	}
	return e
}
