package oidc

import (
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// offlineTokens signs in browser c with offline_access for client rp and
// redeems the code at base.
func (h *harness) offlineTokens(base string, code string) map[string]any {
	h.t.Helper()
	status, body := postForm(h.t, base+PathToken, codeForm(code), "rp", "rp-secret", "")
	require.Equal(h.t, http.StatusOK, status, body)
	require.NotEmpty(h.t, body["refresh_token"], body)
	return body
}

func refreshForm(rt string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
}

// TestReplayedRefreshTokenRevokesItsSuccessor: RFC 9700 4.14.2. Once a
// refresh token was rotated, presenting it again revokes the refresh and
// access tokens that descend from it; within the reuse interval it is only
// refused.
func TestReplayedRefreshTokenRevokesItsSuccessor(t *testing.T) {
	h := newHarness(t)
	back := h.idvLogin(h.browser, authParams("rp", "scope", "openid offline_access"), simulator.CompleteOptions{})
	first := h.offlineTokens(h.srv.URL, back.Query().Get("code"))

	status, second := postForm(t, h.srv.URL+PathToken, refreshForm(first["refresh_token"].(string)), "rp", "rp-secret", "")
	require.Equal(t, http.StatusOK, status, second)
	status, _ = postForm(t, h.srv.URL+PathUserinfo, url.Values{}, "", "", second["access_token"].(string))
	require.Equal(t, http.StatusOK, status, "the successor works before the replay")

	status, retry := postForm(t, h.srv.URL+PathToken, refreshForm(first["refresh_token"].(string)), "rp", "rp-secret", "")
	require.Equal(t, http.StatusBadRequest, status, retry)
	require.Equal(t, "invalid_grant", retry["error"])
	status, _ = postForm(t, h.srv.URL+PathUserinfo, url.Values{}, "", "", second["access_token"].(string))
	require.Equal(t, http.StatusOK, status, "a retry within the reuse interval is refused but revokes nothing")

	h.clock.Advance(refreshReuseInterval) // a replay, not the client's own concurrent retry
	status, replay := postForm(t, h.srv.URL+PathToken, refreshForm(first["refresh_token"].(string)), "rp", "rp-secret", "")
	require.Equal(t, http.StatusBadRequest, status, replay)
	require.Equal(t, "invalid_grant", replay["error"])

	status, _ = postForm(t, h.srv.URL+PathUserinfo, url.Values{}, "", "", second["access_token"].(string))
	require.Equal(t, http.StatusUnauthorized, status, "the successor's access token is revoked")
	status, after := postForm(t, h.srv.URL+PathToken, refreshForm(second["refresh_token"].(string)), "rp", "rp-secret", "")
	require.Equal(t, http.StatusBadRequest, status, after)
	require.Equal(t, "invalid_grant", after["error"], "the successor refresh token is revoked")
}

// TestConcurrentRefreshesAcrossReplicas: of two refreshes of one token at
// once, one on each replica, one succeeds and the other is invalid_grant,
// never a server error.
func TestConcurrentRefreshesAcrossReplicas(t *testing.T) {
	rs := newReplicas(t)
	rs.on(0)
	back := rs.idvLogin(rs.browser, authParams("rp", "scope", "openid offline_access"), simulator.CompleteOptions{})
	rt := rs.offlineTokens(rs.direct[0].URL, back.Query().Get("code"))["refresh_token"].(string)
	for round := range 20 {
		var statuses [2]int
		var bodies [2]map[string]any
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i], bodies[i] = postForm(t, rs.direct[i].URL+PathToken, refreshForm(rt), "rp", "rp-secret", "")
			}()
		}
		wg.Wait()
		wins := 0
		for i := range 2 {
			switch statuses[i] {
			case http.StatusOK:
				wins++
				rt = bodies[i]["refresh_token"].(string)
			case http.StatusBadRequest:
				require.Equal(t, "invalid_grant", bodies[i]["error"], "round %d: %v", round, bodies[i])
			default:
				t.Fatalf("round %d: status %d %v", round, statuses[i], bodies[i])
			}
		}
		require.Equal(t, 1, wins, "round %d: %v", round, bodies)
	}
}

func TestRefreshWithoutClientAuthenticationIsInvalidClient(t *testing.T) {
	h := newHarness(t)
	back := h.idvLogin(h.browser, authParams("rp", "scope", "openid offline_access"), simulator.CompleteOptions{})
	rt := h.offlineTokens(h.srv.URL, back.Query().Get("code"))["refresh_token"].(string)
	tests := []struct {
		name       string
		form       url.Values
		user, pass string
	}{
		{"no client at all", refreshForm(rt), "", ""},
		{"client_id of a confidential client, no secret", withParam(refreshForm(rt), "client_id", "rp"), "", ""},
		{"unknown client_id", withParam(refreshForm(rt), "client_id", "nobody"), "", ""},
		{"wrong secret", refreshForm(rt), "rp", "wrong"},
		{"wrong secret in the body", withParam(withParam(refreshForm(rt), "client_id", "rp"), "client_secret", "wrong"), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := postForm(t, h.srv.URL+PathToken, tt.form, tt.user, tt.pass, "")
			require.Equal(t, http.StatusUnauthorized, status, body)
			require.Equal(t, "invalid_client", body["error"])
		})
	}
	status, body := postForm(t, h.srv.URL+PathToken, refreshForm(rt), "rp", "rp-secret", "")
	require.Equal(t, http.StatusOK, status, "the failed attempts did not spend the token: %v", body)
}

func withParam(v url.Values, k, val string) url.Values {
	out := url.Values{}
	for key, vs := range v {
		out[key] = append([]string(nil), vs...)
	}
	out.Set(k, val)
	return out
}
