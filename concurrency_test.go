package flasksession

// Run these under -race: many clients at once, and handlers whose
// goroutines share the request's session.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
)

// Dozens of clients, each with its own cookie jar, increment their own
// counters in parallel; every increment is kept and no session leaks into
// another.
func TestConcurrentClients(t *testing.T) {
	const clients, increments = 40, 20
	a := newTestApp(t, Config{})
	a.GET("/inc", func(c *gin.Context) {
		s := Get(c)
		id := c.Query("id")
		if got, ok := s.GetString("id"); ok && got != id {
			c.String(http.StatusConflict, "session of %s sent by %s", got, id)
			return
		}
		s.Set("id", id)
		n, _ := s.GetInt("n")
		s.Set("n", n+1)
		c.String(http.StatusOK, "%d", n+1)
	})
	base := a.url()
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	t.Cleanup(tr.CloseIdleConnections)

	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			jar, _ := cookiejar.New(nil)
			hc := &http.Client{Transport: tr, Jar: jar}
			for want := 1; want <= increments; want++ {
				resp, err := hc.Get(fmt.Sprintf("%s/inc?id=%d", base, id))
				if err != nil {
					errs <- err
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || string(body) != strconv.Itoa(want) {
					errs <- fmt.Errorf("client %d, increment %d: %d %q", id, want, resp.StatusCode, body)
					return
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if e := a.hooked.all(); len(e) != 0 {
		t.Errorf("errors: %v", e)
	}
}

// Goroutines started by the handler use the session before it responds.
func TestHandlerGoroutines(t *testing.T) {
	const workers = 16
	a := newTestApp(t, Config{})
	a.GET("/spawn", func(c *gin.Context) {
		s := Get(c)
		var wg sync.WaitGroup
		for i := 0; i < workers; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				s.Set("g"+strconv.Itoa(i), i)
				s.Get("g0")
				s.Has("x")
				s.Len()
				s.Keys()
				s.Flash(strconv.Itoa(i), "worker")
				s.Permanent()
				s.MarkModified()
			}(i)
		}
		wg.Wait()
		c.String(http.StatusOK, "%d", s.Len())
	})
	var got box[map[string]any]
	var flashes box[[]FlashMessage]
	a.GET("/read", func(c *gin.Context) {
		flashes.put(Flashes(c))
		sessionDump(&got)(c)
	})
	cl := a.client()
	if r := cl.get("/spawn"); r.Body != strconv.Itoa(workers+1) { // + _flashes
		t.Errorf("/spawn saw %s keys", r.Body)
	}
	cl.get("/read")
	g := got.get()
	for i := 0; i < workers; i++ {
		if g["g"+strconv.Itoa(i)] != i {
			t.Errorf("g%d = %v", i, g["g"+strconv.Itoa(i)])
		}
	}
	if n := len(flashes.get()); n != workers {
		t.Errorf("%d flashes, want %d", n, workers)
	}
}

// Go's counterpart of Flask's greenlet context copying (#25): a goroutine
// holding c.Copy() sees the request's session.
func TestCopiedContextSeesSession(t *testing.T) {
	a := newTestApp(t, Config{})
	a.GET("/", func(c *gin.Context) {
		Get(c).Set("fizz", "buzz")
		cp := c.Copy()
		ch := make(chan string)
		go func() {
			s, ok := Lookup(cp)
			if !ok {
				ch <- "no session on the copy"
				return
			}
			v, _ := s.GetString("fizz")
			ch <- v
		}()
		c.String(http.StatusOK, <-ch)
	})
	if r := a.client().get("/"); r.Body != "buzz" {
		t.Errorf("copy saw %q, want buzz", r.Body)
	}
}

// Goroutines that keep changing the session, and with save also call
// Session.Save, while the handler writes the response: no data race (on
// the commit state, c.Errors or the header map) and no panic. Session's
// doc promises safety for goroutines the handler starts; changes and
// saves that miss the response are reported as ErrHeadersWritten, and
// nothing else goes wrong.
func TestChangesRacingTheResponse(t *testing.T) {
	for _, tt := range []struct {
		name             string
		save             bool
		workers, changes int
	}{
		{"Set", false, 8, 50},
		{"Set and Save", true, 4, 20},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestApp(t, Config{})
			a.GET("/", func(c *gin.Context) {
				s := Get(c)
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i := 0; i < tt.workers; i++ {
					wg.Add(1)
					go func(i int) {
						defer wg.Done()
						<-start
						for j := 0; j < tt.changes; j++ {
							s.Set("k"+strconv.Itoa(i), j)
							if tt.save {
								s.Save()
							}
						}
					}(i)
				}
				close(start)
				c.String(http.StatusOK, "racing")
				wg.Wait()
			})
			for i := 0; i < 5; i++ {
				a.client().get("/")
			}
			for _, err := range a.hooked.all() {
				if !errors.Is(err, ErrHeadersWritten) {
					t.Errorf("unexpected error %v", err)
				}
			}
		})
	}
}

// Goroutines that Set and Save concurrently before the handler responds:
// every change is kept.
func TestSaveFromHandlerGoroutines(t *testing.T) {
	const workers = 8
	a := newTestApp(t, Config{})
	a.GET("/", func(c *gin.Context) {
		s := Get(c)
		var wg sync.WaitGroup
		for i := 0; i < workers; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				for j := 0; j <= 10; j++ {
					s.Set("k"+strconv.Itoa(i), j)
					if err := s.Save(); err != nil {
						t.Errorf("Save: %v", err)
					}
				}
			}(i)
		}
		wg.Wait()
		c.String(http.StatusOK, "done")
	})
	var got box[map[string]any]
	a.GET("/read", sessionDump(&got))
	cl := a.client()
	cl.get("/")
	cl.get("/read")
	for i := 0; i < workers; i++ {
		if v := got.get()["k"+strconv.Itoa(i)]; v != 10 {
			t.Errorf("k%d = %v, want 10", i, v)
		}
	}
}

// A *Session kept past its request (by a goroutine the handler started)
// must keep reading its own request's cookie, even after gin has recycled
// the gin.Context for another user's request.
func TestRetainedSessionKeepsItsOwnRequest(t *testing.T) {
	key := []byte("retained-session-key-0123456789")
	r := gin.New()
	// Without refresh, an untouched session is never decoded during its
	// request.
	r.Use(New(Config{SecretKey: key, DisableRefreshEachRequest: true}))
	kept := make(chan *Session, 1)
	r.GET("/keep", func(c *gin.Context) {
		kept <- Get(c) // not touched: the cookie is decoded lazily, later
		c.String(http.StatusOK, "ok")
	})
	r.GET("/other", func(c *gin.Context) {
		v, _ := Get(c).GetString("user")
		c.String(http.StatusOK, v)
	})

	mint := func(user string) string {
		m, err := newMiddleware(Config{SecretKey: key}, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := m.backend.(*cookieBackend).codec.Encode(map[string]any{"user": user})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	serve := func(path, user string) string {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: DefaultCookieName, Value: mint(user)})
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w.Body.String()
	}

	serve("/keep", "alice")
	s := <-kept
	if got := serve("/other", "mallory"); got != "mallory" {
		t.Fatalf("/other = %q", got)
	}
	if got, _ := s.GetString("user"); got != "alice" {
		t.Errorf("retained session reads user %q, want alice's own", got)
	}
	s.Set("user", "eve")
	if err := s.Save(); err != ErrHeadersWritten {
		t.Errorf("Save after the request = %v, want ErrHeadersWritten", err)
	}
}

// Get finds the request's session from everywhere a handler can hold the
// request: behind a writer a later middleware wrapped, on a c.Copy() made
// before the session was first used (during the request and after it),
// and after a handler gave the request a context of its own.
func TestSessionReachable(t *testing.T) {
	type wrapped struct{ gin.ResponseWriter }
	a := newTestApp(t, Config{})
	var late *gin.Context // a copy kept past the request
	a.GET("/wrapped", func(c *gin.Context) {
		c.Writer = &wrapped{c.Writer} // as gzip and body loggers do
		c.Next()
	}, func(c *gin.Context) {
		Get(c).Set("via", "wrapped writer")
		c.String(http.StatusOK, "ok")
	})
	a.GET("/copy", func(c *gin.Context) {
		cp := c.Copy() // before any use of the session
		done := make(chan bool)
		go func() {
			s, ok := Lookup(cp)
			if ok {
				s.Set("via", "copy")
			}
			done <- ok
		}()
		if !<-done {
			c.String(http.StatusInternalServerError, "no session on the copy")
			return
		}
		late = c.Copy()
		c.String(http.StatusOK, "ok")
	})
	a.GET("/context", func(c *gin.Context) {
		type key struct{}
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), key{}, 1))
		c.Writer = &wrapped{c.Writer}
		s, ok := Lookup(c.Copy())
		if !ok {
			c.String(http.StatusInternalServerError, "no session")
			return
		}
		s.Set("via", "own context")
		c.String(http.StatusOK, "ok")
	})
	for path, want := range map[string]string{"/wrapped": "wrapped writer", "/copy": "copy", "/context": "own context"} {
		r := a.client().get(path)
		if r.Status != http.StatusOK {
			t.Errorf("%s: %d %s", path, r.Status, r.Body)
			continue
		}
		if got := a.decode(r.CookieValue(t, "session"))["via"]; got != want {
			t.Errorf("%s: session via %v, want %q", path, got, want)
		}
	}
	// After the request, a copy still reads the request's own session.
	s, ok := Lookup(late)
	if !ok {
		t.Fatal("no session on a copy after the request")
	}
	if v, _ := s.GetString("via"); v != "copy" {
		t.Errorf("copy after the request reads via = %q, want copy", v)
	}
}
