package api

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// TestIDVNodeInputsTakeEffect: every document_types entry can be
// presented, and liveness_mode takes only what 1Kosmos can honour.
func TestIDVNodeInputsTakeEffect(t *testing.T) {
	e := newEnv(t, nil)
	id := e.createIDV(tokenA, map[string]any{"document_types": []string{"passport", "national_id", "passport"}})
	up := e.upstream(id)
	require.ErrorIs(t, e.sim.Complete(up, simulator.CompleteOptions{DocumentType: idv.DriversLicense}), idv.ErrInvalidInput,
		"a licence was not requested")
	require.NoError(t, e.sim.Complete(up, simulator.CompleteOptions{Fixture: "marie-martin", DocumentType: idv.IDCard}),
		"the second entry takes effect, not only the first")
	_, out := e.call("GET", "/v1/idv/sessions/"+id, tokenA, nil)
	require.Equal(t, "completed", out["status"])
	require.Equal(t, "ppt_object", out["document_type"], "the session starts with the first")

	for _, tc := range []struct {
		name string
		body map[string]any
		code string
		msg  []string
	}{
		{name: "active liveness cannot be honoured", body: map[string]any{"liveness_mode": "active"}, code: "invalid_request",
			msg: []string{`liveness_mode "active" cannot be honoured by 1Kosmos`, "accepted values: passive"}},
		{name: "no liveness cannot be honoured", body: map[string]any{"liveness_mode": "none"}, code: "invalid_request", msg: []string{"accepted values: passive"}},
		{name: "hostile liveness value is not echoed whole", body: map[string]any{"liveness_mode": "<script>" + strings.Repeat("x", 500)},
			code: "invalid_request", msg: []string{"accepted values: passive"}},
		{name: "liveness of the wrong type", body: map[string]any{"liveness_mode": 7}, code: "invalid_request"},
		{name: "an unknown document among known ones", body: map[string]any{"document_types": []string{"passport", "library_card"}},
			code: "unsupported_document_type", msg: []string{"dl_object, ppt_object or idcard_object"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := e.call("POST", "/v1/idv/sessions", tokenA, tc.body)
			require.Equal(t, 400, resp.StatusCode, "%v", out)
			require.Equal(t, tc.code, out["error"])
			for _, m := range tc.msg {
				require.Contains(t, out["message"], m)
			}
			require.NotContains(t, out["message"], strings.Repeat("x", 100))
			require.NotContains(t, out["message"], "<script>x")
		})
	}
	for _, mode := range []string{"", "passive", " PASSIVE "} {
		resp, out := e.call("POST", "/v1/idv/sessions", tokenA, map[string]any{"liveness_mode": mode})
		require.Equal(t, 201, resp.StatusCode, "%q: %v", mode, out)
	}
}
