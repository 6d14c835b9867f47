// Package bench compares flasksession with the session libraries a Gin or
// net/http user would otherwise pick (gin-contrib/sessions, gorilla/sessions,
// alexedwards/scs), with Flask itself, and with the limit (the work a Flask
// cookie session cannot avoid, done by hand: limit_test.go), on the same
// five scenarios. BenchmarkPlain (limit_plain_test.go) times the limit's
// work as a plain function on the Cookie header's value, with nothing
// around it.
//
// It is its own module so that the library's users never download the peers.
// Run everything, interleaved, and print the tables with
//
//	bash bench/run.sh
//
// BenchmarkRedis (redis_test.go) compares the server-side Redis stores of
// flasksession, gin-contrib/sessions and scs on one local redis-server,
// with the round trips and commands each request costs; run.sh leaves it
// out:
//
//	cd bench && go test -run '^$' -bench '^BenchmarkRedis$' -benchmem -count 10 | tee out/redis.txt
//	go run ./cmd/benchtables out/redis.txt
//
// BenchmarkPostgres (pg_test.go) does the same for the PostgreSQL stores
// (flasksession's pgstore, scs's pgxstore, gin-contrib/sessions' postgres
// store on lib/pq) on one local PostgreSQL 15 it starts with
// pg_stat_statements, reporting the statements and the server's time per
// request; TestPostgresSubjects counts the round trips on the wire too.
// run.sh leaves it out as well:
//
//	cd bench && go test -run '^$' -bench '^BenchmarkPostgres$' -benchmem -count 6 | tee out/pg.txt
//	cd bench && go test -count=1 -run TestPostgresSubjects -v
//
// See docs/benchmarks.md for the results and how to read them.
package bench
