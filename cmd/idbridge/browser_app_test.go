package main

import (
	"context"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
)

// startApp builds the real application from the embedded dev configuration
// (memory store, in-process simulator reached by the 1Kosmos client over
// HTTP, demo relying party) and serves it on a free loopback port until the
// test ends. It sets IDBRIDGE_ISSUER, so tests using it cannot be parallel.
func startApp(t *testing.T) (issuer string, a *app) { return startAppWith(t, nil) }

// startAppWith is startApp with a change to the configuration.
func startAppWith(t *testing.T, configure func(*config.Config)) (issuer string, a *app) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	issuer = "http://" + ln.Addr().String()
	t.Setenv("IDBRIDGE_ISSUER", issuer)
	cfg, err := config.Load("")
	require.NoError(t, err)
	if configure != nil {
		configure(cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	appc := make(chan *app, 1)
	go func() {
		a, err := build(ctx, cfg, testLogger())
		if err != nil {
			ln.Close()
			done <- err
			return
		}
		appc <- a
		srv := &http.Server{Handler: a.Handler()}
		go func() { <-ctx.Done(); srv.Close() }()
		done <- srv.Serve(ln)
		_ = a.Close()
	}()
	select {
	case a = <-appc:
	case err := <-done:
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); <-done })
	return issuer, a
}
