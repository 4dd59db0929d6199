package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
)

func writeSelfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	require.NoError(t, err)
	kder, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600))
	return certFile, keyFile
}

// TestServeHTTPSMetricsAndRateLimits serves the real application over
// TLS from certificate files, then checks security headers, the metrics
// endpoint and the authorize rate limit.
func TestServeHTTPSMetricsAndRateLimits(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	issuer := "https://" + ln.Addr().String()
	t.Setenv("IDBRIDGE_ISSUER", issuer)
	cfg, err := config.Load("")
	require.NoError(t, err)
	cfg.TLS.CertFile, cfg.TLS.KeyFile = writeSelfSigned(t, t.TempDir())
	cfg.Limits.Authorize = 3
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, ln, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	t.Cleanup(func() { cancel(); require.NoError(t, <-done) })

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var resp *http.Response
	require.Eventually(t, func() bool {
		resp, err = client.Get(issuer + "/healthz")
		return err == nil
	}, 10*time.Second, 50*time.Millisecond)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotEmpty(t, resp.Header.Get("Strict-Transport-Security"), "HSTS over https")
	require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	require.NotEmpty(t, resp.Header.Get("X-Request-Id"))

	// The connector API is mounted and answers the dev configuration's
	// caller.
	req, _ := http.NewRequest(http.MethodPost, issuer+"/v1/idv/sessions", strings.NewReader(`{"document_types":["passport"],"user_identifier":"ada@example.com"}`))
	req.Header.Set("Authorization", "Bearer dev-connector-token-change-me")
	req.Header.Set("Content-Type", "application/json")
	resp, err = client.Do(req)
	require.NoError(t, err)
	apiBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Less(t, resp.StatusCode, 300, string(apiBody))
	require.Contains(t, string(apiBody), issuer+"/simulator/idproofing/session/")

	statuses := []int{}
	for range 5 {
		resp, err := client.Get(issuer + "/authorize?client_id=demo&response_type=code&scope=openid&redirect_uri=" + issuer + "/demo/callback")
		require.NoError(t, err)
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests {
			require.NotEmpty(t, resp.Header.Get("Retry-After"))
		}
	}
	require.NotContains(t, statuses[:3], http.StatusTooManyRequests)
	require.Equal(t, http.StatusTooManyRequests, statuses[4], "the fourth and later authorize requests in a minute are refused: %v", statuses)

	var body []byte
	missing := ""
	// Key age is recorded by a background loop; give it time on a busy
	// machine.
	require.Eventually(t, func() bool {
		resp, err := client.Get(issuer + "/metrics")
		if err != nil {
			return false
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, series := range []string{`idbridge_http_requests_total{method="GET",route="/authorize",status="303"}`, `idbridge_ratelimited_total{limiter="authorize"}`, `idbridge_signing_key_age_seconds{alg="RS256"}`, `idbridge_verification_duration_seconds_count{kind="start_idv"} 1`} {
			if !strings.Contains(string(body), series) {
				missing = series
				return false
			}
		}
		return true
	}, 15*time.Second, 100*time.Millisecond, "metrics lack %s", func() string { return missing }())
}

func TestLogPathHidesUserIdentifiers(t *testing.T) {
	require.Equal(t, "/v1/users/{user_identifier}/forget", logPath("/v1/users/ada@example.com/forget"))
	require.Equal(t, "/v1/users/{user_identifier}", logPath("/v1/users/ada@example.com"))
	require.Equal(t, "/authorize", logPath("/authorize"))
}
