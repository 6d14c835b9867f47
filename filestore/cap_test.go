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
// made their expiry (Create, Update, Touch). Below 32 records a sixteenth
// of the cap rounds to one, so each Create at the cap evicts one record.
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
			s, err := New(t.TempDir(), WithMaxRecords(tc.max))
			if err != nil {
				t.Fatal(err)
			}
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
				if n := records(t, s.dir); tc.max > 0 && n > tc.max {
					t.Fatalf("after %s %s: %d records, cap %d", st.op, st.id, n, tc.max)
				}
			}
			var got []string
			for _, id := range ids(t, s.dir) {
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
