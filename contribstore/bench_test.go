package contribstore_test

import (
	"crypto/rand"
	"testing"
	"time"

	ginmemstore "github.com/gin-contrib/sessions/memstore"
	"github.com/ginflask/flasksession/contribstore"
	"github.com/ginflask/flasksession/internal/redistest"
	"github.com/gorilla/sessions"
)

// The adapter's cost per call (an HMAC-signed ID cookie, the store's gob
// or securecookie encoding, and Touch's read then write) on gin-contrib's
// memstore and on a real Redis over loopback, with a 1 KB record:
//
//	go test -run '^$' -bench . -benchmem ./contribstore
func BenchmarkAdapter(b *testing.B) {
	ctx := b.Context()
	data := make([]byte, 1024)
	for _, bk := range []struct {
		name  string
		store func(b *testing.B) sessions.Store
	}{
		{"memstore", func(*testing.B) sessions.Store { return ginmemstore.NewStore(hashKey) }},
		{"redis", func(b *testing.B) sessions.Store { return openRedis(b, redistest.Start(b).Addr) }},
	} {
		s := contribstore.New(bk.store(b), hashKey)
		id := rand.Text()
		if err := s.Create(ctx, id, data, time.Now().Add(time.Hour)); err != nil {
			b.Fatal(err)
		}
		b.Run(bk.name+"/Find", func(b *testing.B) {
			for b.Loop() {
				if _, found, err := s.Find(ctx, id); !found || err != nil {
					b.Fatal(found, err)
				}
			}
		})
		b.Run(bk.name+"/Update", func(b *testing.B) {
			for b.Loop() {
				if err := s.Update(ctx, id, nil, data, time.Now().Add(time.Hour)); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bk.name+"/Touch", func(b *testing.B) {
			for b.Loop() {
				if err := s.Touch(ctx, id, time.Now().Add(time.Hour)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
