package redisstore_test

// The flasksession middleware on this store, on a single server, a
// Cluster and Sentinel: storetest.RunMiddleware's guarantees with two app
// instances (each with its own client) taking turns, plus what only Redis
// shows: a logout deletes the key, a logout still works while Redis
// refuses writes or is down, sessions spread over a Cluster's masters and
// survive a Sentinel failover, and the commands each request sends.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/benchcase"
	"github.com/ginflask/flasksession/internal/redistest"
	"github.com/ginflask/flasksession/internal/webtest"
	"github.com/ginflask/flasksession/redisstore"
	"github.com/ginflask/flasksession/storetest"
	"github.com/redis/go-redis/v9"
)

func init() { gin.SetMode(gin.TestMode) }

var secretKey = []byte("redisstore test secret key, 32 bytes or more")

// topology is a running Redis setup: newClient makes one more client on
// it (one per app instance), masters runs f on a client of each master.
type topology struct {
	newClient func(t *testing.T) redis.UniversalClient
	masters   func(t *testing.T, f func(*redis.Client))
}

var topologies = []struct {
	name  string
	start func(t *testing.T) topology
}{
	{"single", func(t *testing.T) topology {
		srv := redistest.Start(t)
		return topology{
			newClient: func(t *testing.T) redis.UniversalClient { return newClient(t, srv.Addr) },
			masters:   func(t *testing.T, f func(*redis.Client)) { f(newClient(t, srv.Addr)) },
		}
	}},
	{"cluster", func(t *testing.T) topology {
		c := redistest.StartCluster(t, 3)
		return topology{
			newClient: func(t *testing.T) redis.UniversalClient { return newClusterClient(t, c) },
			masters: func(t *testing.T, f func(*redis.Client)) {
				for _, m := range c.Masters {
					f(newClient(t, m.Addr))
				}
			},
		}
	}},
	{"sentinel", func(t *testing.T) topology {
		s := redistest.StartSentinel(t)
		return topology{
			newClient: func(t *testing.T) redis.UniversalClient { return newFailoverClient(t, s) },
			masters:   func(t *testing.T, f func(*redis.Client)) { f(newClient(t, s.Master.Addr)) },
		}
	}},
}

// app is one app instance: a gin engine on its own client and store, with
// the errors its ErrorHandler saw.
type app struct {
	*gin.Engine
	t     testing.TB
	store *redisstore.Store

	mu   sync.Mutex
	errs []error
}

func newApp(t *testing.T, client redis.UniversalClient, opts ...redisstore.Option) *app {
	store := redisstore.New(client, append([]redisstore.Option{redisstore.WithPrefix("mw:")}, opts...)...)
	a := &app{Engine: gin.New(), t: t, store: store}
	a.Use(flasksession.New(flasksession.Config{
		SecretKey: secretKey,
		Store:     a.store,
		ErrorHandler: func(_ *gin.Context, err error) {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.errs = append(a.errs, err)
		},
	}))
	a.GET("/login", func(c *gin.Context) {
		s := flasksession.Get(c)
		s.Regenerate()
		s.Set("user", c.Query("user"))
		s.SetPermanent(c.Query("permanent") == "1")
		c.String(http.StatusOK, "%v", s.Save())
	})
	a.GET("/whoami", func(c *gin.Context) {
		u, _ := flasksession.Get(c).GetString("user")
		c.String(http.StatusOK, u)
	})
	a.GET("/touch", func(c *gin.Context) {
		s := flasksession.Get(c)
		s.Set("touched", true)
		c.String(http.StatusOK, "%v", s.Save())
	})
	a.GET("/logout", func(c *gin.Context) {
		flasksession.Get(c).Destroy()
		c.String(http.StatusOK, "bye")
	})
	return a
}

// storeErrors returns how many errors matching flasksession.ErrStore the
// ErrorHandler saw, and forgets them.
func (a *app) storeErrors() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, err := range a.errs {
		if errors.Is(err, flasksession.ErrStore) {
			n++
		}
	}
	a.errs = nil
	return n
}

// get sends a request with cookie (the session cookie's value, "" for
// none) and returns the response.
func (a *app) get(path, cookie string) *webtest.Response {
	c := webtest.New(a.t, a)
	c.SetCookie(flasksession.DefaultCookieName, cookie)
	return c.Get(path)
}

// login logs user in on a and returns the session cookie.
func login(t *testing.T, a *app, user string, permanent bool) string {
	t.Helper()
	q := url.Values{"user": {user}}
	if permanent {
		q.Set("permanent", "1")
	}
	c := webtest.New(t, a)
	if r := c.Get("/login?" + q.Encode()); r.Body != "<nil>" {
		t.Fatalf("login: Save() = %s", r.Body)
	}
	v := c.Cookie(flasksession.DefaultCookieName)
	if v == "" {
		t.Fatalf("login sent no session cookie")
	}
	return v
}

// deletes reports whether r sets the session cookie, and whether that
// deletes it.
func deletes(t *testing.T, r *webtest.Response) (deletes, set bool) {
	t.Helper()
	raw, ok := r.Cookie(t, flasksession.DefaultCookieName)
	return ok && webtest.IsDeletion(raw), ok
}

// record returns the stored session under the cookie's ID.
func record(t *testing.T, s *redisstore.Store, cookie string) (string, bool) {
	t.Helper()
	id := strings.TrimSuffix(webtest.SignedID(t, secretKey, cookie), ":p") // a permanent session's mark
	data, found, err := s.Find(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return string(data), found
}

func TestMiddleware(t *testing.T) {
	for _, topo := range topologies {
		t.Run(topo.name, func(t *testing.T) {
			tp := topo.start(t)
			one, two := newApp(t, tp.newClient(t)), newApp(t, tp.newClient(t))

			// The suite every store runs, with two instances over the
			// topology taking turns at each store call.
			storetest.RunMiddleware(t, func(*testing.T) flasksession.Store {
				return storetest.Alternate(one.store, two.store)
			})

			// Destroy on one instance deletes the record from Redis.
			t.Run("LogoutDeletesRecord", func(t *testing.T) {
				cookie := login(t, one, "bob", false)
				if got := two.get("/whoami", cookie).Body; got != "bob" {
					t.Fatalf("engine two sees %q, want bob", got)
				}
				if del, _ := deletes(t, two.get("/logout", cookie)); !del {
					t.Errorf("logout sent no deletion cookie")
				}
				if _, found := record(t, one.store, cookie); found {
					t.Errorf("the record is still in Redis")
				}
			})

			// Attack 3: while Redis refuses writes (as a master with no
			// replica in reach, or a replica during a failover), a save
			// fails loudly and a logout still sends the deletion cookie.
			t.Run("LogoutWhileRefusingWrites", func(t *testing.T) {
				cookie := login(t, one, "erin", false)
				one.storeErrors()
				setMinReplicas(t, tp, 5)
				defer setMinReplicas(t, tp, 0)
				if got := one.get("/touch", cookie).Body; !strings.Contains(got, "NOREPLICAS") {
					t.Errorf("a save while Redis refuses writes: Save() = %s, want a NOREPLICAS error", got)
				}
				if del, _ := deletes(t, one.get("/logout", cookie)); !del {
					t.Errorf("logout while Redis refuses writes sent no deletion cookie")
				}
				if one.storeErrors() < 2 {
					t.Errorf("the failed save and delete did not both reach the ErrorHandler as ErrStore")
				}
			})
		})
	}
}

// setMinReplicas sets min-replicas-to-write on every master: above the
// replicas it has, the master refuses writes with NOREPLICAS.
func setMinReplicas(t *testing.T, tp topology, n int) {
	t.Helper()
	tp.masters(t, func(c *redis.Client) {
		if err := c.ConfigSet(context.Background(), "min-replicas-to-write", fmt.Sprint(n)).Err(); err != nil {
			t.Fatal(err)
		}
	})
}

// Attack 3 with Redis down: a logout still sends the deletion cookie, and
// the failure reaches the ErrorHandler; a save sends no cookie.
func TestMiddlewareLogoutWhileDown(t *testing.T) {
	srv := redistest.Start(t)
	a := newApp(t, redis.NewClient(&redis.Options{Addr: srv.Addr, ContextTimeoutEnabled: true, MaxRetries: -1}))
	cookie := login(t, a, "frank", false)
	srv.Stop()
	r := a.get("/touch", cookie)
	if got := r.Body; !strings.Contains(got, "redisstore: ") {
		t.Errorf("a save with Redis down: Save() = %s, want the store's error", got)
	}
	if _, set := deletes(t, r); set {
		t.Errorf("a failed save sent a cookie")
	}
	a.storeErrors()
	if del, _ := deletes(t, a.get("/logout", cookie)); !del {
		t.Errorf("logout with Redis down sent no deletion cookie")
	}
	if a.storeErrors() == 0 {
		t.Errorf("the failed logout did not reach the ErrorHandler as ErrStore")
	}
}

// 1,000 sessions logged in on one instance over a Cluster, each read by a
// second instance with a client of its own.
func TestMiddlewareCluster1000(t *testing.T) {
	c := redistest.StartCluster(t, 3)
	one, two := newApp(t, newClusterClient(t, c)), newApp(t, newClusterClient(t, c))
	cookies := make([]string, 1000)
	for i := range cookies {
		cookies[i] = login(t, one, fmt.Sprint("user", i), true)
	}
	for _, m := range c.Masters {
		if n, err := countPrefix(t.Context(), m.Addr, "mw:*"); err != nil || n == 0 {
			t.Errorf("master %s holds %d sessions (%v), want some", m.Addr, n, err)
		}
	}
	for i, cookie := range cookies {
		if got := two.get("/whoami", cookie).Body; got != fmt.Sprint("user", i) {
			t.Fatalf("session %d on engine two: %q", i, got)
		}
	}
}

// seed returns the cookie of a stored benchcase.Values session.
func seed(tb testing.TB, store flasksession.Store, permanent bool) string {
	return benchcase.Seed(tb, flasksession.Config{SecretKey: benchcase.Key, Store: store}, permanent)
}

// The Redis commands each kind of request sends through the middleware,
// counted on the wire, one round trip each. The signed ID cookie says
// whether the session is permanent, so a request that does not touch the
// session sends nothing, or, for a permanent session, one PEXPIREAT
// (Flask's SESSION_REFRESH_EACH_REQUEST) and never a GET.
func TestRoundTripsPerRequest(t *testing.T) {
	c := newClient(t, redistest.Start(t).Addr)
	rt := &roundTrips{}
	c.AddHook(rt)
	store := redisstore.New(c)
	logout := func(c *gin.Context) { flasksession.Get(c).Destroy() }
	relogin := func(c *gin.Context) {
		s := flasksession.Get(c)
		s.Regenerate()
		s.Set("username", "alice")
	}
	for _, sc := range append(benchcase.Scenarios(),
		benchcase.Scenario{Name: "Logout", Cookie: true, Handler: logout},
		benchcase.Scenario{Name: "Regenerate", Cookie: true, Handler: relogin}) {
		for _, permanent := range []bool{false, true} {
			want := map[string]string{
				"Untouched":       "",
				"UntouchedCookie": "",
				"NewSet":          "set",
				"ReadOnly":        "get",
				"ReadModifySave":  "get set",
				"Logout":          "get del",
				"Regenerate":      "get set del",
			}[sc.Name]
			switch {
			case permanent && sc.Name == "UntouchedCookie":
				want = "pexpireat" // the cookie says permanent: no GET
			case permanent && sc.Name == "ReadOnly":
				want += " pexpireat"
			}
			name := sc.Name
			if permanent {
				if !sc.Cookie {
					continue
				}
				name += "Permanent"
			}
			t.Run(name, func(t *testing.T) {
				r := gin.New()
				r.Use(flasksession.New(flasksession.Config{SecretKey: benchcase.Key, Store: store}))
				r.GET("/", sc.Handler)
				c := webtest.New(t, r)
				if sc.Cookie {
					c.SetCookie(flasksession.DefaultCookieName, seed(t, store, permanent))
				}
				rt.take()
				c.Get("/")
				if got := strings.Join(rt.take(), " "); got != want {
					t.Errorf("commands %q, want %q", got, want)
				}
			})
		}
	}
}

// The master dies in the middle of a run, behind the middleware: sessions
// logged in before (and replicated) are there after; while no master
// answers, a request either works or reports the store's failure to the
// ErrorHandler (a login's Save returns it): a session never silently looks
// logged out, and no login reports success for a session that is not
// there after; once the replica is promoted, logins go on.
func TestMiddlewareSentinelFailover(t *testing.T) {
	topo := redistest.StartSentinel(t)
	client := newFailoverClient(t, topo)
	a := newApp(t, client, redisstore.WithTimeout(300*time.Millisecond))
	before := make([]string, 50)
	for i := range before {
		before[i] = login(t, a, fmt.Sprint("before", i), true)
	}
	if n, err := client.Wait(t.Context(), 1, 10*time.Second).Result(); err != nil || n < 1 {
		t.Fatalf("WAIT 1 = %d, %v", n, err)
	}
	a.storeErrors()

	topo.Master.Kill()

	promoted := make(chan struct{})
	loggedIn := map[string]string{} // cookie → user, for logins that reported success
	failures := 0
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-promoted:
				return
			default:
			}
			user := fmt.Sprint("during", i)
			c := webtest.New(t, a)
			if r := c.Get("/login?user=" + user); r.Body == "<nil>" {
				if len(r.SetCookies(flasksession.DefaultCookieName)) > 0 {
					loggedIn[c.Cookie(flasksession.DefaultCookieName)] = user
				}
			} else if !strings.Contains(r.Body, "redisstore: ") {
				t.Errorf("a login during the failover: Save() = %s, want nil or the store's error", r.Body)
			}
			if a.storeErrors() > 0 {
				failures++
			}
			want := fmt.Sprint("before", i%len(before))
			got := a.get("/whoami", before[i%len(before)]).Body
			errs := a.storeErrors()
			if got != want && errs == 0 {
				t.Errorf("during the failover a session silently read as %q, want %q", got, want)
			}
			if errs > 0 {
				failures++
			}
		}
	})
	topo.WaitMaster(t, topo.Replica.Addr)
	close(promoted)
	wg.Wait()
	if failures == 0 {
		t.Errorf("no request reported a store failure while the master was dead")
	}
	t.Logf("during the failover: %d requests reported the store failing, %d logins worked", failures, len(loggedIn))

	// After: logins go on (once the client has found the new master).
	deadline := time.Now().Add(30 * time.Second)
	for {
		c := webtest.New(t, a)
		if c.Get("/login?user=after").Body == "<nil>" {
			loggedIn[c.Cookie(flasksession.DefaultCookieName)] = "after"
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no login worked within 30s of the promotion")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A second instance, with a client of its own, sees every session.
	fresh := newApp(t, newFailoverClient(t, topo))
	for i, cookie := range before {
		if got := fresh.get("/whoami", cookie).Body; got != fmt.Sprint("before", i) {
			t.Errorf("after the failover session %d reads as %q", i, got)
		}
	}
	for cookie, user := range loggedIn {
		if got := fresh.get("/whoami", cookie).Body; got != user {
			t.Errorf("after the failover a login that reported success reads as %q, want %q", got, user)
		}
	}
}
