package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// MasterName is the name the sentinels of StartSentinel monitor.
const MasterName = "mymaster"

// Sentinel is a master, its replica and three sentinels watching them.
type Sentinel struct {
	Master    *Server
	Replica   *Server
	Sentinels []*Server
}

// Addrs are the sentinels' addresses, for redis.FailoverOptions.SentinelAddrs.
func (s *Sentinel) Addrs() []string {
	addrs := make([]string, len(s.Sentinels))
	for i, sn := range s.Sentinels {
		addrs[i] = sn.Addr
	}
	return addrs
}

// StartSentinel runs a master, a replica of it and three sentinels (quorum
// 2) on loopback, and returns once the replica is in sync and every
// sentinel knows the replica and the other sentinels, so that a failover
// can happen. The sentinels deem the master down after a second without
// an answer. Everything stops in tb.Cleanup.
func StartSentinel(tb testing.TB) *Sentinel {
	tb.Helper()
	s := &Sentinel{Master: Start(tb)}
	mhost, mport, _ := net.SplitHostPort(s.Master.Addr)
	s.Replica = StartArgs(tb, "--replicaof", mhost, mport)
	rc := client(s.Replica.Addr)
	defer rc.Close()
	waitFor(tb, "replica in sync with the master", func(ctx context.Context) bool {
		info, err := rc.Info(ctx, "replication").Result()
		return err == nil && containsLine(info, "master_link_status:up")
	})

	for range 3 {
		s.Sentinels = append(s.Sentinels, launch(tb, func(port int, dir string) []string {
			conf := filepath.Join(dir, "sentinel.conf")
			text := fmt.Sprintf(`port %d
bind 127.0.0.1
daemonize no
logfile ""
dir %q
sentinel monitor %[3]s %[4]s %[5]s 2
sentinel down-after-milliseconds %[3]s 1000
sentinel failover-timeout %[3]s 10000
sentinel parallel-syncs %[3]s 1
`, port, dir, MasterName, mhost, mport)
			if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
				tb.Fatalf("redistest: %v", err)
			}
			return []string{conf, "--sentinel"}
		}))
	}
	for _, sn := range s.Sentinels {
		sc := redis.NewSentinelClient(&redis.Options{Addr: sn.Addr, MaxRetries: -1})
		waitFor(tb, "sentinel "+sn.Addr+" seeing the replica and two other sentinels", func(ctx context.Context) bool {
			m, err := sc.Master(ctx, MasterName).Result()
			return err == nil && m["num-slaves"] == "1" && m["num-other-sentinels"] == "2"
		})
		sc.Close()
	}
	return s
}

// WaitMaster waits until every sentinel names addr as the master.
func (s *Sentinel) WaitMaster(tb testing.TB, addr string) {
	tb.Helper()
	for _, sn := range s.Sentinels {
		sc := redis.NewSentinelClient(&redis.Options{Addr: sn.Addr, MaxRetries: -1})
		waitFor(tb, "sentinel "+sn.Addr+" naming "+addr+" the master", func(ctx context.Context) bool {
			hp, err := sc.GetMasterAddrByName(ctx, MasterName).Result()
			return err == nil && len(hp) == 2 && net.JoinHostPort(hp[0], hp[1]) == addr
		})
		sc.Close()
	}
}

// containsLine reports whether text (an INFO reply) has line.
func containsLine(text, line string) bool {
	for l := range strings.Lines(text) {
		if strings.TrimRight(l, "\r\n") == line {
			return true
		}
	}
	return false
}
