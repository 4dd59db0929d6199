package oidc

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/zitadel/oidc/v3/pkg/client/rp"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

func postForm(t *testing.T, u string, form url.Values, user, pass, bearer string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(body, &out)
	return resp.StatusCode, out
}

func TestPublicClientPKCEIntrospectionRevocationUserinfoPost(t *testing.T) {
	h := newHarnessWith(t, resourceServer)
	verifier, challenge := pkce()
	back := h.idvLogin(h.browser, authParams("pub", "code_challenge", challenge, "code_challenge_method", "S256"), simulator.CompleteOptions{})
	code := back.Query().Get("code")

	status, body := postForm(t, h.srv.URL+PathToken, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpCallback}, "client_id": {"pub"}, "code_verifier": {"wrong-" + verifier}}, "", "", "")
	require.Equal(t, http.StatusBadRequest, status, body)
	require.Equal(t, "invalid_grant", body["error"], "a wrong code_verifier is refused")

	back = h.idvLogin(h.newBrowser(), authParams("pub", "code_challenge", challenge, "code_challenge_method", "S256"), simulator.CompleteOptions{Fixture: simulator.Fixtures()[1].Name})
	status, body = postForm(t, h.srv.URL+PathToken, url.Values{"grant_type": {"authorization_code"}, "code": {back.Query().Get("code")}, "redirect_uri": {rpCallback}, "client_id": {"pub"}, "code_verifier": {verifier}}, "", "", "")
	require.Equal(t, http.StatusOK, status, body)
	access := body["access_token"].(string)

	// userinfo by POST with the token in the body (RFC 6750 2.2).
	status, info := postForm(t, h.srv.URL+PathUserinfo, url.Values{"access_token": {access}}, "", "", "")
	require.Equal(t, http.StatusOK, status, info)
	require.NotEmpty(t, info["sub"])
	require.EqualValues(t, 2, info["ial_level"])

	status, intro := postForm(t, h.srv.URL+PathIntrospect, url.Values{"token": {access}}, "api-rs", "api-rs-secret", "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, true, intro["active"], intro)
	require.Equal(t, info["sub"], intro["sub"])
	require.Equal(t, ACRIAL2, intro["acr"])

	status, _ = postForm(t, h.srv.URL+PathRevoke, url.Values{"token": {access}, "client_id": {"pub"}}, "", "", "")
	require.Equal(t, http.StatusOK, status)
	status, intro = postForm(t, h.srv.URL+PathIntrospect, url.Values{"token": {access}}, "api-rs", "api-rs-secret", "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, false, intro["active"], "revoked tokens are inactive")
	status, _ = postForm(t, h.srv.URL+PathUserinfo, url.Values{}, "", "", access)
	require.Equal(t, http.StatusUnauthorized, status)
}

func TestTokenEndpointRejectsBadClientsAndGrants(t *testing.T) {
	h := newHarness(t)
	back := h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{})
	code := back.Query().Get("code")
	tests := []struct {
		name       string
		form       url.Values
		user, pass string
		want       string
	}{
		{"wrong secret", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpCallback}}, "rp", "nope", "invalid_client"},
		{"unknown grant", url.Values{"grant_type": {"password"}}, "rp", "rp-secret", "unsupported_grant_type"},
		{"garbage code", url.Values{"grant_type": {"authorization_code"}, "code": {"garbage"}, "redirect_uri": {rpCallback}}, "rp", "rp-secret", "invalid_grant"},
		{"missing code", url.Values{"grant_type": {"authorization_code"}, "redirect_uri": {rpCallback}}, "rp", "rp-secret", "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := postForm(t, h.srv.URL+PathToken, tt.form, tt.user, tt.pass, "")
			require.GreaterOrEqual(t, status, 400)
			require.Equal(t, tt.want, body["error"], body)
		})
	}
	// The client authenticates before the code is looked at: a stolen code
	// presented with a bad secret stays with its rightful client.
	_, err := h.exchange(h.relyingParty("rp", "rp-secret"), code)
	require.NoError(t, err)
	// A code issued to one client does not redeem for another.
	back = h.idvLogin(h.newBrowser(), authParams("rp"), simulator.CompleteOptions{Fixture: simulator.Fixtures()[1].Name})
	_, err = h.exchange(h.relyingParty("rp-post", "rp-post-secret", rp.WithVerifierOpts()), back.Query().Get("code"))
	require.Error(t, err)
}

func TestJWKSAndDiscoveryCaching(t *testing.T) {
	h := newHarness(t)
	resp, err := http.Get(h.srv.URL + PathJWKS)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, "public, max-age=300", resp.Header.Get("Cache-Control"))
	var set struct {
		Keys []struct{ Kid, Alg, Use string } `json:"keys"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&set))
	algs := map[string]bool{}
	for _, k := range set.Keys {
		algs[k.Alg] = true
		require.Equal(t, "sig", k.Use)
		require.NotEmpty(t, k.Kid)
	}
	require.True(t, algs["RS256"] && algs["ES256"], "%v", set.Keys)
}
