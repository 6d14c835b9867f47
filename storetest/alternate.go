package storetest

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/ginflask/flasksession"
)

// Alternate returns a Store that sends each call to the next of two
// stores, in turn: two instances over one backend (two processes on one
// directory, two adapters on one Redis), for running the suites across
// instances, as a load balancer spreads requests. When both stores are
// ExpiryReaders, so is the result.
func Alternate(a, b flasksession.Store) flasksession.Store {
	alt := &alternate{s: [2]flasksession.Store{a, b}}
	ra, okA := a.(flasksession.ExpiryReader)
	rb, okB := b.(flasksession.ExpiryReader)
	if okA && okB {
		return &alternateExpiry{alt, [2]flasksession.ExpiryReader{ra, rb}}
	}
	return alt
}

type alternate struct {
	s [2]flasksession.Store
	n atomic.Uint32
}

func (a *alternate) next() flasksession.Store { return a.s[a.n.Add(1)%2] }

func (a *alternate) Find(ctx context.Context, id string) ([]byte, bool, error) {
	return a.next().Find(ctx, id)
}

func (a *alternate) Create(ctx context.Context, id string, data []byte, expiry time.Time) error {
	return a.next().Create(ctx, id, data, expiry)
}

func (a *alternate) Update(ctx context.Context, id string, old, data []byte, expiry time.Time) error {
	return a.next().Update(ctx, id, old, data, expiry)
}

func (a *alternate) Touch(ctx context.Context, id string, expiry time.Time) error {
	return a.next().Touch(ctx, id, expiry)
}

func (a *alternate) Delete(ctx context.Context, id string) error { return a.next().Delete(ctx, id) }

type alternateExpiry struct {
	*alternate
	r [2]flasksession.ExpiryReader
}

func (a *alternateExpiry) Expiry(ctx context.Context, id string) (time.Time, bool, error) {
	return a.r[a.n.Add(1)%2].Expiry(ctx, id)
}
