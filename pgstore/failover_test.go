package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/pgtest"
	"github.com/ginflask/flasksession/internal/webtest"
	"github.com/ginflask/flasksession/pgstore"
	"github.com/jackc/pgx/v5/pgxpool"
)

// failoverApp is a gin app on a pgstore whose ErrorHandler files every
// error under the request's X-Req header, so that each response can be
// matched with the errors it caused.
type failoverApp struct {
	*gin.Engine
	t    testing.TB
	n    atomic.Int64
	mu   sync.Mutex
	errs map[string][]error
}

func newFailoverApp(t testing.TB, store flasksession.Store) *failoverApp {
	gin.SetMode(gin.TestMode)
	a := &failoverApp{Engine: gin.New(), t: t, errs: map[string][]error{}}
	a.Use(flasksession.New(flasksession.Config{
		SecretKey: []byte("failover test key, 32 bytes long"),
		Store:     store,
		ErrorHandler: func(c *gin.Context, err error) {
			a.mu.Lock()
			defer a.mu.Unlock()
			id := c.GetHeader("X-Req")
			a.errs[id] = append(a.errs[id], err)
		},
	}))
	a.POST("/login", func(c *gin.Context) {
		s := flasksession.Get(c)
		s.Regenerate()
		s.Set("_user_id", c.Query("user"))
		c.String(http.StatusOK, "ok")
	})
	a.GET("/whoami", func(c *gin.Context) {
		user, _ := flasksession.Get(c).GetString("_user_id")
		c.String(http.StatusOK, "%s", user)
	})
	return a
}

// do sends a request with the session cookie value (none if "") and
// returns the response, the session cookie the browser holds after it,
// and the errors the ErrorHandler saw for it.
func (a *failoverApp) do(method, target, cookie string) (r *webtest.Response, after string, errs []error) {
	id := strconv.FormatInt(a.n.Add(1), 10)
	c := webtest.New(a.t, a)
	c.SetCookie("session", cookie)
	r = c.Do(method, target, nil, http.Header{"X-Req": {id}})
	a.mu.Lock()
	defer a.mu.Unlock()
	return r, c.Cookie("session"), a.errs[id]
}

// login logs user in and returns the session cookie's value ("" if none
// was set), and the errors.
func (a *failoverApp) login(user string) (string, []error) {
	_, cookie, errs := a.do("POST", "/login?user="+user, "")
	return cookie, errs
}

func (a *failoverApp) whoami(cookie string) (string, []error) {
	r, _, errs := a.do("GET", "/whoami", cookie)
	return r.Body, errs
}

// storeFailed reports whether errs holds an ErrStore: the request failed
// loudly.
func storeFailed(errs []error) bool {
	for _, err := range errs {
		if errors.Is(err, flasksession.ErrStore) {
			return true
		}
	}
	return false
}

// A primary with a synchronous streaming replica, and the app on a pool
// over both (target_session_attrs=read-write). Users log in; the primary
// is killed (SIGKILL) under load, then the replica promoted. Every request
// during the switch either works or fails with ErrStore at the
// ErrorHandler, never as a silent logout; every login acknowledged before
// the kill, or after the promotion, is there afterwards; new logins work.
func TestFailover(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts two servers and waits through a failover")
	}
	primary := pgtest.StartOpts(t, pgtest.Options{Durable: true})
	replica := pgtest.StartReplica(t, primary)
	primary.SyncReplication(t)

	dsn := fmt.Sprintf("postgres://postgres@%s,%s/postgres?sslmode=disable&connect_timeout=2&target_session_attrs=read-write",
		primary.Addr(), replica.Addr())
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := pgstore.CreateTable(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	app := newFailoverApp(t, pgstore.New(pool, pgstore.WithTimeout(3*time.Second)))

	var (
		mu    sync.Mutex
		acked = map[string]string{} // user -> cookie of every login acknowledged
	)
	const n = 100
	for i := range n {
		user := "u" + strconv.Itoa(i)
		cookie, errs := app.login(user)
		if cookie == "" || len(errs) > 0 {
			t.Fatalf("login %s before the failover: cookie %q, errors %v", user, cookie, errs)
		}
		acked[user] = cookie
	}

	// Load: logins of new users, and reads of logged-in ones, from 4
	// clients, until stop.
	var (
		stop                 = make(chan struct{})
		wg                   sync.WaitGroup
		loudFailures, silent atomic.Int64
		promoted             atomic.Bool
		postPromotion        atomic.Int64
	)
	snapshot := func() []string {
		mu.Lock()
		defer mu.Unlock()
		users := make([]string, 0, len(acked))
		for u := range acked {
			users = append(users, u)
		}
		return users
	}
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if i%2 == 0 {
					user := fmt.Sprintf("w%d-%d", w, i)
					wasPromoted := promoted.Load()
					cookie, errs := app.login(user)
					switch {
					case cookie != "" && len(errs) == 0:
						mu.Lock()
						acked[user] = cookie
						mu.Unlock()
						if wasPromoted {
							postPromotion.Add(1)
						}
					case storeFailed(errs):
						loudFailures.Add(1)
					default:
						silent.Add(1)
						t.Errorf("login %s: cookie %q, errors %v: failed without ErrStore", user, cookie, errs)
					}
					continue
				}
				users := snapshot()
				user := users[rand.IntN(len(users))]
				mu.Lock()
				cookie := acked[user]
				mu.Unlock()
				got, errs := app.whoami(cookie)
				switch {
				case got == user && len(errs) == 0:
				case storeFailed(errs):
					loudFailures.Add(1)
				default:
					silent.Add(1)
					t.Errorf("whoami as %s = %q, errors %v: a silent logout", user, got, errs)
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond)

	var before int
	if err := pool.QueryRow(t.Context(), "SELECT count(*) FROM flasksession_sessions").Scan(&before); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	ackedBefore := len(acked)
	mu.Unlock()
	primary.Kill()
	t.Logf("killed the primary: %d logins acknowledged, %d rows (sessions and user indexes) just before", ackedBefore, before)

	time.Sleep(500 * time.Millisecond) // requests fail meanwhile
	failedDuringOutage := loudFailures.Load()
	replica.Promote(t)
	promoted.Store(true)
	promotedAt := time.Now()
	for postPromotion.Load() < 20 && time.Since(promotedAt) < 30*time.Second {
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if postPromotion.Load() < 20 {
		t.Errorf("only %d logins succeeded in the 30 s after the promotion", postPromotion.Load())
	}
	if failedDuringOutage == 0 {
		t.Error("no request failed while the primary was down")
	}

	// Every acknowledged login is still there, read through the app.
	var after int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM flasksession_sessions").Scan(&after); err != nil {
		t.Fatal(err)
	}
	missing := 0
	for user, cookie := range acked {
		got, errs := app.whoami(cookie)
		if got != user || len(errs) > 0 {
			missing++
			if missing <= 5 {
				t.Errorf("after the failover, %s's session reads as %q, errors %v", user, got, errs)
			}
		}
	}
	t.Logf("after the promotion: %d of %d acknowledged logins found (%d acknowledged before the kill, %d after it), %d rows; "+
		"%d requests failed with ErrStore (%d in the first 500 ms of the outage), %d silently",
		len(acked)-missing, len(acked), ackedBefore, len(acked)-ackedBefore, after,
		loudFailures.Load(), failedDuringOutage, silent.Load())
	if missing > 0 {
		t.Errorf("%d acknowledged logins lost", missing)
	}
	if cookie, errs := app.login("after"); cookie == "" || len(errs) > 0 {
		t.Errorf("login after the failover: cookie %q, errors %v", cookie, errs)
	}
}
