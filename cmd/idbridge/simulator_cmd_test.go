package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSimulatorCommandServesATenant runs `idbridge simulator` and reads
// its service map the way the 1Kosmos client bootstraps.
func TestSimulatorCommandServesATenant(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"simulator", "--listen", addr}, io.Discard, io.Discard) }()
	t.Cleanup(func() { cancel(); <-done })

	var sd map[string]any
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/caas/sd")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&sd) == nil
	}, 10*time.Second, 50*time.Millisecond)
	require.Equal(t, "http://"+addr+"/docuverify", sd["docuverify"])
	require.Contains(t, sd, "licenses", "1Kosmos's helpers discard a service map without licenses")
}
