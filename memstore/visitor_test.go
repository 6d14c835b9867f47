package memstore_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"runtime"
	"testing"
	"time"

	"github.com/ginflask/flasksession/memstore"
)

// visitors is how many anonymous visitors the measurements average over.
const visitors = 10_000

// anonymousSession is what a cookieless visitor's view of a form stores:
// a CSRF token as Flask's tagged JSON, 57 bytes.
func anonymousSession() []byte {
	var b [20]byte
	rand.Read(b[:])
	return []byte(`{"csrf_token":"` + hex.EncodeToString(b[:]) + `"}`)
}

// newID is shaped like the middleware's IDs: 43 characters.
func newID() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// TestAnonymousVisitorMemory logs the heap each anonymous visitor's
// record takes, ID included (docs/server-side.md, "Anonymous visitors"):
//
//	go test -run TestAnonymousVisitorMemory -v ./memstore
func TestAnonymousVisitorMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("a measurement")
	}
	for _, tc := range []struct {
		name string
		opts []memstore.Option
	}{
		{"no cap", nil},
		{"capped", []memstore.Option{memstore.WithMaxRecords(visitors)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			expiry := time.Now().Add(24 * time.Hour)
			data := anonymousSession()
			s := memstore.New(tc.opts...)
			before := heapAlloc()
			for range visitors {
				// The ID is the visitor's (the store keeps it); the data
				// is copied.
				if err := s.Create(ctx, newID(), data, expiry); err != nil {
					t.Fatal(err)
				}
			}
			after := heapAlloc()
			runtime.KeepAlive(s)
			t.Logf("%d bytes of heap per anonymous visitor (%d-byte record, 43-byte ID), over %d visitors",
				(after-before)/visitors, len(data), visitors)
		})
	}
}

func heapAlloc() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
