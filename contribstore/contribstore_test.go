package contribstore_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	ginmemstore "github.com/gin-contrib/sessions/memstore"
	ginredis "github.com/gin-contrib/sessions/redis"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/contribstore"
	"github.com/ginflask/flasksession/internal/redistest"
	"github.com/ginflask/flasksession/storetest"
	"github.com/gorilla/sessions"
)

var (
	hashKey  = []byte("0123456789abcdef0123456789abcdef")
	blockKey = []byte("fedcba9876543210fedcba9876543210") // AES-256
)

// backend makes a gorilla-style store with keys, and the key pairs it was
// made with. Stores made by one call of open share their records.
type backend struct {
	name string
	open func(t testing.TB) (newStore func() sessions.Store, keys [][]byte)
}

var backends = []backend{
	{"gin-contrib memstore", func(testing.TB) (func() sessions.Store, [][]byte) {
		s := ginmemstore.NewStore(hashKey)
		return func() sessions.Store { return s }, [][]byte{hashKey}
	}},
	{"gin-contrib memstore, encrypted IDs", func(testing.TB) (func() sessions.Store, [][]byte) {
		s := ginmemstore.NewStore(hashKey, blockKey)
		return func() sessions.Store { return s }, [][]byte{hashKey, blockKey}
	}},
	{"gorilla FilesystemStore", func(t testing.TB) (func() sessions.Store, [][]byte) {
		dir := t.TempDir()
		return func() sessions.Store {
			s := sessions.NewFilesystemStore(dir, hashKey)
			s.MaxLength(0) // records over 4096 bytes
			s.MaxAge(0)    // records not rewritten for 30 days
			return s
		}, [][]byte{hashKey}
	}},
	{"gin-contrib redis", func(t testing.TB) (func() sessions.Store, [][]byte) {
		srv := redistest.Start(t)
		return func() sessions.Store { return openRedis(t, srv.Addr) }, [][]byte{hashKey}
	}},
}

func openRedis(t testing.TB, addr string) ginredis.Store {
	s, err := ginredis.NewStore(4, "tcp", addr, "", "", hashKey)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := ginredis.GetRedisStore(s)
	if err != nil {
		t.Fatal(err)
	}
	rs.SetMaxLength(0) // records over 4096 bytes
	t.Cleanup(func() { _ = rs.Close() })
	return s
}

// One adapter: the whole suite, Atomic* included (the adapter locks each
// ID in its process).
func TestStore(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			open, keys := b.open(t)
			store := open()
			storetest.Run(t, func(*testing.T) flasksession.Store { return contribstore.New(store, keys...) })
		})
	}
}

// The middleware's guarantees end to end, on one adapter and on two
// adapters on one backend (two instances): the races there are played in
// a fixed order, which the adapter's read-then-write survives.
func TestMiddleware(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			open, keys := b.open(t)
			one, other := open(), open()
			t.Run("one instance", func(t *testing.T) {
				storetest.RunMiddleware(t, func(*testing.T) flasksession.Store { return contribstore.New(one, keys...) })
			})
			t.Run("two instances", func(t *testing.T) {
				storetest.RunMiddleware(t, func(*testing.T) flasksession.Store {
					return storetest.Alternate(contribstore.New(one, keys...), contribstore.New(other, keys...))
				})
			})
		})
	}
}

// Two adapters on one backend, as two app instances: every call goes to
// the other one. The read-then-write operations are not atomic across
// them, which is what NotAtomic says.
func TestTwoInstances(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			open, keys := b.open(t)
			a, c := open(), open()
			storetest.Options{NotAtomic: true}.Run(t, func(*testing.T) flasksession.Store {
				return storetest.Alternate(contribstore.New(a, keys...), contribstore.New(c, keys...))
			})
		})
	}
}

// Key pairs that are not the store's fail every call that reads, with
// ErrDecode, and write nothing.
func TestWrongKeys(t *testing.T) {
	ctx := t.Context()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			open, keys := b.open(t)
			store := open()
			good := contribstore.New(store, keys...)
			bad := contribstore.New(store, []byte("another key, not the store's one"))
			if err := good.Create(ctx, "ID1", []byte("v0"), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			exp := time.Now().Add(time.Hour)
			_, _, err := bad.Find(ctx, "ID1")
			check := func(op string, err error) {
				t.Helper()
				if !errors.Is(err, contribstore.ErrDecode) {
					t.Errorf("%s with the wrong keys: %v, want ErrDecode", op, err)
				}
			}
			check("Find", err)
			check("Create", bad.Create(ctx, "ID2", []byte("v0"), exp))
			check("Update", bad.Update(ctx, "ID1", nil, []byte("v1"), exp))
			check("Touch", bad.Touch(ctx, "ID1", exp))
			data, found, err := good.Find(ctx, "ID1")
			if err != nil || !found || string(data) != "v0" {
				t.Errorf("after the calls with wrong keys, Find = %q, %v, %v; want v0", data, found, err)
			}
			if _, found, _ := good.Find(ctx, "ID2"); found {
				t.Error("Create with the wrong keys stored a record")
			}
		})
	}
}

// A session the adapter did not write, under an ID it is asked for, is
// an error, not a record: it is never overwritten or returned.
func TestNotRecord(t *testing.T) {
	ctx := t.Context()
	store := ginmemstore.NewStore(hashKey)
	gs := sessions.NewSession(store, contribstore.Name)
	gs.ID = "FOREIGN"
	gs.Options = &sessions.Options{MaxAge: 3600}
	gs.Values["user"] = "bob"
	if err := store.Save(httptest.NewRequest(http.MethodGet, "/", nil), httptest.NewRecorder(), gs); err != nil {
		t.Fatal(err)
	}
	s := contribstore.New(store, hashKey)
	exp := time.Now().Add(time.Hour)
	for _, tc := range []struct {
		op  string
		err error
	}{
		{"Find", func() error { _, _, err := s.Find(ctx, "FOREIGN"); return err }()},
		{"Create", s.Create(ctx, "FOREIGN", []byte("v0"), exp)},
		{"Update", s.Update(ctx, "FOREIGN", nil, []byte("v0"), exp)},
		{"Touch", s.Touch(ctx, "FOREIGN", exp)},
	} {
		if !errors.Is(tc.err, contribstore.ErrNotRecord) {
			t.Errorf("%s on a foreign session: %v, want ErrNotRecord", tc.op, tc.err)
		}
	}
}

func TestNewWithoutKeysPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New without key pairs did not panic")
		}
	}()
	contribstore.New(ginmemstore.NewStore(hashKey))
}
