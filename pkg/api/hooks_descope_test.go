package api

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// sample reads a Descope event body from testdata/descope (README.md there
// names each one's source).
func sample(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "descope", name))
	require.NoError(t, err)
	return string(raw)
}

// edit changes members of a JSON object body.
func edit(t *testing.T, body string, set map[string]any) string {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &m))
	for k, v := range set {
		m[k] = v
	}
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return string(out)
}

func TestDescopeEventShapes(t *testing.T) {
	tests := []struct {
		file, typ, source, user, ip string
	}{
		{"audit_user_created.json", "user.created", "UserCreated", "ada@example.com", "203.0.113.7"},
		{"audit_login_started.json", "user.login.started", "LoginStarted", "ada@example.com", "198.51.100.9"},
		{"audit_login_succeed.json", "user.login.succeeded", "LoginSucceed", "ada@example.com", "198.51.100.9"},
		{"user_event_created.json", "user.created", "", "ada@example.com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body := sample(t, tt.file)
			var root map[string]any
			require.NoError(t, json.Unmarshal([]byte(body), &root))
			ev := parseHook(root, compactJSON([]byte(body)))
			require.Equal(t, tt.typ, ev.Type, "an audit record's type is its severity, not its kind")
			require.Equal(t, tt.source, ev.Source)
			require.Equal(t, tt.user, ev.UserIdentifier, "the login id, never Descope's user id")
			require.Equal(t, tt.ip, ev.IP)
			require.True(t, strings.HasPrefix(ev.ID, "sha256:"), "Descope's records carry no id")
		})
	}
}

// descopeRules: registration verifies, a login about to start steps up,
// a login that succeeded teaches the risk policy.
func descopeRules(c *Options) {
	c.Hooks.Rules = []HookRule{
		{Event: "UserCreated", Action: "start_idv", UnlessVerified: true},
		{Event: "user.login.started", Action: "start_stepup"},
		{Event: "LoginSucceed", Action: "record_login"},
	}
}

func TestDescopeAuditWebhookActions(t *testing.T) {
	e := newEnv(t, nil, withConfig(descopeRules))
	send := func(body string) (int, map[string]any) { return e.hook(body, Sign(hookKey, []byte(body))) }

	// After registration: an identity verification the owner can read.
	status, out := send(sample(t, "audit_user_created.json"))
	require.Equal(t, 200, status, "%v", out)
	require.Equal(t, "start_idv", out["action"])
	require.Equal(t, "user.created", out["event_type"])
	require.Equal(t, "UserCreated", out["descope_action"])
	resp, res := e.call("GET", "/v1/idv/sessions/"+out["session_id"].(string), tokenA, nil)
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "pending", res["status"])
	status, out = send(sample(t, "audit_user_created.json"))
	require.Equal(t, 409, status, "the same record again is a replay")
	require.Equal(t, "replayed_event", out["error"])

	// Before login: nobody to step up until the person is enrolled.
	started := sample(t, "audit_login_started.json")
	status, out = send(started)
	require.Equal(t, 200, status, "%v", out)
	require.Equal(t, "none", out["action"])
	require.Equal(t, "unknown_user", out["reason"])
	e.enroll("ada@example.com", "jane-doe")
	status, out = send(edit(t, started, map[string]any{"occurred": "1767272401000"}))
	require.Equal(t, 200, status, "%v", out)
	require.Equal(t, "start_stepup", out["action"])
	resp, res = e.call("GET", "/v1/stepup/challenges/"+out["challenge_id"].(string), tokenA, nil)
	require.Equal(t, 200, resp.StatusCode, "%v", res)
	require.Equal(t, "pending", res["match_result"])
	resp, _ = e.call("GET", "/v1/stepup/challenges/"+out["challenge_id"].(string), tokenB, nil)
	require.Equal(t, 404, resp.StatusCode, "only the hook owner reads it")

	// A verified person is not sent through verification again.
	status, out = send(edit(t, sample(t, "audit_user_created.json"), map[string]any{"occurred": "1767268800001"}))
	require.Equal(t, 200, status, "%v", out)
	require.Equal(t, "already_verified", out["reason"])

	// A login Descope reports makes its network and country familiar.
	where := map[string]any{"user_identifier": "ada@example.com", "ip": "198.51.100.9"}
	_, before := e.call("POST", "/v1/risk/evaluate", tokenA, where)
	require.Contains(t, before["reasons"], "unfamiliar_network", "%v", before)
	status, out = send(sample(t, "audit_login_succeed.json"))
	require.Equal(t, 200, status, "%v", out)
	require.Equal(t, "record_login", out["action"])
	_, after := e.call("POST", "/v1/risk/evaluate", tokenA, where)
	require.NotContains(t, after["reasons"], "unfamiliar_network", "%v", after)
	require.NotContains(t, after["reasons"], "country_change", "%v", after)
}

func TestDescopeHookHostileAndOddBodies(t *testing.T) {
	e := newEnv(t, nil, withConfig(descopeRules))
	e.enroll("ada@example.com", "jane-doe")
	send := func(body string) (int, map[string]any) { return e.hook(body, Sign(hookKey, []byte(body))) }
	succeed := sample(t, "audit_login_succeed.json")

	tests := []struct {
		name   string
		body   string
		sig    string
		status int
		check  func(t *testing.T, out map[string]any)
	}{
		{name: "signed by someone else", body: succeed, sig: Sign("not-the-secret", []byte(succeed)), status: 401},
		{name: "another body under the record's signature", body: edit(t, succeed, map[string]any{"remoteAddress": "192.0.2.1"}), sig: Sign(hookKey, []byte(succeed)), status: 401},
		{name: "no address to record", body: edit(t, succeed, map[string]any{"remoteAddress": "not-an-ip"}), status: 200, check: func(t *testing.T, out map[string]any) {
			require.Equal(t, "none", out["action"])
			require.Contains(t, out["reason"], "no IP address")
		}},
		{name: "a login id with control characters", body: edit(t, succeed, map[string]any{"externalIds": []string{"ada\n@example.com"}}), status: 200, check: func(t *testing.T, out map[string]any) {
			require.Equal(t, "the event names no user", out["reason"])
		}},
		{name: "an action no rule names", body: edit(t, succeed, map[string]any{"action": "UserDeleted"}), status: 200, check: func(t *testing.T, out map[string]any) {
			require.Equal(t, "user.deleted", out["event_type"])
			require.Equal(t, "none", out["action"])
		}},
		{name: "a batch: each event once", body: "[" + succeed + "," + edit(t, succeed, map[string]any{"occurred": "1767272470000"}) + "]", status: 200, check: func(t *testing.T, out map[string]any) {
			evs := out["events"].([]any)
			require.Len(t, evs, 2)
			require.Equal(t, "replayed_event", evs[0].(map[string]any)["reason"], "recorded in an earlier case")
			require.Equal(t, "record_login", evs[1].(map[string]any)["action"])
		}},
		{name: "a batch of non-objects", body: `[{"action":"LoginSucceed"}, 7]`, status: 400},
		{name: "an empty batch", body: `[]`, status: 400},
		{name: "a batch too large", body: "[" + strings.TrimSuffix(strings.Repeat(`{"a":1},`, 101), ",") + "]", status: 400},
	}
	// The record itself first, so the batch finds it seen.
	status, out := send(succeed)
	require.Equal(t, 200, status, "%v", out)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig := tt.sig
			if sig == "" {
				sig = Sign(hookKey, []byte(tt.body))
			}
			status, out := e.hook(tt.body, sig)
			require.Equal(t, tt.status, status, "%v", out)
			if tt.check != nil {
				tt.check(t, out)
			}
		})
	}
}

// Descope signs the JSON string of the event: the same record sent
// indented verifies, and is the same event for replays.
func TestDescopeHookSignatureOverTheJSONString(t *testing.T) {
	e := newEnv(t, nil, withConfig(descopeRules))
	created := sample(t, "audit_user_created.json")
	var buf bytes.Buffer
	require.NoError(t, json.Compact(&buf, []byte(created)))
	compact := buf.Bytes()
	sig := Sign(hookKey, compact)
	status, out := e.hook(created, sig) // the file is indented
	require.Equal(t, 200, status, "%v", out)
	require.Equal(t, "start_idv", out["action"])
	status, out = e.hook(string(compact), sig)
	require.Equal(t, 409, status, "%v", out)
}
