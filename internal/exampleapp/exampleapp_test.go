package exampleapp

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ginflask/flasksession"
)

var listening = regexp.MustCompile(`^Listening on (http://127\.0\.0\.1:\d+)$`)

// A handler's error stops Serve before it listens.
func TestServeHandlerError(t *testing.T) {
	refused := errors.New("SESSION_PROTECTION: bad")
	var log strings.Builder
	err := Serve(context.Background(), "127.0.0.1:0", func(string) string { return testKey }, &log,
		func(flasksession.Config, func(string) string) (http.Handler, error) { return nil, refused })
	if !errors.Is(err, refused) || strings.Contains(log.String(), "Listening") {
		t.Errorf("Serve = %v, log %q; want the handler's error, before listening", err, log.String())
	}
}

// Serve gives the handler the key and the environment, says where it
// listens, and on shutdown answers the request in flight before it returns.
func TestServe(t *testing.T) {
	env := map[string]string{"SECRET_KEY": testKey, "GREETING": "hello"}
	entered, release := make(chan struct{}), make(chan struct{})
	var answered atomic.Bool
	newHandler := func(cfg flasksession.Config, getenv func(string) string) (http.Handler, error) {
		if string(cfg.SecretKey) != testKey || cfg.AllowWeakSecretKey {
			t.Errorf("handler got key %q, weak %v", cfg.SecretKey, cfg.AllowWeakSecretKey)
		}
		greeting := getenv("GREETING")
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/slow" {
				close(entered)
				<-release
			}
			io.WriteString(w, greeting)
			answered.Store(r.URL.Path == "/slow")
		}), nil
	}
	logR, logW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() {
		served <- Serve(ctx, "127.0.0.1:0", func(k string) string { return env[k] }, logW, newHandler)
		logW.Close()
	}()
	sc := bufio.NewScanner(logR)
	if !sc.Scan() {
		t.Fatalf("no output: %v", <-served)
	}
	m := listening.FindStringSubmatch(sc.Text())
	if m == nil {
		t.Fatalf("first line %q, want Listening on http://127.0.0.1:PORT", sc.Text())
	}
	go io.Copy(io.Discard, logR)

	if body := get(t, m[1]+"/"); body != "hello" {
		t.Errorf("GET / = %q, want hello", body)
	}
	slow := make(chan string, 1)
	go func() { slow <- get(t, m[1]+"/slow") }()
	<-entered
	cancel()
	// Shutdown closes the listener first: once a new connection is refused,
	// Serve is shutting down with /slow in flight. The deadline only
	// guards against a hang.
	for deadline := time.Now().Add(time.Minute); ; {
		resp, err := http.Get(m[1] + "/")
		if err != nil {
			break
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener is still open a minute after the context ended")
		}
	}
	close(release)
	if err := <-served; err != nil {
		t.Errorf("Serve after shutdown = %v", err)
	}
	if !answered.Load() {
		t.Error("Serve returned before the request in flight was answered")
	}
	if body := <-slow; body != "hello" {
		t.Errorf("GET /slow during shutdown = %q", body)
	}
}

func get(t *testing.T, url string) string {
	resp, err := http.Get(url)
	if err != nil {
		t.Errorf("GET %s: %v", url, err)
		return ""
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("GET %s: %v", url, err)
	}
	return string(b)
}
