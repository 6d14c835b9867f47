package pgstore_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/ginflask/flasksession/pgstore"
)

// Each store operation against a local PostgreSQL (loopback, one round
// trip each, fsync off), on both tables:
//
//	go test -run '^$' -bench Store -benchmem ./pgstore
func BenchmarkStore(b *testing.B) {
	_, _, pool := setup(b)
	data := make([]byte, 1024) // a session of 1 KB
	for i := range data {
		data[i] = 'a' + byte(i%26)
	}
	ctx := context.Background()
	expiry := time.Now().Add(time.Hour)
	for _, l := range layouts {
		s := pgstore.New(pool, l.opts...)
		ids := make([]string, 1000)
		for i := range ids {
			ids[i] = rand.Text()
			if err := s.Create(ctx, ids[i], data, expiry); err != nil {
				b.Fatal(err)
			}
		}
		ops := []struct {
			name string
			run  func(id string) error
		}{
			{"Find", func(id string) error {
				_, found, err := s.Find(ctx, id)
				if !found && err == nil {
					b.Fatal("not found")
				}
				return err
			}},
			{"Update", func(id string) error { return s.Update(ctx, id, nil, data, expiry) }},
			{"UpdateVersion", func(id string) error { return s.Update(ctx, id, data, data, expiry) }},
			{"Touch", func(id string) error { return s.Touch(ctx, id, expiry) }},
			{"Expiry", func(id string) error { _, _, err := s.Expiry(ctx, id); return err }},
		}
		for _, op := range ops {
			b.Run(l.name+"/"+op.name, func(b *testing.B) {
				i := 0
				for b.Loop() {
					if err := op.run(ids[i%len(ids)]); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
		b.Run(l.name+"/CreateDelete", func(b *testing.B) {
			for b.Loop() {
				id := rand.Text()
				if err := s.Create(ctx, id, data, expiry); err != nil {
					b.Fatal(err)
				}
				if err := s.Delete(ctx, id); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(l.name+"/FindParallel", func(b *testing.B) {
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
}
