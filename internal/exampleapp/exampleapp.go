// Package exampleapp is the start-up the example programs share: the -addr
// flag, the SECRET_KEY from the environment (a random key for one run, with
// a loud warning, when it is unset), the "Listening on URL" line the tests
// wait for, and a graceful shutdown on SIGINT or SIGTERM. Each example keeps
// its own routes and templates; its main is one line:
//
//	func main() { exampleapp.Main(newHandler) }
//
//	func newHandler(cfg flasksession.Config, getenv func(string) string) (http.Handler, error) {
//		return newRouter(cfg), nil
//	}
package exampleapp

import (
	"context"
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

// NewHandler builds an example's app from its session configuration (the
// key already set) and the environment, for settings of its own. An error
// stops the program before it listens.
type NewHandler func(cfg flasksession.Config, getenv func(string) string) (http.Handler, error)

// Main runs an example program: it reads the -addr flag (127.0.0.1:8080 by
// default), puts gin in release mode unless GIN_MODE says otherwise, and
// serves the app until SIGINT or SIGTERM. On an error it prints it and
// exits with status 1.
func Main(newHandler NewHandler) {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	if os.Getenv(gin.EnvGinMode) == "" {
		gin.SetMode(gin.ReleaseMode)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Serve(ctx, *addr, os.Getenv, os.Stderr, newHandler)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// Serve serves the app that newHandler builds on addr until ctx is done,
// then shuts it down gracefully: it returns once the requests in flight
// are answered. The key comes from getenv("SECRET_KEY") (see SecretKey).
// Warnings and the line "Listening on http://ADDR" go to log.
func Serve(ctx context.Context, addr string, getenv func(string) string, log io.Writer, newHandler NewHandler) error {
	cfg := flasksession.DefaultConfig()
	cfg.SecretKey, cfg.AllowWeakSecretKey = SecretKey(getenv("SECRET_KEY"), log)
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
