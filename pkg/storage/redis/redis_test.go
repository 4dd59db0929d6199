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

func TestSentinel(t *testing.T) {
	t.Parallel()
	master := redistest.Start(t)
	sentinel := redistest.StartSentinel(t, master, "idb")
	storagetest.RunTests(t, func(t *testing.T) storage.Store {
		return newStore(t, redis.Config{Addrs: []string{sentinel.Addr()}, MasterName: "idb", KeyPrefix: "idb:"})
	})
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  redis.Config
	}{
		{"no address", redis.Config{}},
		{"brace in prefix", redis.Config{Addrs: []string{"127.0.0.1:1"}, KeyPrefix: "{idb}:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s, err := redis.New(tt.cfg); err == nil {
				s.Close()
				t.Fatal("New accepted an invalid config")
			}
		})
	}
}
