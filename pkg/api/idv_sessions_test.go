package api

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

func TestIDVSessionLifecycle(t *testing.T) {
	e := newEnv(t, nil)
	var logs bytes.Buffer
	e.srv.log = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	resp, out := e.call("POST", "/v1/idv/sessions", tokenA, map[string]any{
		"document_types": []string{"passport"}, "liveness_mode": "active",
		"user_identifier": "erika@example.com", "return_url": "https://rp.example/done",
	})
	require.Equal(t, 201, resp.StatusCode)
	require.Regexp(t, `^idv_[A-Za-z0-9_-]{24}$`, out["session_id"])
	require.Contains(t, out["session_url"], "/idproofing/session/")
	require.NotEmpty(t, out["expires_at"])
	require.Equal(t, "pending", out["status"])
	id := out["session_id"].(string)

	resp, out = e.call("GET", "/v1/idv/sessions/"+id, tokenA, nil)
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "pending", out["status"])
	require.EqualValues(t, 1, out["ial_level"])
	require.Equal(t, "ppt_object", out["document_type"])
	require.Equal(t, "https://rp.example/done", out["return_url"])
	require.NotContains(t, out, "verified_claims")

	// The result endpoint notices completion itself, without the poller.
	require.NoError(t, e.sim.Complete(e.upstream(id), simulator.CompleteOptions{Fixture: "erika-mustermann"}))
	resp, out = e.call("GET", "/v1/idv/sessions/"+id, tokenA, nil)
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "completed", out["status"])
	require.Equal(t, "passed", out["verification"])
	require.EqualValues(t, 2, out["ial_level"])
	require.Equal(t, "Erika", out["given_name"])
	require.Equal(t, "Mustermann", out["family_name"])
	require.Equal(t, "1983-08-12", out["birthdate"])
	vc := out["verified_claims"].(map[string]any)
	require.Contains(t, vc, "verification")
	require.Contains(t, vc, "claims")

	// The identifier now finds the same person the provider would.
	u, err := e.users.FindByIdentifier(context.Background(), e.ident("a", "erika@example.com"))
	require.NoError(t, err)
	require.Equal(t, out["sub"], u.Subject)

	// Logs name sessions, never the person.
	require.Contains(t, logs.String(), id)
	for _, personal := range []string{"erika@example.com", "Mustermann", "1983-08-12", "C01X00T47"} {
		require.NotContains(t, logs.String(), personal)
	}
	// Records at rest are sealed.
	raw, err := e.st.Get(context.Background(), sessionKey(id))
	require.NoError(t, err)
	require.NotContains(t, string(raw), "erika@example.com")
}

func TestIDVOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		act     func(e *env, upstream string) error
		status  string
		reason  string
		ial     int
		enrolls bool
	}{
		{name: "expired document fails", act: func(e *env, up string) error {
			return e.sim.Complete(up, simulator.CompleteOptions{Fixture: "tom-expired"})
		}, status: "failed", reason: "document expired", ial: 1},
		{name: "spoofed selfie fails", act: func(e *env, up string) error {
			return e.sim.Complete(up, simulator.CompleteOptions{Fixture: "sam-spoof"})
		}, status: "failed", reason: "liveness", ial: 1},
		{name: "declined", act: func(e *env, up string) error { return e.sim.Decline(up) }, status: "declined", ial: 1},
		{name: "passed", act: func(e *env, up string) error {
			return e.sim.Complete(up, simulator.CompleteOptions{Fixture: "marie-martin"})
		}, status: "completed", ial: 2, enrolls: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			id := e.createIDV(tokenA, map[string]any{"user_identifier": "p@example.com"})
			require.NoError(t, tt.act(e, e.upstream(id)))
			_, out := e.call("GET", "/v1/idv/sessions/"+id, tokenA, nil)
			require.Equal(t, tt.status, out["status"])
			require.EqualValues(t, tt.ial, out["ial_level"])
			if tt.reason != "" {
				require.Contains(t, out["reason"], tt.reason)
			}
			u, err := e.users.FindByIdentifier(context.Background(), e.ident("a", "p@example.com"))
			if tt.enrolls {
				require.NoError(t, err)
				require.True(t, u.Enrolled())
			} else {
				require.Error(t, err, "no user is created for an unverified person")
			}
		})
	}
}

func TestDocumentTakenFailsSecondPerson(t *testing.T) {
	e := newEnv(t, nil)
	first := e.createIDV(tokenA, map[string]any{"user_identifier": "jane@example.com"})
	require.NoError(t, e.sim.Complete(e.upstream(first), simulator.CompleteOptions{Fixture: "jane-doe"}))
	_, out := e.call("GET", "/v1/idv/sessions/"+first, tokenA, nil)
	require.Equal(t, "completed", out["status"])

	// Another relying-party account, already known, presents Jane's licence.
	other, err := e.users.Create(context.Background())
	require.NoError(t, err)
	require.NoError(t, e.users.AddIdentifier(context.Background(), other.Subject, e.ident("a", "mallory@example.com")))
	second := e.createIDV(tokenA, map[string]any{"user_identifier": "mallory@example.com"})
	require.NoError(t, e.sim.Complete(e.upstream(second), simulator.CompleteOptions{Fixture: "jane-doe"}))
	_, out = e.call("GET", "/v1/idv/sessions/"+second, tokenA, nil)
	require.Equal(t, "failed", out["status"])
	require.Contains(t, out["reason"], "another person")
	require.NotContains(t, out, "given_name")

	// Without an identifier the document finds Jane again.
	third := e.createIDV(tokenA, nil)
	require.NoError(t, e.sim.Complete(e.upstream(third), simulator.CompleteOptions{Fixture: "jane-doe"}))
	_, out3 := e.call("GET", "/v1/idv/sessions/"+third, tokenA, nil)
	require.Equal(t, "completed", out3["status"])
	jane, err := e.users.FindByIdentifier(context.Background(), e.ident("a", "jane@example.com"))
	require.NoError(t, err)
	require.Equal(t, jane.Subject, out3["sub"])
}

func TestForeignAndUnknownIDs(t *testing.T) {
	e := newEnv(t, nil)
	idv := e.createIDV(tokenA, nil)
	for _, tt := range []struct{ name, path, token string }{
		{"other caller's session", "/v1/idv/sessions/" + idv, tokenB},
		{"unknown session", "/v1/idv/sessions/idv_doesnotexist000000000000", tokenA},
		{"session id as challenge", "/v1/stepup/challenges/" + idv, tokenA},
		{"hash tag in id", "/v1/idv/sessions/%7Bx%7D", tokenA},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, out := e.call("GET", tt.path, tt.token, nil)
			require.Equal(t, 404, resp.StatusCode)
			require.Equal(t, "not_found", out["error"])
		})
	}
	// A foreign id and an unknown one are indistinguishable.
	_, foreign := e.call("GET", "/v1/idv/sessions/"+idv, tokenB, nil)
	_, unknown := e.call("GET", "/v1/idv/sessions/idv_x", tokenB, nil)
	require.Equal(t, unknown, foreign)
}

func TestIdempotencyKey(t *testing.T) {
	e := newEnv(t, nil)
	body := map[string]any{"document_types": []string{"passport"}}
	resp1, out1 := e.call("POST", "/v1/idv/sessions", tokenA, body, IdempotencyHeader, "k-1")
	require.Equal(t, 201, resp1.StatusCode)
	resp2, out2 := e.call("POST", "/v1/idv/sessions", tokenA, body, IdempotencyHeader, "k-1")
	require.Equal(t, 201, resp2.StatusCode)
	require.Equal(t, out1, out2)
	require.Equal(t, "true", resp2.Header.Get("Idempotent-Replayed"))

	resp3, out3 := e.call("POST", "/v1/idv/sessions", tokenA, map[string]any{"document_types": []string{"id_card"}}, IdempotencyHeader, "k-1")
	require.Equal(t, 422, resp3.StatusCode)
	require.Equal(t, "idempotency_key_reused", out3["error"])

	_, out4 := e.call("POST", "/v1/idv/sessions", tokenB, body, IdempotencyHeader, "k-1")
	require.NotEqual(t, out1["session_id"], out4["session_id"], "keys are per caller")
	_, out5 := e.call("POST", "/v1/idv/sessions", tokenA, body)
	require.NotEqual(t, out1["session_id"], out5["session_id"], "without a key every POST is new")

	// A failed request does not burn its key.
	resp6, _ := e.call("POST", "/v1/idv/sessions", tokenA, `{"document_types":["nope"]}`, IdempotencyHeader, "k-2")
	require.Equal(t, 400, resp6.StatusCode)
	resp7, _ := e.call("POST", "/v1/idv/sessions", tokenA, `{"document_types":["nope"]}`, IdempotencyHeader, "k-2")
	require.Equal(t, 400, resp7.StatusCode)
}

func TestIdempotencyKeyInProgress(t *testing.T) {
	e := newEnv(t, nil)
	k := "api:idem:{" + hashHex("a", "busy") + "}"
	placeholder, err := e.srv.encodeRecord(k, idemRecord{BodyHash: hashHex(`{}`), InProgress: true})
	require.NoError(t, err)
	require.NoError(t, e.st.Set(context.Background(), k, placeholder, inProgressTTL))
	resp, out := e.call("POST", "/v1/idv/sessions", tokenA, `{}`, IdempotencyHeader, "busy")
	require.Equal(t, 409, resp.StatusCode)
	require.Equal(t, "request_in_progress", out["error"])
	require.NotEmpty(t, resp.Header.Get("Retry-After"))
}
