package oidc

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// These run the real 1Kosmos client against the simulator over HTTP and
// break the simulator's wire API.

func TestIDVOverTheWireHappyPath(t *testing.T) {
	h := newHarnessOpts(t, harnessOpts{overHTTP: true})
	back := h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{})
	tokens, err := h.exchange(h.relyingParty("rp", "rp-secret"), back.Query().Get("code"))
	require.NoError(t, err)
	require.EqualValues(t, 2, tokens.IDTokenClaims.Claims["ial_level"])
}

func TestVerificationServiceFaults(t *testing.T) {
	tests := []struct {
		name     string
		faults   simulator.FaultSettings
		atStart  bool
		wantCode string
	}{
		{"5xx when starting", simulator.FaultSettings{ErrorRate: 1}, true, "temporarily_unavailable"},
		{"connection closed when starting", simulator.FaultSettings{CloseRate: 1}, true, "temporarily_unavailable"},
		{"slow when starting", simulator.FaultSettings{Latency: 3 * time.Second}, true, "temporarily_unavailable"},
		{"garbage result", simulator.FaultSettings{GarbageRate: 1}, false, "temporarily_unavailable"},
		{"5xx result", simulator.FaultSettings{ErrorRate: 1}, false, "temporarily_unavailable"},
		{"connection closed on result", simulator.FaultSettings{CloseRate: 1}, false, "temporarily_unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			faults := &simulator.Faults{}
			h := newHarnessOpts(t, harnessOpts{overHTTP: true, faults: faults})
			if tt.atStart {
				faults.Set(tt.faults)
				p := h.authorize(h.browser, authParams("idv-rp"))
				require.NotNil(t, p.rpURL, p.body)
				require.Equal(t, tt.wantCode, p.rpURL.Query().Get("error"))
				require.Equal(t, h.srv.URL, p.rpURL.Query().Get("iss"))
				return
			}
			wait := h.authorize(h.browser, authParams("idv-rp"))
			require.Equal(t, http.StatusOK, wait.status, wait.body)
			require.NoError(t, h.sim.Complete(h.sessionOf(wait), simulator.CompleteOptions{}))
			faults.Set(tt.faults)
			p := h.visit(h.browser, http.MethodPost, h.srv.URL+"/login/continue", url.Values{"id": {waitID(t, wait)}})
			require.NotNil(t, p.rpURL, p.body)
			require.Equal(t, tt.wantCode, p.rpURL.Query().Get("error"))
			require.Empty(t, p.rpURL.Query().Get("code"), "never a login on a partial result")
		})
	}
}
