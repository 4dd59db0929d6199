package ratelimit_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idbridge/idbridge/pkg/ratelimit"
	"github.com/idbridge/idbridge/pkg/storage"
)

// fixed is a clock stopped in the middle of an hour, so no window
// boundary of up to an hour falls inside a test using it.
func fixed() time.Time { return time.Date(2030, 1, 1, 10, 30, 0, 0, time.UTC) }

// runSuite runs the limiter's behaviour against a store from newStore.
func runSuite(t *testing.T, newStore func(t *testing.T) storage.Store) {
	t.Run("limit then deny with retry after", func(t *testing.T) {
		l := ratelimit.New(newStore(t), "seq", 3, time.Hour, ratelimit.WithClock(fixed))
		ctx := context.Background()
		for i := 1; i <= 3; i++ {
			ok, retry, err := l.Allow(ctx, "alice")
			if !ok || retry != 0 || err != nil {
				t.Fatalf("event %d: got ok=%v retry=%v err=%v, want allowed", i, ok, retry, err)
			}
		}
		ok, retry, err := l.Allow(ctx, "alice")
		if ok || err != nil {
			t.Fatalf("event 4: got ok=%v err=%v, want denied", ok, err)
		}
		if retry != 30*time.Minute {
			t.Fatalf("retry after %v, want 30m (the rest of the hour)", retry)
		}
	})
	t.Run("blocked after limit failures, without counting", func(t *testing.T) {
		l := ratelimit.New(newStore(t), "fail", 2, time.Hour, ratelimit.WithClock(fixed))
		ctx := context.Background()
		for i := range 5 {
			if blocked, _ := l.Blocked(ctx, "mallory"); blocked {
				t.Fatalf("check %d: blocked before any failure", i)
			}
		}
		for i := range 2 {
			if _, _, err := l.Allow(ctx, "mallory"); err != nil {
				t.Fatal(err)
			}
			blocked, retry := l.Blocked(ctx, "mallory")
			if blocked != (i == 1) {
				t.Fatalf("after %d failures: blocked=%v", i+1, blocked)
			}
			if blocked && retry != 30*time.Minute {
				t.Fatalf("retry after %v, want 30m", retry)
			}
		}
		if blocked, _ := l.Blocked(ctx, "alice"); blocked {
			t.Fatal("another key is not blocked")
		}
	})
	t.Run("keys and prefixes are independent", func(t *testing.T) {
		st := newStore(t)
		a := ratelimit.New(st, "a", 1, time.Hour, ratelimit.WithClock(fixed))
		b := ratelimit.New(st, "b", 1, time.Hour, ratelimit.WithClock(fixed))
		ctx := context.Background()
		for _, tc := range []struct {
			l    *ratelimit.Limiter
			key  string
			want bool
		}{
			{a, "k1", true}, {a, "k1", false}, {a, "k2", true}, {b, "k1", true}, {b, "k1", false},
			{a, "{tag}", true}, {a, "{tag}", false}, {a, "k1:1", true},
		} {
			ok, _, err := tc.l.Allow(ctx, tc.key)
			if err != nil || ok != tc.want {
				t.Fatalf("key %q: got ok=%v err=%v, want %v", tc.key, ok, err, tc.want)
			}
		}
	})
	t.Run("long keys are hashed, not truncated", func(t *testing.T) {
		l := ratelimit.New(newStore(t), "long", 1, time.Hour, ratelimit.WithClock(fixed))
		base := string(make([]byte, 200))
		for _, k := range []string{base + "x", base + "y"} {
			if ok, _, err := l.Allow(context.Background(), k); !ok || err != nil {
				t.Fatalf("first event of a distinct long key denied (err %v)", err)
			}
		}
	})
	t.Run("exactly limit allowed under concurrency", func(t *testing.T) {
		const limit, callers = 10, 64
		l := ratelimit.New(newStore(t), "conc", limit, time.Hour, ratelimit.WithClock(fixed))
		var allowed atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range callers {
			wg.Go(func() {
				<-start
				ok, _, err := l.Allow(context.Background(), "shared")
				if err != nil {
					t.Error(err)
				}
				if ok {
					allowed.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		if got := allowed.Load(); got != limit {
			t.Fatalf("%d of %d concurrent callers allowed, want exactly %d", got, callers, limit)
		}
	})
	t.Run("a new window allows again", func(t *testing.T) {
		const window = 200 * time.Millisecond
		l := ratelimit.New(newStore(t), "reset", 2, window)
		ctx := context.Background()
		// Use up a window (retrying if a boundary passes between calls).
		deadline := time.Now().Add(10 * time.Second)
		var retry time.Duration
		for {
			_, _, _ = l.Allow(ctx, "k")
			_, _, _ = l.Allow(ctx, "k")
			ok, r, err := l.Allow(ctx, "k")
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				retry = r
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("never denied")
			}
		}
		if retry <= 0 || retry > window {
			t.Fatalf("retry after %v, want in (0, %v]", retry, window)
		}
		for {
			ok, _, err := l.Allow(ctx, "k")
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("still denied long after the window ended")
			}
			time.Sleep(window / 10)
		}
	})
	t.Run("counters are shared by limiters on one store", func(t *testing.T) {
		st := newStore(t)
		// Two replicas' limiters with the same prefix draw on one budget.
		r1 := ratelimit.New(st, "shared", 4, time.Hour, ratelimit.WithClock(fixed))
		r2 := ratelimit.New(st, "shared", 4, time.Hour, ratelimit.WithClock(fixed))
		var got []bool
		for i := range 6 {
			l := r1
			if i%2 == 1 {
				l = r2
			}
			ok, _, err := l.Allow(context.Background(), "k")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, ok)
		}
		if want := "[true true true true false false]"; fmt.Sprint(got) != want {
			t.Fatalf("got %v, want %s", got, want)
		}
	})
}
