// Command example is Flask's session quickstart ported to Gin: log in
// with a name, see it on every page, log out. Run it with
//
//	go run ./example                  # http://127.0.0.1:8080
//	SECRET_KEY=... go run ./example -addr :8080
//
// flask_app.py is the same app in Flask; started with the same
// SECRET_KEY, the two share their logins. The directory is a whole
// program: copy it into a module of your own and it builds.
//
// # Flags
//
//	-addr host:port   the address to listen on (default 127.0.0.1:8080)
//	-store URL        where sessions live (default $STORE, else in the cookie)
//
// Without a store, the session is Flask's signed cookie, as in a Flask app
// with no extension. With a store URL, sessions are kept server-side as
// Flask-Session keeps them: the record of session <id> is a pickle, the
// cookie holds the ID signed with SECRET_KEY (SESSION_USE_SIGNER=True).
// Two kinds of URL:
//
//   - redis:// or rediss:// (go-redis's redis.ParseURL:
//     redis://[user:password@]host:port/db): Flask-Session's
//     SESSION_TYPE="redis", the key "session:<id>".
//   - postgres:// or postgresql:// (pgx's
//     postgres://[user[:password]@]host[:port]/db[?sslmode=...]):
//     Flask-Session's SESSION_TYPE="sqlalchemy", a row of its table
//     "sessions" with session_id "session:<id>" (package pgstore). The
//     program creates the table if it is missing, as Flask-SQLAlchemy's
//     db.create_all() makes it, so either app may start first.
//
// A Flask app on Flask-Session with the same store and SECRET_KEY, such as
//
//	SECRET_KEY=... go run ./example -store redis://127.0.0.1:6379/0
//	SECRET_KEY=... python3 example/flask_app.py --store redis://127.0.0.1:6379/0 5000
//
//	SECRET_KEY=... go run ./example -store postgres://app@127.0.0.1:5432/app
//	SECRET_KEY=... python3 example/flask_app.py --store postgresql://app@127.0.0.1:5432/app 5000
//
// shares the sessions, and a logout ends the login everywhere: a copy of
// the old cookie no longer logs anyone in. The Go app's cookie keeps
// SameSite=Lax; Flask-Session 0.3.2's has no SameSite, the one difference
// between the two. The program checks at start-up that the store answers
// and exits if it does not. Other schemes are refused.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/flaskrecord"
	"github.com/ginflask/flasksession/pgstore"
	"github.com/ginflask/flasksession/redisstore"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	store := flag.String("store", "", "where sessions live: redis://host:port/db (rediss:// for TLS) for Flask-Session's records in Redis, postgres://user@host:port/db for its table in PostgreSQL; default $STORE, else the cookie")
	flag.Parse()
	if *store == "" {
		*store = os.Getenv("STORE") // as flask_app.py reads it under `flask run`
	}
	if os.Getenv(gin.EnvGinMode) == "" {
		gin.SetMode(gin.ReleaseMode)
	}
	cfg := flasksession.DefaultConfig()
	closeStore, err := openStore(context.Background(), *store, &cfg, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg.SecretKey, cfg.AllowWeakSecretKey = secretKey(os.Getenv("SECRET_KEY"), os.Stderr)
	err = serve(*addr, newRouter(cfg))
	closeStore()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// pingTimeout bounds the start-up check that the store answers.
const pingTimeout = 5 * time.Second

// openStore sets up cfg for the -store URL: nothing for "" (Flask's
// cookie sessions); for redis:// and rediss://, Flask-Session's records
// in Redis, once Redis answers a PING; for postgres:// and postgresql://,
// Flask-Session's table in PostgreSQL, once the database answers and the
// table exists. It returns a function that closes
// what it opened. Errors name the flag and never echo the URL, which may
// hold a password.
func openStore(ctx context.Context, rawURL string, cfg *flasksession.Config, log io.Writer) (closeStore func(), err error) {
	if rawURL == "" {
		return func() {}, nil
	}
	scheme, _, ok := strings.Cut(rawURL, "://")
	if !ok {
		return nil, errors.New("-store: not a URL: use redis://host:port/db, rediss://host:port/db or postgres://user@host:port/db, or no -store for cookie sessions")
	}
	switch strings.ToLower(scheme) {
	case "redis", "rediss":
		return openRedis(ctx, rawURL, cfg, log)
	case "postgres", "postgresql":
		// pgx takes a URL only with its scheme in lower case.
		return openPostgres(ctx, strings.ToLower(scheme)+rawURL[len(scheme):], cfg, log)
	default:
		return nil, fmt.Errorf("-store: unsupported URL scheme %q: use redis:// or rediss:// (Flask-Session's records in Redis), postgres:// or postgresql:// (its table in PostgreSQL), or no -store for cookie sessions", scheme)
	}
}

// openRedis keeps sessions in Redis as Flask-Session does with
// SESSION_TYPE="redis", SESSION_USE_SIGNER=True and the default
// SESSION_KEY_PREFIX "session:" (useFlaskSession).
func openRedis(ctx context.Context, rawURL string, cfg *flasksession.Config, log io.Writer) (func(), error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("-store: %v", err)
	}
	opts.ContextTimeoutEnabled = true // the store's timeouts reach the socket
	client := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("-store: Redis at %s (database %d) is unreachable: %v", opts.Addr, opts.DB, err)
	}
	useFlaskSession(cfg, redisstore.New(client))
	fmt.Fprintf(log, "Sessions: Flask-Session's records in Redis at %s (database %d), keys %q + ID\n", opts.Addr, opts.DB, redisstore.DefaultPrefix)
	return func() { client.Close() }, nil
}

// openPostgres keeps sessions in PostgreSQL as Flask-Session does with
// SESSION_TYPE="sqlalchemy", SESSION_USE_SIGNER=True and its defaults
// SESSION_SQLALCHEMY_TABLE "sessions" and SESSION_KEY_PREFIX "session:":
// one row per session, session_id "session:<id>", data a pickle, expiry
// a naive UTC timestamp. It creates the table if it is missing (as
// Flask-SQLAlchemy's db.create_all() would, plus an index on expiry), so
// the Go app can start before the Flask app.
func openPostgres(ctx context.Context, rawURL string, cfg *flasksession.Config, log io.Writer) (func(), error) {
	pcfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, pgParseError(err)
	}
	cc := pcfg.ConnConfig
	where := fmt.Sprintf("PostgreSQL at %s (database %s)", net.JoinHostPort(cc.Host, fmt.Sprint(cc.Port)), cc.Database)
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("-store: %s: %v", where, err)
	}
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("-store: %s is unreachable: %v", where, err)
	}
	if err := pgstore.CreateTable(ctx, pool, pgstore.WithFlaskSessionTable()); err != nil {
		pool.Close()
		return nil, fmt.Errorf("-store: %s: %v", where, err)
	}
	useFlaskSession(cfg, pgstore.New(pool, pgstore.WithFlaskSessionTable()))
	fmt.Fprintf(log, "Sessions: Flask-Session's records in %s, table %q, session_id %q + ID\n", where, pgstore.FlaskSessionTable, pgstore.FlaskSessionKeyPrefix)
	return pool.Close, nil
}

// pgParseError says why pgx cannot parse a -store URL without echoing it:
// pgx's message quotes the URL with the password masked as best it can,
// and net/url's error, its cause, quotes it whole. What is left is pgx's
// own phrase ("invalid port") and the cause's.
func pgParseError(err error) error {
	const usage = "use postgres://[user[:password]@]host[:port]/db[?sslmode=...]"
	var pce *pgconn.ParseConfigError
	if !errors.As(err, &pce) {
		return fmt.Errorf("-store: not a PostgreSQL URL pgx can parse: %s", usage)
	}
	// "cannot parse `URL`: MSG" or "cannot parse `URL`: MSG (CAUSE)".
	why, cause := pce.Error(), errors.Unwrap(pce)
	if cause != nil {
		why = strings.TrimSuffix(why, " ("+cause.Error()+")")
	}
	if i := strings.LastIndex(why, "`: "); i >= 0 {
		why = why[i+len("`: "):]
	} else {
		why = "" // not the shape above: it might quote the URL
	}
	var uerr *url.Error
	if errors.As(cause, &uerr) {
		cause = uerr.Err
	}
	if cause != nil {
		why = strings.TrimPrefix(why+": "+cause.Error(), ": ")
	}
	if why == "" {
		return fmt.Errorf("-store: not a PostgreSQL URL pgx can parse: %s", usage)
	}
	return fmt.Errorf("-store: not a PostgreSQL URL pgx can parse (%s): %s", why, usage)
}

// useFlaskSession makes the middleware keep Flask-Session's records in
// store: pickles, which every Flask-Session reads (Debian 12's 0.3.2
// reads nothing else), and the cookie is the ID signed with SECRET_KEY.
func useFlaskSession(cfg *flasksession.Config, store flasksession.Store) {
	cfg.Store = store
	cfg.FlaskSession = &flasksession.FlaskSession{
		Codec:     flaskrecord.Codec{Format: flaskrecord.Pickle},
		UseSigner: true,
	}
	// The quickstart's login is "username", not Flask-Login's "_user_id":
	// every record lives the whole lifetime, as Flask-Session gives it.
	cfg.AnonymousLifetime = cfg.PermanentLifetime
}

// secretKey is Flask's SECRET_KEY from the environment, as the bytes of
// its text, or a random key for this run only, with a warning. A short
// key is accepted, with a warning, to share sessions with an existing
// Flask app.
func secretKey(env string, log io.Writer) (key []byte, allowWeak bool) {
	if env == "" {
		fmt.Fprint(log, `
!!! WARNING: SECRET_KEY is not set: using a random key for this run only.
!!! Sessions will not survive a restart and will not be shared with other
!!! instances or with a Flask app. Make a key and export it:
!!!     export SECRET_KEY=$(go run github.com/ginflask/flasksession/cmd/flasksession genkey)

`)
		return []byte(rand.Text()), false
	}
	if len(env) < flasksession.MinSecretKeyLen {
		fmt.Fprintf(log, "WARNING: SECRET_KEY is only %d bytes long; a guessable key lets anyone forge sessions.\n", len(env))
		return []byte(env), true
	}
	return []byte(env), false
}

// serve answers on addr until SIGINT or SIGTERM, then lets the requests in
// flight finish. It prints "Listening on URL" once it accepts connections.
func serve(addr string, h http.Handler) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h}
	shutdown := make(chan error, 1)
	go func() {
		<-ctx.Done()
		shutdown <- srv.Shutdown(context.Background())
	}()
	fmt.Fprintf(os.Stderr, "Listening on http://%s\n", ln.Addr())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return <-shutdown
}
