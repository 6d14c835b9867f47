// Command example is Flask's session quickstart ported to Gin: log in
// with a name, see it on every page, log out. Run it with
//
//	go run ./example                  # http://127.0.0.1:8080
//	SECRET_KEY=... go run ./example -addr :8080
//
// flask_app.py is the same app in Flask; started with the same
// SECRET_KEY, the two share their logins. The directory is a whole
// program: copy it into a module of your own and it builds.
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
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	if os.Getenv(gin.EnvGinMode) == "" {
		gin.SetMode(gin.ReleaseMode)
	}
	cfg := flasksession.DefaultConfig()
	cfg.SecretKey, cfg.AllowWeakSecretKey = secretKey(os.Getenv("SECRET_KEY"), os.Stderr)
	if err := serve(*addr, newRouter(cfg)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
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
