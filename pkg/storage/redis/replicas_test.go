package redis_test

import (
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/storage/redis"
	"github.com/idbridge/idbridge/pkg/storage/redistest"
)

// TestTakeAcrossReplicas races two Stores, as two idbridge replicas would,
// for the same single-use code.
func TestTakeAcrossReplicas(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	replicas := []storage.Store{
		newStore(t, redis.Config{Addrs: []string{srv.Addr()}}),
		newStore(t, redis.Config{Addrs: []string{srv.Addr()}}),
	}
	ctx := t.Context()
	for round := range 20 {
		key := "code:{" + strconv.Itoa(round) + "}"
		if err := replicas[0].Set(ctx, key, []byte("c"), 0); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		wins := map[int]int{}
		start := make(chan struct{})
		var wg sync.WaitGroup
		for g := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := replicas[g%2].Take(ctx, key)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins[g%2]++
				case !errors.Is(err, storage.ErrNotFound):
					wins[-1]++
				}
			}()
		}
		close(start)
		wg.Wait()
		if wins[0]+wins[1] != 1 || wins[-1] != 0 {
			t.Fatalf("round %d: wins per replica %v (-1: errors), want exactly one win", round, wins)
		}
	}
}
