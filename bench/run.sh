#!/usr/bin/env bash
# Runs the whole comparison and prints the tables:
#   - Go benchmarks of whole requests (flasksession, gin-contrib/sessions,
#     gorilla/sessions, scs, the limit; bare gin and net/http baselines)
#     and of the plain limit (the limit's work as a plain function),
#   - Flask 3.1 on the same scenarios (python3, WSGI in process),
#   - a load test of the example app against the same app without a session
#     (wrk over 127.0.0.1),
# in ROUNDS short interleaved rounds, so that a noisy machine hits every
# subject alike (the load test runs in LOAD_ROUNDS of them, spread out);
# then benchstat's table and benchtables' overheads and ratios. The Redis
# and PostgreSQL store comparisons (BenchmarkRedis, BenchmarkPostgres) are
# run by hand: see doc.go.
#
#   bash bench/run.sh                     # from the repository root
#   ROUNDS=6 LOAD=0 bash bench/run.sh     # quicker, no load test
#
# Settings (environment): ROUNDS (20), BENCHTIME per Go benchmark (0.1s),
# FLASKTIME seconds per Flask measurement (0.2), LOAD=0 to skip the load
# test, LOAD_ROUNDS (4), LOADTIME per load run (5s), CONNS (4), OUT folder
# for the raw results and tables (bench/out).
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")
ROUNDS=${ROUNDS:-20}
BENCHTIME=${BENCHTIME:-0.1s}
FLASKTIME=${FLASKTIME:-0.2}
LOAD=${LOAD:-1}
LOAD_ROUNDS=${LOAD_ROUNDS:-4}
LOADTIME=${LOADTIME:-5s}
CONNS=${CONNS:-4}
OUT=${OUT:-$BENCH/out}
mkdir -p "$OUT"
BIN=$(mktemp -d)
trap 'rm -rf "$BIN"' EXIT
RAW=$OUT/raw.txt
: >"$RAW"

say() { echo "== $*" >&2; }

# Tools.
if ! command -v benchstat >/dev/null; then
	say "installing benchstat"
	go install golang.org/x/perf/cmd/benchstat@latest
fi
BENCHSTAT=$(command -v benchstat || echo "$(go env GOPATH)/bin/benchstat")
FLASK=1
if ! python3 -c 'import flask' 2>/dev/null; then
	say "python3 has no flask: skipping Flask (apt-get install -y python3-flask)"
	FLASK=0
fi
if [ "$LOAD" = 1 ] && ! command -v wrk >/dev/null; then
	say "wrk not found: skipping the load test (apt-get install -y wrk)"
	LOAD=0
fi

say "building"
(cd "$BENCH" && go test -c -o "$BIN/bench.test" . &&
	go build -o "$BIN/bareapp" ./cmd/bareapp &&
	go build -o "$BIN/loadtest" ./cmd/loadtest &&
	go build -o "$BIN/benchtables" ./cmd/benchtables)
if [ "$LOAD" = 1 ]; then
	(cd "$ROOT" && go build -o "$BIN/example" ./example)
fi

# The machine, for the docs.
{
	echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
	echo "go: $(go version | cut -d' ' -f3-)"
	[ "$FLASK" = 0 ] || echo "python: $(python3 -c 'import sys, importlib.metadata as m; print(sys.version.split()[0], "flask", m.version("flask"), "werkzeug", m.version("werkzeug"))')"
	[ "$LOAD" = 0 ] || echo "wrk: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), 1 thread, $CONNS connections, $LOADTIME per run"
	loadnote="load test in $LOAD_ROUNDS of the rounds"
	[ "$LOAD" = 1 ] || loadnote="no load test"
	echo "rounds: $ROUNDS, Go benchtime $BENCHTIME, Flask ${FLASKTIME}s per measurement, $loadnote"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt"

for round in $(seq 1 "$ROUNDS"); do
	say "round $round/$ROUNDS: Go"
	(cd "$BENCH" && "$BIN/bench.test" -test.run '^$' -test.bench '^Benchmark(Gin|NetHTTP|Plain)$' -test.benchmem \
		-test.benchtime "$BENCHTIME" -test.count 1) | grep -E '^(Benchmark|goos|goarch|pkg|cpu)' >>"$RAW"
	if [ "$FLASK" = 1 ]; then
		say "round $round/$ROUNDS: Flask"
		python3 "$BENCH/flask_bench.py" -benchtime "$FLASKTIME" >>"$RAW"
	fi
	# The load test in LOAD_ROUNDS rounds spread over the run, the order
	# of the two apps alternating.
	if [ "$LOAD" = 1 ] && [ $(((round * LOAD_ROUNDS) % ROUNDS)) -lt "$LOAD_ROUNDS" ]; then
		say "round $round/$ROUNDS: load"
		loads=$((${loads:-0} + 1))
		reverse=false
		[ $((loads % 2)) = 0 ] && reverse=true
		if ! "$BIN/loadtest" -example "$BIN/example" -bare "$BIN/bareapp" \
			-templates "$ROOT/example/templates" -duration "$LOADTIME" -conns "$CONNS" \
			-reverse="$reverse" >"$OUT/load.tmp"; then
			say "load test failed in round $round; its results are left out"
		else
			cat "$OUT/load.tmp" >>"$RAW"
		fi
		rm -f "$OUT/load.tmp"
	fi
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"

"$BENCHSTAT" "$RAW" >"$OUT/benchstat.txt"
"$BIN/benchtables" "$RAW" >"$OUT/tables.md"
echo
cat "$OUT/benchstat.txt"
echo
cat "$OUT/tables.md"
say "raw results, benchstat and tables in $OUT"
