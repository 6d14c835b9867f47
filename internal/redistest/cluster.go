package redistest

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ginflask/flasksession/internal/realtest"
	"github.com/ginflask/flasksession/internal/testserver"
	"github.com/redis/go-redis/v9"
)

// Cluster is a running Redis Cluster of masters only, every slot served.
type Cluster struct {
	Masters []*Server
}

// Addrs are the masters' addresses, for redis.ClusterOptions.Addrs.
func (c *Cluster) Addrs() []string {
	addrs := make([]string, len(c.Masters))
	for i, m := range c.Masters {
		addrs[i] = m.Addr
	}
	return addrs
}

// StartCluster runs a Redis Cluster of n masters (at least 3, Redis's
// minimum) on loopback, joined with `redis-cli --cluster create`, and
// returns once every node reports cluster_state:ok. The servers stop in
// tb.Cleanup.
func StartCluster(tb testing.TB, n int) *Cluster {
	tb.Helper()
	if n < 3 {
		tb.Fatalf("redistest: a Redis Cluster needs at least 3 masters, not %d", n)
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		realtest.Missing(tb, "redis-cli is not installed (Debian: apt-get install redis-tools)")
	}
	c := &Cluster{}
	for range n {
		c.Masters = append(c.Masters, launch(tb, func(port int, dir string) []string {
			busPort, err := testserver.FreePort() // chosen afresh on each try, as the port is
			if err != nil {
				tb.Fatalf("redistest: %v", err)
			}
			return append(serverArgs(port, dir),
				"--cluster-enabled", "yes",
				"--cluster-config-file", "nodes.conf",
				"--cluster-port", strconv.Itoa(busPort),
				"--cluster-node-timeout", "5000",
			)
		}))
	}
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	out, err := exec.Command(cli, args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("redistest: redis-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	for _, m := range c.Masters {
		rc := client(m.Addr)
		waitFor(tb, m.Addr+": cluster_state:ok, all nodes known", func(ctx context.Context) bool {
			info, err := rc.ClusterInfo(ctx).Result()
			return err == nil && strings.Contains(info, "cluster_state:ok\r\n") &&
				strings.Contains(info, "cluster_known_nodes:"+strconv.Itoa(n)+"\r\n")
		})
		rc.Close()
	}
	return c
}

// client is a plain client for the harness's own queries: short timeouts,
// no retries.
func client(addr string) *redis.Client {
	return redis.NewClient(&redis.Options{
		Addr: addr, MaxRetries: -1, DialTimeout: time.Second, ReadTimeout: time.Second,
	})
}

// waitFor polls cond until it holds, failing tb after startTimeout.
func waitFor(tb testing.TB, what string, cond func(context.Context) bool) {
	tb.Helper()
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		ok := cond(ctx)
		cancel()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("redistest: no %s within %v", what, startTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
