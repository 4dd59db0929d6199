package oidc

import (
	"encoding/json"
	"flag"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestAuthorizeRejectsUntrustedTargetsOnAPage(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name   string
		params url.Values
		want   string
	}{
		{"unknown client", authParams("nobody"), "Unknown client_id"},
		{"unregistered redirect_uri", func() url.Values { v := authParams("rp"); v.Set("redirect_uri", "https://evil.example/cb"); return v }(), "redirect_uri is not registered"},
		{"redirect_uri differing in case", func() url.Values { v := authParams("rp"); v.Set("redirect_uri", "https://RP.example/cb"); return v }(), "redirect_uri is not registered"},
		{"missing client", url.Values{"response_type": {"code"}}, "Unknown client_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := h.authorize(h.newBrowser(), tt.params)
			require.Nil(t, p.rpURL, "must never redirect to an untrusted target")
			require.Equal(t, http.StatusBadRequest, p.status)
			require.Equal(t, "bad_request", problemOf(p))
			require.Contains(t, h.errorDetail(p), tt.want, "the detail is logged under the page's reference")
			require.NotContains(t, p.body, tt.want, "technical detail stays in the log")
		})
	}
}

func TestAuthorizeErrorsGoBackWithStateAndIss(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name      string
		params    url.Values
		wantError string
		wantDesc  string
	}{
		{"no openid scope", authParams("rp", "scope", "profile"), "invalid_scope", "openid"},
		{"token response type", authParams("rp", "response_type", "token"), "unsupported_response_type", "code"},
		{"request_uri by reference", authParams("rp", "request_uri", "https://rp.example/request.jwt"), "request_uri_not_supported", "pushed"},
		{"request_uri never pushed", authParams("rp", "request_uri", "urn:ietf:params:oauth:request_uri:abc"), "invalid_request_uri", "unknown"},
		{"request object", authParams("rp", "request", "eyJhbGciOiJub25lIn0.e30."), "request_not_supported", ""},
		{"malformed claims", authParams("rp", "claims", `{"userinfo":`), "invalid_request", "claims"},
		{"claims not an object", authParams("rp", "claims", `[1,2]`), "invalid_request", ""},
		{"plain PKCE", authParams("rp", "code_challenge", "abc", "code_challenge_method", "plain"), "invalid_request", "S256"},
		{"public client without PKCE", authParams("pub"), "invalid_request", "PKCE"},
		{"prompt none with others", authParams("rp", "prompt", "none login"), "invalid_request", ""},
		{"unknown prompt", authParams("rp", "prompt", "dance"), "invalid_request", "prompt"},
		{"prompt select_account", authParams("rp", "prompt", "login select_account"), "invalid_request", "prompt=select_account is not supported"},
		{"implicit id_token grant", authParams("rp", "response_type", "id_token"), "unsupported_response_type", "code"},
		{"bad max_age", authParams("rp", "max_age", "-3"), "invalid_request", ""},
		{"bad response_mode", authParams("rp", "response_mode", "fragment"), "invalid_request", "response_mode"},
		{"prompt none without session", authParams("rp", "prompt", "none"), "login_required", ""},
		{"garbage id_token_hint", authParams("rp", "id_token_hint", "not.a.jwt"), "login_required", ""},
		{"essential unknown acr", authParams("rp", "claims", `{"id_token":{"acr":{"essential":true,"values":["urn:other:loa:4"]}}}`), "unmet_authentication_requirements", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := h.authorize(h.newBrowser(), tt.params)
			require.NotNil(t, p.rpURL, "expected a redirect to the client, got %d: %s", p.status, p.body)
			q := p.rpURL.Query()
			require.Equal(t, tt.wantError, q.Get("error"))
			require.Contains(t, q.Get("error_description"), tt.wantDesc)
			require.Equal(t, "st-"+tt.params.Get("client_id"), q.Get("state"), "state echoed")
			require.Equal(t, h.srv.URL, q.Get("iss"))
			require.Empty(t, q.Get("code"))
		})
	}
}

func TestAuthorizeAcceptsPostUnknownParamsAndAliases(t *testing.T) {
	h := newHarness(t)
	p := h.visit(h.browser, http.MethodPost, h.srv.URL+"/authorize", authParams("rp", "x-unknown", "ignored", "acr_values", "urn:acr.login.gov:verified-facial-match-required"))
	require.Equal(t, http.StatusOK, p.status, p.body)
	require.Contains(t, p.body, `id="verify-link"`)
	require.Contains(t, p.body, `id="continue"`)
}

func TestAuthorizeBadMethodAndOversizedBody(t *testing.T) {
	h := newHarness(t)
	req, _ := http.NewRequest(http.MethodPut, h.srv.URL+"/authorize", nil)
	resp, err := h.browser.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	big := authParams("rp", "claims", strings.Repeat("a", 70<<10))
	p := h.visit(h.newBrowser(), http.MethodPost, h.srv.URL+"/authorize", big)
	require.Equal(t, http.StatusBadRequest, p.status)
	require.Nil(t, p.rpURL)
}

func TestLoginPagesSetSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	resp, err := h.browser.Get(h.srv.URL + "/authorize?" + authParams("nobody").Encode())
	require.NoError(t, err)
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	require.Contains(t, csp, "frame-ancestors 'none'")
	require.Contains(t, csp, "script-src 'self'")
	require.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"))
}

func TestDiscoveryGolden(t *testing.T) {
	h := newHarness(t)
	resp, err := http.Get(h.srv.URL + "/.well-known/openid-configuration")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var doc map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
	require.Equal(t, h.srv.URL, doc["issuer"])
	require.Equal(t, true, doc["authorization_response_iss_parameter_supported"])
	got, err := json.MarshalIndent(doc, "", "  ")
	require.NoError(t, err)
	got = []byte(strings.ReplaceAll(string(got), h.srv.URL, "ISSUER"))
	golden := filepath.Join("testdata", "discovery.golden.json")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test ./oidc -run TestDiscoveryGolden -update to create it")
	require.JSONEq(t, string(want), string(got))
}
