package redistest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Cluster is a Redis Cluster of masters without replicas, owned by one test.
type Cluster struct {
	// Servers are the cluster's nodes, in the order of Addrs.
	Servers []*Server
}

// StartCluster starts n (at least 3) cluster-enabled servers on loopback,
// joins them with `redis-cli --cluster create`, each master owning a share
// of the slots, and waits until every node reports cluster_state:ok.
func StartCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	if n < 3 {
		t.Fatalf("redistest: a cluster needs at least 3 masters, not %d", n)
	}
	c := &Cluster{}
	for range n {
		c.Servers = append(c.Servers, Start(t,
			Args("--cluster-enabled", "yes",
				"--cluster-config-file", "nodes.conf",
				"--cluster-node-timeout", "5000",
				"--cluster-port", strconv.Itoa(freePort(t)))))
	}
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	out, err := exec.Command(cliBinary(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	c.waitReady(t, n)
	return c
}

// Addrs are the nodes' "127.0.0.1:port" addresses.
func (c *Cluster) Addrs() []string {
	var addrs []string
	for _, s := range c.Servers {
		addrs = append(addrs, s.Addr())
	}
	return addrs
}

// waitReady polls CLUSTER INFO on every node until each knows all n nodes
// and reports the cluster healthy.
func (c *Cluster) waitReady(t testing.TB, n int) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(startTimeout)
	want := []string{"cluster_state:ok", "cluster_known_nodes:" + strconv.Itoa(n), "cluster_slots_ok:16384"}
	for _, s := range c.Servers {
		cl := redis.NewClient(&redis.Options{Addr: s.Addr(), DisableIdentity: true})
		for {
			info, err := cl.ClusterInfo(ctx).Result()
			if err == nil && containsAll(info, want) {
				break
			}
			if time.Now().After(deadline) {
				cl.Close()
				t.Fatalf("redistest: node %s not ready within %v: %v\n%s", s.Addr(), startTimeout, err, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
		cl.Close()
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// cliBinary finds redis-cli: $IDBRIDGE_REDIS_CLI, beside redis-server, or
// on PATH.
func cliBinary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("IDBRIDGE_REDIS_CLI"); p != "" {
		return p
	}
	beside := filepath.Join(filepath.Dir(serverBinary(t)), "redis-cli")
	if _, err := os.Stat(beside); err == nil {
		return beside
	}
	p, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Fatal("redistest: redis-cli not found; run scripts/test, which installs it, " +
			"or set IDBRIDGE_REDIS_CLI to its path")
	}
	return p
}
