package simulator

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/logtest"
)

func TestListenAndServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	var logs logtest.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- ListenAndServe(ctx, addr, Config{BaseURL: "http://" + addr + "/simulator"}, log) }()

	var sd *http.Response
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		sd, err = http.Get("http://" + addr + "/simulator/caas/sd")
		if err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(t, err)
	sd.Body.Close()
	assert.Equal(t, http.StatusOK, sd.StatusCode)

	cancel()
	select {
	case err := <-errc:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("ListenAndServe did not return after cancel")
	}
	out := logs.String()
	assert.Contains(t, out, "path=/simulator/caas/sd")
	assert.Contains(t, out, "status=200")
	assert.NotContains(t, out, DefaultLicenseKey, "no secrets in logs")
}

func TestListenAndServeRejectsBadConfig(t *testing.T) {
	err := ListenAndServe(context.Background(), "127.0.0.1:0", Config{BaseURL: "ftp://x"}, nil)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "BaseURL"), err.Error())
}
