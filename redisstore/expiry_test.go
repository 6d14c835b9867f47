package redisstore_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/redistest"
	"github.com/ginflask/flasksession/redisstore"
	"github.com/ginflask/flasksession/storetest"
	"github.com/redis/go-redis/v9"
)

// Expiry is the key's PEXPIRETIME, under the store's prefix: the expiry
// given to Create, Update and Touch, to the millisecond, in one round
// trip.
func TestExpiryExact(t *testing.T) {
	ctx := t.Context()
	c := newClient(t, redistest.Start(t).Addr)
	rt := &roundTrips{}
	c.AddHook(rt)
	s := redisstore.New(c, redisstore.WithPrefix("myapp:s:"))
	at := time.Now().Add(time.Hour)
	wantAt := func(when string, at time.Time) {
		t.Helper()
		rt.take()
		got, found, err := s.Expiry(ctx, "id")
		if err != nil || !found || !got.Equal(time.UnixMilli(at.UnixMilli())) {
			t.Errorf("%s: Expiry = %v, %v, %v; want %v", when, got, found, err, at.Truncate(time.Millisecond))
		}
		if cmds := strings.Join(rt.take(), " "); cmds != "pexpiretime" {
			t.Errorf("%s: commands %q, want pexpiretime", when, cmds)
		}
	}
	if err := s.Create(ctx, "id", []byte("v"), at); err != nil {
		t.Fatal(err)
	}
	rt.take() // the first command also opens a connection
	wantAt("after Create", at)
	at = at.Add(time.Hour + 123*time.Microsecond)
	if err := s.Touch(ctx, "id", at); err != nil {
		t.Fatal(err)
	}
	wantAt("after Touch", at)
	at = at.Add(-30 * time.Minute)
	if err := s.Update(ctx, "id", nil, []byte("v2"), at); err != nil {
		t.Fatal(err)
	}
	wantAt("after Update", at)
	if err := s.Delete(ctx, "id"); err != nil {
		t.Fatal(err)
	}
	if got, found, err := s.Expiry(ctx, "id"); found || err != nil {
		t.Errorf("after Delete: Expiry = %v, %v, %v; want not found", got, found, err)
	}

	// A key without a TTL was not written by the store: an error, naming
	// the operation, not a record that never expires.
	if err := c.Set(ctx, "myapp:s:forever", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	_, found, err := s.Expiry(ctx, "forever")
	var se *redisstore.Error
	if found || !errors.As(err, &se) || se.Op != "expiry" {
		t.Errorf("key without TTL: Expiry found %v, error %v; want a *redisstore.Error for expiry", found, err)
	}
}

// On a Redis without PEXPIRETIME (before 7.0; here the command renamed
// away), Expiry falls back to PTTL and the local clock, and stops asking
// for PEXPIRETIME; the conformance suite still passes.
func TestExpiryWithoutPEXPIRETIME(t *testing.T) {
	ctx := t.Context()
	c := newClient(t, redistest.StartArgs(t, "--rename-command", "PEXPIRETIME", "").Addr)
	if err := c.Do(ctx, "pexpiretime", "x").Err(); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("PEXPIRETIME still there: %v", err)
	}
	rt := &roundTrips{}
	c.AddHook(rt)
	s := redisstore.New(c)
	at := time.Now().Add(time.Hour)
	if err := s.Create(ctx, "id", []byte("v"), at); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"pexpiretime pttl", "pttl"} {
		rt.take()
		got, found, err := s.Expiry(ctx, "id")
		if err != nil || !found || got.Sub(at).Abs() > 50*time.Millisecond {
			t.Errorf("Expiry #%d = %v, %v, %v; want about %v", i+1, got, found, err, at)
		}
		if cmds := strings.Join(rt.take(), " "); cmds != want {
			t.Errorf("Expiry #%d: commands %q, want %q", i+1, cmds, want)
		}
	}
	storetest.Run(t, func(*testing.T) flasksession.Store { return redisstore.New(c) })
}

// TestAnonymousVisitorMemory logs the memory each anonymous visitor's
// record takes in Redis (docs/server-side.md, "Anonymous visitors"): a
// CSRF token as Flask's tagged JSON (57 bytes) under "session:" and a
// 43-character ID, with a TTL. MEMORY USAGE counts the key, its value and
// their allocations; INFO's used_memory also counts the TTL's entry and
// the hash tables:
//
//	go test -run TestAnonymousVisitorMemory -v ./redisstore
func TestAnonymousVisitorMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("a measurement")
	}
	const visitors = 10_000
	ctx := t.Context()
	c := newClient(t, redistest.Start(t).Addr)
	s := redisstore.New(c)
	usedMemory := func() int64 {
		info, err := c.Info(ctx, "memory").Result()
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.Lines(info) {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
		}
		t.Fatal("no used_memory in INFO memory")
		return 0
	}
	expiry := time.Now().Add(24 * time.Hour)
	ids := make([]string, visitors)
	for i := range ids {
		var b [32]byte
		rand.Read(b[:])
		ids[i] = base64.RawURLEncoding.EncodeToString(b[:])
	}
	var token [20]byte
	rand.Read(token[:])
	data := []byte(`{"csrf_token":"` + hex.EncodeToString(token[:]) + `"}`)
	before := usedMemory()
	for _, id := range ids {
		if err := s.Create(ctx, id, data, expiry); err != nil {
			t.Fatal(err)
		}
	}
	after := usedMemory()
	var usage int64
	for _, id := range ids {
		n, err := c.MemoryUsage(ctx, redisstore.DefaultPrefix+id).Result()
		if err != nil {
			t.Fatal(err)
		}
		usage += n
	}
	version, _ := c.Do(ctx, "info", "server").Text()
	for line := range strings.Lines(version) {
		if strings.HasPrefix(line, "redis_version:") {
			t.Log(strings.TrimSpace(line))
		}
	}
	t.Logf("MEMORY USAGE: %d bytes per anonymous visitor (%d-byte record, %d-byte key)",
		usage/visitors, len(data), len(redisstore.DefaultPrefix+ids[0]))
	t.Logf("used_memory: %d bytes per anonymous visitor, over %d", (after-before)/visitors, visitors)
}

// What docs/server-side.md recommends for a full Redis: maxmemory-policy
// volatile-ttl evicts the keys nearest their expiry, so short-lived
// anonymous records go and logged-in sessions stay. Redis samples keys
// (maxmemory-samples) rather than sorting them all, so the test asks for
// nearly all sessions to stay, not all.
func TestVolatileTTLEvictsAnonymousFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a Redis")
	}
	ctx := t.Context()
	c := newClient(t, redistest.StartArgs(t, "--maxmemory", "4mb", "--maxmemory-policy", "volatile-ttl").Addr)
	s := redisstore.New(c)
	const logins = 2000
	data := []byte(`{"_permanent":true,"_user_id":"1","csrf_token":"0123456789abcdef0123456789abcdef01234567"}`)
	for i := range logins {
		if err := s.Create(ctx, fmt.Sprint("login-", i), data, time.Now().Add(31*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	// Anonymous visitors until Redis has evicted as many keys as it can
	// hold, one pipeline of 1,000 at a time.
	anon := []byte(`{"csrf_token":"0123456789abcdef0123456789abcdef01234567"}`)
	created := 0
	for evicted := int64(0); evicted < 40_000; {
		_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
			for range 1000 {
				p.Set(ctx, fmt.Sprint(redisstore.DefaultPrefix, "anon-", created), anon, 24*time.Hour)
				created++
			}
			return nil
		})
		if err != nil {
			t.Fatalf("after %d anonymous records: %v", created, err)
		}
		stats, err := c.Info(ctx, "stats").Result()
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.Lines(stats) {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "evicted_keys:"); ok {
				evicted, _ = strconv.ParseInt(v, 10, 64)
			}
		}
	}
	kept := 0
	for i := range logins {
		if _, found, err := s.Find(ctx, fmt.Sprint("login-", i)); err != nil {
			t.Fatal(err)
		} else if found {
			kept++
		}
	}
	n, _ := c.DBSize(ctx).Result()
	t.Logf("%d anonymous records created, %d keys left, %d of %d logged-in sessions kept", created, n, kept, logins)
	if kept < logins*99/100 {
		t.Errorf("volatile-ttl kept %d of %d logged-in sessions, want nearly all", kept, logins)
	}
}
