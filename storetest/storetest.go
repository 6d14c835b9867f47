// Package storetest is the conformance suite for flasksession.Store: every
// guarantee the middleware relies on, as a subtest. A store passes it in
// its own test file:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) flasksession.Store {
//			return mystore.New(...)
//		})
//	}
//
// newStore is called once per subtest. Stores it returns may share one
// backend (one Redis, one directory): every subtest works on fresh random
// IDs and leaves other records alone, and no subtest runs in parallel
// with another.
//
// The suite runs in real time and never sleeps for a fixed time: the
// expiry subtests give records an expiry 300ms ahead and poll, for at most
// 5 seconds, until the store lets them go. Run it with -race: several
// subtests race operations on one record from many goroutines.
//
// A store with an Expiry method (flasksession.ExpiryReader) gets the
// subtest Expiry: Expiry agrees with the expiry given to Create, Update
// and Touch, within ExpiryPrecision, and finds nothing once the record
// is deleted or expired. Stores without one skip it.
//
// A store that cannot make each operation atomic on its record (such as
// contribstore's adapter for gorilla-style stores) runs the suite with
// Options{NotAtomic: true}, which skips, by name and with the reason, the
// subtests that race operations on one record.
//
// RunMiddleware plays the attacks the guarantees are for through the real
// middleware, with the store as Config.Store: a logout against a slow
// request holding the session, a slow read racing a write, two writes,
// Regenerate, two engines on one store, a 20 KB session.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ginflask/flasksession"
)

// Timing of the expiry subtests: how far ahead a short-lived record
// expires, and how long the suite waits for the store to let it go.
const (
	ShortExpiry  = 300 * time.Millisecond
	ExpiryWait   = 5 * time.Second
	pollInterval = 10 * time.Millisecond
)

// ExpiryPrecision is how far the Expiry subtest lets an Expiry be from the
// expiry given: stores keep it to their own precision (Redis to the
// millisecond, a file's modification time to the filesystem's, as coarse
// as two seconds on FAT).
const ExpiryPrecision = 2 * time.Second

// expiryWait is ExpiryWait; the suite's own tests shorten it.
var expiryWait = ExpiryWait

// Options changes what Run checks.
type Options struct {
	// NotAtomic skips the subtests that race operations on one record
	// (names starting "Atomic"): Create racing Create, Update and Touch
	// racing Delete, Update's version check racing itself, Touch racing
	// Update. Set it only for a store that documents that it cannot give
	// these guarantees; each skip says why in the test log.
	NotAtomic bool
}

// Run runs the whole suite on the stores newStore returns, with the zero
// Options.
func Run(t *testing.T, newStore func(t *testing.T) flasksession.Store) {
	t.Helper()
	Options{}.Run(t, newStore)
}

// Run runs the suite on the stores newStore returns, as o says.
func (o Options) Run(t *testing.T, newStore func(t *testing.T) flasksession.Store) {
	t.Helper()
	for _, st := range subtests {
		t.Run(st.name, func(t *testing.T) {
			if st.atomic && o.NotAtomic {
				t.Skip("storetest.Options.NotAtomic: the store does not make operations on one record atomic")
			}
			st.run(t, &harness{T: t, s: newStore(t), ctx: t.Context()})
		})
	}
}

type subtest struct {
	name   string
	atomic bool // skipped under Options.NotAtomic
	run    func(t *testing.T, h *harness)
}

var subtests = []subtest{
	{"FindMissing", false, testFindMissing},
	{"CreateThenFind", false, testCreateThenFind},
	{"CreateTaken", false, testCreateTaken},
	{"CreateOverExpired", false, testCreateOverExpired},
	{"GoneStaysGone", false, testGoneStaysGone},
	{"UpdateReplaces", false, testUpdateReplaces},
	{"UpdateVersionCheck", false, testUpdateVersionCheck},
	{"TouchKeepsData", false, testTouchKeepsData},
	{"DeleteIdempotent", false, testDeleteIdempotent},
	{"PastExpiry", false, testPastExpiry},
	{"ExpiryPasses", false, testExpiryPasses},
	{"Expiry", false, testExpiry},
	{"LargeRecord", false, testLargeRecord},
	{"BinaryData", false, testBinaryData},
	{"NoAliasing", false, testNoAliasing},
	{"IndependentRecords", false, testIndependentRecords},
	{"ConcurrentUpdates", false, testConcurrentUpdates},
	{"CancelledContext", false, testCancelledContext},
	{"AtomicCreateRace", true, testAtomicCreateRace},
	{"AtomicDeleteRacesWrites", true, testAtomicDeleteRacesWrites},
	{"AtomicVersionCheckRace", true, testAtomicVersionCheckRace},
	{"AtomicTouchRacesUpdate", true, testAtomicTouchRacesUpdate},
}

// harness wraps the store under test with helpers that fail the test on
// an unexpected error.
type harness struct {
	*testing.T
	s   flasksession.Store
	ctx context.Context
}

// newID returns a fresh ID shaped like the middleware's: 32 bytes from
// crypto/rand in unpadded URL-safe base64 (43 characters, mixed case,
// '-' and '_').
func newID() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func later() time.Time { return time.Now().Add(time.Hour) }

func (h *harness) create(id string, data []byte, expiry time.Time) {
	h.Helper()
	if err := h.s.Create(h.ctx, id, data, expiry); err != nil {
		h.Fatalf("Create(%s): %v", id, err)
	}
}

// find returns the record's data; found reports whether it is there.
func (h *harness) find(id string) (data []byte, found bool) {
	h.Helper()
	data, found, err := h.s.Find(h.ctx, id)
	if err != nil {
		h.Fatalf("Find(%s): %v", id, err)
	}
	if !found && data != nil {
		h.Errorf("Find(%s) = %q, false: data for a missing record", id, data)
	}
	return data, found
}

// want checks that the record holds data.
func (h *harness) want(id string, data []byte) {
	h.Helper()
	got, found := h.find(id)
	switch {
	case !found:
		h.Errorf("Find(%s): record not found, want %s", id, show(data))
	case !bytes.Equal(got, data):
		h.Errorf("Find(%s) = %s, want %s", id, show(got), show(data))
	}
}

// wantGone checks that the record is missing.
func (h *harness) wantGone(id string) {
	h.Helper()
	if got, found := h.find(id); found {
		h.Errorf("Find(%s) = %s, want no record", id, show(got))
	}
}

// show abbreviates data for messages.
func show(b []byte) string {
	if len(b) > 40 {
		return fmt.Sprintf("%q... (%d bytes)", b[:40], len(b))
	}
	return fmt.Sprintf("%q", b)
}

// eventually polls cond until it holds or ExpiryWait has passed.
func eventually(cond func() bool) bool {
	deadline := time.Now().Add(expiryWait)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(pollInterval)
	}
	return true
}

func wantErr(t *testing.T, op string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: error %v, want %v", op, err, want)
	}
}

func testFindMissing(t *testing.T, h *harness) {
	data, found, err := h.s.Find(h.ctx, newID())
	if err != nil || found || data != nil {
		t.Errorf("Find(unknown ID) = %q, %v, %v; want nil, false, nil", data, found, err)
	}
}

func testCreateThenFind(t *testing.T, h *harness) {
	id := newID()
	h.create(id, []byte(`{"user":"alice"}`), later())
	h.want(id, []byte(`{"user":"alice"}`))
	h.wantGone(newID())
}

func testCreateTaken(t *testing.T, h *harness) {
	id := newID()
	h.create(id, []byte("first"), later())
	wantErr(t, "Create(taken ID)", h.s.Create(h.ctx, id, []byte("second"), later()), flasksession.ErrRecordExists)
	h.want(id, []byte("first"))
}

// An expired record is gone: its ID is free again.
func testCreateOverExpired(t *testing.T, h *harness) {
	id := newID()
	h.create(id, []byte("old"), time.Now().Add(-time.Hour))
	h.create(id, []byte("new"), later())
	h.want(id, []byte("new"))
}

// Update and Touch never bring back a record that is gone, whether it was
// never there, deleted (a logout) or expired: this is what makes a logout
// stick.
func testGoneStaysGone(t *testing.T, h *harness) {
	states := []struct {
		name string
		make func(id string)
	}{
		{"never created", func(string) {}},
		{"deleted", func(id string) {
			h.create(id, []byte("v0"), later())
			if err := h.s.Delete(h.ctx, id); err != nil {
				t.Fatalf("Delete: %v", err)
			}
		}},
		{"expired", func(id string) { h.create(id, []byte("v0"), time.Now().Add(-time.Second)) }},
	}
	ops := []struct {
		name string
		do   func(id string) error
	}{
		{"Update", func(id string) error { return h.s.Update(h.ctx, id, nil, []byte("v1"), later()) }},
		{"Update with old", func(id string) error { return h.s.Update(h.ctx, id, []byte("v0"), []byte("v1"), later()) }},
		{"Touch", func(id string) error { return h.s.Touch(h.ctx, id, later()) }},
	}
	for _, st := range states {
		for _, op := range ops {
			t.Run(st.name+"/"+op.name, func(t *testing.T) {
				id := newID()
				st.make(id)
				wantErr(t, op.name, op.do(id), flasksession.ErrRecordNotFound)
				h.wantGone(id)
			})
		}
	}
}

// Update with old nil always writes while the record exists.
func testUpdateReplaces(t *testing.T, h *harness) {
	id := newID()
	h.create(id, []byte("v0"), later())
	for _, v := range []string{"v1", "a longer value v2", "v3"} {
		if err := h.s.Update(h.ctx, id, nil, []byte(v), later()); err != nil {
			t.Fatalf("Update(%s, nil, %q): %v", id, v, err)
		}
		h.want(id, []byte(v))
	}
}

func testUpdateVersionCheck(t *testing.T, h *harness) {
	id := newID()
	h.create(id, []byte("v0"), later())
	if err := h.s.Update(h.ctx, id, []byte("v0"), []byte("v1"), later()); err != nil {
		t.Fatalf("Update with the current data as old: %v", err)
	}
	h.want(id, []byte("v1"))
	for _, stale := range [][]byte{[]byte("v0"), []byte("v"), []byte("v1 "), {}} {
		err := h.s.Update(h.ctx, id, stale, []byte("v2"), later())
		wantErr(t, fmt.Sprintf("Update with stale old %q", stale), err, flasksession.ErrConflict)
	}
	h.want(id, []byte("v1"))
}

func testTouchKeepsData(t *testing.T, h *harness) {
	id := newID()
	h.create(id, []byte("v0"), later())
	if err := h.s.Touch(h.ctx, id, later().Add(time.Hour)); err != nil {
		t.Fatalf("Touch: %v", err)
	}
	h.want(id, []byte("v0"))
	if err := h.s.Update(h.ctx, id, []byte("v0"), []byte("v1"), later()); err != nil {
		t.Errorf("Update after Touch, old = the data before: %v", err)
	}
}

func testDeleteIdempotent(t *testing.T, h *harness) {
	id, other := newID(), newID()
	h.create(id, []byte("v0"), later())
	h.create(other, []byte("other"), later())
	for i := range 2 {
		if err := h.s.Delete(h.ctx, id); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
		h.wantGone(id)
	}
	if err := h.s.Delete(h.ctx, newID()); err != nil {
		t.Errorf("Delete(unknown ID): %v", err)
	}
	h.want(other, []byte("other"))
}

// An expiry in the past, given to Create, Update or Touch, leaves no
// record.
func testPastExpiry(t *testing.T, h *harness) {
	past := []time.Time{time.Now().Add(-time.Hour), time.Now().Add(-time.Millisecond), time.Unix(0, 0)}
	for i, at := range past {
		id := newID()
		h.create(id, []byte("v0"), at)
		h.wantGone(id)

		id = newID()
		h.create(id, []byte("v0"), later())
		err := h.s.Update(h.ctx, id, nil, []byte("v1"), at)
		if err != nil && !errors.Is(err, flasksession.ErrRecordNotFound) {
			t.Errorf("past #%d: Update to a past expiry: %v", i, err)
		}
		h.wantGone(id)

		id = newID()
		h.create(id, []byte("v0"), later())
		err = h.s.Touch(h.ctx, id, at)
		if err != nil && !errors.Is(err, flasksession.ErrRecordNotFound) {
			t.Errorf("past #%d: Touch to a past expiry: %v", i, err)
		}
		h.wantGone(id)
	}
}

// Records go when their expiry passes, and only then: Update and Touch
// move the expiry both ways.
func testExpiryPasses(t *testing.T, h *harness) {
	soon := time.Now().Add(ShortExpiry)
	expiring, touched, updated, shortened := newID(), newID(), newID(), newID()
	h.create(expiring, []byte("expiring"), soon)
	h.create(touched, []byte("touched"), soon)
	h.create(updated, []byte("updated"), soon)
	h.create(shortened, []byte("shortened"), later())
	if err := h.s.Touch(h.ctx, touched, later()); err != nil {
		t.Fatalf("Touch: %v", err)
	}
	if err := h.s.Update(h.ctx, updated, nil, []byte("updated v1"), later()); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if err := h.s.Touch(h.ctx, shortened, soon); err != nil {
		t.Fatalf("Touch to a nearer expiry: %v", err)
	}
	// gone polls a record with expiry soon; it fails the test if the store
	// lets the record go before then.
	gone := func(id string) func() bool {
		return func() bool {
			_, found := h.find(id)
			if !found && time.Now().Before(soon) {
				t.Errorf("record gone %v before its expiry", time.Until(soon))
			}
			return !found
		}
	}
	if !eventually(gone(expiring)) {
		t.Errorf("record still found %v after its expiry", expiryWait)
	}
	if !eventually(gone(shortened)) {
		t.Errorf("record touched to a nearer expiry still found %v after it", expiryWait)
	}
	h.want(touched, []byte("touched"))
	h.want(updated, []byte("updated v1"))
}

// expiryReader is flasksession.ExpiryReader, declared here too so that
// the suite depends only on the method.
type expiryReader interface {
	Expiry(ctx context.Context, id string) (expiry time.Time, found bool, err error)
}

// Expiry reports the expiry last given to Create, Update or Touch, and
// nothing for a record that is missing, deleted or expired.
func testExpiry(t *testing.T, h *harness) {
	r, ok := h.s.(expiryReader)
	if !ok {
		t.Skip("the store has no Expiry method (flasksession.ExpiryReader)")
	}
	expiry := func(id string) (time.Time, bool) {
		t.Helper()
		at, found, err := r.Expiry(h.ctx, id)
		if err != nil {
			t.Fatalf("Expiry(%s): %v", id, err)
		}
		return at, found
	}
	want := func(when, id string, at time.Time) {
		t.Helper()
		got, found := expiry(id)
		switch {
		case !found:
			t.Errorf("%s: Expiry found no record, want %v", when, at)
		case got.Sub(at).Abs() > ExpiryPrecision:
			t.Errorf("%s: Expiry = %v, want %v (off by %v)", when, got, at, got.Sub(at))
		}
	}
	none := func(when, id string) {
		t.Helper()
		if got, found := expiry(id); found {
			t.Errorf("%s: Expiry = %v, want no record", when, got)
		}
	}

	none("never created", newID())
	id := newID()
	at := later()
	h.create(id, []byte("v0"), at)
	want("after Create", id, at)
	at = at.Add(time.Hour)
	if err := h.s.Touch(h.ctx, id, at); err != nil {
		t.Fatalf("Touch: %v", err)
	}
	want("after Touch", id, at)
	at = at.Add(-90 * time.Minute)
	if err := h.s.Touch(h.ctx, id, at); err != nil {
		t.Fatalf("Touch: %v", err)
	}
	want("after Touch to a nearer expiry", id, at)
	at = at.Add(3 * time.Hour)
	if err := h.s.Update(h.ctx, id, nil, []byte("v1"), at); err != nil {
		t.Fatalf("Update: %v", err)
	}
	want("after Update", id, at)
	at = at.Add(-time.Hour)
	if err := h.s.Update(h.ctx, id, []byte("v1"), []byte("v2"), at); err != nil {
		t.Fatalf("Update with old: %v", err)
	}
	want("after Update with old", id, at)
	if err := h.s.Delete(h.ctx, id); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	none("after Delete", id)

	past := newID()
	h.create(past, []byte("v0"), time.Now().Add(-time.Second))
	none("after Create with a past expiry", past)

	soon := time.Now().Add(ShortExpiry)
	id = newID()
	h.create(id, []byte("v0"), soon)
	want("after Create, expiring soon", id, soon)
	gone := func() bool {
		_, found := expiry(id)
		// Allow a store that keeps milliseconds its rounding down.
		if !found && time.Now().Before(soon.Add(-time.Millisecond)) {
			t.Errorf("Expiry found no record %v before its expiry", time.Until(soon))
		}
		return !found
	}
	if !eventually(gone) {
		t.Errorf("Expiry still finds the record %v after its expiry", expiryWait)
	}
}

func testLargeRecord(t *testing.T, h *harness) {
	data := make([]byte, 20<<10)
	rand.Read(data)
	id := newID()
	h.create(id, data, later())
	h.want(id, data)
	data[len(data)/2] ^= 0xff
	if err := h.s.Update(h.ctx, id, nil, data, later()); err != nil {
		t.Fatalf("Update: %v", err)
	}
	h.want(id, data)
}

func testBinaryData(t *testing.T, h *harness) {
	all := make([]byte, 0, 512)
	for i := range 256 {
		all = append(all, byte(i), byte(255-i))
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"every byte value", all},
		{"NUL bytes", []byte{0, 0, 0}},
		{"invalid UTF-8", []byte{0xff, 0xfe, 0xc3, 0x28, '\n', '\r'}},
		{"empty", []byte{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := newID()
			h.create(id, tc.data, later())
			h.want(id, tc.data)
			if err := h.s.Update(h.ctx, id, tc.data, slices.Concat(tc.data, []byte{1}), later()); err != nil {
				t.Errorf("Update with this data as old: %v", err)
			}
		})
	}
}

// The store keeps its own copy: changing a slice passed in or returned
// changes nothing stored.
func testNoAliasing(t *testing.T, h *harness) {
	id := newID()
	in := []byte("v0 data")
	h.create(id, in, later())
	in[0] = 'X'
	h.want(id, []byte("v0 data"))

	out, _ := h.find(id)
	if len(out) > 0 {
		out[0] = 'Y'
	}
	h.want(id, []byte("v0 data"))

	upd := []byte("v1 data")
	if err := h.s.Update(h.ctx, id, nil, upd, later()); err != nil {
		t.Fatalf("Update: %v", err)
	}
	upd[0] = 'Z'
	h.want(id, []byte("v1 data"))
}

func testIndependentRecords(t *testing.T, h *harness) {
	ids := make([]string, 50)
	for i := range ids {
		ids[i] = newID()
		h.create(ids[i], fmt.Appendf(nil, "record %d", i), later())
	}
	if err := h.s.Delete(h.ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := h.s.Update(h.ctx, ids[1], nil, []byte("changed"), later()); err != nil {
		t.Fatal(err)
	}
	if err := h.s.Touch(h.ctx, ids[2], later().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	h.wantGone(ids[0])
	h.want(ids[1], []byte("changed"))
	for i := 2; i < len(ids); i++ {
		h.want(ids[i], fmt.Appendf(nil, "record %d", i))
	}
}

const (
	goroutines = 8
	rounds     = 20
)

// race runs f(g) on goroutines goroutines started together.
func race(f func(g int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range goroutines {
		wg.Go(func() {
			<-start
			f(g)
		})
	}
	close(start)
	wg.Wait()
}

// Updates from many goroutines all succeed, and the record ends with one
// of the values written, whole.
func testConcurrentUpdates(t *testing.T, h *harness) {
	id := newID()
	h.create(id, []byte("v0"), later())
	value := func(g, i int) []byte {
		return fmt.Appendf(nil, "goroutine %d update %d %s", g, i, bytes.Repeat([]byte{'x'}, g*100))
	}
	race(func(g int) {
		for i := range rounds {
			if err := h.s.Update(h.ctx, id, nil, value(g, i), later()); err != nil {
				t.Errorf("goroutine %d: Update: %v", g, err)
				return
			}
			if _, found, err := h.s.Find(h.ctx, id); err != nil || !found {
				t.Errorf("goroutine %d: Find = found %v, %v", g, found, err)
				return
			}
		}
	})
	got, _ := h.find(id)
	for g := range goroutines {
		for i := range rounds {
			if bytes.Equal(got, value(g, i)) {
				return
			}
		}
	}
	t.Errorf("after concurrent updates the record is %s, none of the values written", show(got))
}

// Every method returns an error matching context.Canceled for a cancelled
// context, and writes nothing.
func testCancelledContext(t *testing.T, h *harness) {
	id := newID()
	h.create(id, []byte("v0"), later())
	ctx, cancel := context.WithCancel(h.ctx)
	cancel()

	_, _, err := h.s.Find(ctx, id)
	wantErr(t, "Find", err, context.Canceled)
	fresh := newID()
	wantErr(t, "Create", h.s.Create(ctx, fresh, []byte("v0"), later()), context.Canceled)
	wantErr(t, "Update", h.s.Update(ctx, id, nil, []byte("v1"), later()), context.Canceled)
	wantErr(t, "Touch", h.s.Touch(ctx, id, time.Now().Add(-time.Hour)), context.Canceled)
	wantErr(t, "Delete", h.s.Delete(ctx, id), context.Canceled)
	if r, ok := h.s.(expiryReader); ok {
		_, _, err := r.Expiry(ctx, id)
		wantErr(t, "Expiry", err, context.Canceled)
	}
	h.wantGone(fresh)
	h.want(id, []byte("v0"))
}

func testAtomicCreateRace(t *testing.T, h *harness) {
	for range rounds {
		id := newID()
		var (
			mu     sync.Mutex
			winner = -1
		)
		race(func(g int) {
			err := h.s.Create(h.ctx, id, fmt.Appendf(nil, "v%d", g), later())
			switch {
			case err == nil:
				mu.Lock()
				defer mu.Unlock()
				if winner >= 0 {
					t.Errorf("Create of one ID succeeded twice (goroutines %d and %d)", winner, g)
				}
				winner = g
			case !errors.Is(err, flasksession.ErrRecordExists):
				t.Errorf("goroutine %d: Create: %v", g, err)
			}
		})
		if winner < 0 {
			t.Fatal("no Create succeeded")
		}
		h.want(id, fmt.Appendf(nil, "v%d", winner))
	}
}

// A logout sticks: once Delete has returned, Updates and Touches that were
// racing it have not brought the record back.
func testAtomicDeleteRacesWrites(t *testing.T, h *harness) {
	for range rounds {
		id := newID()
		h.create(id, []byte("v0"), later())
		race(func(g int) {
			if g == 0 {
				if err := h.s.Delete(h.ctx, id); err != nil {
					t.Errorf("Delete: %v", err)
				}
				return
			}
			for i := range rounds {
				var err error
				if g%2 == 0 {
					err = h.s.Touch(h.ctx, id, later())
				} else {
					err = h.s.Update(h.ctx, id, nil, fmt.Appendf(nil, "v%d.%d", g, i), later())
				}
				if errors.Is(err, flasksession.ErrRecordNotFound) {
					return
				}
				if err != nil {
					t.Errorf("goroutine %d: %v", g, err)
					return
				}
			}
		})
		h.wantGone(id)
	}
}

// Of many Updates checking the same old data, exactly one wins.
func testAtomicVersionCheckRace(t *testing.T, h *harness) {
	for range rounds {
		id := newID()
		h.create(id, []byte("v0"), later())
		var (
			mu      sync.Mutex
			winners []int
		)
		race(func(g int) {
			err := h.s.Update(h.ctx, id, []byte("v0"), fmt.Appendf(nil, "v%d", g+1), later())
			switch {
			case err == nil:
				mu.Lock()
				winners = append(winners, g)
				mu.Unlock()
			case !errors.Is(err, flasksession.ErrConflict):
				t.Errorf("goroutine %d: Update: %v", g, err)
			}
		})
		if len(winners) != 1 {
			t.Fatalf("%d Updates with the same old data succeeded (goroutines %v), want 1", len(winners), winners)
		}
		h.want(id, fmt.Appendf(nil, "v%d", winners[0]+1))
	}
}

// Touch never writes data: while Touches race a run of Updates, the
// record always holds the last Update's data.
func testAtomicTouchRacesUpdate(t *testing.T, h *harness) {
	id := newID()
	h.create(id, []byte("v0"), later())
	last := []byte("v0")
	stop := make(chan struct{})
	race(func(g int) {
		if g == 0 {
			defer close(stop)
			for i := range rounds * 3 {
				last = fmt.Appendf(nil, "v%d", i+1)
				if err := h.s.Update(h.ctx, id, nil, last, later()); err != nil {
					t.Errorf("Update: %v", err)
					return
				}
				got, _, err := h.s.Find(h.ctx, id)
				if err != nil || !bytes.Equal(got, last) {
					t.Errorf("after Update to %s, Find = %s, %v: a Touch wrote older data", show(last), show(got), err)
					return
				}
			}
			return
		}
		if g > 3 {
			return // three touchers race the updates; more only slow them
		}
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := h.s.Touch(h.ctx, id, later()); err != nil {
				t.Errorf("goroutine %d: Touch: %v", g, err)
				return
			}
		}
	})
	h.want(id, last)
}
