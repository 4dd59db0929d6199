package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/api"
	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/seal"
	"github.com/idbridge/idbridge/pkg/storage/memory"
	"github.com/idbridge/idbridge/pkg/users"
)

func TestWebhooksCommand(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	t.Cleanup(func() { st.Close() })

	// A receiver that refuses everything until healthy is set.
	var healthy atomic.Bool
	var got atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !healthy.Load() {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		got.Add(1)
	}))
	t.Cleanup(rcv.Close)

	key, err := seal.GenerateKey("k")
	require.NoError(t, err)
	sealer, err := seal.New(key)
	require.NoError(t, err)
	hashKey := make([]byte, 32)
	_, _ = rand.Read(hashKey)
	// Auto-complete: every session completes at once with the first fixture.
	sim, err := simulator.New(simulator.Config{BaseURL: "http://127.0.0.1/simulator", AutoComplete: true})
	require.NoError(t, err)
	cfg := config.API{
		Clients: []config.APIClient{{ID: "c", Token: "connector-token-0123456789", RateLimit: 100}},
		Webhooks: config.Webhooks{
			Endpoints:   []config.WebhookEndpoint{{URL: rcv.URL, Secret: "whsec"}},
			MaxAttempts: 1, Backoff: 10 * time.Millisecond, MaxBackoff: 10 * time.Millisecond,
			Timeout: time.Second, Lease: 2 * time.Second, Interval: 10 * time.Millisecond, EventTTL: time.Hour,
		},
		PollInterval: 10 * time.Millisecond, RecordTTL: time.Hour, IdempotencyTTL: time.Hour, MaxBodyBytes: 4096,
	}
	core, err := journey.New(journey.Options{Users: users.New(st, sealer, users.Options{HashKey: hashKey})})
	require.NoError(t, err)
	srv, err := api.New(api.Deps{
		Config: apiOptions(cfg), Store: st, Journey: core, Verifier: sim,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Sealer: sealer,
	})
	require.NoError(t, err)

	var out, errOut bytes.Buffer
	require.NoError(t, webhooksCommand(ctx, st, []string{"dead"}, &out, &errOut))
	require.Equal(t, "no dead letters\n", out.String())

	// A connector starts a session; it completes and its event dies.
	apiSrv := httptest.NewServer(srv.Handler())
	t.Cleanup(apiSrv.Close)
	req, err := http.NewRequest("POST", apiSrv.URL+"/v1/idv/sessions", strings.NewReader(`{"user_identifier":"jane@example.com"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", "connector-token-0123456789")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done })

	deadline := time.Now().Add(15 * time.Second)
	for {
		out.Reset()
		require.NoError(t, webhooksCommand(ctx, st, []string{"dead"}, &out, &errOut))
		if strings.Contains(out.String(), "idv.completed") || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	require.Contains(t, out.String(), "EVENT")
	require.Contains(t, out.String(), "idv.completed")
	require.Contains(t, out.String(), "endpoint answered 500")
	eventID := strings.Fields(strings.Split(out.String(), "\n")[1])[0]
	require.Regexp(t, `^evt_`, eventID)

	healthy.Store(true)
	out.Reset()
	require.NoError(t, webhooksCommand(ctx, st, []string{"replay", eventID}, &out, &errOut))
	require.Contains(t, out.String(), "for 1 endpoint(s)")
	for got.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	require.EqualValues(t, 1, got.Load())

	err = webhooksCommand(ctx, st, []string{"replay", "evt_nope"}, &out, &errOut)
	require.ErrorContains(t, err, "no stored event")
	errOut.Reset()
	require.Error(t, webhooksCommand(ctx, st, nil, &out, &errOut))
	require.Contains(t, errOut.String(), "usage: idbridge webhooks")
}
