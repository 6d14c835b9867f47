package redisstore_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/ginflask/flasksession/internal/benchcase"
	"github.com/ginflask/flasksession/internal/redistest"
	"github.com/ginflask/flasksession/redisstore"
)

// Each store operation against a local redis-server (loopback, one
// connection round trip each), and the middleware's request kinds as the
// store calls they make, with the commands sent per request:
//
//	go test -tags goredis -run '^$' -bench Store -benchmem ./redisstore
//
// "timeout" is the store as New makes it (a per-operation deadline, and a
// goroutine so that a cancelled request returns at once); "no timeout" is
// WithTimeout(0) with a context that is never cancelled, which calls
// go-redis directly: the difference is the price of those guarantees.
func BenchmarkStore(b *testing.B) {
	addr := redistest.Start(b).Addr
	c := newClient(b, addr)
	data := make([]byte, 1024) // a session of 1 KB
	for i := range data {
		data[i] = 'a' + byte(i%26)
	}
	ctx := context.Background()
	expiry := time.Now().Add(time.Hour)
	for _, mode := range []struct {
		name string
		opts []redisstore.Option
	}{
		{"timeout", nil},
		{"no timeout", []redisstore.Option{redisstore.WithTimeout(0)}},
	} {
		s := redisstore.New(c, mode.opts...)
		// seed creates n records with fresh IDs.
		seed := func(b *testing.B, n int) []string {
			ids := make([]string, n)
			for i := range ids {
				ids[i] = rand.Text()
				if err := s.Create(ctx, ids[i], data, expiry); err != nil {
					b.Fatal(err)
				}
			}
			return ids
		}
		ops := []struct {
			name string
			run  func(b *testing.B, id string) error
		}{
			{"Find", func(b *testing.B, id string) error {
				_, found, err := s.Find(ctx, id)
				if !found && err == nil {
					b.Fatal("not found")
				}
				return err
			}},
			{"Update", func(b *testing.B, id string) error { return s.Update(ctx, id, nil, data, expiry) }},
			{"UpdateVersion", func(b *testing.B, id string) error { return s.Update(ctx, id, data, data, expiry) }},
			{"Touch", func(b *testing.B, id string) error { return s.Touch(ctx, id, expiry) }},
		}
		for _, op := range ops {
			b.Run(mode.name+"/"+op.name, func(b *testing.B) {
				ids := seed(b, 1000)
				i := 0
				for b.Loop() {
					if err := op.run(b, ids[i%len(ids)]); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
		b.Run(mode.name+"/Create", func(b *testing.B) {
			i := 0
			for b.Loop() {
				if err := s.Create(ctx, fmt.Sprintf("bench-create-%s-%d", mode.name, i), data, expiry); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run(mode.name+"/Delete", func(b *testing.B) {
			i := 0
			for b.Loop() {
				if err := s.Delete(ctx, fmt.Sprintf("bench-create-%s-%d", mode.name, i)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run(mode.name+"/FindParallel", func(b *testing.B) {
			ids := seed(b, 1000)
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if _, _, err := s.Find(ctx, ids[i%len(ids)]); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
		})
	}
	// The request kinds, on the default store, on a client that counts
	// the commands sent.
	counted := newClient(b, addr)
	rt := &roundTrips{}
	counted.AddHook(rt)
	s := redisstore.New(counted)
	for _, k := range requestKinds {
		b.Run("request/"+k.name, func(b *testing.B) {
			i, cmds := 0, 0
			for b.Loop() {
				b.StopTimer()
				id := fmt.Sprintf("bench-kind-%s-%d", b.Name(), i)
				if err := s.Create(ctx, id, data, expiry); err != nil {
					b.Fatal(err)
				}
				rt.take()
				b.StartTimer()
				if err := k.run(ctx, s, id); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				cmds += len(rt.take())
				b.StartTimer()
				i++
			}
			b.ReportMetric(float64(cmds)/float64(i), "roundtrips/op")
		})
	}
}

// Whole requests through gin and the middleware on a local redis-server:
// benchcase's scenarios (as the root package's and bench/'s benchmarks
// run them), non-permanent and permanent, with the round trips counted;
// each with the middleware's own records (tagged JSON) and with
// Config.FlaskSession's pickle and msgpack records:
//
//	go test -run '^$' -bench Request -benchmem ./redisstore
func BenchmarkRequest(b *testing.B) {
	c := newClient(b, redistest.Start(b).Addr)
	rt := &roundTrips{}
	c.AddHook(rt)
	benchcase.RunStore(b, redisstore.New(c),
		func(*testing.B) { rt.take() },
		func(b *testing.B) { b.ReportMetric(float64(len(rt.take()))/float64(b.N), "roundtrips/op") })
}
