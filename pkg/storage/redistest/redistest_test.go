package redistest_test

import (
	"context"
	"sync"
	"testing"

	"github.com/idbridge/idbridge/pkg/storage/redistest"
	"github.com/redis/go-redis/v9"
)

func TestServerStopRestart(t *testing.T) {
	s := redistest.Start(t, redistest.AppendOnly())
	c := redis.NewClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1})
	defer c.Close()
	ctx := t.Context()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if err := c.Ping(ctx).Err(); err == nil {
		t.Fatal("PING answered by a stopped server")
	}
	s.Restart()
	if v, err := c.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("after restart GET = %q, %v; want the value kept by the AOF", v, err)
	}
}

func TestCluster(t *testing.T) {
	cl := redistest.StartCluster(t, 3)
	if len(cl.Addrs()) != 3 {
		t.Fatalf("Addrs = %v", cl.Addrs())
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: cl.Addrs()})
	defer c.Close()
	ctx := t.Context()
	var mu sync.Mutex
	masters := map[string]bool{}
	err := c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		mu.Lock()
		masters[m.Options().Addr] = true
		mu.Unlock()
		return m.Ping(ctx).Err()
	})
	if err != nil || len(masters) != 3 {
		t.Fatalf("masters %v, err %v; want 3 answering", masters, err)
	}
}

func TestSentinel(t *testing.T) {
	master := redistest.Start(t)
	sentinel := redistest.StartSentinel(t, master, "idb")
	c := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: "idb", SentinelAddrs: []string{sentinel.Addr()}})
	defer c.Close()
	if err := c.Set(t.Context(), "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET through Sentinel: %v", err)
	}
	direct := redis.NewClient(&redis.Options{Addr: master.Addr()})
	defer direct.Close()
	if v, err := direct.Get(t.Context(), "k").Result(); err != nil || v != "v" {
		t.Fatalf("the master Sentinel named does not hold the value: %q, %v", v, err)
	}
}
