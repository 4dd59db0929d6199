package redis_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/storage/redis"
	"github.com/idbridge/idbridge/pkg/storage/redistest"
)

// faultConfig uses short timeouts so a dead server is noticed quickly.
func faultConfig(addr string) redis.Config {
	return redis.Config{
		Addrs:        []string{addr},
		DialTimeout:  300 * time.Millisecond,
		ReadTimeout:  300 * time.Millisecond,
		WriteTimeout: 300 * time.Millisecond,
	}
}

// ops touches every kind of command; each must fail with ErrUnavailable
// while the server is gone.
var ops = []struct {
	name string
	fn   func(ctx context.Context, s storage.Store) error
}{
	{"Ping", func(ctx context.Context, s storage.Store) error { return s.Ping(ctx) }},
	{"Get", func(ctx context.Context, s storage.Store) error { _, err := s.Get(ctx, "k:{f}"); return err }},
	{"Set", func(ctx context.Context, s storage.Store) error { return s.Set(ctx, "k:{f}", []byte("v"), 0) }},
	{"Take", func(ctx context.Context, s storage.Store) error { _, err := s.Take(ctx, "k:{f}"); return err }},
	{"CompareAndSwap", func(ctx context.Context, s storage.Store) error {
		return s.CompareAndSwap(ctx, "k:{f}", []byte("v"), []byte("w"), 0)
	}},
	{"Incr", func(ctx context.Context, s storage.Store) error {
		_, err := s.Incr(ctx, "c:{f}", time.Minute)
		return err
	}},
	{"SetAdd", func(ctx context.Context, s storage.Store) error { return s.SetAdd(ctx, "s:{f}", "m", 0) }},
	{"Delete", func(ctx context.Context, s storage.Store) error { return s.Delete(ctx, "k:{f}", "c:{f}") }},
	{"Enqueue", func(ctx context.Context, s storage.Store) error {
		_, err := s.Enqueue(ctx, "q:{f}", []byte("m"))
		return err
	}},
	{"Claim", func(ctx context.Context, s storage.Store) error {
		_, err := s.Claim(ctx, "q:{f}", "c", 1, time.Minute)
		return err
	}},
}

func wantUnavailable(t *testing.T, s storage.Store) {
	t.Helper()
	for _, op := range ops {
		// The deadline is only a backstop: hitting it would report a
		// context error, not ErrUnavailable, and fail the test.
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		err := op.fn(ctx, s)
		cancel()
		if !errors.Is(err, storage.ErrUnavailable) {
			t.Errorf("%s: got %v, want ErrUnavailable", op.name, err)
		}
	}
}

// recovers polls until s answers again and then checks it works.
func recovers(t *testing.T, s storage.Store) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for s.Ping(t.Context()) != nil {
		if time.Now().After(deadline) {
			t.Fatal("store did not reconnect within 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, op := range ops {
		if err := op.fn(t.Context(), s); err != nil && !errors.Is(err, storage.ErrNotFound) && !errors.Is(err, storage.ErrConflict) {
			t.Errorf("%s after recovery: %v", op.name, err)
		}
	}
}

func TestServerStoppedAndRestarted(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	s := newStore(t, faultConfig(srv.Addr()))
	if _, err := s.Enqueue(t.Context(), "q:{f}", []byte("before")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Claim(t.Context(), "q:{f}", "c", 1, time.Minute); err != nil {
		t.Fatal(err)
	}

	srv.Stop()
	wantUnavailable(t, s)
	// Without persistence the restarted server is empty: the queue's
	// consumer group is gone too and must be recreated on the fly.
	srv.Restart()
	recovers(t, s)
	if _, err := s.Enqueue(t.Context(), "q:{f}", []byte("after")); err != nil {
		t.Fatal(err)
	}
	ms, err := s.Claim(t.Context(), "q:{f}", "c", 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 {
		t.Fatal("Claim after a restart found nothing")
	}
}

func TestServerHangs(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	s := newStore(t, faultConfig(srv.Addr()))
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	srv.Pause()
	wantUnavailable(t, s)
	srv.Resume()
	recovers(t, s)
}

func TestAOFSurvivesCrash(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		opts    []redistest.Option
		survive bool
	}{
		{"appendonly", []redistest.Option{redistest.AppendOnly()}, true},
		{"no persistence", nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			srv := redistest.Start(t, tt.opts...)
			s := newStore(t, faultConfig(srv.Addr()))
			if err := s.Set(ctx, "v:{aof}", []byte("kept"), time.Hour); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{"claimed", "waiting"} {
				if _, err := s.Enqueue(ctx, "q:{aof}", []byte(p)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.Claim(ctx, "q:{aof}", "c", 1, time.Minute); err != nil {
				t.Fatal(err)
			}

			srv.Kill()
			srv.Restart()
			recovers(t, s)

			v, err := s.Get(ctx, "v:{aof}")
			pend, perr := s.Pending(ctx, "q:{aof}", 10)
			if perr != nil {
				t.Fatal(perr)
			}
			if !tt.survive {
				if err == nil || len(pend) != 0 {
					t.Fatalf("data survived without persistence: %q, %d messages", v, len(pend))
				}
				return
			}
			if err != nil || string(v) != "kept" {
				t.Fatalf("Get after crash = %q, %v; want %q", v, err, "kept")
			}
			if len(pend) != 2 || string(pend[0].Payload) != "claimed" || pend[0].Deliveries != 1 ||
				string(pend[1].Payload) != "waiting" || pend[1].Deliveries != 0 {
				t.Fatalf("Pending after crash = %+v; want claimed (1 delivery), waiting (0)", pend)
			}
		})
	}
}
