package sessionkeys

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestCache(t *testing.T) {
	var c Cache[string]
	var made atomic.Int32
	get := func(key string, fallbacks ...string) string {
		var fb [][]byte
		for _, f := range fallbacks {
			fb = append(fb, []byte(f))
		}
		return c.Get([]byte(key), fb, func() string {
			made.Add(1)
			s := key
			for _, f := range fallbacks {
				s += "+" + f
			}
			return s
		})
	}
	for _, tc := range []struct {
		key       string
		fallbacks []string
		want      string
		made      int32 // values made so far
	}{
		{"a", nil, "a", 1},
		{"a", nil, "a", 1},
		{"b", nil, "b", 2},
		{"a", []string{"old"}, "a+old", 3}, // the fallbacks are part of the keys
		{"a", []string{"old"}, "a+old", 3},
		{"a", []string{"old", "older"}, "a+old+older", 4},
		{"a", nil, "a", 4},
		{"b", nil, "b", 4},
	} {
		if got := get(tc.key, tc.fallbacks...); got != tc.want || made.Load() != tc.made {
			t.Errorf("Get(%q, %q) = %q after %d made; want %q after %d", tc.key, tc.fallbacks, got, made.Load(), tc.want, tc.made)
		}
	}
}

// The cache keeps its own copy of the keys: a caller's slice changing
// later does not change what an entry stands for.
func TestCacheCopiesKeys(t *testing.T) {
	var c Cache[int]
	key := []byte("key")
	c.Get(key, nil, func() int { return 1 })
	key[0] = 'K'
	if got := c.Get([]byte("key"), nil, func() int { return 2 }); got != 1 {
		t.Errorf("Get(key) = %d, want the first value", got)
	}
	if got := c.Get([]byte("Key"), nil, func() int { return 3 }); got != 3 {
		t.Errorf("Get(Key) = %d, want a new value", got)
	}
}

// Requests that meet a key at once make its value once (go test -race).
func TestCacheConcurrent(t *testing.T) {
	var c Cache[*int]
	var made atomic.Int32
	var wg sync.WaitGroup
	got := make([]*int, 64)
	for i := range got {
		wg.Go(func() {
			got[i] = c.Get([]byte{byte(i % 4)}, nil, func() *int { made.Add(1); return new(int) })
		})
	}
	wg.Wait()
	if made.Load() != 4 {
		t.Errorf("%d values made for 4 keys", made.Load())
	}
	for i := range got {
		if got[i] != got[i%4] {
			t.Errorf("request %d got another value than request %d for the same key", i, i%4)
		}
	}
}

func TestCacheAllocs(t *testing.T) {
	var c Cache[int]
	key, fb := []byte("key"), [][]byte{[]byte("old")}
	c.Get(key, fb, func() int { return 1 })
	if n := testing.AllocsPerRun(100, func() { c.Get(key, fb, func() int { return 1 }) }); n != 0 {
		t.Errorf("a hit allocates %v times", n)
	}
}
