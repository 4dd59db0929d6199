package storagetest

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// race runs fn in n goroutines released together and returns their errors
// in goroutine order.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// oneWinner fails the test unless exactly one error is nil and every other
// one is loser.
func oneWinner(t *testing.T, errs []error, loser error) {
	t.Helper()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, loser):
			t.Fatalf("goroutine %d: %v, want nil or %v", i, err, loser)
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d goroutines won, want exactly 1", wins, len(errs))
	}
}

func testTakeContention(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	for round := range 3 {
		key := k("code" + strconv.Itoa(round))
		noErr(t, s.Set(ctx, key, []byte("single-use"), 0), "Set")
		var mu sync.Mutex
		var got []string
		errs := race(50, func(int) error {
			v, err := s.Take(ctx, key)
			if err == nil {
				mu.Lock()
				got = append(got, string(v))
				mu.Unlock()
			}
			return err
		})
		oneWinner(t, errs, storage.ErrNotFound)
		if len(got) != 1 || got[0] != "single-use" {
			t.Fatalf("winners got %q", got)
		}
	}
}

func testConsumeContention(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	for round := range 3 {
		key := k("code" + strconv.Itoa(round))
		noErr(t, s.Set(ctx, key, []byte("single-use"), 0), "Set")
		var mu sync.Mutex
		firsts, seen := 0, 0
		errs := race(50, func(int) error {
			v, first, err := s.Consume(ctx, key, time.Minute)
			if err != nil {
				return err
			}
			if string(v) != "single-use" {
				return fmt.Errorf("consume returned %q, want \"single-use\"", v)
			}
			mu.Lock()
			seen++
			if first {
				firsts++
			}
			mu.Unlock()
			return nil
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("goroutine %d: %v", i, err)
			}
		}
		if firsts != 1 || seen != len(errs) {
			t.Fatalf("%d of %d Consumes were first, want exactly 1", firsts, seen)
		}
	}
}

func testCreateContention(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	errs := race(30, func(i int) error {
		return s.Create(ctx, k("a"), []byte(strconv.Itoa(i)), 0)
	})
	oneWinner(t, errs, storage.ErrExists)
	for i, err := range errs {
		if err == nil {
			wantValue(t, s, k("a"), []byte(strconv.Itoa(i)))
		}
	}
}

func testCompareAndSwapContention(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	const workers, each = 8, 25
	noErr(t, s.Set(ctx, k("n"), []byte("0"), 0), "Set")
	errs := race(workers, func(int) error {
		for range each {
			for {
				old, err := s.Get(ctx, k("n"))
				if err != nil {
					return err
				}
				n, err := strconv.Atoi(string(old))
				if err != nil {
					return err
				}
				err = s.CompareAndSwap(ctx, k("n"), old, []byte(strconv.Itoa(n+1)), 0)
				if err == nil {
					break
				}
				if !errors.Is(err, storage.ErrConflict) {
					return err
				}
			}
		}
		return nil
	})
	for i, err := range errs {
		noErr(t, err, "worker "+strconv.Itoa(i))
	}
	wantValue(t, s, k("n"), []byte(strconv.Itoa(workers*each)))
}

func testIncrContention(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	const n = 50
	counts := make([]int64, n)
	errs := race(n, func(i int) error {
		c, err := s.Incr(ctx, k("c"), 0)
		counts[i] = c
		return err
	})
	seen := make(map[int64]bool)
	for i, err := range errs {
		noErr(t, err, "Incr")
		if counts[i] < 1 || counts[i] > n || seen[counts[i]] {
			t.Fatalf("Incr returned %d twice or out of 1..%d", counts[i], n)
		}
		seen[counts[i]] = true
	}
}

func testLockContention(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	tokens := make([]string, 20)
	errs := race(len(tokens), func(i int) error {
		var err error
		tokens[i], err = s.Lock(ctx, k("l"), 0)
		return err
	})
	oneWinner(t, errs, storage.ErrExists)
	for i, err := range errs {
		if err == nil {
			noErr(t, s.Unlock(ctx, k("l"), tokens[i]), "Unlock by the winner")
		}
	}
}
