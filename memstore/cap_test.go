package memstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/evictiontest"
)

// The documented eviction order (internal/evictiontest's cases).
func TestEvictionOrder(t *testing.T) {
	for _, tc := range evictiontest.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			now := evictiontest.Start
			s := New(WithMaxRecords(tc.Max))
			s.now = func() time.Time { return now }
			evictiontest.Play(t, s, &now, tc.Steps, func(st evictiontest.Step) {
				checkHeap(t, s)
				if tc.Max > 0 && len(s.records) > tc.Max {
					t.Fatalf("after %s %s: %d records, cap %d", st.Op, st.ID, len(s.records), tc.Max)
				}
			})
			var got []string
			for _, id := range slices.Collect(maps.Keys(s.records)) {
				if _, found, _ := s.Find(context.Background(), id); found {
					got = append(got, id)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.Want) {
				t.Errorf("records left %v, want %v", got, tc.Want)
			}
		})
	}
}

// Random operations on a capped store with a fake clock: the store never
// holds more than the cap, and a Create at the cap evicts exactly the
// record with the soonest expiry.
func TestCapRandomOps(t *testing.T) {
	ctx := context.Background()
	for _, max := range []int{1, 2, 10, 100} {
		t.Run(fmt.Sprint("cap ", max), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(max)))
			now := time.Unix(1_700_000_000, 0)
			s := New(WithMaxRecords(max))
			s.now = func() time.Time { return now }
			ids := make([]string, 3*max+5)
			for i := range ids {
				ids[i] = fmt.Sprint("id", i)
			}
			for range 20_000 {
				id := ids[rng.IntN(len(ids))]
				exp := now.Add(time.Duration(rng.IntN(3600)-60) * time.Second) // some in the past
				switch rng.IntN(6) {
				case 0, 1, 2:
					before := map[string]int64{} // the live records
					soonest := int64(math.MaxInt64)
					for _, e := range s.records {
						if e.exp > nanos(now) {
							before[e.id] = e.exp
							soonest = min(soonest, e.exp)
						}
					}
					_, taken := before[id]
					err := s.Create(ctx, id, nil, exp)
					if taken != errors.Is(err, flasksession.ErrRecordExists) || (!taken && err != nil) {
						t.Fatalf("Create: %v (taken %v)", err, taken)
					}
					var evicted []int64
					for other, otherExp := range before {
						if _, ok := s.records[other]; !ok {
							evicted = append(evicted, otherExp)
						}
					}
					switch {
					case !taken && exp.After(now) && len(before) >= max:
						if len(evicted) != 1 || evicted[0] != soonest {
							t.Fatalf("at the cap, Create evicted records expiring at %v, want one expiring at %v", evicted, soonest)
						}
					case len(evicted) > 0:
						t.Fatalf("under the cap, Create evicted records expiring at %v", evicted)
					}
				case 3:
					_ = s.Touch(ctx, id, exp)
				case 4:
					_ = s.Update(ctx, id, nil, []byte("x"), exp)
				case 5:
					_ = s.Delete(ctx, id)
				}
				if len(s.records) > max {
					t.Fatalf("%d records, cap %d", len(s.records), max)
				}
				checkHeap(t, s)
				now = now.Add(time.Duration(rng.IntN(10)) * time.Second)
			}
		})
	}
}

// Goroutines racing every method on a capped store never take it over
// the cap, and leave the heap consistent (run with -race).
func TestCapConcurrent(t *testing.T) {
	ctx := context.Background()
	const max = 50
	s := New(WithMaxRecords(max))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 0))
			for i := range 2000 {
				id := fmt.Sprint(rng.IntN(200))
				exp := time.Now().Add(time.Duration(rng.IntN(1000)) * time.Millisecond)
				switch i % 5 {
				case 0, 1:
					_ = s.Create(ctx, id, []byte(id), exp)
				case 2:
					_ = s.Touch(ctx, id, exp)
				case 3:
					_ = s.Update(ctx, id, nil, []byte(id), exp)
				case 4:
					_, _, _ = s.Find(ctx, id)
					_, _, _ = s.Expiry(ctx, id)
				}
				if i%7 == 0 {
					_ = s.Delete(ctx, id)
				}
				s.mu.RLock()
				n := len(s.records)
				s.mu.RUnlock()
				if n > max {
					t.Errorf("%d records, cap %d", n, max)
					return
				}
			}
		})
	}
	wg.Wait()
	checkHeap(t, s)
}

// Expiry is the expiry given, to the nanosecond, for as long as the
// record lives.
func TestExpiryExact(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	s := New()
	s.now = func() time.Time { return now }
	exp := now.Add(time.Hour + 123456789*time.Nanosecond)
	if err := s.Create(ctx, "a", nil, exp); err != nil {
		t.Fatal(err)
	}
	if got, found, err := s.Expiry(ctx, "a"); !found || err != nil || !got.Equal(exp) {
		t.Errorf("Expiry = %v, %v, %v; want %v", got, found, err, exp)
	}
	now = exp
	if got, found, err := s.Expiry(ctx, "a"); found || err != nil {
		t.Errorf("Expiry at the expiry = %v, %v, %v; want not found", got, found, err)
	}
	// Times beyond what int64 nanoseconds hold still order right.
	far := time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := s.Create(ctx, "far", nil, far); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := s.Find(ctx, "far"); !found {
		t.Error("record expiring in the year 3000 not found")
	}
}
