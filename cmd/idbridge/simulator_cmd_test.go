package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
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

// TestSimulatorCommandFlags starts `idbridge simulator` as another tenant
// with every fault on: the tenant flags reach community_info/fetch, and a
// 5xx rate of 1 answers every wire call 503 while the hosted pages stay
// reachable.
func TestSimulatorCommandFlags(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"simulator", "--listen", addr, "--tenant-dns", "acme.1kosmos.test", "--community", "staff",
			"--license-key", "LK-acme", "--dvc-id", "dvc-acme", "--curve", "prime256v1", "--fault-5xx", "1", "--fault-latency", "1ms"}, io.Discard, io.Discard)
	}()
	t.Cleanup(func() { cancel(); <-done })

	var status int
	var body map[string]any
	require.Eventually(t, func() bool {
		resp, err := http.Post("http://"+addr+"/api/r1/system/community_info/fetch", "application/json",
			strings.NewReader(`{"dns":"acme.1kosmos.test","communityName":"staff"}`))
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		status = resp.StatusCode
		return json.NewDecoder(resp.Body).Decode(&body) == nil
	}, 10*time.Second, 50*time.Millisecond)
	require.Equal(t, http.StatusServiceUnavailable, status, "--fault-5xx 1 answers every wire call 503")
	require.EqualValues(t, 503, body["code"])

	resp, err := http.Get("http://" + addr + "/idproofing/session/unknown")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "hosted pages are not faulted")
}

// TestSimulatorCommandRefusesBadFlags names every bad value and its fix.
func TestSimulatorCommandRefusesBadFlags(t *testing.T) {
	err := run(context.Background(), []string{"simulator", "--curve", "ed25519", "--fault-5xx", "2", "--fault-drop", "-1",
		"--fault-latency", "-1s", "--dvc-id", " "}, io.Discard, io.Discard)
	require.Error(t, err)
	for _, want := range []string{`--curve "ed25519": use secp256k1 or prime256v1`, "--fault-5xx 2: give a probability between 0 and 1",
		"--fault-drop -1", "--fault-latency -1s", "--dvc-id: must not be empty"} {
		require.Contains(t, err.Error(), want)
	}
	var help bytes.Buffer
	require.ErrorIs(t, run(context.Background(), []string{"simulator", "--help"}, io.Discard, &help), flag.ErrHelp)
	for _, want := range []string{"-tenant-dns", "-community", "-license-key", "-dvc-id", "-curve", "-auto-complete", "-fault-5xx", "-fault-garbage", "-fault-drop", "-fault-latency", "simulator-only"} {
		require.Contains(t, help.String(), want)
	}
}

// TestConfiguredFaultsReachTheInProcessSimulator: idv.simulator.faults
// in the configuration faults the in-process simulator's wire API, so an
// operator can rehearse a 1Kosmos outage with the shipped binary.
func TestConfiguredFaultsReachTheInProcessSimulator(t *testing.T) {
	cfg, err := config.Load("")
	require.NoError(t, err)
	cfg.IDV.Simulator.Faults = config.SimulatorFaults{ErrorRate: 1}
	a, err := build(context.Background(), cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/simulator/caas/sd", nil))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
	require.Contains(t, rec.Body.String(), "simulated fault")
}
