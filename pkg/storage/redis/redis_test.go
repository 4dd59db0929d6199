package redis_test

import (
	"testing"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/storage/redis"
	"github.com/idbridge/idbridge/pkg/storage/redistest"
	"github.com/idbridge/idbridge/pkg/storage/storagetest"
)

// newStore returns a Store on cfg that the test closes at its end.
func newStore(t testing.TB, cfg redis.Config) *redis.Store {
	t.Helper()
	s, err := redis.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStandalone(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	storagetest.RunTests(t, func(t *testing.T) storage.Store {
		return newStore(t, redis.Config{Addrs: []string{srv.Addr()}, KeyPrefix: "idb:"})
	})
}

func TestCluster(t *testing.T) {
	t.Parallel()
	cl := redistest.StartCluster(t, 3)
	storagetest.RunTests(t, func(t *testing.T) storage.Store {
		return newStore(t, redis.Config{Addrs: cl.Addrs(), KeyPrefix: "idb:", ReadTimeout: 10 * time.Second})
	})
}
