package memstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ginflask/flasksession"
)

const day = 24 * time.Hour

// step is one operation of an eviction-order case, at offsets from the
// case's clock.
type step struct {
	op  string // "create", "touch", "update", "delete", "wait"
	id  string
	exp time.Duration // expiry, from the clock's time at the step
}

func create(id string, exp time.Duration) step { return step{"create", id, exp} }
func touch(id string, exp time.Duration) step  { return step{"touch", id, exp} }
func update(id string, exp time.Duration) step { return step{"update", id, exp} }
func del(id string) step                       { return step{"delete", id, 0} }
func wait(d time.Duration) step                { return step{"wait", "", d} }

// The documented eviction order: at the cap, a Create removes expired
// records first, then the live records that expire soonest, whatever
// made their expiry (Create, Update, Touch).
func TestEvictionOrder(t *testing.T) {
	for _, tc := range []struct {
		name  string
		max   int
		steps []step
		want  []string // the records left, sorted
	}{
		{"no cap keeps everything", 0,
			[]step{create("a", time.Hour), create("b", time.Minute), create("c", 2*time.Hour), create("d", time.Second)},
			[]string{"a", "b", "c", "d"}},
		{"under the cap nothing goes", 4,
			[]step{create("a", time.Hour), create("b", time.Minute), create("c", 2*time.Hour), create("d", time.Second)},
			[]string{"a", "b", "c", "d"}},
		{"soonest expiry goes", 3,
			[]step{create("a", time.Hour), create("b", time.Minute), create("c", 2*time.Hour), create("d", 3*time.Hour)},
			[]string{"a", "c", "d"}},
		{"expired go before live", 3,
			[]step{create("a", time.Hour), create("b", time.Minute), create("c", 2*time.Minute), wait(90 * time.Second), create("d", 3*time.Hour)},
			[]string{"a", "c", "d"}},
		{"all expired go, no live one", 3,
			[]step{create("a", time.Hour), create("b", time.Minute), create("c", time.Minute), wait(2 * time.Minute), create("d", time.Second)},
			[]string{"a", "d"}},
		{"anonymous records go before logged-in sessions", 4,
			[]step{
				create("login1", 31*day), create("anon1", day), create("login2", 31*day),
				wait(time.Second), create("anon2", day), wait(time.Second), create("anon3", day),
				wait(time.Second), create("anon4", day), wait(time.Second), create("anon5", day),
			},
			[]string{"anon4", "anon5", "login1", "login2"}},
		{"a new record expiring soonest is still stored", 2,
			[]step{create("login1", 31*day), create("login2", 30*day), create("anon", day)},
			[]string{"anon", "login1"}},
		{"a session about to expire goes before a fresh anonymous one", 2,
			[]step{create("old-login", time.Hour), create("anon1", day), create("anon2", day)},
			[]string{"anon1", "anon2"}},
		{"touch to later moves a record back", 2,
			[]step{create("a", time.Hour), create("b", 2*time.Hour), touch("a", 3*time.Hour), create("c", 4*time.Hour)},
			[]string{"a", "c"}},
		{"touch to nearer moves a record forward", 2,
			[]step{create("a", 3*time.Hour), create("b", 2*time.Hour), touch("a", time.Hour), create("c", 4*time.Hour)},
			[]string{"b", "c"}},
		{"update moves the expiry", 2,
			[]step{create("a", time.Hour), create("b", 2*time.Hour), update("a", 3*time.Hour), create("c", 4*time.Hour)},
			[]string{"a", "c"}},
		{"delete frees a slot", 2,
			[]step{create("a", time.Hour), create("b", 2*time.Hour), del("b"), create("c", 3*time.Hour)},
			[]string{"a", "c"}},
		{"cap of one", 1,
			[]step{create("a", 2*time.Hour), create("b", time.Hour), create("c", 3*time.Hour)},
			[]string{"c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			now := time.Unix(1_700_000_000, 0)
			s := New(WithMaxRecords(tc.max))
			s.now = func() time.Time { return now }
			for _, st := range tc.steps {
				var err error
				switch st.op {
				case "create":
					err = s.Create(ctx, st.id, []byte(st.id), now.Add(st.exp))
				case "touch":
					err = s.Touch(ctx, st.id, now.Add(st.exp))
				case "update":
					err = s.Update(ctx, st.id, nil, []byte(st.id+"2"), now.Add(st.exp))
				case "delete":
					err = s.Delete(ctx, st.id)
				case "wait":
					now = now.Add(st.exp)
				}
				if err != nil {
					t.Fatalf("%s %s: %v", st.op, st.id, err)
				}
				checkHeap(t, s)
				if tc.max > 0 && len(s.records) > tc.max {
					t.Fatalf("after %s %s: %d records, cap %d", st.op, st.id, len(s.records), tc.max)
				}
			}
			var got []string
			for id := range s.records {
				if _, found, _ := s.Find(ctx, id); found {
					got = append(got, id)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("records left %v, want %v", got, tc.want)
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
