package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	scsredis "github.com/alexedwards/scs/redisstore"
	gcredis "github.com/gin-contrib/sessions/redis"
	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/redistest"
	"github.com/ginflask/flasksession/redisstore"
	redigo "github.com/gomodule/redigo/redis"
	"github.com/redis/go-redis/v9"
)

// Whole requests through the server-side Redis store of each library, on
// one local redis-server (started here, persistence off), with what each
// request costs the server:
//
//	cd bench && go test -run '^$' -bench Redis -benchmem -count 6 | benchstat -
//
// roundtrips/op is the server's read events per request: a client that
// pipelines (scs sends MULTI, SET, PEXPIREAT and EXEC in one write) costs
// one, however many commands it sends; cmds/op is the commands.

// redisSubjects are the three stores, each used as its README shows, on
// the server at addr. Each build has its own client, closed after tb.
func redisSubjects(addr string) []subject {
	return []subject{
		{"flasksession", func(tb testing.TB, sc scenario) http.Handler {
			c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
			tb.Cleanup(func() { c.Close() })
			return flaskSessionApp(sc, flasksession.Config{SecretKey: signingKey, Store: redisstore.New(c)})
		}},
		{"gincontrib-redis", func(tb testing.TB, sc scenario) http.Handler {
			// redistore's pool, as NewStore makes it, PINGs each
			// connection it lends.
			store, err := gcredis.NewStore(10, "tcp", addr, "", "", signingKey)
			if err != nil {
				tb.Fatal(err)
			}
			rs, err := gcredis.GetRedisStore(store)
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { rs.Close() })
			return ginContrib(sc, store)
		}},
		{"scs-redis", func(tb testing.TB, sc scenario) http.Handler {
			pool := &redigo.Pool{
				MaxIdle: 10,
				Dial:    func() (redigo.Conn, error) { return redigo.Dial("tcp", addr) },
			}
			tb.Cleanup(func() { pool.Close() })
			return scsApp(sc, scsredis.New(pool))
		}},
	}
}

// serverCounts reads the server's totals of read events and commands.
type serverCounts struct{ reads, cmds int64 }

func (a serverCounts) minus(b serverCounts) serverCounts {
	return serverCounts{a.reads - b.reads, a.cmds - b.cmds}
}

// counter reads serverCounts, less what its own INFO costs.
type counter struct {
	c    *redis.Client
	self serverCounts
}

func newCounter(tb testing.TB, addr string) *counter {
	c := redis.NewClient(&redis.Options{Addr: addr})
	tb.Cleanup(func() { c.Close() })
	k := &counter{c: c}
	k.read(tb) // connect first
	// Two INFOs with nothing between them: what one costs.
	first := k.read(tb)
	k.self = k.read(tb).minus(first)
	if k.self != (serverCounts{reads: 1, cmds: 1}) {
		tb.Fatalf("one INFO counted %+v, want 1 read and 1 command: is another client using the server?", k.self)
	}
	return k
}

func (k *counter) read(tb testing.TB) serverCounts {
	tb.Helper()
	info, err := k.c.Info(context.Background(), "stats").Result()
	if err != nil {
		tb.Fatalf("INFO stats: %v", err)
	}
	var n serverCounts
	found := 0
	for _, line := range strings.Split(info, "\r\n") {
		name, v, _ := strings.Cut(line, ":")
		p := map[string]*int64{"total_reads_processed": &n.reads, "total_commands_processed": &n.cmds}[name]
		if p == nil {
			continue
		}
		if *p, err = strconv.ParseInt(v, 10, 64); err != nil {
			tb.Fatalf("INFO stats: %s: %v", line, err)
		}
		found++
	}
	if found != 2 {
		tb.Fatalf("INFO stats has no total_reads_processed or total_commands_processed (Redis 6 or later needed):\n%s", info)
	}
	return n
}

// since is what the server did since before, the INFO that read before
// left out.
func (k *counter) since(tb testing.TB, before serverCounts) serverCounts {
	tb.Helper()
	return k.read(tb).minus(before).minus(k.self)
}

// redisRequest prepares sub on sc: the handler, a request template with
// the subject's cookie when sc sends one, checked once (which also opens
// the client's connection).
func redisRequest(tb testing.TB, sub subject, sc scenario) (http.Handler, *http.Request) {
	tb.Helper()
	h := sub.build(tb, sc)
	tmpl := httptest.NewRequest(http.MethodGet, "/", nil)
	if sc.sendsCookie() {
		tmpl.Header.Set("Cookie", mintCookie(tb, h))
	}
	check(tb, sc, false, h, fresh(tmpl))
	return h, tmpl
}

// fresh is a new request like tmpl: gin-contrib (gorilla) keeps its
// sessions in the request, so each request starts from a new one.
func fresh(tmpl *http.Request) *http.Request {
	r := new(http.Request)
	*r = *tmpl
	return r
}

// BenchmarkRedis: the five scenarios on flasksession's redisstore,
// gin-contrib/sessions' redis store and scs's redisstore, on one server.
func BenchmarkRedis(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	addr := redistest.Start(b).Addr
	k := newCounter(b, addr)
	for _, sc := range scenarios {
		for _, sub := range redisSubjects(addr) {
			b.Run(sc.String()+"/"+sub.name, func(b *testing.B) {
				h, tmpl := redisRequest(b, sub, sc)
				w := &discardWriter{h: make(http.Header)}
				before := k.read(b)
				b.ReportAllocs()
				for b.Loop() {
					clear(w.h)
					h.ServeHTTP(w, fresh(tmpl))
				}
				n := k.since(b, before)
				b.ReportMetric(float64(n.reads)/float64(b.N), "roundtrips/op")
				b.ReportMetric(float64(n.cmds)/float64(b.N), "cmds/op")
			})
		}
	}
}

// flasksessionRoundTrips are redisstore's documented costs (its README):
// nothing for an untouched non-permanent session, SET NX for a new one,
// GET for a read, GET and SET XX for a read-modify-save.
var flasksessionRoundTrips = map[scenario]int64{
	untouched: 0, untouchedCookie: 0, newSet: 1, readOnly: 1, readModifySave: 2,
}

// TestRedisSubjects checks every Redis subject on every scenario against
// a real redis-server, as BenchmarkRedis runs them, and the round trips
// the benchmark reports: the same on every request, no more than the
// commands, at least one where the session is kept in Redis (so the
// subject really uses it), flasksession's at its documented minimum, and
// scs's pipelined save one round trip for several commands (so that
// roundtrips/op does not count commands).
func TestRedisSubjects(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	addr := redistest.Start(t).Addr
	k := newCounter(t, addr)
	for _, sub := range redisSubjects(addr) {
		for _, sc := range scenarios {
			t.Run(sub.name+"/"+sc.String(), func(t *testing.T) {
				h, tmpl := redisRequest(t, sub, sc)
				// One request first: a client's pool may dial (and say HELLO)
				// on its first use, which is not the per-request cost.
				check(t, sc, false, h, fresh(tmpl))
				var first serverCounts
				for i := range 3 {
					before := k.read(t)
					check(t, sc, false, h, fresh(tmpl))
					n := k.since(t, before)
					if i == 0 {
						first = n
						t.Logf("per request: round trips %d, commands %d", n.reads, n.cmds)
					} else if n != first {
						t.Fatalf("request %d: %+v, request 1: %+v", i+1, n, first)
					}
				}
				if first.reads > first.cmds {
					t.Errorf("%d round trips for %d commands", first.reads, first.cmds)
				}
				if (sc == newSet || sc == readOnly || sc == readModifySave) && first.reads < 1 {
					t.Errorf("no round trip: the session is not kept in Redis")
				}
				if want, ok := flasksessionRoundTrips[sc]; ok && sub.name == "flasksession" && first.reads != want {
					t.Errorf("flasksession: %d round trips, want %d", first.reads, want)
				}
				if sub.name == "scs-redis" && sc == newSet && first.reads != 1 {
					t.Errorf("scs's pipelined MULTI/SET/PEXPIREAT/EXEC: %d round trips for %d commands, want 1", first.reads, first.cmds)
				}
			})
		}
	}
}
