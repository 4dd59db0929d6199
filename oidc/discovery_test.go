package oidc

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Discovery advertises only what idbridge does: every endpoint it lists
// answers, every prompt value, response type and grant type it lists is
// accepted, and the ones a relying party may try but idbridge lacks
// (Descope offers select_account and an implicit id_token grant)
// are refused with the error the standards name.
func TestDiscoveryTellsOnlyTheTruth(t *testing.T) {
	h := newHarness(t)
	resp, err := http.Get(h.srv.URL + "/.well-known/openid-configuration")
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
	resp.Body.Close()
	list := func(k string) []string {
		var out []string
		for _, v := range doc[k].([]any) {
			out = append(out, v.(string))
		}
		return out
	}

	t.Run("endpoints", func(t *testing.T) {
		for k, v := range doc {
			if !strings.HasSuffix(k, "_endpoint") && k != "jwks_uri" {
				continue
			}
			u := v.(string)
			require.True(t, strings.HasPrefix(u, h.srv.URL), "%s is idbridge's own: %s", k, u)
			get, err := http.Get(u)
			require.NoError(t, err)
			get.Body.Close()
			post, err := http.Post(u, "application/x-www-form-urlencoded", strings.NewReader(""))
			require.NoError(t, err)
			post.Body.Close()
			require.False(t, get.StatusCode == http.StatusNotFound && post.StatusCode == http.StatusNotFound, "%s (%s) is not served", k, u)
		}
	})

	t.Run("prompt values", func(t *testing.T) {
		require.ElementsMatch(t, []string{"none", "login", "consent"}, list("prompt_values_supported"))
		for _, pr := range list("prompt_values_supported") {
			p := h.authorize(h.newBrowser(), authParams("rp", "prompt", pr))
			if p.rpURL != nil {
				require.NotEqual(t, "invalid_request", p.rpURL.Query().Get("error"), pr)
			}
		}
		for _, pr := range []string{"select_account", "create"} {
			p := h.authorize(h.newBrowser(), authParams("rp", "prompt", pr))
			require.NotNil(t, p.rpURL, pr)
			require.Equal(t, "invalid_request", p.rpURL.Query().Get("error"), pr)
		}
	})

	t.Run("response types", func(t *testing.T) {
		require.Equal(t, []string{"code"}, list("response_types_supported"))
		for _, rt := range []string{"id_token", "token", "code id_token"} {
			p := h.authorize(h.newBrowser(), authParams("rp", "response_type", rt))
			require.NotNil(t, p.rpURL, rt)
			require.Equal(t, "unsupported_response_type", p.rpURL.Query().Get("error"), rt)
		}
		// Descope's implicit grant: id_token by form_post.
		p := h.authorize(h.newBrowser(), authParams("rp", "response_type", "id_token", "response_mode", "form_post"))
		require.Equal(t, http.StatusOK, p.status)
		require.Contains(t, p.body, `name="error" value="unsupported_response_type"`)
		require.NotContains(t, p.body, `name="id_token"`)
	})

	t.Run("grant types", func(t *testing.T) {
		require.ElementsMatch(t, []string{"authorization_code", "refresh_token"}, list("grant_types_supported"))
		grant := func(g string) string {
			_, out := postForm(t, h.srv.URL+PathToken, url.Values{"grant_type": {g}}, "rp", "rp-secret", "")
			return out["error"].(string)
		}
		for _, g := range list("grant_types_supported") {
			require.NotEqual(t, "unsupported_grant_type", grant(g), g)
		}
		for _, g := range []string{"implicit", "client_credentials", "password", "urn:ietf:params:oauth:grant-type:device_code"} {
			require.Equal(t, "unsupported_grant_type", grant(g), g)
		}
	})
}
