package api

import (
	"context"
	"strings"
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

func TestRiskEvaluateNamesPolicyAndRule(t *testing.T) {
	e := newEnv(t, nil)
	e.enroll("jane@example.com", "jane-doe")
	resp, out := e.call("POST", "/v1/risk/evaluate", tokenA, map[string]any{"user_identifier": "jane@example.com", "ip": "203.0.113.9", "device_id": "dev-2"})
	require.Equal(t, 200, resp.StatusCode, "%v", out)
	require.Equal(t, float64(0), out["policy_version"], "the configuration's rules, not stored")
	require.Equal(t, "defaults", out["rule"])
	require.NotContains(t, out, "dry_run")
}

// A dry run answers under the active policy and a candidate, records
// nothing, and refuses malformed and hostile candidates with every
// problem named.
func TestRiskDryRun(t *testing.T) {
	e := newEnv(t, nil)
	e.enroll("jane@example.com", "jane-doe")
	deny := "rules:\n  - name: close-a\n    when: client_id == \"a\" && new_device\n    action: deny\n    reason: closed\n"
	body := map[string]any{"user_identifier": "jane@example.com", "ip": "203.0.113.9", "device_id": "dev-2", "dry_run": true, "policy": deny}
	for range 2 { // the same dry run again answers the same
		resp, out := e.call("POST", "/v1/risk/evaluate", tokenA, body)
		require.Equal(t, 200, resp.StatusCode, "%v", out)
		require.Equal(t, true, out["dry_run"])
		active, cand := out["active"].(map[string]any), out["candidate"].(map[string]any)
		require.Equal(t, "liveid", active["decision"])
		require.Equal(t, "defaults", active["rule"])
		require.Equal(t, float64(0), active["policy_version"])
		require.Equal(t, "liveid", out["decision"], "the top level is the active policy's answer")
		require.Equal(t, "deny", cand["decision"])
		require.Equal(t, "close-a", cand["rule"])
		require.Equal(t, []any{"closed"}, cand["reasons"])
		require.NotContains(t, cand, "policy_version", "a candidate has no version")
	}
	require.Empty(t, e.core.Recent(), "a dry run keeps no context")

	resp, out := e.call("POST", "/v1/risk/evaluate", tokenA, map[string]any{"user_identifier": "jane@example.com", "dry_run": true})
	require.Equal(t, 200, resp.StatusCode, "%v", out)
	require.Equal(t, out["active"], out["candidate"], "without a candidate, the active policy twice")

	for _, tt := range []struct {
		name   string
		body   map[string]any
		status int
		code   string
		has    []string
	}{
		{"policy without dry_run", map[string]any{"user_identifier": "jane@example.com", "policy": deny}, 400, "invalid_request", []string{"dry_run"}},
		{"policy not a string", map[string]any{"user_identifier": "jane@example.com", "dry_run": true, "policy": 7}, 400, "invalid_request", []string{"policy has the wrong type"}},
		{"dry_run not a bool", map[string]any{"user_identifier": "jane@example.com", "dry_run": "yes"}, 400, "invalid_request", []string{"dry_run has the wrong type"}},
		{"type error and bad action", map[string]any{"user_identifier": "jane@example.com", "dry_run": true,
			"policy": "rules:\n  - when: country > 3\n    action: block\n"}, 400, "invalid_policy",
			[]string{"2 problem(s)", `line 2: rules[0]: action "block"`, "line 2: rules[0]: `country > 3`: found no matching overload"}},
		{"cost bomb", map[string]any{"user_identifier": "jane@example.com", "dry_run": true,
			"policy": "rules:\n  - when: acr_requested.all(a, acr_requested.all(b, acr_requested.all(c, acr_requested.all(d, a+b+c+d != ''))))\n    action: deny\n"},
			400, "invalid_policy", []string{"may cost up to"}},
		{"deep nesting", map[string]any{"user_identifier": "jane@example.com", "dry_run": true,
			"policy": "rules:\n  - when: '" + strings.Repeat("(", 200) + "true" + strings.Repeat(")", 200) + "'\n    action: deny\n"},
			400, "invalid_policy", []string{"rules[0]"}},
		{"not yaml", map[string]any{"user_identifier": "jane@example.com", "dry_run": true, "policy": "rules: [unclosed"}, 400, "invalid_policy", []string{"problem"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, out := e.call("POST", "/v1/risk/evaluate", tokenA, tt.body)
			require.Equal(t, tt.status, resp.StatusCode, "%v", out)
			require.Equal(t, tt.code, out["error"])
			for _, h := range tt.has {
				require.Contains(t, out["message"], h)
			}
		})
	}
}
