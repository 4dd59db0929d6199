package redis_test

import (
	"errors"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

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

// TestTimeoutsAndRetriesReachTheClient: the configured bounds are the
// client's, and an unreachable server is reported as ErrUnavailable.
func TestTimeoutsAndRetriesReachTheClient(t *testing.T) {
	s := newStore(t, redis.Config{Addrs: []string{"127.0.0.1:1"}, DialTimeout: 250 * time.Millisecond,
		ReadTimeout: 300 * time.Millisecond, WriteTimeout: 350 * time.Millisecond, MaxRetries: -1})
	c, ok := s.Client().(*goredis.Client)
	if !ok {
		t.Fatalf("one address without master_name is a standalone client, got %T", s.Client())
	}
	o := c.Options()
	if o.DialTimeout != 250*time.Millisecond || o.ReadTimeout != 300*time.Millisecond || o.WriteTimeout != 350*time.Millisecond || o.MaxRetries != 0 {
		// go-redis records "-1: no retries" as 0 once the client is built.
		t.Fatalf("options not passed through: dial %v read %v write %v retries %d", o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.MaxRetries)
	}
	if err := s.Ping(t.Context()); !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("Ping against a closed port: %v, want ErrUnavailable", err)
	}
}

// SetAndIndex works on a server that has not seen the index script yet
// (first use, or after a restart flushed the script cache).
func TestSetAndIndexOnAFreshScriptCache(t *testing.T) {
	srv := redistest.Start(t)
	s := newStore(t, redis.Config{Addrs: []string{srv.Addr()}})
	ctx := t.Context()
	if err := s.Client().ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetAndIndex(ctx, "rec:{a}", []byte("v"), time.Hour, "idx:{a}", "m", time.Now().Add(time.Hour), 0); err != nil {
		t.Fatal(err)
	}
	members, err := s.IndexMembers(ctx, "idx:{a}")
	if err != nil || len(members) != 1 || members[0] != "m" {
		t.Fatalf("IndexMembers = %v, %v", members, err)
	}
	if v, err := s.Get(ctx, "rec:{a}"); err != nil || string(v) != "v" {
		t.Fatalf("Get = %q, %v", v, err)
	}
}
