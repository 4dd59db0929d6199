package oidc

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// resourceServer is a client that may introspect every client's tokens.
const resourceServer = `  - id: api-rs
    secret: api-rs-secret
    resource_server: true
`

func TestIntrospectionAnswersOnlyTheTokensClientAndResourceServers(t *testing.T) {
	h := newHarnessWith(t, resourceServer)
	back := h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{})
	status, tokens := postForm(t, h.srv.URL+PathToken, codeForm(back.Query().Get("code")), "rp", "rp-secret", "")
	require.Equal(t, http.StatusOK, status, tokens)
	access := tokens["access_token"].(string)
	ask := url.Values{"token": {access}}

	status, intro := postForm(t, h.srv.URL+PathIntrospect, ask, "es-rp", "es-secret", "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, map[string]any{"active": false}, intro, "another relying party learns nothing about the token")

	postClient := withParam(withParam(ask, "client_id", "rp-post"), "client_secret", "rp-post-secret")
	status, intro = postForm(t, h.srv.URL+PathIntrospect, postClient, "", "", "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, map[string]any{"active": false}, intro, "nor does one authenticating with client_secret_post")

	status, intro = postForm(t, h.srv.URL+PathIntrospect, ask, "rp", "rp-secret", "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, true, intro["active"], "the token's own client")
	require.Equal(t, "rp", intro["client_id"])

	status, intro = postForm(t, h.srv.URL+PathIntrospect, ask, "api-rs", "api-rs-secret", "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, true, intro["active"], "a configured resource server")
	require.NotEmpty(t, intro["sub"])
	require.Equal(t, ACRIAL2, intro["acr"])
}

func TestIntrospectionRefusesUnauthenticatedAndMalformedCalls(t *testing.T) {
	h := newHarnessWith(t, resourceServer)
	tests := []struct {
		name       string
		method     string
		form       url.Values
		user, pass string
		status     int
		error      string
		active     bool
	}{
		{name: "no client authentication", form: url.Values{"token": {"x"}}, status: 401, error: "invalid_client"},
		{name: "client_id alone", form: url.Values{"token": {"x"}, "client_id": {"rp"}}, status: 401, error: "invalid_client"},
		{name: "public client", form: url.Values{"token": {"x"}, "client_id": {"pub"}}, status: 401, error: "invalid_client"},
		{name: "wrong secret", form: url.Values{"token": {"x"}}, user: "api-rs", pass: "nope", status: 401, error: "invalid_client"},
		{name: "unknown client", form: url.Values{"token": {"x"}}, user: "nobody", pass: "nope", status: 401, error: "invalid_client"},
		{name: "no token", form: url.Values{}, user: "api-rs", pass: "api-rs-secret", status: 400, error: "invalid_request"},
		{name: "garbage token", form: url.Values{"token": {"v1.garbage"}}, user: "api-rs", pass: "api-rs-secret", status: 200},
		{name: "hostile token", form: url.Values{"token": {strings.Repeat("v1.", 5000)}}, user: "api-rs", pass: "api-rs-secret", status: 200},
		{name: "GET", method: http.MethodGet, user: "api-rs", pass: "api-rs-secret", status: 405, error: "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			req, err := http.NewRequest(method, h.srv.URL+PathIntrospect, strings.NewReader(tt.form.Encode()))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.user != "" {
				req.SetBasicAuth(tt.user, tt.pass)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			require.Equal(t, tt.status, resp.StatusCode, "%s", body)
			require.Equal(t, "application/json", resp.Header.Get("Content-Type"), "every answer is JSON: %s", body)
			if tt.error != "" {
				require.Contains(t, string(body), `"error":"`+tt.error+`"`)
				require.Contains(t, string(body), `"error_description"`)
			} else {
				require.JSONEq(t, `{"active":false}`, string(body))
			}
			if tt.status == http.StatusUnauthorized {
				require.NotEmpty(t, resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

// TestIntrospectionTakesASingleUseClientAssertion: a private_key_jwt
// client introspects with an assertion that works once.
func TestIntrospectionTakesASingleUseClientAssertion(t *testing.T) {
	j := newJARClient(t)
	h := newHarnessWith(t, j.config)
	form := url.Values{"token": {"v1.unknown"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {j.assertion(h.srv.URL)}}
	status, body := postForm(t, h.srv.URL+PathIntrospect, form, "", "", "")
	require.Equal(t, http.StatusOK, status, body)
	require.Equal(t, false, body["active"])
	status, body = postForm(t, h.srv.URL+PathIntrospect, form, "", "", "")
	require.Equal(t, http.StatusUnauthorized, status, "a replayed assertion: %v", body)
	require.Equal(t, "invalid_client", body["error"])
}
