// Package evictiontest holds the eviction-order cases that every capped
// store (memstore, filestore) must pass, and the player that runs one on
// a store, so the stores' tests share one table.
package evictiontest

import (
	"context"
	"testing"
	"time"

	"github.com/ginflask/flasksession"
)

const day = 24 * time.Hour

// Step is one operation of a case, at an offset from the case's clock.
type Step struct {
	Op  string // "create", "touch", "update", "delete", "wait"
	ID  string
	Exp time.Duration // the expiry, from the clock's time at the step; for "wait", how long
}

func create(id string, exp time.Duration) Step { return Step{"create", id, exp} }
func touch(id string, exp time.Duration) Step  { return Step{"touch", id, exp} }
func update(id string, exp time.Duration) Step { return Step{"update", id, exp} }
func del(id string) Step                       { return Step{"delete", id, 0} }
func wait(d time.Duration) Step                { return Step{"wait", "", d} }

// Case is a store capped at Max (0: no cap) going through Steps; Want
// are the records left, sorted.
type Case struct {
	Name  string
	Max   int
	Steps []Step
	Want  []string
}

// Start is the clock's time at the start of every case.
var Start = time.Unix(1_700_000_000, 0)

// Cases are the documented eviction order: at the cap, a Create removes
// expired records first, then the live records that expire soonest,
// whatever made their expiry (Create, Update, Touch).
var Cases = []Case{
	{"no cap keeps everything", 0,
		[]Step{create("a", time.Hour), create("b", time.Minute), create("c", 2*time.Hour), create("d", time.Second)},
		[]string{"a", "b", "c", "d"}},
	{"under the cap nothing goes", 4,
		[]Step{create("a", time.Hour), create("b", time.Minute), create("c", 2*time.Hour), create("d", time.Second)},
		[]string{"a", "b", "c", "d"}},
	{"soonest expiry goes", 3,
		[]Step{create("a", time.Hour), create("b", time.Minute), create("c", 2*time.Hour), create("d", 3*time.Hour)},
		[]string{"a", "c", "d"}},
	{"expired go before live", 3,
		[]Step{create("a", time.Hour), create("b", time.Minute), create("c", 2*time.Minute), wait(90 * time.Second), create("d", 3*time.Hour)},
		[]string{"a", "c", "d"}},
	{"all expired go, no live one", 3,
		[]Step{create("a", time.Hour), create("b", time.Minute), create("c", time.Minute), wait(2 * time.Minute), create("d", time.Second)},
		[]string{"a", "d"}},
	{"anonymous records go before logged-in sessions", 4,
		[]Step{
			create("login1", 31*day), create("anon1", day), create("login2", 31*day),
			wait(time.Second), create("anon2", day), wait(time.Second), create("anon3", day),
			wait(time.Second), create("anon4", day), wait(time.Second), create("anon5", day),
		},
		[]string{"anon4", "anon5", "login1", "login2"}},
	{"a new record expiring soonest is still stored", 2,
		[]Step{create("login1", 31*day), create("login2", 30*day), create("anon", day)},
		[]string{"anon", "login1"}},
	{"a session about to expire goes before a fresh anonymous one", 2,
		[]Step{create("old-login", time.Hour), create("anon1", day), create("anon2", day)},
		[]string{"anon1", "anon2"}},
	{"touch to later moves a record back", 2,
		[]Step{create("a", time.Hour), create("b", 2*time.Hour), touch("a", 3*time.Hour), create("c", 4*time.Hour)},
		[]string{"a", "c"}},
	{"touch to nearer moves a record forward", 2,
		[]Step{create("a", 3*time.Hour), create("b", 2*time.Hour), touch("a", time.Hour), create("c", 4*time.Hour)},
		[]string{"b", "c"}},
	{"update moves the expiry", 2,
		[]Step{create("a", time.Hour), create("b", 2*time.Hour), update("a", 3*time.Hour), create("c", 4*time.Hour)},
		[]string{"a", "c"}},
	{"delete frees a slot", 2,
		[]Step{create("a", time.Hour), create("b", 2*time.Hour), del("b"), create("c", 3*time.Hour)},
		[]string{"a", "c"}},
	{"cap of one", 1,
		[]Step{create("a", 2*time.Hour), create("b", time.Hour), create("c", 3*time.Hour)},
		[]string{"c"}},
}

// Play runs steps on s, moving *now on "wait", and calls after (if not
// nil) after each step.
func Play(t *testing.T, s flasksession.Store, now *time.Time, steps []Step, after func(Step)) {
	t.Helper()
	ctx := context.Background()
	for _, st := range steps {
		var err error
		switch st.Op {
		case "create":
			err = s.Create(ctx, st.ID, []byte(st.ID), now.Add(st.Exp))
		case "touch":
			err = s.Touch(ctx, st.ID, now.Add(st.Exp))
		case "update":
			err = s.Update(ctx, st.ID, nil, []byte(st.ID+"2"), now.Add(st.Exp))
		case "delete":
			err = s.Delete(ctx, st.ID)
		case "wait":
			*now = now.Add(st.Exp)
		}
		if err != nil {
			t.Fatalf("%s %s: %v", st.Op, st.ID, err)
		}
		if after != nil {
			after(st)
		}
	}
}
