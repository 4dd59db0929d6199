package api

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// TestCancelEachJourney: the caller cancels an IDV session and a step-up
// challenge; the status is cancelled in the answer and every later read,
// the simulator's session is cancelled too, and a retried cancel gives the
// same answer.
func TestCancelEachJourney(t *testing.T) {
	e := newEnv(t, nil)
	e.enroll("jane@example.com", "jane-doe")
	_, ch := e.call("POST", "/v1/stepup/challenges", tokenA, map[string]any{"user_identifier": "jane@example.com"})
	tests := []struct {
		name, path string
		id         string
	}{
		{"idv", "/v1/idv/sessions/", e.createIDV(tokenA, nil)},
		{"stepup", "/v1/stepup/challenges/", ch["challenge_id"].(string)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, out := e.call("POST", tt.path+tt.id+"/cancel", tokenA, nil)
			require.Equal(t, 200, resp.StatusCode, "%v", out)
			require.Equal(t, "cancelled", out["status"])
			require.NotEmpty(t, out["completed_at"])
			_, read := e.call("GET", tt.path+tt.id, tokenA, nil)
			require.Equal(t, "cancelled", read["status"])
			if tt.name == "stepup" {
				require.Equal(t, "no_match", read["match_result"])
			}
			up := e.upstream(tt.id)
			var st idv.Status
			if tt.name == "stepup" {
				res, err := e.sim.LiveIDResult(context.Background(), up)
				require.NoError(t, err)
				st = res.Status
			} else {
				res, err := e.sim.IDVResult(context.Background(), up)
				require.NoError(t, err)
				st = res.Status
			}
			require.Equal(t, idv.StatusAbandoned, st, "cancelled upstream too")

			again, replay := e.call("POST", tt.path+tt.id+"/cancel", tokenA, nil)
			require.Equal(t, 200, again.StatusCode, "a retried cancel is harmless")
			require.Equal(t, out["completed_at"], replay["completed_at"])
		})
	}
}

// TestCancelRefusesHostileAndMalformedInput: other callers' ids, unknown
// ids, ids of the other kind and malformed ids answer 404; a session that
// already ended keeps its outcome (409); only POST cancels.
func TestCancelRefusesHostileAndMalformedInput(t *testing.T) {
	e := newEnv(t, nil)
	id := e.createIDV(tokenA, nil)
	for _, tt := range []struct{ name, path, token string }{
		{"other caller's session", "/v1/idv/sessions/" + id + "/cancel", tokenB},
		{"unknown session", "/v1/idv/sessions/idv_doesnotexist000000000000/cancel", tokenA},
		{"session id as challenge", "/v1/stepup/challenges/" + id + "/cancel", tokenA},
		{"hash tag in id", "/v1/idv/sessions/%7Bx%7D/cancel", tokenA},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, out := e.call("POST", tt.path, tt.token, nil)
			require.Equal(t, 404, resp.StatusCode)
			require.Equal(t, "not_found", out["error"])
		})
	}
	resp, _ := e.call("POST", "/v1/idv/sessions/"+id+"/cancel", "", nil)
	require.Equal(t, 401, resp.StatusCode)
	resp, _ = e.call("GET", "/v1/idv/sessions/"+id+"/cancel", tokenA, nil)
	require.Equal(t, 405, resp.StatusCode)
	require.Equal(t, "POST", resp.Header.Get("Allow"))
	_, out := e.call("GET", "/v1/idv/sessions/"+id, tokenA, nil)
	require.Equal(t, "pending", out["status"], "nothing above cancelled it")

	// Finished upstream but not yet read: the real outcome wins.
	require.NoError(t, e.sim.Complete(e.upstream(id), simulator.CompleteOptions{}))
	resp, out = e.call("POST", "/v1/idv/sessions/"+id+"/cancel", tokenA, nil)
	require.Equal(t, 409, resp.StatusCode, "%v", out)
	require.Equal(t, "session_ended", out["error"])
	_, out = e.call("GET", "/v1/idv/sessions/"+id, tokenA, nil)
	require.Equal(t, "completed", out["status"])
}
