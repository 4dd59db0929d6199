package config

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAPIDefaults(t *testing.T) {
	c, err := Parse("t.yaml", []byte(`
dev: true
api:
  clients:
    - id: descope
      token: 0123456789abcdef0123
  hooks:
    secret: s
    owner: descope
    rules:
      - event: user.created
      - event: LoginSucceed
        action: record_login
      - event: user.login.started
        action: start_stepup
`))
	require.NoError(t, err)
	a := c.API
	require.Equal(t, 300, a.Clients[0].RateLimit)
	require.Equal(t, "start_idv", a.Hooks.Rules[0].Action)
	require.Equal(t, 8, a.Webhooks.MaxAttempts)
	require.Greater(t, a.Webhooks.Lease, a.Webhooks.Timeout)
	require.Positive(t, a.PollInterval)
	require.EqualValues(t, 64<<10, a.MaxBodyBytes)
	require.True(t, a.Clients[0].CheckToken("0123456789abcdef0123"))
	require.False(t, a.Clients[0].CheckToken("0123456789abcdef012"))
	require.False(t, a.Clients[0].CheckToken(""))
}

func TestAPISecretsFromEnv(t *testing.T) {
	t.Setenv("IDB_API_TOKEN", "env-token-0123456789abcdef")
	t.Setenv("IDB_HOOK_SECRET", "hook:secret#1")
	c, err := Parse("t.yaml", []byte(`
dev: true
api:
  clients:
    - id: descope
      token: ${IDB_API_TOKEN}
      hmac_secret: ${IDB_HOOK_SECRET}
  hooks:
    secret: ${IDB_HOOK_SECRET}
`))
	require.NoError(t, err)
	require.True(t, c.API.Clients[0].CheckToken("env-token-0123456789abcdef"))
	require.Equal(t, "hook:secret#1", c.API.Clients[0].HMACSecret)
	require.Equal(t, "hook:secret#1", c.API.Hooks.Secret)
}

func TestAPITokenHash(t *testing.T) {
	sum := sha256.Sum256([]byte("correct-horse-battery"))
	cl := APIClient{ID: "x", TokenHash: "sha256:" + hex.EncodeToString(sum[:])}
	require.True(t, cl.CheckToken("correct-horse-battery"))
	require.False(t, cl.CheckToken("correct-horse-batter"))
	require.False(t, cl.CheckToken(cl.TokenHash))
	require.False(t, APIClient{ID: "x", TokenHash: "sha256:zz"}.CheckToken("a"))
}

func TestAPIValidation(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{name: "client problems", yaml: `
api:
  clients:
    - token: 0123456789abcdef0123
    - id: a
    - id: a
      token: short
    - id: b
      token: 0123456789abcdef0123
      token_hash: sha256:00
      rate_limit: -1
    - id: c
      token_hash: md5:abc
`, want: []string{
			"api.clients[0].id: required",
			"api.clients[1].token: required (or token_hash)",
			`api.clients[2].id: "a" is used twice`,
			"api.clients[2].token: too short",
			"api.clients[3].token: set token or token_hash, not both",
			"api.clients[3].rate_limit: -1 must not be negative",
			`api.clients[4].token_hash: want "sha256:<hex>"`,
		}},
		{name: "webhook problems", yaml: `
api:
  webhooks:
    endpoints:
      - url: ftp://x
        events: [idv.completed, user.deleted]
    max_attempts: -2
    timeout: 1m
    lease: 30s
    backoff: 10s
    max_backoff: 1s
`, want: []string{
			`api.webhooks.endpoints[0].url: "ftp://x" must be an absolute http(s) URL`,
			"api.webhooks.endpoints[0].secret: required",
			`api.webhooks.endpoints[0].events[1]: "user.deleted" is not one of idv.completed, idv.failed, stepup.completed`,
			"api.webhooks.max_attempts: -2 must be at least 1",
			"api.webhooks.max_backoff: 1s is shorter than backoff 10s",
			"api.webhooks.lease: 30s must be longer than timeout 1m0s",
		}},
		{name: "hook problems", yaml: `
api:
  hooks:
    owner: nobody
    rules:
      - event: ""
        action: delete_user
      - event: LoginSucceed
        action: record_login
        unless_verified: true
`, want: []string{
			"api.hooks.secret: required when rules are set",
			"api.hooks.rules[0].event: required",
			`api.hooks.rules[0].action: "delete_user" is not one of start_idv, start_stepup, record_login`,
			"api.hooks.rules[1].unless_verified: only start_idv rules skip verified people",
			`api.hooks.owner: "nobody" is not an api.clients id`,
		}},
		{name: "hook rules without an owner", yaml: `
api:
  hooks:
    secret: s
    rules:
      - event: user.created
`, want: []string{"api.hooks.owner: required when rules are set"}},
		{name: "limits", yaml: `
api:
  max_body_bytes: 10
  poll_interval: -1s
`, want: []string{
			"api.max_body_bytes: 10 is below 1024",
			"api.poll_interval: -1s must be positive",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte("dev: true\n"+tt.yaml))
			require.Error(t, err)
			var ce *Error
			require.ErrorAs(t, err, &ce)
			for _, w := range tt.want {
				found := false
				for _, p := range ce.Problems {
					if strings.HasPrefix(p, w) {
						found = true
					}
				}
				require.True(t, found, "missing %q in\n%s", w, strings.Join(ce.Problems, "\n"))
			}
			require.Len(t, ce.Problems, len(tt.want), "%s", strings.Join(ce.Problems, "\n"))
		})
	}
}
