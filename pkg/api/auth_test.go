package api

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
)

func TestAuthentication(t *testing.T) {
	e := newEnv(t, nil)
	body := `{"document_types":["passport"]}`
	tests := []struct {
		name      string
		hdr       []string
		body      string
		status    int
		code      string
		challenge string
	}{
		{name: "no credentials", status: 401, code: "unauthorized", challenge: `Bearer realm="idbridge"`},
		{name: "wrong bearer", hdr: []string{"Authorization", "Bearer nope-nope-nope-nope"}, status: 401, code: "invalid_token", challenge: `error="invalid_token"`},
		{name: "basic scheme", hdr: []string{"Authorization", "Basic YTpi"}, status: 401, code: "invalid_token"},
		{name: "wrong api key", hdr: []string{"X-API-Key", "nope"}, status: 401, code: "invalid_token"},
		{name: "bearer", hdr: []string{"Authorization", "Bearer " + tokenA}, status: 201},
		{name: "bearer scheme any case", hdr: []string{"Authorization", "bearer " + tokenA}, status: 201},
		{name: "api key", hdr: []string{"X-API-Key", tokenB}, status: 201},
		{name: "hmac client without signature", hdr: []string{"X-API-Key", tokenHMAC}, status: 401, code: "invalid_signature"},
		{name: "hmac mismatch", hdr: []string{"X-API-Key", tokenHMAC, SignatureHeader, Sign("other-secret", []byte(body))}, status: 401, code: "invalid_signature"},
		{name: "hmac of another body", hdr: []string{"X-API-Key", tokenHMAC, SignatureHeader, Sign(hmacKey, []byte(body+" "))}, status: 401, code: "invalid_signature"},
		{name: "hmac not base64", hdr: []string{"X-API-Key", tokenHMAC, SignatureHeader, "%%%"}, status: 401, code: "invalid_signature"},
		{name: "hmac ok", hdr: []string{"X-API-Key", tokenHMAC, SignatureHeader, Sign(hmacKey, []byte(body))}, status: 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, out := e.call("POST", "/v1/idv/sessions", "", body, tt.hdr...)
			require.Equal(t, tt.status, resp.StatusCode, "%v", out)
			if tt.code != "" {
				require.Equal(t, tt.code, out["error"])
				require.NotEmpty(t, out["message"])
				require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			}
			if tt.challenge != "" {
				require.Contains(t, resp.Header.Get("WWW-Authenticate"), tt.challenge)
			}
			if tt.status == 401 {
				require.NotEmpty(t, resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestHMACOnReads(t *testing.T) {
	e := newEnv(t, nil)
	body := `{}`
	resp, out := e.call("POST", "/v1/idv/sessions", "", body, "X-API-Key", tokenHMAC, SignatureHeader, Sign(hmacKey, []byte(body)))
	require.Equal(t, 201, resp.StatusCode)
	path := "/v1/idv/sessions/" + out["session_id"].(string)

	resp, out = e.call("GET", path, "", nil, "X-API-Key", tokenHMAC)
	require.Equal(t, 401, resp.StatusCode, "a GET is signed too, over the empty body")
	require.Equal(t, "invalid_signature", out["error"])
	resp, _ = e.call("GET", path, "", nil, "X-API-Key", tokenHMAC, SignatureHeader, Sign(hmacKey, nil))
	require.Equal(t, 200, resp.StatusCode)
	resp, out = e.call("GET", path, "", nil, "X-API-Key", tokenHMAC, SignatureHeader, Sign("wrong", nil))
	require.Equal(t, 401, resp.StatusCode)
	require.Equal(t, "invalid_signature", out["error"])
}

func TestTokenHash(t *testing.T) {
	e := newEnv(t, nil, withConfig(func(c *Options) {
		// sha256("hashed-token-0123456789")
		c.Clients = append(c.Clients, caller(config.APIClient{ID: "hashed", TokenHash: "sha256:" + sha256Hex("hashed-token-0123456789"), RateLimit: 10}))
	}))
	resp, _ := e.call("POST", "/v1/idv/sessions", "hashed-token-0123456789", `{}`)
	require.Equal(t, 201, resp.StatusCode)
	resp, _ = e.call("POST", "/v1/idv/sessions", "sha256:"+sha256Hex("hashed-token-0123456789"), `{}`)
	require.Equal(t, 401, resp.StatusCode, "the hash itself is not a token")
}

func TestRateLimitPerCaller(t *testing.T) {
	e := newEnv(t, nil, withConfig(func(c *Options) { c.Clients[1].RateLimit = 2 }))
	for i := range 2 {
		resp, _ := e.call("POST", "/v1/risk/evaluate", tokenB, `{"user_identifier":"x"}`)
		require.Equal(t, 200, resp.StatusCode, "request %d", i)
	}
	resp, out := e.call("POST", "/v1/risk/evaluate", tokenB, `{"user_identifier":"x"}`)
	require.Equal(t, 429, resp.StatusCode)
	require.Equal(t, "rate_limited", out["error"])
	require.NotEmpty(t, resp.Header.Get("Retry-After"))
	resp, _ = e.call("POST", "/v1/risk/evaluate", tokenA, `{"user_identifier":"x"}`)
	require.Equal(t, 200, resp.StatusCode, "another caller has its own budget")

	// A second replica on the same store shares the budget.
	replica := newEnvOn(t, e)
	resp, _ = replica.call("POST", "/v1/risk/evaluate", tokenB, `{"user_identifier":"x"}`)
	require.Equal(t, 429, resp.StatusCode)
}

func TestBodyErrors(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		name   string
		body   string
		ctype  string
		status int
		code   string
	}{
		{name: "malformed json", body: `{"document_types":`, status: 400, code: "invalid_request"},
		{name: "not an object", body: `[1,2]`, status: 400, code: "invalid_request"},
		{name: "wrong type", body: `{"liveness_mode": 3}`, status: 400, code: "invalid_request"},
		{name: "document types wrong type", body: `{"document_types": {"a":1}}`, status: 400, code: "invalid_request"},
		{name: "unknown document type", body: `{"document_types":["library_card"]}`, status: 400, code: "unsupported_document_type"},
		{name: "bad liveness mode", body: `{"liveness_mode":"sometimes"}`, status: 400, code: "invalid_request"},
		{name: "bad return url", body: `{"return_url":"javascript:alert(1)"}`, status: 400, code: "invalid_request"},
		{name: "identifier with control characters", body: `{"user_identifier":"a\nb"}`, status: 400, code: "invalid_request"},
		{name: "oversized", body: `{"user_identifier":"` + strings.Repeat("x", 5000) + `"}`, status: 413, code: "request_too_large"},
		{name: "form content type", body: `{}`, ctype: "application/x-www-form-urlencoded", status: 415, code: "unsupported_media_type"},
		{name: "no content type", body: `{}`, ctype: "-", status: 415, code: "unsupported_media_type"},
		{name: "json with charset", body: `{}`, ctype: "application/json; charset=utf-8", status: 201},
		{name: "empty body means defaults", body: ``, status: 201},
		{name: "comma separated types", body: `{"document_types":"passport, id_card"}`, status: 201},
		{name: "unknown members ignored", body: `{"flow_id":"x","document_types":["dl_object"]}`, status: 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := []string{}
			switch tt.ctype {
			case "":
			case "-":
				hdr = []string{"Content-Type", ""}
			default:
				hdr = []string{"Content-Type", tt.ctype}
			}
			var body any
			if tt.body != "" {
				body = tt.body
			}
			resp, out := e.call("POST", "/v1/idv/sessions", tokenA, body, hdr...)
			require.Equal(t, tt.status, resp.StatusCode, "%v", out)
			if tt.code != "" {
				require.Equal(t, tt.code, out["error"])
				require.NotEmpty(t, out["message"])
			}
		})
	}
}

func TestRoutingErrors(t *testing.T) {
	e := newEnv(t, nil)
	resp, out := e.call("DELETE", "/v1/idv/sessions", tokenA, nil)
	require.Equal(t, 405, resp.StatusCode)
	require.Equal(t, "method_not_allowed", out["error"])
	require.Equal(t, "POST", resp.Header.Get("Allow"))
	resp, out = e.call("GET", "/v1/nothing/here", tokenA, nil)
	require.Equal(t, 404, resp.StatusCode)
	require.Equal(t, "not_found", out["error"])
}
