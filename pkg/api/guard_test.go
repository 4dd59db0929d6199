package api

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/logtest"
	"github.com/idbridge/idbridge/pkg/storage"
)

// TestFailedAuthenticationIsLimitedPerAddress: after three failures from
// one address, every request from it is refused, valid credentials
// included and on the other replica too, while other addresses go on;
// each failure is an audit line with the address truncated.
func TestFailedAuthenticationIsLimitedPerAddress(t *testing.T) {
	// A fixed clock keeps the test inside one counting minute.
	at := time.Now().Truncate(time.Minute).Add(30 * time.Second)
	stores(t, func(t *testing.T, st func() storage.Store) {
		var logs logtest.Buffer
		a := newEnv(t, st(), withClock(func() time.Time { return at }), withLog(slog.New(slog.NewJSONHandler(&logs, nil))),
			withConfig(func(c *Options) { c.AuthFailuresPerMinute = 3 }))
		b := newEnvOn(t, a)
		from := func(ip string) []string { return []string{"X-Forwarded-For", ip} }
		body := `{"user_identifier":"x"}`

		for i, tok := range []string{"wrong-token-1", "wrong-token-2", ""} {
			resp, out := a.call("POST", "/v1/risk/evaluate", tok, body, from("203.0.113.5")...)
			require.Equal(t, 401, resp.StatusCode, "failure %d: %v", i+1, out)
		}
		for _, replica := range []*env{a, b} {
			resp, out := replica.call("POST", "/v1/risk/evaluate", tokenA, body, from("203.0.113.5")...)
			require.Equal(t, 429, resp.StatusCode, "blocked even with a valid token: %v", out)
			require.Equal(t, "too_many_failures", out["error"])
			require.NotEmpty(t, resp.Header.Get("Retry-After"))
		}
		resp, out := b.call("POST", "/v1/risk/evaluate", tokenA, body, from("198.51.100.7")...)
		require.Equal(t, 200, resp.StatusCode, "another address is not affected: %v", out)

		// Bad hook signatures count too.
		for range 4 {
			resp, _ = a.call("POST", "/v1/hooks/descope", "", `{"id":"e1","type":"user.created"}`, SignatureHeader, Sign("wrong", []byte("x")), "X-Forwarded-For", "198.51.100.8")
		}
		require.Equal(t, 429, resp.StatusCode)

		var failed int
		for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(line), &m), line)
			if m["audit"] == "api.auth_failed" && m["path"] == "POST /v1/risk/evaluate" {
				failed++
				require.Equal(t, "203.0.113.0/24", m["client_address"])
				require.Contains(t, []any{"invalid_token", "unauthorized"}, m["reason"])
			}
		}
		require.Equal(t, 3, failed, logs.String())
		require.NotContains(t, logs.String(), "wrong-token", "no credential reaches the log")
	})
}
