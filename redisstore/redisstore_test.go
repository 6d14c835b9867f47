package redisstore_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/flaskrecord"
	"github.com/ginflask/flasksession/internal/redistest"
	"github.com/ginflask/flasksession/redisstore"
	"github.com/ginflask/flasksession/storetest"
	"github.com/redis/go-redis/v9"
)

// newClient is a client on one server, as the docs recommend it, closed
// when the test ends.
func newClient(t testing.TB, addr string) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() { c.Close() })
	return c
}

func TestStoreSingle(t *testing.T) {
	c := newClient(t, redistest.Start(t).Addr)
	storetest.Run(t, func(*testing.T) flasksession.Store { return redisstore.New(c) })
}

// The middleware-level guarantees, through the suite every store runs.
func TestMiddlewareSuiteSingle(t *testing.T) {
	c := newClient(t, redistest.Start(t).Addr)
	storetest.RunMiddleware(t, func(*testing.T) flasksession.Store { return redisstore.New(c) })
}

// The same with Flask-Session's records, as the example shares them with
// Debian's Flask-Session 0.3.2: pickles under "session:", signed IDs.
func TestMiddlewareSuiteFlaskSession(t *testing.T) {
	c := newClient(t, redistest.Start(t).Addr)
	cfg := flasksession.Config{FlaskSession: &flasksession.FlaskSession{
		Codec: flaskrecord.Codec{Format: flaskrecord.Pickle}, UseSigner: true,
	}}
	storetest.RunMiddlewareConfig(t, cfg, func(*testing.T) flasksession.Store { return redisstore.New(c) })
}

// A client that ignores contexts (go-redis's default) still passes: the
// store stops waiting at the deadline or the cancellation itself.
func TestStoreSingleContextUnaware(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: redistest.Start(t).Addr})
	t.Cleanup(func() { c.Close() })
	storetest.Run(t, func(*testing.T) flasksession.Store { return redisstore.New(c) })
}

// The record is the bytes given, under prefix+ID, readable by any client,
// with the expiry as its TTL to the millisecond.
func TestRecordLayout(t *testing.T) {
	ctx := t.Context()
	c := newClient(t, redistest.Start(t).Addr)
	expiry := time.UnixMilli(time.Now().Add(time.Hour).UnixMilli())
	data := []byte(`{"_permanent":true,"user":"alice"}`)
	for _, tc := range []struct {
		name   string
		opts   []redisstore.Option
		prefix string
	}{
		{"default prefix", nil, "session:"},
		{"own prefix", []redisstore.Option{redisstore.WithPrefix("myapp:s:")}, "myapp:s:"},
		{"no prefix", []redisstore.Option{redisstore.WithPrefix("")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := redisstore.New(c, tc.opts...)
			id := strings.ReplaceAll(tc.name, " ", "-")
			if err := s.Create(ctx, id, data, expiry); err != nil {
				t.Fatal(err)
			}
			check := func(when string, want []byte, at time.Time) {
				t.Helper()
				got, err := c.Get(ctx, tc.prefix+id).Bytes()
				if err != nil || string(got) != string(want) {
					t.Errorf("%s: GET %s%s = %q, %v; want %q", when, tc.prefix, id, got, err, want)
				}
				if got, err := c.PExpireTime(ctx, tc.prefix+id).Result(); err != nil || got != time.Duration(at.UnixMilli())*time.Millisecond {
					t.Errorf("%s: PEXPIRETIME = %v, %v; want %v", when, got, err, at.UnixMilli())
				}
			}
			check("after Create", data, expiry)
			later := expiry.Add(time.Hour)
			if err := s.Touch(ctx, id, later); err != nil {
				t.Fatal(err)
			}
			check("after Touch", data, later)
			v2 := []byte(`{"user":"bob"}`)
			if err := s.Update(ctx, id, data, v2, expiry); err != nil {
				t.Fatal(err)
			}
			check("after Update", v2, expiry)
			if err := s.Delete(ctx, id); err != nil {
				t.Fatal(err)
			}
			if n, _ := c.Exists(ctx, tc.prefix+id).Result(); n != 0 {
				t.Errorf("after Delete the key is still there")
			}
		})
	}
}

// Errors name the operation and the prefix, never the ID or the data, and
// unwrap to the cause.
func TestErrorsHideIDAndData(t *testing.T) {
	ctx := t.Context()
	c := newClient(t, redistest.Start(t).Addr)
	s := redisstore.New(c, redisstore.WithPrefix("app:sess:"))
	const id = "ID-4Q2KXSECRET"
	secret := []byte(`{"token":"DATA-SECRET"}`)
	// A key of the wrong type makes every reading command fail.
	if err := c.LPush(ctx, "app:sess:"+id, "x").Err(); err != nil {
		t.Fatal(err)
	}
	_, _, findErr := s.Find(ctx, id)
	for _, tc := range []struct {
		op  string
		err error
	}{
		{"find", findErr},
		{"update", s.Update(ctx, id, secret, secret, time.Now().Add(time.Hour))},
	} {
		t.Run(tc.op, func(t *testing.T) {
			var se *redisstore.Error
			if !errors.As(tc.err, &se) {
				t.Fatalf("error %v (%T), want a *redisstore.Error", tc.err, tc.err)
			}
			if se.Op != tc.op || se.Prefix != "app:sess:" {
				t.Errorf("Op, Prefix = %q, %q; want %q, %q", se.Op, se.Prefix, tc.op, "app:sess:")
			}
			msg := tc.err.Error()
			if want := "redisstore: " + tc.op + " app:sess:…: "; !strings.HasPrefix(msg, want) {
				t.Errorf("message %q, want it to start %q", msg, want)
			}
			if !strings.Contains(msg, "WRONGTYPE") {
				t.Errorf("message %q lost Redis's reason", msg)
			}
			if strings.Contains(msg, "SECRET") {
				t.Errorf("message %q shows the ID or the data", msg)
			}
		})
	}
}

// Writes to a read-only replica (as during a failover) fail loudly.
func TestReadOnlyReplicaFails(t *testing.T) {
	ctx := t.Context()
	master := redistest.Start(t)
	host, port, _ := net.SplitHostPort(master.Addr)
	replica := redistest.StartArgs(t, "--replicaof", host, port)
	s := redisstore.New(newClient(t, replica.Addr))
	err := s.Create(ctx, "id", []byte("v"), time.Now().Add(time.Hour))
	if err == nil || !strings.Contains(err.Error(), "READONLY") {
		t.Errorf("Create on a replica: %v, want a READONLY error", err)
	}
	if err := s.Delete(ctx, "id"); err == nil {
		t.Errorf("Delete on a replica succeeded")
	}
}

// hangingServer accepts connections and never answers. reads is sent a
// value each time a connection delivers bytes.
func hangingServer(t *testing.T) (addr string, reads chan struct{}) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	reads = make(chan struct{}, 1)
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			go func() {
				buf := make([]byte, 4096)
				for {
					if _, err := conn.Read(buf); err != nil {
						return
					}
					select {
					case reads <- struct{}{}:
					default:
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String(), reads
}

// storeOps calls every method once on s.
var storeOps = []struct {
	name string
	call func(ctx context.Context, s *redisstore.Store) error
}{
	{"Find", func(ctx context.Context, s *redisstore.Store) error { _, _, err := s.Find(ctx, "id"); return err }},
	{"Create", func(ctx context.Context, s *redisstore.Store) error {
		return s.Create(ctx, "id", []byte("v"), time.Now().Add(time.Hour))
	}},
	{"Update", func(ctx context.Context, s *redisstore.Store) error {
		return s.Update(ctx, "id", nil, []byte("v"), time.Now().Add(time.Hour))
	}},
	{"UpdateVersion", func(ctx context.Context, s *redisstore.Store) error {
		return s.Update(ctx, "id", []byte("v0"), []byte("v"), time.Now().Add(time.Hour))
	}},
	{"Touch", func(ctx context.Context, s *redisstore.Store) error {
		return s.Touch(ctx, "id", time.Now().Add(time.Hour))
	}},
	{"Delete", func(ctx context.Context, s *redisstore.Store) error { return s.Delete(ctx, "id") }},
}

// A Redis that accepts connections and never answers fails each operation
// at the store's timeout, whether or not the client passes contexts on;
// the operation's error says it timed out. The test's own timeout is the
// bound: nothing here waits for go-redis's 5-second defaults.
func TestHangingRedisTimesOut(t *testing.T) {
	addr, _ := hangingServer(t)
	clients := []struct {
		name string
		opts redis.Options
	}{
		{"context-aware client", redis.Options{ContextTimeoutEnabled: true}},
		{"go-redis defaults", redis.Options{}},
		{"no client timeouts at all", redis.Options{ReadTimeout: -1, WriteTimeout: -1, MaxRetries: -1}},
	}
	for _, cl := range clients {
		t.Run(cl.name, func(t *testing.T) {
			opts := cl.opts
			opts.Addr = addr
			c := redis.NewClient(&opts)
			t.Cleanup(func() { c.Close() })
			s := redisstore.New(c, redisstore.WithTimeout(100*time.Millisecond))
			for _, op := range storeOps {
				err := op.call(t.Context(), s)
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("%s: %v, want a deadline error", op.name, err)
				}
				var se *redisstore.Error
				if !errors.As(err, &se) || se.Op != strings.ToLower(strings.TrimSuffix(op.name, "Version")) {
					t.Errorf("%s: %v, want a *redisstore.Error for its operation", op.name, err)
				}
			}
		})
	}
}

// With a client that ignores contexts, cancelling the request ends an
// operation stuck on a hanging Redis at once, with no timeout to help.
func TestHangingRedisCancelled(t *testing.T) {
	addr, reads := hangingServer(t)
	c := redis.NewClient(&redis.Options{Addr: addr, ReadTimeout: -1, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	s := redisstore.New(c, redisstore.WithTimeout(0))
	for _, op := range storeOps {
		select { // a signal left from the previous operation
		case <-reads:
		default:
		}
		ctx, cancel := context.WithCancel(t.Context())
		go func() {
			<-reads // the command (or the connection's handshake) is out
			cancel()
		}()
		if err := op.call(ctx, s); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v, want context.Canceled", op.name, err)
		}
		cancel()
	}
}

// With a context-aware client the request's own deadline reaches the
// connection, with the store's timeout off.
func TestHangingRedisRequestDeadline(t *testing.T) {
	addr, _ := hangingServer(t)
	c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true, ReadTimeout: -1, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	s := redisstore.New(c, redisstore.WithTimeout(0))
	for _, op := range storeOps {
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		if err := op.call(ctx, s); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: %v, want context.DeadlineExceeded", op.name, err)
		}
		cancel()
	}
}

// roundTrips counts the commands a client sends, pipelines as one.
type roundTrips struct {
	mu   sync.Mutex
	cmds []string
}

func (r *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (r *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		r.add(cmd.Name())
		return next(ctx, cmd)
	}
}

func (r *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		r.add("pipeline")
		return next(ctx, cmds)
	}
}

func (r *roundTrips) add(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmds = append(r.cmds, name)
}

// take returns the commands counted since the last take.
func (r *roundTrips) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	cmds := r.cmds
	r.cmds = nil
	return cmds
}

// requestKinds are the middleware's four kinds of request as the store
// calls they make (see the package doc), with the commands each must send.
var requestKinds = []struct {
	name string
	want string
	run  func(ctx context.Context, s flasksession.Store, id string) error
}{
	{"untouched, refresh off", "get", func(ctx context.Context, s flasksession.Store, id string) error {
		_, _, err := s.Find(ctx, id)
		return err
	}},
	{"untouched or read, refreshed", "get pexpireat", func(ctx context.Context, s flasksession.Store, id string) error {
		if _, _, err := s.Find(ctx, id); err != nil {
			return err
		}
		return s.Touch(ctx, id, time.Now().Add(time.Hour))
	}},
	{"new session", "set", func(ctx context.Context, s flasksession.Store, id string) error {
		return s.Create(ctx, id+"-new", []byte(`{"a":1}`), time.Now().Add(time.Hour))
	}},
	{"read-modify-save", "get set", func(ctx context.Context, s flasksession.Store, id string) error {
		if _, _, err := s.Find(ctx, id); err != nil {
			return err
		}
		return s.Update(ctx, id, nil, []byte(`{"a":2}`), time.Now().Add(time.Hour))
	}},
	{"read-modify-save, version check", "get evalsha", func(ctx context.Context, s flasksession.Store, id string) error {
		old, _, err := s.Find(ctx, id)
		if err != nil {
			return err
		}
		return s.Update(ctx, id, old, []byte(`{"a":3}`), time.Now().Add(time.Hour))
	}},
	{"logout", "del", func(ctx context.Context, s flasksession.Store, id string) error {
		return s.Delete(ctx, id)
	}},
}

// checkRoundTrips runs each request kind on s, counting with rt, and
// checks that each sends exactly its commands, one round trip apiece. The
// first version-checked update on a server may cost one more round trip
// (EVALSHA answered NOSCRIPT, then EVAL): warm runs one first.
func checkRoundTrips(t *testing.T, s flasksession.Store, rt *roundTrips, warm func()) {
	ctx := t.Context()
	warm()
	for _, k := range requestKinds {
		id := "rt-" + strings.ReplaceAll(k.name, " ", "-")
		if err := s.Create(ctx, id, []byte(`{"a":0}`), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		rt.take()
		if err := k.run(ctx, s, id); err != nil {
			t.Fatalf("%s: %v", k.name, err)
		}
		if got := strings.Join(rt.take(), " "); got != k.want {
			t.Errorf("%s: commands %q, want %q", k.name, got, k.want)
		}
	}
}

func TestRoundTripsSingle(t *testing.T) {
	c := newClient(t, redistest.Start(t).Addr)
	rt := &roundTrips{}
	c.AddHook(rt)
	s := redisstore.New(c)
	checkRoundTrips(t, s, rt, func() {
		ctx := t.Context()
		if err := s.Create(ctx, "warm", []byte("v"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		rt.take() // the first command also opens a connection (HELLO, CLIENT SETINFO)
		if err := s.Update(ctx, "warm", []byte("v"), []byte("v"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(rt.take(), " "); got != "evalsha eval" {
			t.Errorf("first version-checked update: %q, want evalsha eval", got)
		}
	})
}

// An ACL user limited to its prefix and to the commands the store sends
// (the ACL docs/server-side.md gives) can do everything, and nothing
// outside its prefix.
func TestLeastPrivilegeUser(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	admin := newClient(t, srv.Addr)
	if err := admin.Do(ctx, "ACL", "SETUSER", "myapp-sessions", "on", ">long-random-password",
		"resetkeys", "~myapp:session:*", "resetchannels", "-@all",
		"+get", "+set", "+pexpireat", "+pexpiretime", "+del", "+evalsha", "+eval", "+ping").Err(); err != nil {
		t.Fatal(err)
	}
	user := redis.NewClient(&redis.Options{
		Addr: srv.Addr, Username: "myapp-sessions", Password: "long-random-password",
		ContextTimeoutEnabled: true,
	})
	t.Cleanup(func() { user.Close() })
	storetest.Run(t, func(*testing.T) flasksession.Store {
		return redisstore.New(user, redisstore.WithPrefix("myapp:session:"))
	})
	err := redisstore.New(user).Create(ctx, "id", []byte("v"), time.Now().Add(time.Hour))
	if err == nil || !strings.Contains(err.Error(), "NOPERM") {
		t.Errorf("Create under session: with the user limited to myapp:session:: %v, want NOPERM", err)
	}
}

// Over TLS, with the server's certificate checked.
func TestStoreTLS(t *testing.T) {
	srv := redistest.StartTLS(t)
	c := redis.NewClient(&redis.Options{Addr: srv.TLSAddr, TLSConfig: srv.Config, ContextTimeoutEnabled: true})
	t.Cleanup(func() { c.Close() })
	storetest.Run(t, func(*testing.T) flasksession.Store { return redisstore.New(c) })

	// A client that does not trust the server's CA gets nothing through.
	untrusted := redis.NewClient(&redis.Options{Addr: srv.TLSAddr, TLSConfig: &tls.Config{ServerName: "127.0.0.1"}, MaxRetries: -1})
	t.Cleanup(func() { untrusted.Close() })
	_, _, err := redisstore.New(untrusted).Find(t.Context(), "id")
	if uae := (x509.UnknownAuthorityError{}); !errors.As(err, &uae) {
		t.Errorf("Find through a client that does not trust the CA: %v, want an unknown-authority error", err)
	}
}
