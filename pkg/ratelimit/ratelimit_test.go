package ratelimit_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idbridge/idbridge/pkg/logtest"
	"github.com/idbridge/idbridge/pkg/ratelimit"
	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/storage/memory"
	"github.com/idbridge/idbridge/pkg/storage/redis"
	"github.com/idbridge/idbridge/pkg/storage/redistest"
)

func TestMemory(t *testing.T) {
	runSuite(t, func(t *testing.T) storage.Store {
		s := memory.New()
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestRedis(t *testing.T) {
	srv := redistest.Start(t)
	runSuite(t, func(t *testing.T) storage.Store {
		return newRedis(t, srv.Addr(), t.Name()+":")
	})
}

func redisStore(addr string) (*redis.Store, error) {
	return redis.New(redis.Config{Addrs: []string{addr}, DialTimeout: 2 * time.Second})
}

func newRedis(t *testing.T, addr, prefix string) *redis.Store {
	t.Helper()
	s, err := redis.New(redis.Config{Addrs: []string{addr}, KeyPrefix: prefix, DialTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestFailOpenWhenRedisIsDown(t *testing.T) {
	srv := redistest.Start(t, redistest.AppendOnly())
	st := newRedis(t, srv.Addr(), "")
	var logs logtest.Buffer
	l := ratelimit.New(st, "login", 1, time.Hour, ratelimit.WithClock(fixed), ratelimit.WithCooldown(50*time.Millisecond),
		ratelimit.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	ctx := context.Background()
	if ok, _, err := l.Allow(ctx, "k"); !ok || err != nil {
		t.Fatalf("first event: ok=%v err=%v", ok, err)
	}
	srv.Stop()
	for i := range 3 {
		ok, _, err := l.Allow(ctx, "k")
		if !ok {
			t.Fatalf("call %d denied while the store is down; want fail open", i)
		}
		if !errors.Is(err, storage.ErrUnavailable) || !errors.Is(err, ratelimit.ErrNotEnforced) {
			t.Fatalf("call %d: err = %v, want ErrNotEnforced wrapping storage.ErrUnavailable", i, err)
		}
	}
	out := logs.String()
	if n := strings.Count(out, "fail open"); n != 1 {
		t.Fatalf("logged %d failure lines, want 1 (later ones suppressed):\n%s", n, out)
	}
	if !strings.Contains(out, "limiter=login") {
		t.Fatalf("log line does not name the limiter:\n%s", out)
	}

	// Back up (with the counter, thanks to the AOF): enforcing again.
	srv.Restart()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, _, err := l.Allow(ctx, "k")
		if !ok && err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("limit not enforced after Redis came back: ok=%v err=%v", ok, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "rate limit store recovered") {
		t.Fatalf("recovery not logged:\n%s", logs.String())
	}
}

// faultStore counts Incr calls and fails them with the error its function
// returns.
type faultStore struct {
	storage.Store
	calls atomic.Int64
	incr  func(ctx context.Context) error
}

func (f *faultStore) Incr(ctx context.Context, key string, window time.Duration) (int64, error) {
	f.calls.Add(1)
	return 0, f.incr(ctx)
}

func TestStoreFailures(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		cancel    bool
		cooldown  time.Duration
		calls     int
		wantErr   error
		wantLog   bool
		wantStore int64 // Incr calls reaching the store
	}{
		{name: "store error is logged and wrapped", cooldown: time.Hour, calls: 1, wantErr: boom, wantLog: true, wantStore: 1},
		{name: "store is left alone during the cooldown", cooldown: time.Hour, calls: 5, wantErr: ratelimit.ErrNotEnforced, wantLog: true, wantStore: 1},
		{name: "store is asked again after the cooldown", cooldown: time.Nanosecond, calls: 3, wantErr: boom, wantLog: true, wantStore: 3},
		{name: "cancelled request is neither logged nor a store failure", cancel: true, cooldown: time.Hour, calls: 3, wantErr: context.Canceled, wantStore: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs logtest.Buffer
			st := &faultStore{incr: func(ctx context.Context) error {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return boom
			}}
			l := ratelimit.New(st, "x", 1, time.Minute, ratelimit.WithCooldown(tt.cooldown),
				ratelimit.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			ctx, cancel := context.WithCancel(context.Background())
			if tt.cancel {
				cancel()
			}
			defer cancel()
			for i := range tt.calls {
				if tt.cooldown == time.Nanosecond {
					time.Sleep(time.Millisecond) // let the cooldown pass
				}
				ok, _, err := l.Allow(ctx, "k")
				if !ok || !errors.Is(err, tt.wantErr) {
					t.Fatalf("call %d: got ok=%v err=%v, want allowed with %v", i, ok, err, tt.wantErr)
				}
			}
			if got := st.calls.Load(); got != tt.wantStore {
				t.Fatalf("store asked %d times, want %d", got, tt.wantStore)
			}
			if got := strings.Contains(logs.String(), "fail open"); got != tt.wantLog {
				t.Fatalf("logged=%v, want %v:\n%s", got, tt.wantLog, logs.String())
			}
		})
	}
}

func TestNewRejectsNonsense(t *testing.T) {
	tests := []struct {
		name   string
		limit  int
		window time.Duration
	}{
		{"zero limit", 0, time.Minute},
		{"zero window", 1, 0},
		{"sub-millisecond window", 1, time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := memory.New()
			defer st.Close()
			defer func() {
				if recover() == nil {
					t.Fatal("New did not panic")
				}
			}()
			ratelimit.New(st, "p", tt.limit, tt.window)
		})
	}
}
