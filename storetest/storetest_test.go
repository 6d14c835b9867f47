package storetest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ginflask/flasksession"
)

// faults are the ways the broken stores below break the Store contract,
// and the subtests each must fail. Subtests not listed must pass, except
// the racing Atomic* ones, which may fail for a broken store either way.
var faults = []struct {
	fault string
	fails []string
}{
	{"", nil},
	{"update upserts", []string{"GoneStaysGone"}},
	{"touch upserts", []string{"GoneStaysGone"}},
	{"touch revives", []string{"GoneStaysGone"}},
	{"conflict on gone", []string{"GoneStaysGone"}},
	{"create overwrites", []string{"CreateTaken", "AtomicCreateRace"}},
	{"no version check", []string{"UpdateVersionCheck", "AtomicVersionCheckRace"}},
	{"aliases input", []string{"NoAliasing"}},
	{"aliases output", []string{"NoAliasing"}},
	{"never expires", []string{"CreateOverExpired", "GoneStaysGone", "PastExpiry", "ExpiryPasses", "Expiry"}},
	{"touch keeps expiry", []string{"PastExpiry", "ExpiryPasses", "Expiry"}},
	{"update keeps expiry", []string{"PastExpiry", "ExpiryPasses", "Expiry"}},
	{"touch clears data", []string{"TouchKeepsData", "ExpiryPasses", "IndependentRecords"}},
	{"ignores context", []string{"CancelledContext"}},
	{"delete of missing fails", []string{"DeleteIdempotent"}},
	{"empty is missing", []string{"BinaryData"}},
	{"truncates at 16 KB", []string{"LargeRecord"}},
	{"expiry ignores touch", []string{"Expiry"}},
	{"expiry outlives delete", []string{"Expiry"}},
}

// middlewareFaults are the broken stores RunMiddleware must catch, and
// the subtests that must fail; the others must pass.
var middlewareFaults = []struct {
	fault string
	fails []string
}{
	{"", nil},
	{"update upserts", []string{"LogoutSticks"}},
	{"touch revives", []string{"LogoutSticks"}},
	{"no version check", []string{"LaterWriteWins"}},
	{"touch clears data", []string{"ReadNeverErasesWrite", "SharedEngines"}},
	{"truncates at 16 KB", []string{"LargeSession"}},
}

const brokenEnv = "STORETEST_BROKEN_STORES"

// TestBrokenStores runs the suite on stores that each break one rule, in
// a child process (a failing suite fails its test), and checks that
// exactly the subtests that check that rule fail; that NotAtomic skips
// exactly the Atomic* subtests; and that a store without Expiry skips
// only that subtest.
func TestBrokenStores(t *testing.T) {
	if os.Getenv(brokenEnv) != "" {
		t.Skip("in the child process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunBroken$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), brokenEnv+"=1")
	out, _ := cmd.CombinedOutput() // fails, as it should
	results := map[string]map[string]string{}
	re := regexp.MustCompile(`--- (PASS|FAIL|SKIP): TestRunBroken/([^/ ]+)/([^/ ]+) `)
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		if results[m[2]] == nil {
			results[m[2]] = map[string]string{}
		}
		results[m[2]][m[3]] = m[1]
	}
	for _, f := range faults {
		name := strings.ReplaceAll(cmp(f.fault, "correct"), " ", "_")
		got := results[name]
		if len(got) != len(subtests) {
			t.Errorf("%s: %d subtest results in the child's output, want %d:\n%s", name, len(got), len(subtests), out)
			continue
		}
		for _, st := range subtests {
			want := "PASS"
			if slices.Contains(f.fails, st.name) {
				want = "FAIL"
			}
			if r := got[st.name]; r != want && !(st.atomic && want == "PASS") {
				t.Errorf("store that %s: %s %s, want %s", cmp(f.fault, "breaks nothing"), st.name, r, want)
			}
		}
	}
	for _, f := range middlewareFaults {
		name := "middleware_" + strings.ReplaceAll(cmp(f.fault, "correct"), " ", "_")
		got := results[name]
		for _, st := range middlewareTests {
			want := "PASS"
			if slices.Contains(f.fails, st.name) {
				want = "FAIL"
			}
			if r := got[st.name]; r != want {
				t.Errorf("RunMiddleware, store that %s: %s %s, want %s", cmp(f.fault, "breaks nothing"), st.name, r, want)
			}
		}
	}
	for _, st := range subtests {
		want := "PASS"
		if st.atomic {
			want = "SKIP"
		}
		if r := results["NotAtomic"][st.name]; r != want {
			t.Errorf("Options{NotAtomic: true}: %s %s, want %s", st.name, r, want)
		}
	}
	for _, st := range subtests {
		want := "PASS"
		if st.name == "Expiry" {
			want = "SKIP"
		}
		if r := results["no_Expiry"][st.name]; r != want {
			t.Errorf("store without Expiry: %s %s, want %s", st.name, r, want)
		}
	}
}

// TestRunBroken is the child process of TestBrokenStores.
func TestRunBroken(t *testing.T) {
	if os.Getenv(brokenEnv) == "" {
		t.Skip("run by TestBrokenStores")
	}
	expiryWait = time.Second
	for _, f := range faults {
		t.Run(cmp(f.fault, "correct"), func(t *testing.T) {
			t.Parallel()
			Run(t, func(*testing.T) flasksession.Store { return newFaulty(f.fault) })
		})
	}
	for _, f := range middlewareFaults {
		t.Run("middleware "+cmp(f.fault, "correct"), func(t *testing.T) {
			t.Parallel()
			RunMiddleware(t, func(*testing.T) flasksession.Store { return newFaulty(f.fault) })
		})
	}
	t.Run("NotAtomic", func(t *testing.T) {
		t.Parallel()
		Options{NotAtomic: true}.Run(t, func(*testing.T) flasksession.Store { return newFaulty("") })
	})
	t.Run("no Expiry", func(t *testing.T) {
		t.Parallel()
		Run(t, func(*testing.T) flasksession.Store {
			return struct{ flasksession.Store }{newFaulty("")} // hides Expiry
		})
	})
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// faulty is a plain map store that breaks one rule, named by fault.
type faulty struct {
	fault  string
	mu     sync.Mutex
	m      map[string]rec
	graves map[string]rec // deleted records, for "touch revives"
}

type rec struct {
	data   []byte
	expiry time.Time
	shown  time.Time // what Expiry reports: expiry, but for "expiry ignores touch"
}

func newFaulty(fault string) *faulty {
	return &faulty{fault: fault, m: map[string]rec{}, graves: map[string]rec{}}
}

func (s *faulty) in(b []byte) []byte {
	if s.fault == "aliases input" {
		return b
	}
	if s.fault == "truncates at 16 KB" && len(b) > 16<<10 {
		b = b[:16<<10]
	}
	return bytes.Clone(b)
}

func (s *faulty) ctxErr(ctx context.Context) error {
	if s.fault == "ignores context" {
		return nil
	}
	return ctx.Err()
}

// get returns the live record under id; the caller holds mu.
func (s *faulty) get(id string) (rec, bool) {
	r, ok := s.m[id]
	if ok && !r.expiry.After(time.Now()) && s.fault != "never expires" {
		delete(s.m, id)
		return r, false
	}
	return r, ok
}

func (s *faulty) Find(ctx context.Context, id string) ([]byte, bool, error) {
	if err := s.ctxErr(ctx); err != nil {
		return nil, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.get(id)
	if !ok || (s.fault == "empty is missing" && len(r.data) == 0) {
		return nil, false, nil
	}
	if s.fault == "aliases output" {
		return r.data, true, nil
	}
	return bytes.Clone(r.data), true, nil
}

func (s *faulty) Create(ctx context.Context, id string, data []byte, expiry time.Time) error {
	if err := s.ctxErr(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.get(id); ok && s.fault != "create overwrites" {
		return flasksession.ErrRecordExists
	}
	s.m[id] = rec{s.in(data), expiry, expiry}
	return nil
}

func (s *faulty) Update(ctx context.Context, id string, old, data []byte, expiry time.Time) error {
	if err := s.ctxErr(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.get(id)
	switch {
	case !ok && s.fault == "conflict on gone" && old != nil:
		return flasksession.ErrConflict
	case !ok && s.fault != "update upserts":
		return flasksession.ErrRecordNotFound
	case ok && old != nil && !bytes.Equal(r.data, old) && s.fault != "no version check":
		return flasksession.ErrConflict
	}
	if s.fault == "update keeps expiry" && ok {
		expiry = r.expiry
	}
	s.m[id] = rec{s.in(data), expiry, expiry}
	return nil
}

func (s *faulty) Touch(ctx context.Context, id string, expiry time.Time) error {
	if err := s.ctxErr(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.get(id)
	if !ok && s.fault == "touch revives" {
		r, ok = s.graves[id]
	}
	if !ok && s.fault != "touch upserts" {
		return flasksession.ErrRecordNotFound
	}
	if s.fault != "touch keeps expiry" {
		r.expiry = expiry
		if s.fault != "expiry ignores touch" {
			r.shown = expiry
		}
	}
	if s.fault == "touch clears data" {
		r.data = nil
	}
	s.m[id] = r
	return nil
}

func (s *faulty) Expiry(ctx context.Context, id string) (time.Time, bool, error) {
	if err := s.ctxErr(ctx); err != nil {
		return time.Time{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.get(id)
	if !ok && s.fault == "expiry outlives delete" {
		r, ok = s.graves[id]
	}
	if !ok {
		return time.Time{}, false, nil
	}
	return r.shown, true, nil
}

func (s *faulty) Delete(ctx context.Context, id string) error {
	if err := s.ctxErr(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[id]; !ok && s.fault == "delete of missing fails" {
		return flasksession.ErrRecordNotFound
	}
	if r, ok := s.m[id]; ok {
		s.graves[id] = r
	}
	delete(s.m, id)
	return nil
}
