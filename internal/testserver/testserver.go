// Package testserver holds what the tests that run an outside server
// (redis-server, PostgreSQL, a Flask app) share: a free loopback port to
// start it on, and a buffer for its output that its goroutines may write
// while the test reads.
package testserver

import (
	"bytes"
	"net"
	"sync"
)

// FreePort returns a TCP port of 127.0.0.1 that was free a moment ago. A
// server started on it may still find it taken; callers retry.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Output is a bytes.Buffer safe for concurrent use: a server's stdout and
// stderr, kept for error messages.
type Output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

// String returns what was written.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// Reset forgets what was written.
func (o *Output) Reset() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.b.Reset()
}
