package main

import (
	"fmt"
	"strings"
	"testing"
)

// bench writes one round's result line for a benchmark.
func bench(b *strings.Builder, name string, ns, allocs float64) {
	fmt.Fprintf(b, "Benchmark%s-2 \t 1000 \t %g ns/op \t %g B/op \t %g allocs/op\n", name, ns, 100*allocs, allocs)
}

// TestGoals: each goal is met or not exactly as its bound says, on
// results made up so that each ratio lands on a known side of its bound,
// and the limit table gives flasksession's overhead over the limit's.
func TestGoals(t *testing.T) {
	const (
		rmsGoal     = "ReadModifySave: flasksession's overhead ≤ 1.25x the limit's"
		untouchGoal = "UntouchedCookie: flasksession's overhead ≤ ½ of its ReadOnly overhead"
		newSetGoal  = "NewSet: gin-contrib's overhead ≥ 5x flasksession's"
	)
	for _, tc := range []struct {
		name string
		// flasksession's overheads (ns) on ReadModifySave, UntouchedCookie
		// and NewSet; the limit's on ReadModifySave (0: not run).
		rms, untouched, newSet, limitRMS float64
		want                             map[string]string // goal -> verdict
		limitRow                         string            // "" for no limit table
	}{
		{"all met", 1250, 600, 1000, 1000,
			map[string]string{rmsGoal: "met", untouchGoal: "met", newSetGoal: "met"},
			"| ReadModifySave | 1000 | 1250 | 1.25x [1.25x – 1.25x] | 1400 vs 1200 (1.2x) | 14 vs 12 (1.2x) |"},
		{"all missed", 1300, 601, 1001, 1000,
			map[string]string{rmsGoal: "**not met**", untouchGoal: "**not met**", newSetGoal: "**not met**"},
			"| ReadModifySave | 1000 | 1300 | 1.30x [1.30x – 1.30x] | 1400 vs 1200 (1.2x) | 14 vs 12 (1.2x) |"},
		{"no limit", 1000, 100, 100, 0,
			map[string]string{rmsGoal: "not measured", untouchGoal: "met", newSetGoal: "met"},
			""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in strings.Builder
			for range 3 { // rounds
				for _, sc := range scenarios {
					bench(&in, "Gin/"+sc+"/bare", 100, 1)
				}
				bench(&in, "Gin/ReadOnly/flasksession", 100+1200, 14)
				bench(&in, "Gin/UntouchedCookie/flasksession", 100+tc.untouched, 4)
				bench(&in, "Gin/NewSet/flasksession", 100+tc.newSet, 7)
				bench(&in, "Gin/NewSet/gincontrib-cookie", 100+5000, 51)
				bench(&in, "Gin/ReadModifySave/flasksession", 100+tc.rms, 15)
				if tc.limitRMS > 0 {
					bench(&in, "Gin/ReadOnly/limit", 100+900, 11)
					bench(&in, "Gin/ReadModifySave/limit", 100+tc.limitRMS, 13)
				}
			}
			r, err := parse(strings.NewReader(in.String()))
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			tables(&out, r)
			for goal, want := range tc.want {
				var row string
				for line := range strings.SplitSeq(out.String(), "\n") {
					if strings.HasPrefix(line, "| "+goal+" |") {
						row = line
					}
				}
				if !strings.HasSuffix(row, "| "+want+" |") {
					t.Errorf("goal %q: row %q, want it %s", goal, row, want)
				}
			}
			hasTable := strings.Contains(out.String(), "### flasksession's overhead ÷ the limit's")
			if hasTable != (tc.limitRow != "") || tc.limitRow != "" && !strings.Contains(out.String(), tc.limitRow+"\n") {
				t.Errorf("want limit row %q in:\n%s", tc.limitRow, out.String())
			}
		})
	}
}

// TestRedisTables: given BenchmarkRedis's results alone, the Redis tables
// are printed, and a scenario is "no slower than either" exactly when
// flasksession's time is at most both peers' in the median round.
func TestRedisTables(t *testing.T) {
	line := func(b *strings.Builder, name string, ns, trips, cmds float64) {
		fmt.Fprintf(b, "BenchmarkRedis/%s-2 \t 1000 \t %g ns/op \t %g cmds/op \t %g roundtrips/op \t 100 B/op \t 1 allocs/op\n", name, ns, cmds, trips)
	}
	for _, tc := range []struct {
		name              string
		own, contrib, scs float64 // ns/op on ReadOnly
		wantRow           string
	}{
		{"faster than both", 100, 200, 150, "| ReadOnly | 1, 2, 1 | 2.00x [2.00x – 2.00x] | 1.50x [1.50x – 1.50x] | yes |"},
		{"as fast as one", 100, 200, 100, "| ReadOnly | 1, 2, 1 | 2.00x [2.00x – 2.00x] | 1.00x [1.00x – 1.00x] | yes |"},
		{"slower than scs", 100, 200, 99, "| ReadOnly | 1, 2, 1 | 2.00x [2.00x – 2.00x] | 0.99x [0.99x – 0.99x] | **no** |"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in strings.Builder
			for range 3 {
				line(&in, "ReadOnly/flasksession", tc.own, 1, 1)
				line(&in, "ReadOnly/gincontrib-redis", tc.contrib, 2, 2)
				line(&in, "ReadOnly/scs-redis", tc.scs, 1, 1)
			}
			r, err := parse(strings.NewReader(in.String()))
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			tables(&out, r)
			if !strings.Contains(out.String(), tc.wantRow+"\n") {
				t.Errorf("want row %q in:\n%s", tc.wantRow, out.String())
			}
			if strings.Contains(out.String(), "### Goals") {
				t.Errorf("the cookie tables printed for Redis results alone:\n%s", out.String())
			}
		})
	}
}

// TestTwoLimitsTable: with the plain limit's results, flasksession is
// given against both limits, round by round: whole requests, overheads
// over bare gin, and the overhead over the plain limit's time.
func TestTwoLimitsTable(t *testing.T) {
	var in strings.Builder
	for range 3 {
		bench(&in, "Gin/ReadModifySave/bare", 100, 1)
		bench(&in, "Gin/ReadModifySave/flasksession", 100+1300, 13)
		bench(&in, "Gin/ReadModifySave/limit", 100+1000, 13)
		bench(&in, "Plain/ReadModifySave/limit", 800, 11)
	}
	r, err := parse(strings.NewReader(in.String()))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	tables(&out, r)
	const want = "| ReadModifySave | 100 | 1100 | 1400 | 800 | 1.27x [1.27x – 1.27x] | 1.30x [1.30x – 1.30x] | 1.62x [1.62x – 1.62x] |\n"
	if !strings.Contains(out.String(), want) {
		t.Errorf("want row %q in:\n%s", want, out.String())
	}
}
