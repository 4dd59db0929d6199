package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/storage/redistest"
)

// TestReadyzFollowsRedis serves the application on Redis, stops Redis and
// starts it again: readiness fails while it is down and recovers by itself.
func TestReadyzFollowsRedis(t *testing.T) {
	rs := redistest.Start(t, redistest.AppendOnly())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Setenv("IDBRIDGE_ISSUER", "http://"+ln.Addr().String())
	cfg, err := config.Load("")
	require.NoError(t, err)
	cfg.Storage = config.Storage{Type: "redis", Redis: config.Redis{Addrs: []string{rs.Addr()}}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, ln, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	t.Cleanup(func() { cancel(); <-done })

	ready := func() int {
		resp, err := http.Get("http://" + ln.Addr().String() + "/readyz")
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Eventually(t, func() bool { return ready() == http.StatusOK }, 15*time.Second, 50*time.Millisecond)
	rs.Stop()
	require.Eventually(t, func() bool { return ready() == http.StatusServiceUnavailable }, 15*time.Second, 100*time.Millisecond)
	rs.Restart()
	require.Eventually(t, func() bool { return ready() == http.StatusOK }, 15*time.Second, 100*time.Millisecond, "recovers by itself")
}
