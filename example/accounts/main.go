// Command accounts is a Flask-Login app ported to Gin with
// flasksession/flasklogin: log in with any user name ("remember me"
// optional), a login-required page, a page that needs a fresh login, log
// out (a POST with the CSRF token; GET /logout asks first), and "log out
// other devices". Run it with
//
//	go run ./example/accounts                  # http://127.0.0.1:8080
//	SECRET_KEY=... go run ./example/accounts -addr 127.0.0.1:8081
//	SESSION_PROTECTION=strong SECRET_KEY=... go run ./example/accounts
//	TOKENS_DIR=/var/lib/accounts/tokens SECRET_KEY=... go run ./example/accounts
//
// flask_app.py is the same app on Flask-Login; started with the same
// SECRET_KEY (and SESSION_PROTECTION, and TOKENS_DIR), the two share their
// logged-in users and remember cookies. The forms carry a CSRF token
// (flasksession/csrf here, Flask-WTF there), which either app accepts.
//
// A user's ID is "name:token" (Flask-Login's alternative tokens), the
// token kept in TOKENS_DIR, one file per user; "Log out other devices"
// (on either app) gives the user a new token, which logs out every other
// session and remember cookie of that user on both. Without TOKENS_DIR
// both apps use $TMPDIR/flasksession-accounts-tokens-UID ($TMPDIR
// defaulting to /tmp), so two apps started side by side on one machine by
// one user share it.
//
// A JSON API under /api, on JWTs (flaskjwt here, Flask-JWT-Extended
// there, one SECRET_KEY): POST /api/login {"username": NAME} gives an
// access and a refresh token, POST /api/refresh a new access token for the
// refresh one, GET /api/whoami the access token's user, POST /api/logout
// revokes the access token in JWT_BLOCKLIST_DIR, one empty file per jti,
// which flask_app.py shares (default
// $TMPDIR/flasksession-accounts-jwt-blocklist-UID). Tokens of either app
// work on both; a token revoked on either is refused by both.
//
// The pages share one stylesheet, static/style.css, built into the program
// and served at /static/style.css; flask_app.py serves the same file.
// The directory is a whole program: copy it into a module of your own and
// it builds.
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
	"os"
	"os/signal"
	"syscall"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/flaskjwt"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	if os.Getenv(gin.EnvGinMode) == "" {
		gin.SetMode(gin.ReleaseMode)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, *addr, os.Getenv, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run serves the app on addr until ctx is done (main: SIGINT or SIGTERM),
// then shuts it down gracefully: it returns once the requests in flight
// are answered. Its settings come from getenv: SECRET_KEY (see secretKey),
// SESSION_PROTECTION, TOKENS_DIR and JWT_BLOCKLIST_DIR (see newHandler); a bad one stops it
// before it listens. Warnings, and the line "Listening on http://ADDR" once
// it accepts connections, go to log.
func run(ctx context.Context, addr string, getenv func(string) string, log io.Writer) error {
	cfg := flasksession.DefaultConfig()
	cfg.SecretKey, cfg.AllowWeakSecretKey = secretKey(getenv("SECRET_KEY"), log)
	h, err := newHandler(cfg, getenv)
	if err != nil {
		return err
	}
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
	fmt.Fprintf(log, "Listening on http://%s\n", ln.Addr())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return <-shutdown
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

// newHandler is the accounts app with the session protection that
// SESSION_PROTECTION names, the users' tokens in TOKENS_DIR (see
// defaultTokensDir when unset) and the revoked JWTs in JWT_BLOCKLIST_DIR
// (see defaultBlocklistDir); a typo in the first, or a directory that
// cannot be made or that others could write to, stops the program.
func newHandler(cfg flasksession.Config, getenv func(string) string) (http.Handler, error) {
	protection, err := parseProtection(getenv("SESSION_PROTECTION"))
	if err != nil {
		return nil, err
	}
	dir := getenv("TOKENS_DIR")
	if dir == "" {
		dir = defaultTokensDir()
	}
	tokens, err := openTokenStore(dir)
	if err != nil {
		return nil, err
	}
	blDir := getenv("JWT_BLOCKLIST_DIR")
	if blDir == "" {
		blDir = defaultBlocklistDir()
	}
	bl, err := openBlocklist(blDir)
	if err != nil {
		return nil, err
	}
	// Flask-JWT-Extended signs with SECRET_KEY when JWT_SECRET_KEY is unset.
	jwt, err := flaskjwt.New(flaskjwt.Config{
		SecretKey:          cfg.SecretKey,
		AllowWeakSecretKey: cfg.AllowWeakSecretKey,
		TokenInBlocklist:   bl.revoked,
	})
	if err != nil {
		return nil, err
	}
	return newRouter(cfg, protection, tokens, jwt, bl), nil
}
