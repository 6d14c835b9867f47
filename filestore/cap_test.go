package filestore

import (
	"context"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ginflask/flasksession/internal/evictiontest"
)

// The documented eviction order (internal/evictiontest's cases). Below 32 records a
// sixteenth of the cap rounds to one, so each Create at the cap evicts
// one record.
func TestEvictionOrder(t *testing.T) {
	for _, tc := range evictiontest.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			now := evictiontest.Start
			s, err := New(t.TempDir(), WithMaxRecords(tc.Max))
			if err != nil {
				t.Fatal(err)
			}
			s.now = func() time.Time { return now }
			evictiontest.Play(t, s, &now, tc.Steps, func(st evictiontest.Step) {
				if n := records(t, s.dir); tc.Max > 0 && n > tc.Max {
					t.Fatalf("after %s %s: %d records, cap %d", st.Op, st.ID, n, tc.Max)
				}
			})
			var got []string
			for _, id := range ids(t, s.dir) {
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

// A Create that finds the store full evicts a sixteenth of the cap, the
// records that expire soonest, and the next Creates until the cap find
// room without listing the directory.
func TestEvictsInBatches(t *testing.T) {
	ctx := context.Background()
	const max, batch = 160, 10
	now := time.Unix(1_700_000_000, 0)
	s, err := New(t.TempDir(), WithMaxRecords(max))
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return now }
	for i := range max {
		if err := s.Create(ctx, fmt.Sprintf("r%03d", i), nil, now.Add(time.Hour+time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	for round := range 3 {
		for i := range batch {
			id := fmt.Sprintf("n%d-%d", round, i)
			if err := s.Create(ctx, id, nil, now.Add(2*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if got, want := records(t, s.dir), max-batch+i+1; got != want {
				t.Fatalf("round %d, Create %d: %d records, want %d", round, i, got, want)
			}
			if n, _ := s.count(t); n != max-batch+i+1 {
				t.Fatalf("round %d, Create %d: count %d, want %d", round, i, n, max-batch+i+1)
			}
		}
	}
	// The first 30 (three batches) went, soonest expiry first.
	for i := range max {
		_, found, _ := s.Find(ctx, fmt.Sprintf("r%03d", i))
		if found != (i >= 3*batch) {
			t.Errorf("record r%03d found %v", i, found)
		}
	}
}

// count is the record count in the lock file.
func (s *Store) count(t *testing.T) (int, bool) {
	t.Helper()
	f, err := os.Open(s.dir + "/" + lockName)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return readCount(f)
}

// The count follows Creates and removals of every kind, and a lock file
// without one (new, or from a version that kept none) gets one at the
// first listing.
func TestCount(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	s, err := New(t.TempDir(), WithMaxRecords(100))
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return now }
	later := now.Add(time.Hour)
	want := func(n int) {
		t.Helper()
		if got, known := s.count(t); !known || got != n || records(t, s.dir) != n {
			t.Fatalf("count %d (known %v), %d files; want %d", got, known, records(t, s.dir), n)
		}
	}
	for i := range 10 {
		if err := s.Create(ctx, fmt.Sprint(i), nil, later); err != nil {
			t.Fatal(err)
		}
	}
	want(10)
	_ = s.Delete(ctx, "0")
	_ = s.Delete(ctx, "0") // already gone
	want(9)
	_ = s.Update(ctx, "1", nil, []byte("x"), later)
	_ = s.Touch(ctx, "2", later.Add(time.Hour))
	want(9)
	_ = s.Update(ctx, "3", nil, nil, now.Add(-time.Second))
	_ = s.Touch(ctx, "4", now)
	want(7)
	_ = s.Create(ctx, "past", nil, now)
	want(7)
	if err := s.Create(ctx, "5", nil, later); err == nil {
		t.Fatal("Create over a live record succeeded")
	}
	want(7)
	// Records 6 and 7 expire; each operation that meets one removes it.
	_ = s.Touch(ctx, "6", now)
	_ = s.Touch(ctx, "7", now)
	if err := os.Chtimes(s.dir+"/"+hex.EncodeToString([]byte("8"))+suffix, time.Time{}, now); err != nil {
		t.Fatal(err)
	}
	_ = s.Update(ctx, "8", nil, nil, later)
	want(4)
	if err := os.Chtimes(s.dir+"/"+hex.EncodeToString([]byte("9"))+suffix, time.Time{}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, "9", nil, later); err != nil { // over the expired one
		t.Fatal(err)
	}
	want(4)

	if err := os.Truncate(s.dir+"/"+lockName, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, "new", nil, later); err != nil {
		t.Fatal(err)
	}
	want(5)
}

// A count too low (files written by something that did not count them)
// is set right by the next listing, the lazy sweep's included.
func TestCountCorrected(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := New(dir, WithMaxRecords(1000))
	if err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	if err := s.Create(ctx, "first", nil, later); err != nil { // lists: no count yet
		t.Fatal(err)
	}
	for i := range 100 { // not counted
		p, _ := s.path(fmt.Sprint("uncounted", i))
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, time.Time{}, later); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := s.count(t); n != 1 {
		t.Fatalf("count %d, want 1", n)
	}
	for i := range minSweep {
		if err := s.Create(ctx, fmt.Sprint(i), nil, later); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := s.count(t); n != 1+100+minSweep {
		t.Errorf("count %d after the lazy sweep, want %d", n, 1+100+minSweep)
	}
}

// Stores sharing a directory, as processes do, racing Creates and
// removals: together they never hold more than the cap, and the count
// stays exact.
func TestCapSharedDirectory(t *testing.T) {
	ctx := context.Background()
	const max = 40
	dir := t.TempDir()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	over := make(chan int, 1)
	observed := make(chan struct{})
	go func() { // counts under the lock, between operations
		defer close(observed)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if n := lockedRecords(dir); n > max {
				select {
				case over <- n:
				default:
				}
			}
		}
	}()
	for g := range 4 {
		s, err := New(dir, WithMaxRecords(max))
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 0))
			for i := range 150 {
				id := fmt.Sprint(rng.IntN(400))
				exp := time.Now().Add(time.Duration(rng.IntN(3600)+1) * time.Second)
				var err error
				switch i % 4 {
				case 0, 1:
					err = s.Create(ctx, id, []byte(id), exp)
				case 2:
					err = s.Touch(ctx, id, exp)
				case 3:
					err = s.Delete(ctx, id)
				}
				if err != nil && !strings.Contains(err.Error(), "session record") {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	<-observed
	select {
	case n := <-over:
		t.Errorf("%d records seen, cap %d", n, max)
	default:
	}
	s, _ := New(dir)
	if n, known := s.count(t); !known || n != records(t, dir) {
		t.Errorf("count %d (known %v), %d files", n, known, records(t, dir))
	}
}

// lockedRecords counts the record files in dir under the lock (a listing
// racing renames and unlinks may see a file twice or miss one); -1 on an
// error.
func lockedRecords(dir string) int {
	_, unlock, err := lockDir(dir)
	if err != nil {
		return -1
	}
	defer unlock()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return -1
	}
	n := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), suffix) {
			n++
		}
	}
	return n
}

// ids returns the IDs of the record files in dir.
func ids(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), suffix); ok {
			id, err := hex.DecodeString(name)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, string(id))
		}
	}
	return ids
}
