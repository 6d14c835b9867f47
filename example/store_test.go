package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/flaskrecord"
	"github.com/ginflask/flasksession/internal/exampletest"
	"github.com/ginflask/flasksession/internal/flaskoracle"
	"github.com/ginflask/flasksession/internal/pgtest"
	"github.com/ginflask/flasksession/internal/realtest"
	"github.com/ginflask/flasksession/internal/redistest"
	"github.com/ginflask/flasksession/internal/webtest"
	"github.com/ginflask/flasksession/taggedjson"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

// flaskSession032 is Debian 12's Flask 2.2 under /usr/bin/python3, the
// Python with Flask-Session 0.3.2 (python3-flask-session). Flask-Session
// 0.3.2 does not run on Flask 2.3 or later (it reads
// app.session_cookie_name), so the pyenv Flask 3.1 is not a witness here.
func flaskSession032(t *testing.T) flaskoracle.Python {
	for _, py := range flaskoracle.Pythons() {
		if py.Name == "flask2.2" {
			return py
		}
	}
	t.Fatal("flaskoracle.Pythons has no flask2.2")
	return flaskoracle.Python{}
}

// The Python modules flask_app.py imports with each store.
var (
	redisModules = []exampletest.PythonModule{
		{Import: "flask_session", Debian: "python3-flask-session"},
		{Import: "redis", Debian: "python3-redis"},
	}
	postgresModules = []exampletest.PythonModule{
		{Import: "flask_session", Debian: "python3-flask-session"},
		{Import: "flask_sqlalchemy", Debian: "python3-flask-sqlalchemy"},
		{Import: "psycopg2", Debian: "python3-psycopg2"},
	}
)

// requireStorePython returns the path of flaskSession032's interpreter
// once it imports modules; else it skips t (or fails it under
// FLASKSESSION_REQUIRE_REAL=1), as exampletest.StartFlask does.
func requireStorePython(t *testing.T, modules ...exampletest.PythonModule) string {
	t.Helper()
	py := flaskoracle.Require(t, flaskSession032(t)).Path
	for _, m := range modules {
		if out, err := exec.Command(py, "-c", "import "+m.Import).CombinedOutput(); err != nil {
			realtest.Missing(t, "%s is not importable under %s (Debian: apt-get install %s): %v: %s", m.Import, py, m.Debian, err, out)
		}
	}
	return py
}

// storeTwins are the Go example and flask_app.py on one store and one key.
type storeTwins struct {
	goApp, flaskApp string
	read            recordReader
}

// A recordReader reads the store's record of session id, as
// Flask-Session keeps it: the bytes, and how long until it expires (0
// for a record without expiry); found is false when there is none.
type recordReader func(t *testing.T, id string) (rec []byte, ttl time.Duration, found bool)

// startStoreTwins starts the Go example with STORE=store and then
// flask_app.py under Flask-Session 0.3.2 (importing modules) with the
// same STORE, both with testKey, and checks the Go app says where
// sessions live (wantLog). It skips (or fails under
// FLASKSESSION_REQUIRE_REAL=1) when Debian's Flask or a module is
// missing.
func startStoreTwins(t *testing.T, store, wantLog string, read recordReader, modules ...exampletest.PythonModule) storeTwins {
	t.Helper()
	requireStorePython(t, modules...) // skip before starting anything
	// The Go app first: with PostgreSQL it creates Flask-Session's table,
	// and flask_app.py's db.create_all() finds it there.
	goApp, output := exampletest.Start(t, program, "SECRET_KEY="+testKey, "STORE="+store)
	if out := output(); !strings.Contains(out, wantLog) {
		t.Errorf("the Go app does not say where sessions live (%q):\n%s", wantLog, out)
	}
	flaskApp := exampletest.StartFlask(t, flaskSession032(t), map[string]string{"SECRET_KEY": testKey, "STORE": store}, modules...)
	return storeTwins{goApp: goApp, flaskApp: flaskApp, read: read}
}

// startRedisTwins runs the twins on a fresh redis-server; it skips (or
// fails) without one.
func startRedisTwins(t *testing.T) storeTwins {
	t.Helper()
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { rdb.Close() })
	read := func(t *testing.T, id string) ([]byte, time.Duration, bool) {
		t.Helper()
		ctx := context.Background()
		rec, err := rdb.Get(ctx, "session:"+id).Bytes()
		if err == redis.Nil {
			return nil, 0, false
		}
		if err != nil {
			t.Fatalf("GET session:%s: %v", id, err)
		}
		ttl, err := rdb.TTL(ctx, "session:"+id).Result()
		if err != nil {
			t.Fatalf("TTL session:%s: %v", id, err)
		}
		return rec, max(ttl, 0), true
	}
	return startStoreTwins(t, "redis://"+srv.Addr+"/0", "Sessions: Flask-Session's records in Redis at "+srv.Addr, read, redisModules...)
}

// startPostgresTwins runs the twins on a fresh PostgreSQL database, in
// Flask-Session's table "sessions"; it skips (or fails) without
// PostgreSQL.
func startPostgresTwins(t *testing.T) storeTwins {
	t.Helper()
	requireStorePython(t, postgresModules...) // before starting PostgreSQL
	srv := pgtest.Start(t)
	db := srv.CreateDB(t)
	pool := newPGPool(t, db)
	read := func(t *testing.T, id string) ([]byte, time.Duration, bool) {
		t.Helper()
		var rec []byte
		var expiry *time.Time // naive UTC, as Flask-Session writes it; pgx reads it as UTC
		err := pool.QueryRow(context.Background(), "SELECT data, expiry FROM sessions WHERE session_id = $1", "session:"+id).Scan(&rec, &expiry)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, 0, false
		}
		if err != nil {
			t.Fatalf("the row of session:%s: %v", id, err)
		}
		if expiry == nil {
			return rec, 0, true
		}
		return rec, max(time.Until(*expiry), 0), true
	}
	return startStoreTwins(t, db, "Sessions: Flask-Session's records in PostgreSQL at "+srv.Addr(), read, postgresModules...)
}

// newPGPool is a pool on the database at dbURL, closed when the test ends.
func newPGPool(t *testing.T, dbURL string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// TestFlaskSessionTwins runs the Go example with a Redis store next to
// flask_app.py on Flask-Session 0.3.2 with the same Redis and key, one
// cookie jar across both, as a browser on one site sees them:
//   - each app alone passes the quickstart walk (Flask-Session's cookie
//     has no SameSite, the one difference);
//   - a login on either is a login on both, flash included, and a logout
//     on either logs out both, flash included, both directions, with and
//     without "remember me";
//   - the records: one Redis key per session, "session:<id>", a pickle
//     both write and read; the cookie is the ID signed as Flask-Session
//     signs it; a remembered login has a 31-day TTL and a 31-day cookie on
//     both sides, a browser-session login a cookie without Expires; after
//     a logout a copy of the logged-in cookie logs nobody in on either,
//     and a logout on the Go side moves the session to a new ID.
func TestFlaskSessionTwins(t *testing.T) {
	storeTwinsTest(t, startRedisTwins(t))
}

// TestFlaskSessionTwinsPostgres is TestFlaskSessionTwins on PostgreSQL:
// the Go example with -store postgres://… (pgstore on Flask-Session's
// table, which it creates) next to flask_app.py on Flask-Session 0.3.2's
// SQLAlchemy interface, one database, one key. The records are rows of
// "sessions", session_id "session:<id>", data a pickle, expiry 31 days
// from now for a remembered login (and, in flask_app.py as in the Go app,
// for every other row too: 0.3.2 alone would leave it NULL).
func TestFlaskSessionTwinsPostgres(t *testing.T) {
	storeTwinsTest(t, startPostgresTwins(t))
}

func storeTwinsTest(t *testing.T, tw storeTwins) {
	t.Run("walk gin", func(t *testing.T) { walkQuickstart(t, tw.goApp) })
	t.Run("walk flask", func(t *testing.T) { walkQuickstartSameSite(t, tw.flaskApp, 0) })
	t.Run("cross login", func(t *testing.T) { crossLogin(t, tw.flaskApp, tw.goApp) })
	t.Run("records", func(t *testing.T) { storeRecords(t, tw) })
}

func storeRecords(t *testing.T, tw storeTwins) {
	for _, dir := range []struct {
		name     string
		in, read string
		remember bool
	}{
		{"flask to gin", tw.flaskApp, tw.goApp, false},
		{"gin to flask", tw.goApp, tw.flaskApp, false},
		{"flask to gin, remembered", tw.flaskApp, tw.goApp, true},
		{"gin to flask, remembered", tw.goApp, tw.flaskApp, true},
	} {
		t.Run(dir.name, func(t *testing.T) {
			name := map[string]string{tw.flaskApp: "flask", tw.goApp: "gin"}
			b := newBrowser(t)
			form := url.Values{"username": {trickyName}}
			if dir.remember {
				form.Set("remember", "1")
			}

			before := time.Now()
			p := b.post(dir.in+"/login", form)
			if p.Status != http.StatusFound {
				t.Fatalf("login on %s: %d", name[dir.in], p.Status)
			}
			checkSessionCookie(t, "login on "+name[dir.in], p.setCookies(), dir.remember, before, time.Now())
			id := sessionID(t, p)
			rec := tw.record(t, id)
			// Flask-Session 0.3.2 reads pickles only; both write protocol 4.
			if !bytes.HasPrefix(rec, []byte{0x80, 0x04}) {
				t.Errorf("the record %s wrote is not a protocol-4 pickle: % x", name[dir.in], rec[:min(len(rec), 16)])
			}
			tw.checkRecord(t, id, map[string]any{
				"username": trickyName, flasksession.PermanentKey: dir.remember,
				"_flashes": []any{taggedjson.Tuple{"message", "Logged in"}},
			})
			tw.checkExpiry(t, id, dir.remember)

			before = time.Now()
			p = b.get(dir.read + "/")
			if p.loginLine() != "Logged in as "+trickyEscape || !slices.Equal(p.flashes(), []string{"message: Logged in"}) {
				t.Errorf("%s after login on %s: %q %q", name[dir.read], name[dir.in], p.loginLine(), p.flashes())
			}
			checkSessionCookie(t, name[dir.read]+" reading it", p.setCookies(), dir.remember, before, time.Now())
			if got := sessionID(t, p); got != id {
				t.Errorf("%s moved the session from %q to %q", name[dir.read], id, got)
			}
			rec = tw.record(t, id)
			if !bytes.HasPrefix(rec, []byte{0x80, 0x04}) {
				t.Errorf("the record %s rewrote is not a protocol-4 pickle: % x", name[dir.read], rec[:min(len(rec), 16)])
			}
			tw.checkRecord(t, id, map[string]any{"username": trickyName, flasksession.PermanentKey: dir.remember}) // flash taken
			tw.checkExpiry(t, id, dir.remember)
			loggedIn := p.CookieValue(t, "session")

			p = b.get(dir.read + "/logout")
			left := id // the session after the logout
			if dir.read == tw.goApp {
				// The Go app moves the session to a new ID at logout
				// (Regenerate) and deletes the old record; Flask-Session
				// cannot.
				if len(p.setCookies()) != 1 {
					t.Fatalf("logout on gin: Set-Cookie %q, want one", p.setCookies())
				}
				left = sessionID(t, p)
				if _, _, found := tw.read(t, id); left == id || found {
					t.Errorf("logout on gin: ID %q → %q, old record still there: %v", id, left, found)
				}
			}
			tw.checkRecord(t, left, map[string]any{flasksession.PermanentKey: dir.remember, "_flashes": []any{taggedjson.Tuple{"message", "Logged out"}}})
			p = b.get(dir.in + "/")
			if p.loginLine() != "You are not logged in" || !slices.Equal(p.flashes(), []string{"message: Logged out"}) {
				t.Errorf("%s after logout on %s: %q %q", name[dir.in], name[dir.read], p.loginLine(), p.flashes())
			}
			// Unlike a cookie session, a copy of the logged-in cookie is no
			// login any more, on either side.
			for _, app := range []string{tw.flaskApp, tw.goApp} {
				b := newBrowser(t)
				b.SetCookie("session", loggedIn)
				if p := b.get(app + "/"); p.loginLine() != "You are not logged in" {
					t.Errorf("%s after logout, with the cookie from before: %q", name[app], p.loginLine())
				}
			}
		})
	}
}

// checkSessionCookie checks a response sets exactly one session cookie:
// without Expires for a browser session, else expiring
// DefaultPermanentLifetime after the request (sent between before and after).
func checkSessionCookie(t *testing.T, what string, setCookie []string, permanent bool, before, after time.Time) {
	t.Helper()
	if len(setCookie) != 1 {
		t.Fatalf("%s: Set-Cookie %q, want one", what, setCookie)
	}
	c, err := http.ParseSetCookie(setCookie[0])
	if err != nil || c.Name != "session" || !c.HttpOnly || c.Path != "/" {
		t.Fatalf("%s: Set-Cookie %q: %v", what, setCookie[0], err)
	}
	if !permanent {
		if !c.Expires.IsZero() || c.MaxAge != 0 {
			t.Errorf("%s: a browser-session login set %q, want no Expires", what, setCookie[0])
		}
		return
	}
	lifetime := flasksession.DefaultPermanentLifetime
	if lo, hi := before.Add(lifetime).Truncate(time.Second), after.Add(lifetime); c.Expires.Before(lo) || c.Expires.After(hi) {
		t.Errorf("%s: Expires %v, want 31 days from now (%v .. %v)", what, c.Expires, lo, hi)
	}
}

// sessionID is the session ID in the session cookie p sets, from either
// app: the ID signed as Flask-Session signs it with SESSION_USE_SIGNER
// (salt "flask-session"), nothing else under the signature.
func sessionID(t *testing.T, p response) string {
	t.Helper()
	return webtest.SignedID(t, []byte(testKey), p.CookieValue(t, "session"))
}

// record is the store's record of session id, which must exist.
func (tw storeTwins) record(t *testing.T, id string) []byte {
	t.Helper()
	rec, _, found := tw.read(t, id)
	if !found {
		t.Fatalf("no record of session %s", id)
	}
	return rec
}

// checkRecord checks session id's record holds exactly want.
func (tw storeTwins) checkRecord(t *testing.T, id string, want map[string]any) {
	t.Helper()
	got, err := flaskrecord.Codec{}.Decode(tw.record(t, id))
	if err != nil {
		t.Fatalf("the record of %s: %v", id, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the record of %s:\n got %#v\nwant %#v", id, got, want)
	}
}

// checkExpiry checks when session id's record expires (Redis's TTL, the
// row's expiry): PERMANENT_SESSION_LIFETIME (31 days) from now for a
// permanent session, as both apps give it; some time for another
// (Flask-Session 0.3.2 gives a Redis key 31 days, flask_app.py a row as
// much, the Go app Config.AnonymousLifetime unless the session holds
// Flask-Login's "_user_id"; the quickstart's "username" is not that).
func (tw storeTwins) checkExpiry(t *testing.T, id string, permanent bool) {
	t.Helper()
	_, ttl, found := tw.read(t, id)
	if !found {
		t.Fatalf("no record of session %s", id)
	}
	lifetime := flasksession.DefaultPermanentLifetime
	if permanent && (ttl < lifetime-time.Minute || ttl > lifetime) || !permanent && (ttl <= 0 || ttl > lifetime) {
		t.Errorf("the record of %s expires in %v, want %v for a permanent session, up to that for another", id, ttl, lifetime)
	}
	if !permanent {
		t.Logf("a browser-session login's record expires in %v", ttl)
	}
}

// TestStoreFlags starts both programs as a person would, with flags:
// `example -store URL` and `python3 flask_app.py --store URL PORT`, for
// Redis and for PostgreSQL (postgresql://, the scheme SQLAlchemy knows;
// flask_app.py first, so its db.create_all() makes the table the Go app
// then uses), and checks one login crosses into one record; and that both
// refuse a URL they cannot use, or a store that does not answer, with a
// message and exit status 1, before serving.
func TestStoreFlags(t *testing.T) {
	t.Run("redis", func(t *testing.T) {
		srv := redistest.Start(t)
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
		t.Cleanup(func() { rdb.Close() })
		flagsCrossLogin(t, "redis://"+srv.Addr+"/0", redisModules, func() ([]string, error) {
			return rdb.Keys(context.Background(), "*").Result()
		})
	})
	t.Run("postgres", func(t *testing.T) {
		requireStorePython(t, postgresModules...)
		db := pgtest.Start(t).CreateDB(t)
		store := "postgresql" + strings.TrimPrefix(db, "postgres")
		pool := newPGPool(t, db)
		flagsCrossLogin(t, store, postgresModules, func() ([]string, error) {
			rows, _ := pool.Query(context.Background(), "SELECT session_id FROM sessions")
			return pgx.CollectRows(rows, pgx.RowTo[string])
		})
	})

	closed := closedPort(t)
	for _, tt := range []struct {
		store, want string
		modules     []exampletest.PythonModule
	}{
		{"memcached://127.0.0.1:11211", `unsupported URL scheme "memcached": use redis:// or rediss://`, nil},
		{"127.0.0.1:6379", "not a URL", nil},
		{"redis://" + closed + "/0", "Redis at " + closed + " (database 0) is unreachable", redisModules},
		{"postgres://" + closed + "/db", "PostgreSQL at " + closed + " (database db) is unreachable", postgresModules},
		{"postgresql://app:" + urlPassword + "@" + closed + "/db", "PostgreSQL at " + closed + " (database db) is unreachable", postgresModules},
		{"postgres://app:" + urlPassword + "@" + closed + ":port/db", "not a PostgreSQL URL", postgresModules},
	} {
		t.Run("refused "+tt.store, func(t *testing.T) {
			cmd := exec.Command(string(program), "-addr", "127.0.0.1:0", "-store", tt.store)
			cmd.Env = []string{"SECRET_KEY=" + testKey, "PATH=" + os.Getenv("PATH")}
			checkRefused(t, "example -store "+tt.store, cmd, tt.want)

			py := requireStorePython(t, tt.modules...)
			cmd = exec.Command(py, "flask_app.py", "--store", tt.store, "0")
			cmd.Env = append(os.Environ(), "SECRET_KEY="+testKey)
			checkRefused(t, "flask_app.py --store "+tt.store, cmd, "--store: "+strings.TrimPrefix(tt.want, "-store: "))
		})
	}
}

// flagsCrossLogin runs `flask_app.py --store store` and then `example
// -store store`, logs in on the Go app and checks flask_app.py sees it,
// and that the store then holds one record, "session:<id>" (keys lists
// the store's record names).
func flagsCrossLogin(t *testing.T, store string, modules []exampletest.PythonModule, keys func() ([]string, error)) {
	py := requireStorePython(t, modules...)
	flaskApp := startFlaskScript(t, py, []string{"SECRET_KEY=" + testKey}, "--store", store)
	goApp := startProgramArgs(t, []string{"SECRET_KEY=" + testKey}, "-store", store)

	b := newBrowser(t)
	b.post(goApp+"/login", url.Values{"username": {"alice"}})
	if p := b.get(flaskApp + "/"); p.loginLine() != "Logged in as alice" {
		t.Errorf("flask_app.py --store after a login on example -store: %q", p.loginLine())
	}
	if k, err := keys(); err != nil || len(k) != 1 || !strings.HasPrefix(k[0], "session:") {
		t.Errorf("records after one login: %q %v, want one session:<id>", k, err)
	}
}

// urlPassword is the password in the -store URLs of TestStoreFlags,
// which no message may echo.
const urlPassword = "s3cret"

// checkRefused runs cmd, which must exit with status 1 printing want, and
// not urlPassword.
func checkRefused(t *testing.T, what string, cmd *exec.Cmd, want string) {
	t.Helper()
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(string(out), want) {
		t.Errorf("%s: exit status %d (%v), output:\n%s\nwant status 1 and %q", what, code, err, out, want)
	}
	if strings.Contains(string(out), urlPassword) {
		t.Errorf("%s echoes the URL's password:\n%s", what, out)
	}
	if strings.Contains(string(out), "Listening on") || strings.Contains(string(out), "Running on") {
		t.Errorf("%s served anyway:\n%s", what, out)
	}
}

// closedPort is a loopback host:port nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// startProgramArgs runs the built example with args on a free port until
// the test ends, and returns its base URL once it listens.
func startProgramArgs(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(string(program), append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append([]string{"GIN_MODE=release", "PATH=" + os.Getenv("PATH")}, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	var out strings.Builder
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if u, ok := strings.CutPrefix(sc.Text(), "Listening on "); ok {
			go func() { // drain the log
				for sc.Scan() {
				}
			}()
			return u
		}
	}
	t.Fatalf("example %q exited without listening:\n%s", args, out.String())
	return ""
}

// startFlaskScript runs `python3 flask_app.py ARGS PORT` on a free port
// until the test ends, and returns its base URL once it answers.
func startFlaskScript(t *testing.T, python string, env []string, args ...string) string {
	t.Helper()
	port, err := strconv.Atoi(strings.TrimPrefix(closedPort(t), "127.0.0.1:"))
	if err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs("flask_app.py")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, append(append([]string{script}, args...), strconv.Itoa(port))...)
	cmd.Env = append(append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1"), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatalf("flask_app.py %q exited:\n%s", args, out.String())
		default:
		}
		if resp, err := http.Get(base + "/"); err == nil {
			resp.Body.Close()
			return base
		}
	}
	t.Fatalf("flask_app.py %q did not answer within 30s", args)
	return ""
}
