package filestore_test

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/ginflask/flasksession/filestore"
)

// go test -run '^$' -bench . -benchmem ./filestore
func BenchmarkStore(b *testing.B) {
	ctx := b.Context()
	s := open(b, b.TempDir())
	data := make([]byte, 1024)
	id := rand.Text()
	if err := s.Create(ctx, id, data, time.Now().Add(time.Hour)); err != nil {
		b.Fatal(err)
	}
	b.Run("Find", func(b *testing.B) {
		for b.Loop() {
			if _, found, err := s.Find(ctx, id); !found || err != nil {
				b.Fatal(found, err)
			}
		}
	})
	b.Run("Create", func(b *testing.B) {
		for b.Loop() {
			if err := s.Create(ctx, rand.Text(), data, time.Now().Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
	})
	// At the cap: one Create in 1000/16 lists the directory and evicts.
	b.Run("CreateAtCap", func(b *testing.B) {
		s, err := filestore.New(b.TempDir(), filestore.WithMaxRecords(1000))
		if err != nil {
			b.Fatal(err)
		}
		for range 1000 {
			if err := s.Create(ctx, rand.Text(), data, time.Now().Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		for range b.N {
			if err := s.Create(ctx, rand.Text(), data, time.Now().Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Update", func(b *testing.B) {
		for b.Loop() {
			if err := s.Update(ctx, id, nil, data, time.Now().Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Touch", func(b *testing.B) {
		for b.Loop() {
			if err := s.Touch(ctx, id, time.Now().Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
