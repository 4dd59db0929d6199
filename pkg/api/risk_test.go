package api

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/users"
)

func TestRiskEvaluate(t *testing.T) {
	e := newEnv(t, nil)
	e.enroll("jane@example.com", "jane-doe")
	jane, err := e.users.FindByIdentifier(context.Background(), e.ident("a", "jane@example.com"))
	require.NoError(t, err)
	require.NoError(t, e.users.RecordLogin(context.Background(), jane.Subject, users.Sighting{
		At: time.Now().Add(-time.Hour), Network: "203.0.113.0/24", DeviceID: "dev-1",
	}))

	tests := []struct {
		name     string
		body     map[string]any
		decision string
		stepup   bool
		reasons  []string
	}{
		{name: "known device and network", body: map[string]any{"user_identifier": "jane@example.com", "ip": "203.0.113.9", "device_id": "dev-1"}, decision: "allow"},
		{name: "new device", body: map[string]any{"user_identifier": "jane@example.com", "ip": "203.0.113.9", "device_id": "dev-2"}, decision: "liveid", stepup: true, reasons: []string{"new_device"}},
		{name: "new device and network", body: map[string]any{"user_identifier": "jane@example.com", "ip": "198.51.100.7", "user_agent": "Mozilla/5.0"}, decision: "liveid", stepup: true, reasons: []string{"new_device", "unfamiliar_network"}},
		{name: "unknown person needs idv", body: map[string]any{"user_identifier": "stranger@example.com", "ip": "198.51.100.7"}, decision: "idv", stepup: true, reasons: []string{"not_enrolled", "no_verified_identity"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, out := e.call("POST", "/v1/risk/evaluate", tokenA, tt.body)
			require.Equal(t, 200, resp.StatusCode, "%v", out)
			require.Equal(t, tt.decision, out["decision"])
			require.Equal(t, tt.stepup, out["stepup_required"])
			require.Contains(t, []any{"low", "medium", "high"}, out["risk_level"])
			for _, r := range tt.reasons {
				require.Contains(t, out["reasons"], r)
			}
			if tt.decision == "allow" {
				require.Empty(t, out["reasons"])
			}
		})
	}

	resp, out := e.call("POST", "/v1/risk/evaluate", tokenA, map[string]any{"user_identifier": "jane@example.com", "ip": "not-an-ip"})
	require.Equal(t, 400, resp.StatusCode)
	require.Equal(t, "invalid_request", out["error"])
	resp, _ = e.call("POST", "/v1/risk/evaluate", tokenA, map[string]any{"ip": "203.0.113.9"})
	require.Equal(t, 400, resp.StatusCode)
}
