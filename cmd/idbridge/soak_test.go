package main

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/storage/redistest"
)

// BenchmarkSoak runs steady logins against the real application with the
// default lifetimes and reports the memory they leave behind: the heap
// with the memory store, Redis's used_memory with a real redis-server,
// and the growth per hour. It is a measurement, not a test: run it on
// purpose (figures in docs/performance.md):
//
//	go test ./cmd/idbridge -run XXX -bench Soak -benchtime 1x -timeout 30m
//
// IDBRIDGE_SOAK_MINUTES (default 10) and IDBRIDGE_SOAK_RATE (logins per
// second, default 20) shape it.
func BenchmarkSoak(b *testing.B) {
	minutes := envInt("IDBRIDGE_SOAK_MINUTES", 10)
	rate := envInt("IDBRIDGE_SOAK_RATE", 20)
	for _, store := range []string{"memory", "redis"} {
		b.Run(store, func(b *testing.B) {
			addr := ""
			var rdb *goredis.Client
			if store == "redis" {
				srv := redistest.Start(b)
				addr = srv.Addr()
				rdb = goredis.NewClient(&goredis.Options{Addr: addr})
				defer rdb.Close()
			}
			d := startDoors(b, addr, func(c *config.Config) { c.Log.Level = "warn" })
			measure := func() float64 {
				if rdb != nil {
					return float64(redisUsedMemory(b, rdb))
				}
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				return float64(m.HeapAlloc)
			}
			start := measure()
			tick := time.NewTicker(time.Second / time.Duration(rate))
			defer tick.Stop()
			end := time.Now().Add(time.Duration(minutes) * time.Minute)
			half := time.Now().Add(time.Duration(minutes) * time.Minute / 2)
			var mid float64
			var midAt time.Time
			logins, failed := 0, 0
			for now := range tick.C {
				if now.After(end) {
					break
				}
				if mid == 0 && now.After(half) {
					mid, midAt = measure(), now
				}
				if d.quietLogin() {
					logins++
				} else {
					failed++
				}
			}
			final := measure()
			perHour := (final - mid) / time.Since(midAt).Hours()
			b.ReportMetric(float64(logins), "logins")
			b.ReportMetric(float64(failed), "failed")
			b.ReportMetric((final-start)/1e6, "MB-grown")
			b.ReportMetric(perHour/1e6, "MB/hour")
			b.ReportMetric((final-start)/float64(logins), "B/login")
		})
	}
}

func redisUsedMemory(b *testing.B, rdb *goredis.Client) int64 {
	info, err := rdb.Info(context.Background(), "memory").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	b.Fatal("no used_memory in INFO")
	return 0
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkRecordSizes measures what each kind of record costs in Redis
// (MEMORY USAGE, averaged per keyspace) after complete logins and
// connector verifications, for the README's sizing paragraph:
//
//	go test ./cmd/idbridge -run XXX -bench RecordSizes -benchtime 1x
func BenchmarkRecordSizes(b *testing.B) {
	srv := redistest.Start(b)
	rdb := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	d := startDoors(b, srv.Addr(), func(c *config.Config) { c.Log.Level = "warn" })
	// People in flight: started, waiting at the verification.
	for range 20 {
		c := d.browser()
		d.authorize(c, "descope-idv")
	}
	// Finished logins of different people, with refresh tokens (demo).
	for _, f := range simulator.Fixtures() {
		c := d.browser()
		if back := d.idv(c, d.authorize(c, "demo"), f.Name); back.back.Query().Get("code") != "" {
			d.tokens("demo", "demo-secret", back) // fixtures that fail (expired document, spoof) leave no tokens
		}
	}
	d.verifyByAPI("sizes@example.com", jane.Name)
	spaces := d.a.keyspaces()
	sum, count := map[string]int64{}, map[string]int64{}
	ctx := context.Background()
	keys, err := rdb.Keys(ctx, "idb:*").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range keys {
		n, err := rdb.MemoryUsage(ctx, k).Result()
		if err != nil {
			continue
		}
		name := strings.TrimPrefix(k, "idb:")
		ks, ok := storage.KeyspaceOf(spaces, name)
		prefix := ks.Prefix
		if !ok {
			prefix = "other"
		}
		sum[prefix] += n
		count[prefix]++
	}
	for prefix, n := range sum {
		b.ReportMetric(float64(n)/float64(count[prefix]), "B/"+strings.TrimSuffix(prefix, ":"))
	}
}
