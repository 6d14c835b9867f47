// Command example is Flask's session quickstart ported to Gin: log in
// with a name, see it on every page, log out. Run it with
//
//	go run ./example                  # http://127.0.0.1:8080
//	SECRET_KEY=... go run ./example -addr :8080
//
// flask_app.py is the same app in Flask; started with the same
// SECRET_KEY, the two share their logins.
package main

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
	cfg := flasksession.DefaultConfig()
	cfg.SecretKey, cfg.AllowWeakSecretKey = secretKey(getenv("SECRET_KEY"), log)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: newRouter(cfg)}
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
