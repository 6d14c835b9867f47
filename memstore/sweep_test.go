package memstore

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// Each Create removes the records that have expired, so the store holds
// the live records and at most those that expired since, with no
// goroutine.
func TestSweepBoundsSize(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		live  int // records that never expire
		churn int // short-lived records created after them, one per tick
	}{
		{"only short-lived", 0, 5000},
		{"few live", 10, 5000},
		{"many live", 1000, 5000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Unix(1_700_000_000, 0)
			s := New()
			s.now = func() time.Time { return now }
			for i := range tc.live {
				if err := s.Create(ctx, fmt.Sprint("live", i), nil, now.Add(24*time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			for i := range tc.churn {
				if err := s.Create(ctx, fmt.Sprint("short", i), nil, now.Add(time.Second)); err != nil {
					t.Fatal(err)
				}
				now = now.Add(time.Second) // the record just created has expired
				if n, limit := len(s.records), tc.live+1; n > limit {
					t.Fatalf("after %d short-lived records, the store holds %d, want at most %d", i+1, n, limit)
				}
				checkHeap(t, s)
			}
			for i := range tc.live {
				if _, found, _ := s.Find(ctx, fmt.Sprint("live", i)); !found {
					t.Fatalf("live record %d swept", i)
				}
			}
		})
	}
}

// A burst that expires gives the heap's memory back.
func TestHeapShrinks(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	s := New()
	s.now = func() time.Time { return now }
	for i := range 100_000 {
		if err := s.Create(ctx, fmt.Sprint(i), nil, now.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(time.Minute)
	if err := s.Create(ctx, "after", nil, now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if len(s.records) != 1 || cap(s.byExp) > 1024 {
		t.Errorf("after the burst expired: %d records, heap capacity %d; want 1 and at most 1024", len(s.records), cap(s.byExp))
	}
	checkHeap(t, s)
}

// checkHeap checks that the map and the heap hold the same entries, each
// knowing its index, in heap order.
func checkHeap(t *testing.T, s *Store) {
	t.Helper()
	if len(s.byExp) != len(s.records) {
		t.Fatalf("heap holds %d entries, map %d", len(s.byExp), len(s.records))
	}
	for i, e := range s.byExp {
		if e.index != i {
			t.Fatalf("entry %q at heap index %d says %d", e.id, i, e.index)
		}
		if s.records[e.id] != e {
			t.Fatalf("heap entry %q is not the map's", e.id)
		}
		if i > 0 && s.byExp[(i-1)/2].exp > e.exp {
			t.Fatalf("heap order broken at index %d", i)
		}
	}
}
