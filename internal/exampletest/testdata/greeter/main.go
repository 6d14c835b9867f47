// Command greeter is an example program for exampletest's own tests: it
// starts as the examples do (-addr, a warning without SECRET_KEY, the
// "Listening on URL" line, a clean stop on SIGTERM) and answers every
// request with $GREETING.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	if os.Getenv("SECRET_KEY") == "" {
		fmt.Fprintln(os.Stderr, "WARNING: SECRET_KEY is not set: using a random key for this run only.")
	}
	greeting := os.Getenv("GREETING")
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, greeting) })}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Shutdown(context.Background())
	}()
	fmt.Fprintf(os.Stderr, "Listening on http://%s\n", ln.Addr())
	srv.Serve(ln)
}
