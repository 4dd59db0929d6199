package oidc

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// silentCode signs browser c in again without interaction (its SSO session
// is live) and returns the new code.
func (h *harness) silentCode(c *http.Client, clientID string, extra ...string) string {
	h.t.Helper()
	back := h.authorize(c, authParams(clientID, append([]string{"prompt", "none"}, extra...)...))
	require.NotNil(h.t, back.rpURL, back.body)
	code := back.rpURL.Query().Get("code")
	require.NotEmpty(h.t, code, back.rpURL.String())
	return code
}

// TestReplayRevocationCoversTheConcurrentWinner redeems each of 50 codes
// twice at once, once on each replica: whichever redemption took the code,
// the replay revokes what it issued, even when the winner stores its
// tokens after the revocation ran.
func TestReplayRevocationCoversTheConcurrentWinner(t *testing.T) {
	rs := newReplicas(t)
	rs.on(0)
	rs.idvLogin(rs.browser, authParams("rp"), simulator.CompleteOptions{})
	for round := range 50 {
		code := rs.silentCode(rs.browser, "rp")
		type answer struct {
			status int
			body   map[string]any
		}
		var answers [2]answer
		var wg sync.WaitGroup
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[i].status, answers[i].body = postForm(t, rs.direct[i].URL+PathToken, codeForm(code), "rp", "rp-secret", "")
			}()
		}
		wg.Wait()
		took := 0
		for i, a := range answers {
			if a.status == http.StatusOK {
				took++
				access, _ := a.body["access_token"].(string)
				status, _ := postForm(t, rs.direct[i].URL+PathUserinfo, url.Values{}, "", "", access)
				require.Equal(t, http.StatusUnauthorized, status, "round %d: the winner's access token survived the replay's revocation", round)
				continue
			}
			require.Equal(t, http.StatusBadRequest, a.status, "round %d: %v", round, a.body)
			require.Equal(t, "invalid_grant", a.body["error"], "round %d", round)
			if strings.Contains(a.body["error_description"].(string), "presented twice") {
				took++
			}
		}
		require.Equal(t, 1, took, "round %d: exactly one redemption took the code: %v", round, answers)
	}
}
