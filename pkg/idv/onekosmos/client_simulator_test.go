package onekosmos

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/idvtest"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// TestClientAgainstSimulator runs the shared verifier suite with the client
// talking HTTP to the simulator: bootstrap, envelope, sessions, results
// of every status, face checks, authenticator sessions and the account
// lookup, end to end. The variants cover both curves, both result
// versions and every spelling the simulator can answer in.
func TestClientAgainstSimulator(t *testing.T) {
	for _, tc := range []struct {
		name      string
		curve     string
		scores    bool
		spellings simulator.Spellings
		v1        bool
	}{
		{name: "secp256k1 v3", curve: "secp256k1"},
		{name: "prime256v1 v3 with scores, reasonCode, result.certifications", curve: "prime256v1", scores: true,
			spellings: simulator.Spellings{ReasonCodeCamel: true, Certifications: simulator.CertificationsInResult}},
		{name: "secp256k1 v1, certifications in a result string", curve: "secp256k1", v1: true,
			spellings: simulator.Spellings{Certifications: simulator.CertificationsResultString}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The client shares the simulator's clock, so requestid.ts
			// follows it and the freshness check stays on.
			sim, srv, clock := idvtest.StartSimulator(t, simulator.Config{Curve: tc.curve, Scores: tc.scores, Spellings: tc.spellings})
			cfg := Config{
				BaseURL:    srv.URL,
				TenantDNS:  sim.TenantDNS(),
				Community:  sim.Community(),
				LicenseKey: sim.LicenseKey(),
				DVCID:      sim.DVCID(),
				Curve:      tc.curve,
				Timeout:    30 * time.Second,
				Now:        clock.Now,
			}
			if tc.v1 {
				cfg.Paths.Result = DefaultPaths.ResultFallback // the path 1Kosmos's helpers call
			}
			c, err := New(cfg)
			require.NoError(t, err)
			h := idvtest.ForSimulator(sim, clock)
			h.Verifier = c
			h.Scores = tc.scores
			h.TellsPending = false
			h.NamesNoAccount = tc.v1
			h.CertificateToken = tc.v1
			idvtest.RunTests(t, h)
		})
	}
}

// TestClientSurvivesSimulatorFaults drives the simulator's fault injection:
// each fault is ErrUnavailable, the breaker opens, and the client recovers
// once the service is healthy and the open duration has passed.
func TestClientSurvivesSimulatorFaults(t *testing.T) {
	faults := &simulator.Faults{}
	sim, srv, clock := idvtest.StartSimulator(t, simulator.Config{Faults: faults})
	c, err := New(Config{
		BaseURL: srv.URL, TenantDNS: sim.TenantDNS(), Community: sim.Community(),
		LicenseKey: sim.LicenseKey(), DVCID: sim.DVCID(), Now: clock.Now,
		Breaker: BreakerConfig{Failures: 20, OpenFor: 30 * time.Second},
	})
	require.NoError(t, err)
	c.backoffBase = time.Millisecond
	ctx := context.Background()
	s, err := c.StartIDV(ctx, idv.IDVRequest{})
	require.NoError(t, err)

	for _, tc := range []struct {
		name  string
		set   simulator.FaultSettings
		cause error
	}{
		{name: "5xx", set: simulator.FaultSettings{ErrorRate: 1}},
		{name: "garbage", set: simulator.FaultSettings{GarbageRate: 1}, cause: errGarbage},
		{name: "dropped connection", set: simulator.FaultSettings{CloseRate: 1}, cause: errNetwork},
	} {
		t.Run(tc.name, func(t *testing.T) {
			faults.Set(tc.set)
			_, err := c.IDVResult(ctx, s.ID)
			require.ErrorIs(t, err, idv.ErrUnavailable)
			if tc.cause != nil {
				require.ErrorIs(t, err, tc.cause)
			}
		})
	}
	// 9 failed attempts so far; 11 more open the breaker.
	faults.Set(simulator.FaultSettings{ErrorRate: 1})
	for i := 0; i < 4; i++ {
		_, _ = c.IDVResult(ctx, s.ID)
	}
	require.Equal(t, "open", c.BreakerState())
	_, err = c.IDVResult(ctx, s.ID)
	require.ErrorIs(t, err, errOpen)

	faults.Set(simulator.FaultSettings{})
	clock.Advance(31 * time.Second)
	r, err := c.IDVResult(ctx, s.ID)
	require.NoError(t, err)
	require.Equal(t, idv.StatusInProgress, r.Status, "1Kosmos's INPROGRESS")
	require.Equal(t, "closed", c.BreakerState())
}
