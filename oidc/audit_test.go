package oidc

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
	"github.com/idbridge/idbridge/pkg/logtest"
)

// auditLines returns the audit lines of one event in a JSON log.
func auditLines(t *testing.T, log string, event string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		if m["msg"] == "audit" && m["audit"] == event {
			out = append(out, m)
		}
	}
	return out
}

// TestAuditLinesCarryTheClientAddressAsConfigured: a replayed code is an
// audit line naming where the replay came from (behind the trusted test
// edge), truncated by default and in full when configured.
func TestAuditLinesCarryTheClientAddressAsConfigured(t *testing.T) {
	for _, tt := range []struct {
		mode, want string
	}{
		{"", "203.0.113.0/24"},
		{"full", "203.0.113.9"},
	} {
		t.Run("mode "+tt.mode, func(t *testing.T) {
			var buf logtest.Buffer
			h := newHarnessOpts(t, harnessOpts{
				log:       slog.New(slog.NewJSONHandler(&buf, nil)),
				configure: func(c *config.Config) { c.Log.ClientAddress = tt.mode },
			})
			back := h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{})
			form := codeForm(back.Query().Get("code"))
			status, _ := postForm(t, h.srv.URL+PathToken, form, "rp", "rp-secret", "")
			require.Equal(t, http.StatusOK, status)

			req, err := http.NewRequest(http.MethodPost, h.srv.URL+PathToken, strings.NewReader(form.Encode()))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", "203.0.113.9")
			req.SetBasicAuth("rp", "rp-secret")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusBadRequest, resp.StatusCode)

			lines := auditLines(t, buf.String(), "oauth.code_replayed")
			require.Len(t, lines, 1, buf.String())
			require.Equal(t, tt.want, lines[0]["client_address"])
			require.Equal(t, "WARN", lines[0]["level"])
		})
	}
}
