package api

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// enroll verifies a person known by ident through the API.
func (e *env) enroll(ident, fixture string) {
	e.t.Helper()
	id := e.createIDV(tokenA, map[string]any{"user_identifier": ident})
	require.NoError(e.t, e.sim.Complete(e.upstream(id), simulator.CompleteOptions{Fixture: fixture}))
	_, out := e.call("GET", "/v1/idv/sessions/"+id, tokenA, nil)
	require.Equal(e.t, "completed", out["status"])
}

func TestStepUpNeedsEnrolledUser(t *testing.T) {
	e := newEnv(t, nil)
	resp, out := e.call("POST", "/v1/stepup/challenges", tokenA, map[string]any{"user_identifier": "nobody@example.com"})
	require.Equal(t, 404, resp.StatusCode)
	require.Equal(t, "unknown_user", out["error"])

	u, err := e.users.Create(context.Background())
	require.NoError(t, err)
	require.NoError(t, e.users.AddIdentifier(context.Background(), u.Subject, e.ident("a", "new@example.com")))
	resp, out = e.call("POST", "/v1/stepup/challenges", tokenA, map[string]any{"user_identifier": "new@example.com"})
	require.Equal(t, 409, resp.StatusCode)
	require.Equal(t, "not_enrolled", out["error"])

	resp, out = e.call("POST", "/v1/stepup/challenges", tokenA, map[string]any{})
	require.Equal(t, 400, resp.StatusCode)
	require.Equal(t, "invalid_request", out["error"])
}

func TestStepUpChallenge(t *testing.T) {
	tests := []struct {
		name   string
		act    func(sim *simulator.Simulator, up string) error
		status string
		match  string
	}{
		{name: "enrolled face matches", act: func(sim *simulator.Simulator, up string) error {
			return sim.CompleteLiveID(up, simulator.LiveIDOptions{Match: true})
		}, status: "completed", match: "match"},
		{name: "another face", act: func(sim *simulator.Simulator, up string) error {
			return sim.CompleteLiveID(up, simulator.LiveIDOptions{Match: false})
		}, status: "completed", match: "no_match"},
		{name: "declined", act: func(sim *simulator.Simulator, up string) error { return sim.Decline(up) }, status: "declined", match: "no_match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.enroll("jane@example.com", "jane-doe")
			resp, out := e.call("POST", "/v1/stepup/challenges", tokenA, map[string]any{"user_identifier": "jane@example.com"})
			require.Equal(t, 201, resp.StatusCode, "%v", out)
			require.Regexp(t, `^chl_`, out["challenge_id"])
			require.NotEmpty(t, out["challenge_url"])
			require.NotEmpty(t, out["expires_at"])
			id := out["challenge_id"].(string)

			_, out = e.call("GET", "/v1/stepup/challenges/"+id, tokenA, nil)
			require.Equal(t, "pending", out["status"])
			require.Equal(t, "pending", out["match_result"])

			_, foreign := e.call("GET", "/v1/stepup/challenges/"+id, tokenB, nil)
			require.Equal(t, "not_found", foreign["error"])

			require.NoError(t, tt.act(e.sim, e.upstream(id)))
			_, out = e.call("GET", "/v1/stepup/challenges/"+id, tokenA, nil)
			require.Equal(t, tt.status, out["status"])
			require.Equal(t, tt.match, out["match_result"])
			if tt.match == "match" {
				require.Greater(t, out["confidence"].(float64), 0.5)
			}
		})
	}
}
