package filestore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The lazy sweep keeps the directory near the number of live records,
// and removes the temporary files of interrupted writes.
func TestSweep(t *testing.T) {
	ctx := context.Background()
	for _, live := range []int{0, 10, 100} {
		t.Run(fmt.Sprint(live, " live"), func(t *testing.T) {
			now := time.Unix(1_700_000_000, 0)
			s, err := New(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			s.now = func() time.Time { return now }
			for i := range live {
				if err := s.Create(ctx, fmt.Sprint("live", i), nil, now.Add(24*time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			leftover := filepath.Join(s.dir, tmpPrefix+"crashed")
			if err := os.WriteFile(leftover, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			limit := 2*max(live, minSweep) + 1
			for i := range 300 {
				if err := s.Create(ctx, fmt.Sprint("short", i), nil, now.Add(time.Second)); err != nil {
					t.Fatal(err)
				}
				now = now.Add(time.Second) // the record just created has expired
				if n := records(t, s.dir); n > limit {
					t.Fatalf("after %d short-lived records, %d files, want at most %d", i+1, n, limit)
				}
			}
			if _, err := os.Stat(leftover); !os.IsNotExist(err) {
				t.Errorf("temporary file of an interrupted write not swept: %v", err)
			}
			for i := range live {
				if _, found, _ := s.Find(ctx, fmt.Sprint("live", i)); !found {
					t.Fatalf("live record %d swept", i)
				}
			}
		})
	}
}

func records(t *testing.T, dir string) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), suffix) {
			n++
		}
	}
	return n
}
