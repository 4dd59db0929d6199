package oidc

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// spaClient is a browser client with one registered origin.
const spaClient = `  - id: spa
    token_auth_method: none
    redirect_uris: [https://app.example/cb]
    allowed_origins: [https://app.example]
`

func corsCall(t *testing.T, method, u, origin string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(""))
	require.NoError(t, err)
	req.Header.Set("Origin", origin)
	if method == http.MethodOptions {
		req.Header.Set("Access-Control-Request-Method", http.MethodPost)
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

// TestCORSAllowsOnlyRegisteredOriginsAndNeverCredentials: a foreign origin
// is not reflected anywhere, and no answer allows credentials.
func TestCORSAllowsOnlyRegisteredOriginsAndNeverCredentials(t *testing.T) {
	h := newHarnessWith(t, spaClient)
	paths := []string{PathToken, PathUserinfo, PathRevoke, PathIntrospect, PathEndSession}
	for _, path := range paths {
		for _, method := range []string{http.MethodOptions, http.MethodPost} {
			t.Run(path+" "+method, func(t *testing.T) {
				evil := corsCall(t, method, h.srv.URL+path, "https://evil.example")
				require.Empty(t, evil.Header.Get("Access-Control-Allow-Origin"), "a foreign origin is not reflected")
				require.Empty(t, evil.Header.Get("Access-Control-Allow-Credentials"))
				if path == PathEndSession {
					return // a browser navigation, never a cross-origin read
				}
				app := corsCall(t, method, h.srv.URL+path, "https://app.example")
				require.Equal(t, "https://app.example", app.Header.Get("Access-Control-Allow-Origin"), "the registered origin")
				require.Empty(t, app.Header.Get("Access-Control-Allow-Credentials"), "no credentials, even for a registered origin")
			})
		}
	}
	for _, path := range []string{"/.well-known/openid-configuration", PathJWKS} {
		resp := corsCall(t, http.MethodGet, h.srv.URL+path, "https://anyone.example")
		require.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"), "%s is public metadata", path)
		require.Empty(t, resp.Header.Get("Access-Control-Allow-Credentials"))
	}
}

// TestDiscoveryAdvertisesOnlyServedEndpoints: every endpoint in discovery
// answers, and zitadel's unused routes are gone.
func TestDiscoveryAdvertisesOnlyServedEndpoints(t *testing.T) {
	h := newHarness(t)
	resp, err := http.Get(h.srv.URL + "/.well-known/openid-configuration")
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
	resp.Body.Close()
	require.NotContains(t, doc, "device_authorization_endpoint")
	for k, v := range doc {
		if !strings.HasSuffix(k, "_endpoint") && k != "jwks_uri" {
			continue
		}
		resp, err := http.PostForm(v.(string), url.Values{})
		require.NoError(t, err)
		resp.Body.Close()
		require.NotEqual(t, http.StatusNotFound, resp.StatusCode, "%s %s is advertised but not served", k, v)
	}
	for _, path := range []string{"/device_authorization", "/authorize/callback?id=x", "/keys", "/oauth/introspect"} {
		resp, err := h.newBrowser().Get(h.srv.URL + path)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
		require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"), "%s answers like any unknown path", path)
	}
}
