// Command accounts is a Flask-Login app ported to Gin with
// flasksession/flasklogin: log in with any user name ("remember me"
// optional), a login-required page, a page that needs a fresh login, log
// out. Run it with
//
//	go run ./example/accounts                  # http://127.0.0.1:8080
//	SECRET_KEY=... go run ./example/accounts -addr 127.0.0.1:8081
//	SESSION_PROTECTION=strong SECRET_KEY=... go run ./example/accounts
//
// flask_app.py is the same app on Flask-Login; started with the same
// SECRET_KEY (and SESSION_PROTECTION), the two share their logged-in
// users and remember cookies. The login form carries a CSRF token
// (flasksession/csrf here, Flask-WTF there), which either app accepts.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	if os.Getenv(gin.EnvGinMode) == "" {
		gin.SetMode(gin.ReleaseMode)
	}
	if err := serve(*addr, os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// serve runs the app on addr until SIGINT or SIGTERM.
func serve(addr string, getenv func(string) string, log io.Writer) error {
	key := []byte(getenv("SECRET_KEY"))
	if len(key) == 0 {
		fmt.Fprint(log, "WARNING: SECRET_KEY is not set: using a random key for this run only;\n"+
			"WARNING: logins will not survive a restart and will not be shared with flask_app.py.\n"+
			"WARNING: make a key with `go run ./cmd/flasksession genkey` and export SECRET_KEY.\n")
		b := make([]byte, 32)
		rand.Read(b)
		key = []byte(hex.EncodeToString(b))
	}
	protection, err := parseProtection(getenv("SESSION_PROTECTION"))
	if err != nil {
		return err
	}
	cfg := flasksession.DefaultConfig()
	cfg.SecretKey = key
	// A short key is accepted so the app can share logins with an existing
	// Flask app; flasksession would refuse it otherwise.
	if len(key) < flasksession.MinSecretKeyLen {
		fmt.Fprintf(log, "WARNING: SECRET_KEY is only %d bytes long; a guessable key lets anyone forge logins.\n", len(key))
		cfg.AllowWeakSecretKey = true
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: newRouter(cfg, protection)}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Shutdown(context.Background())
	}()
	fmt.Fprintf(log, "Listening on http://%s\n", ln.Addr())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
