package redis_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/idbridge/idbridge/pkg/storage/redis"
	"github.com/idbridge/idbridge/pkg/storage/redistest"
)

// benchStore is a Store on a fresh standalone server, one client, one
// goroutine: the figures are round trips over loopback.
func benchStore(b *testing.B) *redis.Store {
	srv := redistest.Start(b)
	return newStore(b, redis.Config{Addrs: []string{srv.Addr()}})
}

func BenchmarkRedisGet(b *testing.B) {
	s := benchStore(b)
	ctx := b.Context()
	if err := s.Set(ctx, "bench:{get}", make([]byte, 256), time.Hour); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Get(ctx, "bench:{get}"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedisSet(b *testing.B) {
	s := benchStore(b)
	ctx := b.Context()
	v := make([]byte, 256)
	for b.Loop() {
		if err := s.Set(ctx, "bench:{set}", v, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedisTake(b *testing.B) {
	s := benchStore(b)
	ctx := b.Context()
	v := make([]byte, 256)
	keys := make([]string, b.N)
	for i := range keys {
		keys[i] = "bench:{take" + strconv.Itoa(i) + "}"
		if err := s.Set(ctx, keys[i], v, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.Take(ctx, keys[i]); err != nil {
			b.Fatal(err)
		}
	}
}
