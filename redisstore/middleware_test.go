package redisstore_test

// The flasksession middleware on this store, on a single server, a
// Cluster and Sentinel: sessions shared by two gin engines (two app
// instances, each with its own client), logout everywhere, and the
// attacks of the server-side guarantees: a logout undone by a slow
// request, a write erased by a slow read, a logout that fails open while
// Redis refuses writes or is down.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/benchcase"
	"github.com/ginflask/flasksession/internal/redistest"
	"github.com/ginflask/flasksession/redisstore"
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
	store *redisstore.Store
	gate  *gate

	mu   sync.Mutex
	errs []error
}

func newApp(t *testing.T, client redis.UniversalClient, opts ...redisstore.Option) *app {
	store := redisstore.New(client, append([]redisstore.Option{redisstore.WithPrefix("mw:")}, opts...)...)
	a := &app{Engine: gin.New(), store: store, gate: newGate()}
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
		s.Set("blob", c.Query("blob"))
		s.SetPermanent(c.Query("permanent") == "1")
		c.String(http.StatusOK, "%v", s.Save())
	})
	a.GET("/whoami", func(c *gin.Context) {
		u, _ := flasksession.Get(c).GetString("user")
		c.String(http.StatusOK, u)
	})
	a.GET("/blob", func(c *gin.Context) {
		b, _ := flasksession.Get(c).GetString("blob")
		c.String(http.StatusOK, b)
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
	// A slow upload and a slow page: they load the session, wait at the
	// gate, then do their work.
	a.GET("/slow-write", func(c *gin.Context) {
		s := flasksession.Get(c)
		s.Get("user")
		a.gate.wait()
		s.Set("upload", "done")
		c.String(http.StatusOK, "ok")
	})
	a.GET("/slow-read", func(c *gin.Context) {
		u, _ := flasksession.Get(c).GetString("user")
		a.gate.wait()
		c.String(http.StatusOK, u)
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
func (a *app) get(path, cookie string) *http.Response {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: flasksession.DefaultCookieName, Value: cookie})
	}
	w := httptest.NewRecorder()
	a.ServeHTTP(w, req)
	return w.Result()
}

// body is the response's body.
func body(r *http.Response) string {
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

// sessionCookie returns the response's session cookie: its value, and
// whether it deletes the cookie; ok is false when there is none.
func sessionCookie(r *http.Response) (value string, deletes, ok bool) {
	for _, c := range r.Cookies() {
		if c.Name == flasksession.DefaultCookieName {
			return c.Value, c.MaxAge < 0 || c.Value == "", true
		}
	}
	return "", false, false
}

// login logs user in on a and returns the session cookie.
func login(t *testing.T, a *app, user string, permanent bool, blob string) string {
	t.Helper()
	q := url.Values{"user": {user}, "blob": {blob}}
	if permanent {
		q.Set("permanent", "1")
	}
	r := a.get("/login?"+q.Encode(), "")
	if b := body(r); b != "<nil>" {
		t.Fatalf("login: Save() = %s", b)
	}
	v, deletes, ok := sessionCookie(r)
	if !ok || deletes {
		t.Fatalf("login sent no session cookie")
	}
	return v
}

// recordID is the session ID inside a signed ID cookie ("ID.signature").
func recordID(t *testing.T, cookie string) string {
	t.Helper()
	id, _, ok := strings.Cut(cookie, ".")
	if !ok || id == "" {
		t.Fatalf("cookie %q is not a signed ID", cookie)
	}
	return strings.TrimSuffix(id, ":p") // a permanent session's mark
}

// record returns the stored session under the cookie's ID.
func record(t *testing.T, s *redisstore.Store, cookie string) (string, bool) {
	t.Helper()
	data, found, err := s.Find(t.Context(), recordID(t, cookie))
	if err != nil {
		t.Fatal(err)
	}
	return string(data), found
}

// gate holds a request in its handler until the test opens it.
type gate struct {
	mu   sync.Mutex
	in   chan struct{} // the handler has loaded the session
	open chan struct{}
}

func newGate() *gate { return &gate{in: make(chan struct{}), open: make(chan struct{})} }

// wait blocks the handler; it gives up after a while so that a broken
// test cannot hang.
func (g *gate) wait() {
	g.mu.Lock()
	in, open := g.in, g.open
	g.mu.Unlock()
	close(in)
	select {
	case <-open:
	case <-time.After(30 * time.Second):
	}
}

// inFlight runs path on a in the background, returns once its handler
// waits at the gate, and returns a function that opens the gate and waits
// for the response.
func (a *app) inFlight(t *testing.T, path, cookie string) func() *http.Response {
	t.Helper()
	a.gate.mu.Lock()
	a.gate.in, a.gate.open = make(chan struct{}), make(chan struct{})
	in, open := a.gate.in, a.gate.open
	a.gate.mu.Unlock()
	done := make(chan *http.Response, 1)
	go func() { done <- a.get(path, cookie) }()
	select {
	case <-in:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s never reached its handler", path)
	}
	return func() *http.Response {
		close(open)
		return <-done
	}
}

func TestMiddleware(t *testing.T) {
	for _, topo := range topologies {
		t.Run(topo.name, func(t *testing.T) {
			tp := topo.start(t)
			one, two := newApp(t, tp.newClient(t)), newApp(t, tp.newClient(t))

			// Two instances share sessions; Destroy on one logs out on both,
			// for every copy of the cookie.
			t.Run("SharedAcrossEngines", func(t *testing.T) {
				cookie := login(t, one, "bob", false, "")
				if got := body(two.get("/whoami", cookie)); got != "bob" {
					t.Fatalf("engine two sees %q, want bob", got)
				}
				r := two.get("/logout", cookie)
				if _, deletes, _ := sessionCookie(r); !deletes {
					t.Errorf("logout sent no deletion cookie")
				}
				for i, a := range []*app{one, two} {
					if got := body(a.get("/whoami", cookie)); got != "" {
						t.Errorf("engine %d: after Destroy the old cookie logs in as %q", i+1, got)
					}
				}
				if _, found := record(t, one.store, cookie); found {
					t.Errorf("the record is still in Redis")
				}
			})

			// A 20 KB session works.
			t.Run("Large", func(t *testing.T) {
				blob := strings.Repeat("0123456789", 2048)
				cookie := login(t, one, "carol", false, blob)
				if got := body(two.get("/blob", cookie)); got != blob {
					t.Errorf("engine two read %d bytes of the 20 KB value, want %d", len(got), len(blob))
				}
			})

			// A regenerated ID ends the old one.
			t.Run("Regenerate", func(t *testing.T) {
				old := login(t, one, "dave", false, "")
				cur := login(t, one, "dave", false, "") // a fresh login: a new ID
				if recordID(t, old) == recordID(t, cur) {
					t.Fatalf("two logins got the same ID")
				}
				if got := body(two.get("/whoami", cur)); got != "dave" {
					t.Errorf("new cookie: %q", got)
				}
			})

			// Attack 1: a stolen cookie keeps a slow request in flight on
			// instance two while the victim logs out on instance one; the
			// slow request, which loaded the session before the logout,
			// must not bring the record back, whether it writes or only
			// refreshes a permanent session.
			for _, path := range []string{"/slow-write", "/slow-read"} {
				t.Run("LogoutSticks"+path, func(t *testing.T) {
					stolen := login(t, one, "victim", true, "")
					finish := two.inFlight(t, path, stolen)
					if _, deletes, _ := sessionCookie(one.get("/logout", stolen)); !deletes {
						t.Fatalf("logout sent no deletion cookie")
					}
					r := finish()
					if v, deletes, ok := sessionCookie(r); ok && !deletes {
						t.Errorf("the slow request got a live session cookie %q", v)
					}
					if data, found := record(t, one.store, stolen); found {
						t.Fatalf("the slow request brought the logged-out record back: %s", data)
					}
					if got := body(one.get("/whoami", stolen)); got != "" {
						t.Errorf("the stolen cookie still logs in as %q", got)
					}
				})
			}

			// Attack 2: a slow read of a permanent session must not write its
			// stale copy over a change saved meanwhile.
			t.Run("ReadNeverErasesWrite", func(t *testing.T) {
				cookie := login(t, one, "alice", true, "")
				finish := two.inFlight(t, "/slow-read", cookie)
				if got := body(one.get("/touch", cookie)); got != "<nil>" {
					t.Fatalf("touch: Save() = %s", got)
				}
				r := finish()
				if got := body(r); got != "alice" {
					t.Fatalf("slow read = %q", got)
				}
				if _, _, ok := sessionCookie(r); !ok {
					t.Errorf("the slow read did not refresh the permanent session's cookie")
				}
				if data, _ := record(t, one.store, cookie); !strings.Contains(data, `"touched":true`) {
					t.Errorf("the write was erased by the read: record %s", data)
				}
			})

			// Attack 3: while Redis refuses writes (as a master with no
			// replica in reach, or a replica during a failover), a save
			// fails loudly and a logout still sends the deletion cookie.
			t.Run("LogoutWhileRefusingWrites", func(t *testing.T) {
				cookie := login(t, one, "erin", false, "")
				one.storeErrors()
				setMinReplicas(t, tp, 5)
				defer setMinReplicas(t, tp, 0)
				if got := body(one.get("/touch", cookie)); !strings.Contains(got, "NOREPLICAS") {
					t.Errorf("a save while Redis refuses writes: Save() = %s, want a NOREPLICAS error", got)
				}
				r := one.get("/logout", cookie)
				if _, deletes, _ := sessionCookie(r); !deletes {
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
	cookie := login(t, a, "frank", false, "")
	srv.Stop()
	r := a.get("/touch", cookie)
	if got := body(r); !strings.Contains(got, "redisstore: ") {
		t.Errorf("a save with Redis down: Save() = %s, want the store's error", got)
	}
	if _, _, ok := sessionCookie(r); ok {
		t.Errorf("a failed save sent a cookie")
	}
	a.storeErrors()
	r = a.get("/logout", cookie)
	if _, deletes, _ := sessionCookie(r); !deletes {
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
		cookies[i] = login(t, one, fmt.Sprint("user", i), true, "")
	}
	for _, m := range c.Masters {
		if n, err := countPrefix(t.Context(), m.Addr, "mw:*"); err != nil || n == 0 {
			t.Errorf("master %s holds %d sessions (%v), want some", m.Addr, n, err)
		}
	}
	for i, cookie := range cookies {
		if got := body(two.get("/whoami", cookie)); got != fmt.Sprint("user", i) {
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
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				if sc.Cookie {
					req.AddCookie(&http.Cookie{Name: flasksession.DefaultCookieName, Value: seed(t, store, permanent)})
				}
				rt.take()
				w := httptest.NewRecorder()
				r.ServeHTTP(w, req)
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
		before[i] = login(t, a, fmt.Sprint("before", i), true, "")
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
			r := a.get("/login?user="+user, "")
			if b := body(r); b == "<nil>" {
				if v, _, ok := sessionCookie(r); ok {
					loggedIn[v] = user
				}
			} else if !strings.Contains(b, "redisstore: ") {
				t.Errorf("a login during the failover: Save() = %s, want nil or the store's error", b)
			}
			if a.storeErrors() > 0 {
				failures++
			}
			want := fmt.Sprint("before", i%len(before))
			got := body(a.get("/whoami", before[i%len(before)]))
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
		r := a.get("/login?user=after", "")
		if body(r) == "<nil>" {
			v, _, _ := sessionCookie(r)
			loggedIn[v] = "after"
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
		if got := body(fresh.get("/whoami", cookie)); got != fmt.Sprint("before", i) {
			t.Errorf("after the failover session %d reads as %q", i, got)
		}
	}
	for cookie, user := range loggedIn {
		if got := body(fresh.get("/whoami", cookie)); got != user {
			t.Errorf("after the failover a login that reported success reads as %q, want %q", got, user)
		}
	}
}
