package memstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/flaskrecord"
	"github.com/ginflask/flasksession/memstore"
	"github.com/ginflask/flasksession/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) flasksession.Store { return memstore.New() })
}

// The suite on one capped store shared by every subtest, so that the
// later subtests run at the cap and evict: each subtest's records are
// the newest and expire last, so what goes is earlier subtests' records.
// The cap is above the most records a subtest keeps (50).
func TestStoreCapped(t *testing.T) {
	s := memstore.New(memstore.WithMaxRecords(100))
	storetest.Run(t, func(*testing.T) flasksession.Store { return s })
}

// go test -run '^$' -bench . -benchmem ./memstore
func BenchmarkStore(b *testing.B) {
	ctx := context.Background()
	data := make([]byte, 1024)
	expiry := time.Now().Add(time.Hour)
	newStore := func(b *testing.B, n int) (*memstore.Store, []string) {
		s := memstore.New()
		ids := make([]string, n)
		for i := range ids {
			ids[i] = idOf(i)
			if err := s.Create(ctx, ids[i], data, expiry); err != nil {
				b.Fatal(err)
			}
		}
		return s, ids
	}
	b.Run("Find", func(b *testing.B) {
		s, ids := newStore(b, 1000)
		i := 0
		for b.Loop() {
			if _, found, _ := s.Find(ctx, ids[i%len(ids)]); !found {
				b.Fatal("not found")
			}
			i++
		}
	})
	b.Run("FindParallel", func(b *testing.B) {
		s, ids := newStore(b, 1000)
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, found, _ := s.Find(ctx, ids[i%len(ids)]); !found {
					b.Error("not found")
					return
				}
				i++
			}
		})
	})
	b.Run("Create", func(b *testing.B) {
		s := memstore.New()
		ids := make([]string, b.N)
		for i := range ids {
			ids[i] = idOf(i)
		}
		b.ResetTimer()
		for i := range b.N {
			if err := s.Create(ctx, ids[i], data, expiry); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Each Create evicts the record that expires soonest.
	b.Run("CreateAtCap", func(b *testing.B) {
		s := memstore.New(memstore.WithMaxRecords(1000))
		ids := make([]string, 1000+b.N)
		for i := range ids {
			ids[i] = idOf(i)
		}
		for i := range 1000 {
			if err := s.Create(ctx, ids[i], data, expiry.Add(time.Duration(i)*time.Millisecond)); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		for i := range b.N {
			if err := s.Create(ctx, ids[1000+i], data, expiry.Add(time.Duration(1000+i)*time.Millisecond)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Update", func(b *testing.B) {
		s, ids := newStore(b, 1000)
		i := 0
		for b.Loop() {
			if err := s.Update(ctx, ids[i%len(ids)], nil, data, expiry); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("UpdateVersionCheck", func(b *testing.B) {
		s, ids := newStore(b, 1000)
		i := 0
		for b.Loop() {
			if err := s.Update(ctx, ids[i%len(ids)], data, data, expiry); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("Touch", func(b *testing.B) {
		s, ids := newStore(b, 1000)
		i := 0
		for b.Loop() {
			if err := s.Touch(ctx, ids[i%len(ids)], expiry); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func idOf(i int) string {
	const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	id := []byte("AAAAAAAAAAAAAAAAAAAAAAAAAA")
	for j := len(id) - 1; i > 0; j-- {
		id[j] = digits[i%32]
		i /= 32
	}
	return string(id)
}

func TestMiddleware(t *testing.T) {
	storetest.RunMiddleware(t, func(*testing.T) flasksession.Store { return memstore.New() })
}

// The same guarantees with Flask-Session's records and IDs, in each
// format, with the ID signed and bare.
func TestMiddlewareFlaskSession(t *testing.T) {
	for _, f := range []flaskrecord.Format{flaskrecord.Pickle, flaskrecord.MsgPack, flaskrecord.JSON} {
		for _, signed := range []bool{true, false} {
			t.Run(fmt.Sprintf("%v/signed=%v", f, signed), func(t *testing.T) {
				cfg := flasksession.Config{FlaskSession: &flasksession.FlaskSession{
					Codec: flaskrecord.Codec{Format: f}, UseSigner: signed,
				}}
				storetest.RunMiddlewareConfig(t, cfg, func(*testing.T) flasksession.Store { return memstore.New() })
			})
		}
	}
}
