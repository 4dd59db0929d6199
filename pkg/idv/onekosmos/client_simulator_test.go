package onekosmos

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/idvtest"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// TestClientAgainstSimulator runs the shared verifier suite with the client
// talking HTTP to the simulator: bootstrap, envelope, sessions, results,
// face checks and authenticator sessions end to end.
func TestClientAgainstSimulator(t *testing.T) {
	for _, tc := range []struct {
		name   string
		curve  string
		scores bool
	}{
		{name: "secp256k1", curve: "secp256k1"},
		{name: "prime256v1 with scores", curve: "prime256v1", scores: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The client shares the simulator's clock, so requestid.ts
			// follows it and the freshness check stays on.
			sim, srv, clock := idvtest.StartSimulator(t, simulator.Config{Curve: tc.curve, Scores: tc.scores})
			c, err := New(Config{
				BaseURL:    srv.URL,
				TenantDNS:  sim.TenantDNS(),
				Community:  sim.Community(),
				LicenseKey: sim.LicenseKey(),
				DVCID:      sim.DVCID(),
				Curve:      tc.curve,
				Timeout:    30 * time.Second,
				Now:        clock.Now,
			})
			require.NoError(t, err)
			h := idvtest.ForSimulator(sim, clock)
			h.Verifier = c
			h.Scores = tc.scores
			idvtest.RunTests(t, h)
		})
	}
}
