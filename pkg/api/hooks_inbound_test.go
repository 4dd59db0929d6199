package api

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func (e *env) hook(body string, sig string) (int, map[string]any) {
	e.t.Helper()
	hdr := []string{}
	if sig != "" {
		hdr = []string{SignatureHeader, sig}
	}
	resp, out := e.call("POST", "/v1/hooks/descope", "", body, hdr...)
	return resp.StatusCode, out
}

func TestDescopeHook(t *testing.T) {
	e := newEnv(t, nil)
	created := `{"id":"evt-1","type":"user.created","data":{"user":{"loginIds":["ada@example.com"],"email":"ada@example.com"}}}`

	status, out := e.hook(created, "")
	require.Equal(t, 401, status)
	require.Equal(t, "unauthorized", out["error"])
	status, out = e.hook(created, Sign("wrong", []byte(created)))
	require.Equal(t, 401, status)
	require.Equal(t, "invalid_signature", out["error"])

	status, out = e.hook(created, Sign(hookKey, []byte(created)))
	require.Equal(t, 200, status, "%v", out)
	require.Equal(t, "start_idv", out["action"])
	require.Equal(t, "evt-1", out["event_id"])
	require.Equal(t, "user.created", out["event_type"])
	require.Contains(t, out["session_url"], "/idproofing/session/")
	id := out["session_id"].(string)

	// The configured owner reads the session the hook started.
	resp, res := e.call("GET", "/v1/idv/sessions/"+id, tokenA, nil)
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "pending", res["status"])

	// The same event again is a replay.
	status, out = e.hook(created, Sign(hookKey, []byte(created)))
	require.Equal(t, 409, status)
	require.Equal(t, "replayed_event", out["error"])

	// Stored raw and sealed.
	raw, err := e.st.Get(context.Background(), "api:hook:{"+hashHex("evt-1")+"}")
	require.NoError(t, err)
	require.NotContains(t, string(raw), "ada@example.com")
	var stored rawHook
	require.NoError(t, e.srv.getRecord(context.Background(), "api:hook:{"+hashHex("evt-1")+"}", &stored))
	require.JSONEq(t, created, string(stored.Body))
}

func TestDescopeHookParsing(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		action string
		reason string
	}{
		{name: "audit webhook shape", body: `{"auditId":"a-1","action":"user.created","loginId":"bo@example.com"}`, action: "start_idv"},
		{name: "other event type", body: `{"id":"e-2","type":"user.login.started","data":{"loginId":"bo@example.com"}}`, action: "none"},
		{name: "no user", body: `{"id":"e-3","type":"user.created"}`, action: "none", reason: "the event names no user"},
		{name: "no id: body hash", body: `{"type":"USER.CREATED","user":{"loginId":"cy@example.com"}}`, action: "start_idv"},
		{name: "unexpected shapes ignored", body: `{"id":7,"type":["user.created"],"data":"x","user":{"loginIds":[1,"dee@example.com"]}}`, action: "start_idv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			status, out := e.hook(tt.body, Sign(hookKey, []byte(tt.body)))
			require.Equal(t, 200, status, "%v", out)
			require.Equal(t, tt.action, out["action"])
			if tt.reason != "" {
				require.Equal(t, tt.reason, out["reason"])
			}
		})
	}
}

func TestDescopeHookErrors(t *testing.T) {
	e := newEnv(t, nil)
	for _, body := range []string{`[1]`, `{"a":`} {
		status, out := e.hook(body, Sign(hookKey, []byte(body)))
		require.Equal(t, 400, status)
		require.Equal(t, "invalid_request", out["error"])
	}

	unless := newEnv(t, nil, withConfig(func(c *Options) { c.Hooks.Rules[0].UnlessVerified = true }))
	unless.enroll("jane@example.com", "jane-doe")
	body := `{"id":"e-9","type":"user.created","loginId":"jane@example.com"}`
	status, out := unless.hook(body, Sign(hookKey, []byte(body)))
	require.Equal(t, 200, status)
	require.Equal(t, "none", out["action"])
	require.Equal(t, "already_verified", out["reason"])

	off := newEnv(t, nil, withConfig(func(c *Options) { c.Hooks = Hooks{} }))
	status, out = off.hook(body, Sign("", []byte(body)))
	require.Equal(t, 404, status)
	require.Equal(t, "not_found", out["error"])
}
