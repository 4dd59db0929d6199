package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorilla/sessions"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/oidc"
	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/seal"
	"github.com/idbridge/idbridge/pkg/storage/memory"
	"github.com/idbridge/idbridge/pkg/users"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want error // nil: valid
	}{
		{"defaults", nil, nil},
		{"ipv4 loopback", []string{"-issuer", "http://127.0.0.1:8080"}, nil},
		{"other 127/8 address", []string{"-issuer", "http://127.1.2.3:8080/"}, nil},
		{"ipv6 loopback", []string{"-issuer", "http://[::1]:8080"}, nil},
		{"localhost https", []string{"-issuer", "https://LOCALHOST"}, nil},
		{"every mode", []string{"-mode", "jwks", "-concurrency", "64", "-duration", "2s", "-requests", "100", "-json"}, nil},
		{"remote host", []string{"-issuer", "https://idbridge.example.com"}, errNotLoopback},
		{"private address", []string{"-issuer", "http://10.0.0.1:8080"}, errNotLoopback},
		{"unspecified address", []string{"-issuer", "http://0.0.0.0:8080"}, errNotLoopback},
		{"localhost lookalike", []string{"-issuer", "http://localhost.example.com"}, errNotLoopback},
		{"not a URL", []string{"-issuer", "127.0.0.1:8080"}, errBadFlag},
		{"other scheme", []string{"-issuer", "ftp://127.0.0.1"}, errBadFlag},
		{"unknown mode", []string{"-mode", "refresh"}, errBadFlag},
		{"zero concurrency", []string{"-concurrency", "0"}, errBadFlag},
		{"huge concurrency", []string{"-concurrency", "100000"}, errBadFlag},
		{"zero duration", []string{"-duration", "0s"}, errBadFlag},
		{"too long", []string{"-duration", "2h"}, errBadFlag},
		{"negative requests", []string{"-requests", "-1"}, errBadFlag},
		{"too many requests", []string{"-requests", "20000000"}, errBadFlag},
		{"bad auth", []string{"-auth", "jwt"}, errBadFlag},
		{"no client for logins", []string{"-client", ""}, errBadFlag},
		{"stray argument", []string{"login"}, errBadFlag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args, io.Discard)
			if tt.want == nil {
				require.NoError(t, err)
				require.Equal(t, o.Issuer+"/demo/callback", o.RedirectURI)
				return
			}
			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value", ms(7), 99, 7 * time.Millisecond},
		{"median of odd count", ms(1, 2, 3, 4, 5), 50, 3 * time.Millisecond},
		{"median of even count is the lower middle", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p95 of 1..100", ms(hundred...), 95, 95 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 99, 99 * time.Millisecond},
		{"p100 is the max", ms(hundred...), 100, 100 * time.Millisecond},
		{"p99 of 10 values is the max", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"tiny p is the min", ms(3, 9), 0.1, 3 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, percentile(tt.sorted, tt.p))
		})
	}
}

func TestSummariseAndMerge(t *testing.T) {
	a, b := newRecorder(), newRecorder()
	a.add("token", 4*time.Millisecond)
	a.add("token", 2*time.Millisecond)
	b.add("userinfo", time.Millisecond)
	b.add("token", 3*time.Millisecond)
	a.merge(b)
	got := a.summary()
	require.Len(t, got, 2)
	require.Equal(t, stepStats{Step: "token", Count: 3, MeanMS: 3, P50MS: 3, P95MS: 4, P99MS: 4, MaxMS: 4}, got[0])
	require.Equal(t, "userinfo", got[1].Step)
}

// startProvider serves the provider with the in-process simulator in
// auto-complete mode, built from the embedded dev configuration.
func startProvider(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	issuer := "http://" + ln.Addr().String()
	t.Setenv("IDBRIDGE_ISSUER", issuer)
	t.Setenv("IDBRIDGE_SIM_AUTO_COMPLETE", "true")
	cfg, err := config.Load("")
	require.NoError(t, err)
	require.True(t, cfg.IDV.Simulator.AutoComplete)
	key := func() []byte { b := make([]byte, 32); _, _ = rand.Read(b); return b }
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	sealer, err := seal.New(seal.Key{ID: "bench", Secret: key()})
	require.NoError(t, err)
	repo := users.New(store, sealer, users.Options{HashKey: key()})
	sim, err := simulator.New(simulator.Config{BaseURL: issuer + "/simulator", AutoComplete: true, SessionTTL: cfg.IDV.SessionTTL})
	require.NoError(t, err)
	var ck [32]byte
	copy(ck[:], key())
	core, err := journey.New(journey.Options{Users: repo, Rules: cfg.Risk.Rules.StepUp(cfg.Assurance.MaxVerificationAge), MaxVerificationAge: cfg.Assurance.MaxVerificationAge})
	require.NoError(t, err)
	p, err := oidc.New(oidc.Deps{Config: cfg, Store: store, Journey: core, Verifier: sim, Sealer: sealer, CryptoKey: ck,
		Cookies: sessions.NewCookieStore(key(), key()), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	require.NoError(t, p.Init(context.Background()))
	mux := http.NewServeMux()
	mux.Handle("/", p.Handler())
	mux.Handle("/simulator/", http.StripPrefix("/simulator", sim.Handler()))
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux}}
	srv.Start()
	t.Cleanup(srv.Close)
	return issuer
}

// TestSmoke runs every mode briefly against a provider in this process.
func TestSmoke(t *testing.T) {
	issuer := startProvider(t)
	for _, tt := range []struct {
		mode, unit string
		steps      []string
	}{
		{modeLogin, "logins", []string{"authorize", "login_start", "wait_page", "status", "continue", "token", "userinfo", "login"}},
		{modeToken, "token exchanges", []string{"token"}},
		{modeDiscovery, "requests", []string{"discovery"}},
		{modeJWKS, "requests", []string{"jwks"}},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			var out bytes.Buffer
			args := []string{"-issuer", issuer, "-mode", tt.mode, "-concurrency", "4", "-duration", "20s", "-requests", "40", "-json"}
			require.NoError(t, run(context.Background(), args, &out, io.Discard))
			var rep report
			require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
			require.Equal(t, tt.unit, rep.Unit)
			require.Zero(t, rep.Errors, rep.FirstError)
			require.EqualValues(t, 40, rep.Operations, "bounded by -requests")
			var steps []string
			for _, s := range rep.Steps {
				steps = append(steps, s.Step)
				require.Positive(t, s.Count)
				require.LessOrEqual(t, s.P50MS, s.P99MS)
				require.LessOrEqual(t, s.P99MS, s.MaxMS)
			}
			require.Equal(t, tt.steps, steps)
			if tt.mode == modeToken {
				require.Equal(t, 40, rep.Minted)
				require.Zero(t, rep.MintErrors, rep.FirstMintError)
			}
		})
	}

	t.Run("table", func(t *testing.T) {
		var out bytes.Buffer
		require.NoError(t, run(context.Background(), []string{"-issuer", issuer, "-mode", "login", "-concurrency", "2", "-duration", "20s", "-requests", "4"}, &out, io.Discard))
		require.Contains(t, out.String(), "4 logins, 0 errors")
		require.Contains(t, out.String(), "p99 ms")
	})

	t.Run("wrong secret fails the run", func(t *testing.T) {
		err := run(context.Background(), []string{"-issuer", issuer, "-secret", "wrong", "-concurrency", "2", "-duration", "20s", "-requests", "2"}, io.Discard, io.Discard)
		require.True(t, errors.Is(err, errNoSuccess), err)
		require.ErrorContains(t, err, "token: 401")
	})
}

func TestReportShowsMintFailures(t *testing.T) {
	var out bytes.Buffer
	(&report{Mode: modeToken, Unit: "token exchanges", Minted: 7, MintErrors: 3, FirstMintError: "authorize: 503"}).writeTable(&out)
	require.Contains(t, out.String(), "minted 7 codes first")
	require.Contains(t, out.String(), "3 logins failed while minting; first: authorize: 503")
}
