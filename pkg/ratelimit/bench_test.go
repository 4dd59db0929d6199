package ratelimit_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/idbridge/idbridge/pkg/ratelimit"
	"github.com/idbridge/idbridge/pkg/storage/memory"
	"github.com/idbridge/idbridge/pkg/storage/redistest"
)

func BenchmarkAllowMemory(b *testing.B) {
	st := memory.New()
	defer st.Close()
	l := ratelimit.New(st, "bench", 1<<30, time.Hour)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			_, _, _ = l.Allow(ctx, strconv.Itoa(i%1000))
		}
	})
}

func BenchmarkAllowRedis(b *testing.B) {
	srv := redistest.Start(b)
	s, err := redisStore(srv.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	l := ratelimit.New(s, "bench", 1<<30, time.Hour)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if _, _, err := l.Allow(ctx, strconv.Itoa(i%1000)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
