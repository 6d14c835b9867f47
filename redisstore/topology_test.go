package redisstore_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/redistest"
	"github.com/ginflask/flasksession/redisstore"
	"github.com/ginflask/flasksession/storetest"
	"github.com/redis/go-redis/v9"
)

func newClusterClient(t testing.TB, c *redistest.Cluster) *redis.ClusterClient {
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(), ContextTimeoutEnabled: true})
	t.Cleanup(func() { cc.Close() })
	return cc
}

func newFailoverClient(t testing.TB, s *redistest.Sentinel) *redis.Client {
	c := redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName:            redistest.MasterName,
		SentinelAddrs:         s.Addrs(),
		ContextTimeoutEnabled: true,
	})
	t.Cleanup(func() { c.Close() })
	return c
}

// The conformance suite on a Cluster of 3 masters, then 1,000 sessions
// written through one client: they land on every master, and a second
// client (another app instance) reads each.
func TestStoreCluster(t *testing.T) {
	cluster := redistest.StartCluster(t, 3)
	cc := newClusterClient(t, cluster)
	storetest.Run(t, func(*testing.T) flasksession.Store { return redisstore.New(cc) })

	t.Run("1000 sessions over all masters", func(t *testing.T) {
		ctx := t.Context()
		writer := redisstore.New(cc, redisstore.WithPrefix("spread:"))
		reader := redisstore.New(newClusterClient(t, cluster), redisstore.WithPrefix("spread:"))
		ids := make([]string, 1000)
		for i := range ids {
			ids[i] = rand.Text()
			if err := writer.Create(ctx, ids[i], fmt.Appendf(nil, `{"n":%d}`, i), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		// Which master holds each key, by its slot, as Redis computes it.
		shards, err := cc.ClusterShards(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		perMaster := map[string]int{}
		for _, id := range ids {
			slot, err := cc.ClusterKeySlot(ctx, "spread:"+id).Result()
			if err != nil {
				t.Fatal(err)
			}
			for _, sh := range shards {
				for _, r := range sh.Slots {
					if r.Start <= slot && slot <= r.End {
						for _, n := range sh.Nodes {
							if n.Role == "master" {
								perMaster[net.JoinHostPort(n.IP, strconv.FormatInt(n.Port, 10))]++
							}
						}
					}
				}
			}
		}
		total := 0
		for _, m := range cluster.Masters {
			rc := redis.NewClient(&redis.Options{Addr: m.Addr})
			n, err := rc.DBSize(ctx).Result()
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			spread, err := countPrefix(ctx, m.Addr, "spread:*")
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("master %s: %d keys (DBSIZE %d), %d by CLUSTER KEYSLOT", m.Addr, spread, n, perMaster[m.Addr])
			if spread == 0 || spread != perMaster[m.Addr] {
				t.Errorf("master %s holds %d sessions, CLUSTER KEYSLOT puts %d there; want them equal and > 0", m.Addr, spread, perMaster[m.Addr])
			}
			total += spread
		}
		if total != len(ids) {
			t.Errorf("the masters hold %d sessions, want %d", total, len(ids))
		}
		for i, id := range ids {
			data, found, err := reader.Find(ctx, id)
			if err != nil || !found || string(data) != fmt.Sprintf(`{"n":%d}`, i) {
				t.Fatalf("second client: Find(%s) = %q, %v, %v", id, data, found, err)
			}
		}
	})
}

// countPrefix counts the keys matching pattern on one server.
func countPrefix(ctx context.Context, addr, pattern string) (int, error) {
	rc := redis.NewClient(&redis.Options{Addr: addr})
	defer rc.Close()
	n := 0
	iter := rc.Scan(ctx, 0, pattern, 1000).Iterator()
	for iter.Next(ctx) {
		n++
	}
	return n, iter.Err()
}

// On a Cluster every operation is still one command to the master that
// owns the key.
func TestRoundTripsCluster(t *testing.T) {
	cluster := redistest.StartCluster(t, 3)
	cc := newClusterClient(t, cluster)
	rt := &roundTrips{}
	// Count on the node clients: what goes on the wire, redirects included.
	cc.OnNewNode(func(c *redis.Client) { c.AddHook(rt) })
	s := redisstore.New(cc)
	checkRoundTrips(t, s, rt, func() {
		ctx := t.Context()
		// The slot map and one connection per master, then the script on
		// every master, so that no EVALSHA is answered NOSCRIPT.
		if err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			return c.Ping(ctx).Err()
		}); err != nil {
			t.Fatal(err)
		}
		for i := range 30 {
			id := fmt.Sprintf("warm-%d", i)
			if err := s.Create(ctx, id, []byte("v"), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := s.Update(ctx, id, []byte("v"), []byte("v"), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestStoreSentinel(t *testing.T) {
	s := redistest.StartSentinel(t)
	c := newFailoverClient(t, s)
	storetest.Run(t, func(*testing.T) flasksession.Store { return redisstore.New(c) })
}

func TestRoundTripsSentinel(t *testing.T) {
	c := newFailoverClient(t, redistest.StartSentinel(t))
	rt := &roundTrips{}
	c.AddHook(rt)
	s := redisstore.New(c)
	checkRoundTrips(t, s, rt, func() {
		ctx := t.Context()
		if err := s.Create(ctx, "warm", []byte("v"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.Update(ctx, "warm", []byte("v"), []byte("v"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	})
}

// The master dies (SIGKILL) in the middle of a run. Sessions written before
// (and replicated: WAIT) are all there after; while no master answers,
// every operation fails with an error, and none reports a session missing
// that is not; once a sentinel has promoted the replica, writes go on.
func TestSentinelFailover(t *testing.T) {
	ctx := t.Context()
	topo := redistest.StartSentinel(t)
	c := newFailoverClient(t, topo)
	s := redisstore.New(c, redisstore.WithTimeout(time.Second))
	expiry := time.Now().Add(time.Hour)

	before := make(map[string]string)
	var beforeIDs []string
	for i := range 200 {
		id, data := rand.Text(), fmt.Sprintf(`{"before":%d}`, i)
		if err := s.Create(ctx, id, []byte(data), expiry); err != nil {
			t.Fatal(err)
		}
		before[id] = data
		beforeIDs = append(beforeIDs, id)
	}
	if n, err := c.Wait(ctx, 1, 10*time.Second).Result(); err != nil || n < 1 {
		t.Fatalf("WAIT 1 = %d, %v: the replica did not acknowledge the writes", n, err)
	}

	topo.Master.Kill()

	// During the failover: one goroutine keeps writing new sessions and
	// reading old ones until the sentinels name the replica master.
	var (
		mu       sync.Mutex
		failed   []error
		written  = make(map[string]string) // Creates that reported success
		promoted = make(chan struct{})
	)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-promoted:
				return
			default:
			}
			id, data := rand.Text(), fmt.Sprintf(`{"during":%d}`, i)
			err := s.Create(ctx, id, []byte(data), expiry)
			mu.Lock()
			if err == nil {
				written[id] = data
			} else {
				failed = append(failed, err)
			}
			mu.Unlock()
			old := beforeIDs[i%len(beforeIDs)]
			got, found, err := s.Find(ctx, old)
			if err == nil && (!found || string(got) != before[old]) {
				t.Errorf("during the failover Find(%s) = %q, %v with no error; want %q", old, got, found, before[old])
			}
		}
	})
	topo.WaitMaster(t, topo.Replica.Addr)
	close(promoted)
	wg.Wait()

	if len(failed) == 0 {
		t.Fatal("no operation failed while the master was dead")
	}
	for _, err := range failed {
		var se *redisstore.Error
		if !errors.As(err, &se) {
			t.Errorf("during the failover: %v (%T), want a *redisstore.Error", err, err)
		}
	}
	t.Logf("during the failover: %d operations failed (first: %v), %d writes succeeded", len(failed), failed[0], len(written))

	// After: writes go on. The client learns the new master from the
	// sentinels; poll until a write succeeds, then every write must.
	deadline := time.Now().Add(30 * time.Second)
	for {
		id := rand.Text()
		err := s.Create(ctx, id, []byte(`{"after":0}`), expiry)
		if err == nil {
			written[id] = `{"after":0}`
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no write succeeded within 30s of the promotion: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i := range 100 {
		id, data := rand.Text(), fmt.Sprintf(`{"after":%d}`, i+1)
		if err := s.Create(ctx, id, []byte(data), expiry); err != nil {
			t.Fatalf("write %d after the failover: %v", i+1, err)
		}
		written[id] = data
	}

	// Every session written before, and every write that reported success,
	// is on the new master, read by a fresh client.
	fresh := redisstore.New(newFailoverClient(t, topo))
	for _, set := range []map[string]string{before, written} {
		for id, want := range set {
			got, found, err := fresh.Find(ctx, id)
			if err != nil || !found || string(got) != want {
				t.Errorf("after the failover Find(%s) = %q, %v, %v; want %q", id, got, found, err, want)
			}
		}
	}
}
