// Package sessionkeys hands the session middleware's secret keys to
// flasklogin and csrf, whose Config.SecretKey may be left empty to take
// them, without exporting the keys from package flasksession.
package sessionkeys

import (
	"bytes"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/gin-gonic/gin"
)

// Of returns the SecretKey and SecretKeyFallbacks of the session
// middleware that runs for c, and whether one does. Callers must not
// change the slices.
//
// Package flasksession sets it in an init function: it imports this
// package, so this package cannot import it. Every package that calls Of
// imports flasksession too, which runs that init first.
var Of func(c *gin.Context) (key []byte, fallbacks [][]byte, ok bool)

// Cache keeps one value per distinct set of keys, made on first use: what
// depends only on the key (a signer, a codec) is derived once per session
// middleware, not on every request. The zero Cache is ready for use.
//
// A program has as many entries as session middlewares with distinct
// keys, a handful at most: reads take no lock and allocate nothing, a
// miss copies the list.
type Cache[T any] struct {
	mu      sync.Mutex // serialises misses
	entries atomic.Pointer[[]entry[T]]
}

type entry[T any] struct {
	key       []byte
	fallbacks [][]byte
	v         T
}

func (e *entry[T]) is(key []byte, fallbacks [][]byte) bool {
	return bytes.Equal(e.key, key) && slices.EqualFunc(e.fallbacks, fallbacks, bytes.Equal)
}

// Get returns the value for key and fallbacks, calling newValue for it the
// first time they are seen.
func (c *Cache[T]) Get(key []byte, fallbacks [][]byte, newValue func() T) T {
	if v, ok := c.lookup(key, fallbacks); ok {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.lookup(key, fallbacks); ok {
		return v // made by a request that got the lock first
	}
	var list []entry[T]
	if p := c.entries.Load(); p != nil {
		list = slices.Clone(*p)
	}
	// Copies of the keys: an entry must keep meaning the keys it was made
	// for, whatever the caller does with its slices later.
	e := entry[T]{key: bytes.Clone(key), v: newValue()}
	for _, f := range fallbacks {
		e.fallbacks = append(e.fallbacks, bytes.Clone(f))
	}
	list = append(list, e)
	c.entries.Store(&list)
	return e.v
}

func (c *Cache[T]) lookup(key []byte, fallbacks [][]byte) (T, bool) {
	if p := c.entries.Load(); p != nil {
		for i := range *p {
			if e := &(*p)[i]; e.is(key, fallbacks) {
				return e.v, true
			}
		}
	}
	var zero T
	return zero, false
}
