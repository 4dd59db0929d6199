package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
)

// TestMetricsTokenGuardsMetrics: with metrics.token set, /metrics on the
// main listener answers only a scraper that sends it.
func TestMetricsTokenGuardsMetrics(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	issuer := "http://" + ln.Addr().String()
	t.Setenv("IDBRIDGE_ISSUER", issuer)
	cfg, err := config.Load("")
	require.NoError(t, err)
	cfg.Metrics.Token = "metrics-token-0123456789"
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, ln, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	t.Cleanup(func() { cancel(); require.NoError(t, <-done) })
	require.Eventually(t, func() bool {
		resp, err := http.Get(issuer + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	}, 10*time.Second, 50*time.Millisecond)

	for _, tt := range []struct {
		name, auth string
		status     int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"wrong token", "Bearer metrics-token-wrong", http.StatusUnauthorized},
		{"token in another scheme", "Basic metrics-token-0123456789", http.StatusUnauthorized},
		{"the token", "Bearer metrics-token-0123456789", http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, issuer+"/metrics", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Equal(t, tt.status, resp.StatusCode)
			if tt.status == http.StatusOK {
				require.Contains(t, string(body), "idbridge_http_requests_total")
			} else {
				require.NotContains(t, string(body), "idbridge_")
				require.Equal(t, `Bearer realm="metrics"`, resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

// TestProductionConfigurationKeepsMetricsAndWebhooksPrivate: outside dev,
// a configuration that would serve /metrics publicly, or send events over
// plain http, is refused when loaded.
func TestProductionConfigurationKeepsMetricsAndWebhooksPrivate(t *testing.T) {
	_, err := config.Parse("t.yaml", []byte("issuer: https://idv.example\napi:\n  webhooks:\n    endpoints:\n      - url: http://hooks.example/in\n        secret: s\n"))
	require.Error(t, err)
	require.Contains(t, err.Error(), "metrics: /metrics would be public")
	require.Contains(t, err.Error(), `api.webhooks.endpoints[0].url: "http://hooks.example/in" must use https outside dev`)
	require.False(t, strings.Contains(err.Error(), "metrics.token: too short"))
}
