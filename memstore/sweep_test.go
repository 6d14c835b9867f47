package memstore

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// The lazy sweep keeps the store near the number of live records however
// many expire, with no goroutine.
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
			limit := 2*max(tc.live, minSweep) + 1
			for i := range tc.churn {
				if err := s.Create(ctx, fmt.Sprint("short", i), nil, now.Add(time.Second)); err != nil {
					t.Fatal(err)
				}
				now = now.Add(time.Second) // the record just created has expired
				if n := len(s.records); n > limit {
					t.Fatalf("after %d short-lived records, the store holds %d, want at most %d", i+1, n, limit)
				}
			}
			for i := range tc.live {
				if _, found, _ := s.Find(ctx, fmt.Sprint("live", i)); !found {
					t.Fatalf("live record %d swept", i)
				}
			}
		})
	}
}
