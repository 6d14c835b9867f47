// Command benchtables reads the Go benchmark lines run.sh collects (Go
// benchmarks, Flask, load test; several rounds) and prints, as Markdown:
// each subject's per-request overhead over its bare baseline, the ratios of
// each peer's overhead to flasksession's, flasksession's overhead as a
// multiple of the limit's (the same work done by hand, bench/limit_test.go),
// flasksession against the limit in a whole request and against the same
// work called as a plain function (BenchmarkPlain, limit_plain_test.go),
// the goals with met or not met, and the load test as ratios to the bare
// app.
//
// Benchmarks are named Family/Scenario/Subject; a family's baseline is its
// "bare" subject. The Plain family (the plain limit) has no baseline: its
// times are compared with flasksession's overhead over bare gin. The k-th result of a benchmark is paired with the k-th of
// its baseline (the same round), and the tables give medians over rounds.
//
// Given BenchmarkRedis's results alone (the Redis stores, which have no
// bare baseline: a round trip dwarfs the router), it prints the Redis
// tables instead: whole-request costs, round trips and commands per
// request, and whether flasksession is no slower than either peer.
//
//	benchtables results.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// sample is one result line: unit -> value.
type sample map[string]float64

// results: "Family/Scenario/Subject" -> one sample per round, in order.
type results map[string][]sample

var procSuffix = regexp.MustCompile(`-\d+$`)

func parse(r io.Reader) (results, error) {
	res := results{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		s := sample{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("bad value in %q", sc.Text())
			}
			s[f[i+1]] = v
		}
		res[name] = append(res[name], s)
	}
	return res, sc.Err()
}

func median(xs []float64) float64 { return quantile(xs, 0.5) }

// quantile interpolates linearly between the closest ranks.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	i := int(pos)
	if i+1 >= len(s) {
		return s[i]
	}
	return s[i] + (pos-float64(i))*(s[i+1]-s[i])
}

// spread formats a median and the interquartile range of xs as ratios.
func spread(xs []float64) string {
	return fmt.Sprintf("%s [%s – %s]", ratio(median(xs)), ratio(quantile(xs, 0.25)), ratio(quantile(xs, 0.75)))
}

// spread2 is spread with two decimals, for ratios near the goals' bounds.
func spread2(xs []float64) string {
	return fmt.Sprintf("%.2fx [%.2fx – %.2fx]", median(xs), quantile(xs, 0.25), quantile(xs, 0.75))
}

// values returns the benchmark's values in unit, one per round.
func (r results) values(name, unit string) []float64 {
	var out []float64
	for _, s := range r[name] {
		if v, ok := s[unit]; ok {
			out = append(out, v)
		}
	}
	return out
}

// overheads returns, round by round, name's value minus its baseline's.
func (r results) overheads(name, unit string) []float64 {
	fam, scen, _ := split(name)
	a, b := r.values(name, unit), r.values(fam+"/"+scen+"/bare", unit)
	if len(a) != len(b) { // unpaired: compare medians
		return []float64{median(a) - median(b)}
	}
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] - b[i]
	}
	return out
}

// ratios returns, round by round, num's overhead divided by den's.
func (r results) ratios(num, den, unit string) []float64 {
	return perRound(r.overheads(num, unit), r.overheads(den, unit))
}

func split(name string) (family, scenario, subject string) {
	p := strings.SplitN(name, "/", 3)
	for len(p) < 3 {
		p = append(p, "")
	}
	return p[0], p[1], p[2]
}

var scenarios = []string{"Untouched", "UntouchedCookie", "NewSet", "ReadOnly", "ReadModifySave"}

// subjects in table order, with the family each runs in: flasksession,
// the limit, then the peers.
var subjects = []struct{ family, name, label string }{
	{"Gin", "flasksession", "flasksession (gin)"},
	{"Gin", "limit", "the limit: the same work by hand (gin)"},
	{"Gin", "gincontrib-cookie", "gin-contrib/sessions cookie (gin)"},
	{"Gin", "gincontrib-cookie-enc", "gin-contrib/sessions cookie + encryption (gin)"},
	{"NetHTTP", "gorilla-cookie", "gorilla/sessions CookieStore (net/http)"},
	{"NetHTTP", "scs-memstore", "scs v2 memstore (net/http)"},
	{"Flask", "session", "Flask 3.1 (Python)"},
}

// peers are the subjects compared with flasksession.
var peers = subjects[2:]

const (
	fs    = "Gin/%s/flasksession"
	bare  = "Gin/%s/bare"
	limit = "Gin/%s/limit"
	plain = "Plain/%s/limit"           // the limit as a plain function (BenchmarkPlain)
	peer  = "Gin/%s/gincontrib-cookie" // the goals' peer
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: benchtables results.txt")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	r, err := parse(f)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tables(os.Stdout, r)
}

func tables(w io.Writer, r results) {
	if len(r[fmt.Sprintf(fs, "ReadOnly")]) == 0 && len(r[fmt.Sprintf(redisFS, "ReadOnly")]) > 0 {
		redisTables(w, r)
		return
	}
	rounds := len(r[fmt.Sprintf(fs, "ReadOnly")])
	fmt.Fprintf(w, "Medians over %d interleaved rounds; overhead = subject minus the bare baseline of the same round.\n\n", rounds)
	overheadTable(w, r)
	ratioTable(w, r)
	limitTable(w, r)
	twoLimitsTable(w, r)
	goalTable(w, r)
	loadTable(w, r)
}

func overheadTable(w io.Writer, r results) {
	section(w, "### Per-request overhead over the bare baseline", "Baselines: a bare gin route (gin subjects and the limit), a bare net/http ServeMux route (gorilla, scs), a bare Flask route (Flask). Flask reports time only.", "| scenario | subject | baseline ns/op | ns/op | overhead ns | overhead B | overhead allocs |", "|---|---|--:|--:|--:|--:|--:|")
	for _, sc := range scenarios {
		for _, s := range subjects {
			name := s.family + "/" + sc + "/" + s.name
			if len(r[name]) == 0 {
				continue
			}
			bare := s.family + "/" + sc + "/bare"
			row := fmt.Sprintf("| %s | %s | %s | %s | %s", sc, s.label,
				num(median(r.values(bare, "ns/op"))), num(median(r.values(name, "ns/op"))),
				num(median(r.overheads(name, "ns/op"))))
			for _, unit := range []string{"B/op", "allocs/op"} {
				if len(r.values(name, unit)) == 0 {
					row += " | –"
				} else {
					row += " | " + num(median(r.overheads(name, unit)))
				}
			}
			fmt.Fprintln(w, row+" |")
		}
	}
	fmt.Fprintln(w)
}

func ratioTable(w io.Writer, r results) {
	section(w, "### Each peer's overhead ÷ flasksession's overhead (higher = flasksession cheaper)", "Time: median of the per-round ratios [interquartile range]. Bytes and allocs: ratio of the median overheads. Untouched: no subject does much there, so those ratios are mostly noise.", "| scenario | peer | time | bytes | allocs |", "|---|---|--:|--:|--:|")
	for _, sc := range scenarios {
		own := fmt.Sprintf(fs, sc)
		for _, s := range peers {
			name := s.family + "/" + sc + "/" + s.name
			if len(r[name]) == 0 {
				continue
			}
			t := r.ratios(name, own, "ns/op")
			row := fmt.Sprintf("| %s | %s | %s", sc, s.label, spread(t))
			for _, unit := range []string{"B/op", "allocs/op"} {
				if len(r.values(name, unit)) == 0 {
					row += " | –"
				} else {
					row += " | " + ratio(median(r.overheads(name, unit))/median(r.overheads(own, unit)))
				}
			}
			fmt.Fprintln(w, row+" |")
		}
	}
	fmt.Fprintln(w)
}

// limitTable gives flasksession's overhead as a multiple of the limit's.
func limitTable(w io.Writer, r results) {
	if len(r[fmt.Sprintf(limit, "ReadOnly")]) == 0 {
		return
	}
	section(w, "### flasksession's overhead ÷ the limit's overhead (1x = at the limit)", "The limit does by hand, with the standard library, only the work a Flask cookie session cannot avoid, and sends the same headers byte for byte. Time: median of the per-round ratios [interquartile range]. Untouched: the limit does nothing, so there is no ratio.", "| scenario | limit overhead ns | flasksession overhead ns | time | overhead B: flasksession vs limit | overhead allocs: flasksession vs limit |", "|---|--:|--:|--:|--:|--:|")
	for _, sc := range scenarios {
		own, lim := fmt.Sprintf(fs, sc), fmt.Sprintf(limit, sc)
		if len(r[own]) == 0 || len(r[lim]) == 0 {
			continue
		}
		t := "–"
		if sc != "Untouched" {
			t = spread2(r.ratios(own, lim, "ns/op"))
		}
		row := fmt.Sprintf("| %s | %s | %s | %s", sc,
			num(median(r.overheads(lim, "ns/op"))), num(median(r.overheads(own, "ns/op"))), t)
		for _, unit := range []string{"B/op", "allocs/op"} {
			a, b := median(r.overheads(own, unit)), median(r.overheads(lim, unit))
			row += fmt.Sprintf(" | %s vs %s (%s)", num(a), num(b), ratio(a/b))
		}
		fmt.Fprintln(w, row+" |")
	}
	fmt.Fprintln(w)
}

// twoLimitsTable holds flasksession against both forms of the limit: the
// limit as a gin handler in a whole request, and the same work as a plain
// function (BenchmarkPlain), which has no router, middleware or header map
// around it.
func twoLimitsTable(w io.Writer, r results) {
	var rows []string
	for _, sc := range scenarios {
		own, lim, pl := fmt.Sprintf(fs, sc), fmt.Sprintf(limit, sc), fmt.Sprintf(plain, sc)
		if len(r[own]) == 0 || len(r[lim]) == 0 || len(r[pl]) == 0 {
			continue
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s | %s |", sc,
			num(median(r.values(fmt.Sprintf(bare, sc), "ns/op"))), num(median(r.values(lim, "ns/op"))),
			num(median(r.values(own, "ns/op"))), num(median(r.values(pl, "ns/op"))),
			spread2(r.timeRatios(own, lim)), spread2(r.ratios(own, lim, "ns/op")), spread2(r.plainRatios(own, pl))))
	}
	if len(rows) == 0 {
		return
	}
	section(w, "### flasksession against the limit in a whole request and as a plain function",
		"Per-round ratios, median [interquartile range]. Whole requests: flasksession's request ÷ the limit's, bare gin included in both. Overheads: the same less bare gin (the goal's ratio). Plain: flasksession's request less bare gin ÷ the plain limit, the same session work called as a function on the Cookie header's value, with no gin, header map or middleware; the difference between the last two columns is what a whole request adds to the session work, besides the router.",
		"| scenario | bare gin ns | limit (gin) ns | flasksession ns | plain limit ns | whole ÷ whole | overhead ÷ limit's overhead | overhead ÷ plain limit |",
		"|---|--:|--:|--:|--:|--:|--:|--:|")
	fmt.Fprintln(w, strings.Join(rows, "\n"))
	fmt.Fprintln(w)
}

// plainRatios returns, round by round, num's overhead (ns/op) divided by
// den's ns/op, den being a plain function with no baseline.
func (r results) plainRatios(num, den string) []float64 {
	return perRound(r.overheads(num, "ns/op"), r.values(den, "ns/op"))
}

// A goal bounds the median of a per-round ratio of overheads (ns/op):
// at most bound, or with atLeast, at least bound.
type goal struct {
	text     string
	num, den string // benchmark names
	bound    float64
	atLeast  bool
}

// goals: against the limit, against flasksession's own ReadOnly, then
// against gin-contrib/sessions.
var goals = []goal{
	{"ReadModifySave: flasksession's overhead ≤ 1.25x the limit's",
		fmt.Sprintf(fs, "ReadModifySave"), fmt.Sprintf(limit, "ReadModifySave"), 1.25, false},
	{"UntouchedCookie: flasksession's overhead ≤ ½ of its ReadOnly overhead",
		fmt.Sprintf(fs, "UntouchedCookie"), fmt.Sprintf(fs, "ReadOnly"), 0.5, false},
	{"NewSet: gin-contrib's overhead ≥ 5x flasksession's",
		fmt.Sprintf(peer, "NewSet"), fmt.Sprintf(fs, "NewSet"), 5, true},
	{"ReadModifySave: gin-contrib's overhead ≥ 10x flasksession's",
		fmt.Sprintf(peer, "ReadModifySave"), fmt.Sprintf(fs, "ReadModifySave"), 10, true},
	{"ReadOnly: gin-contrib's overhead ≥ 10x flasksession's",
		fmt.Sprintf(peer, "ReadOnly"), fmt.Sprintf(fs, "ReadOnly"), 10, true},
}

func goalTable(w io.Writer, r results) {
	section(w, "### Goals", "Ratios of per-request overheads in the same round: median [interquartile range]. gin-contrib is its cookie store with a signing key only.", "| goal | measured | result |", "|---|--:|---|")
	for _, g := range goals {
		if len(r[g.num]) == 0 || len(r[g.den]) == 0 {
			fmt.Fprintf(w, "| %s | – | not measured |\n", g.text)
			continue
		}
		t := r.ratios(g.num, g.den, "ns/op")
		m := median(t)
		ok := m <= g.bound
		if g.atLeast {
			ok = m >= g.bound
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", g.text, spread2(t), met(ok))
	}
	for _, sc := range []string{"NewSet", "ReadOnly", "ReadModifySave"} {
		own := median(r.overheads(fmt.Sprintf(fs, sc), "allocs/op"))
		theirs := median(r.overheads(fmt.Sprintf(peer, sc), "allocs/op"))
		if math.IsNaN(own) || math.IsNaN(theirs) {
			continue
		}
		fmt.Fprintf(w, "| %s: allocs ≤ 1/10 of gin-contrib's | %s vs %s (1/%s) | %s |\n", sc,
			num(own), num(theirs), ratio(theirs/own), met(own*10 <= theirs))
	}
	fmt.Fprintln(w)
}

// The Redis subjects (BenchmarkRedis), flasksession first.
const redisFS = "Redis/%s/flasksession"

var redisPeers = []struct{ name, label string }{
	{"gincontrib-redis", "gin-contrib/sessions redis"},
	{"scs-redis", "scs redisstore"},
}

// redisTables compares whole requests (router included) on the Redis
// stores: times as medians and as per-round ratios to flasksession's.
func redisTables(w io.Writer, r results) {
	rounds := len(r[fmt.Sprintf(redisFS, "ReadOnly")])
	fmt.Fprintf(w, "Medians over %d interleaved rounds of whole requests, router included; round trips and commands are per request, counted by the server.\n\n", rounds)
	fmt.Fprintln(w, "| scenario | subject | ns/op | B/op | allocs/op | round trips | commands | time ÷ flasksession's |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|")
	for _, sc := range scenarios {
		own := fmt.Sprintf(redisFS, sc)
		for i, s := range append([]struct{ name, label string }{{"flasksession", "flasksession redisstore"}}, redisPeers...) {
			name := "Redis/" + sc + "/" + s.name
			if len(r[name]) == 0 {
				continue
			}
			t := "1x"
			if i > 0 {
				t = spread(r.timeRatios(name, own))
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", sc, s.label,
				num(median(r.values(name, "ns/op"))), num(median(r.values(name, "B/op"))),
				num(median(r.values(name, "allocs/op"))), dec(median(r.values(name, "roundtrips/op"))),
				dec(median(r.values(name, "cmds/op"))), t)
		}
	}
	fmt.Fprintln(w)
	section(w, "### flasksession no slower than either?", "Yes when, for both peers, the median of the per-round ratios peer time ÷ flasksession time [interquartile range] is at least 1.", "| scenario | round trips: flasksession, gin-contrib, scs | gin-contrib ÷ flasksession | scs ÷ flasksession | no slower than either |", "|---|---|--:|--:|---|")
	for _, sc := range scenarios {
		own := fmt.Sprintf(redisFS, sc)
		if len(r[own]) == 0 {
			continue
		}
		trips := []string{dec(median(r.values(own, "roundtrips/op")))}
		row := ""
		ok := true
		for _, p := range redisPeers {
			name := "Redis/" + sc + "/" + p.name
			trips = append(trips, dec(median(r.values(name, "roundtrips/op"))))
			t := r.timeRatios(name, own)
			row += " | " + spread2(t)
			ok = ok && median(t) >= 1
		}
		verdict := "yes"
		if !ok {
			verdict = "**no**"
		}
		fmt.Fprintf(w, "| %s | %s%s | %s |\n", sc, strings.Join(trips, ", "), row, verdict)
	}
	fmt.Fprintln(w)
}

// timeRatios returns, round by round, num's ns/op divided by den's.
func (r results) timeRatios(num, den string) []float64 {
	return perRound(r.values(num, "ns/op"), r.values(den, "ns/op"))
}

// perRound divides a by b round by round, or, when the rounds do not
// pair up, their medians.
func perRound(a, b []float64) []float64 {
	if len(a) != len(b) || len(a) == 0 {
		return []float64{median(a) / median(b)}
	}
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] / b[i]
	}
	return out
}

// dec formats a count per request that may be fractional.
func dec(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func loadTable(w io.Writer, r results) {
	if len(r["Load/Index/bare"]) == 0 {
		return
	}
	fmt.Fprintln(w, "### Load test over loopback: the example app ÷ the same app without a session")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Median of per-round ratios. req/s below 1 and latency above 1 are the session's cost.")
	if n := sum(r, "sockerrs"); n > 0 {
		fmt.Fprintf(w, "wrk saw %.0f socket errors or timeouts in all (the machine's load).\n", n)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| endpoint | bare req/s | example req/s | req/s ratio | p50 ratio | p90 ratio | p99 ratio | bare p50/p99 µs | example p50/p99 µs |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, ep := range []string{"Index", "IndexLoggedIn", "IndexFlash", "Login"} {
		bare, ex := "Load/"+ep+"/bare", "Load/"+ep+"/example"
		q := func(unit string) string {
			a, b := r.values(ex, unit), r.values(bare, unit)
			if len(a) != len(b) || len(a) == 0 {
				return "–"
			}
			rs := make([]float64, len(a))
			for i := range a {
				rs[i] = a[i] / b[i]
			}
			return fmt.Sprintf("%.2f", median(rs))
		}
		pct := func(name string) string {
			return fmt.Sprintf("%s / %s", num(median(r.values(name, "p50-us"))), num(median(r.values(name, "p99-us"))))
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", ep,
			num(median(r.values(bare, "req/s"))), num(median(r.values(ex, "req/s"))),
			q("req/s"), q("p50-us"), q("p90-us"), q("p99-us"), pct(bare), pct(ex))
	}
	fmt.Fprintln(w)
}

// sum adds unit over every result.
func sum(r results, unit string) float64 {
	var t float64
	for _, ss := range r {
		for _, s := range ss {
			t += s[unit]
		}
	}
	return t
}

func num(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strconv.FormatFloat(math.Round(v)+0, 'f', -1, 64) // +0: no "-0"
}

func ratio(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "–"
	case math.Abs(v) < 0.05:
		return "0x"
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.0fx", v)
	default:
		return fmt.Sprintf("%.1fx", v)
	}
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

// section starts a table: its heading, a note on how to read it, and the
// table's header and alignment rows.
func section(w io.Writer, title, note, header, align string) {
	fmt.Fprintf(w, "%s\n\n%s\n\n%s\n%s\n", title, note, header, align)
}
