package api

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/storage"
)

// TestHMACCoversEveryRequest: a caller with an hmac_secret must sign every
// request, bodiless ones over the empty body (finding: a POST without a
// body passed on the bearer token alone).
func TestHMACCoversEveryRequest(t *testing.T) {
	e := newEnv(t, nil, withConfig(func(c *config.API) { c.Clients[2].AllowForget = true }))
	key := []string{"X-API-Key", tokenHMAC}
	signed := func(body string) []string { return append(key, SignatureHeader, Sign(hmacKey, []byte(body))) }
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		hdr    []string
		status int
		code   string
	}{
		{"forget without a body or signature", "POST", "/v1/users/nobody@example.com/forget", nil, key, 401, "invalid_signature"},
		{"forget signed over the empty body", "POST", "/v1/users/nobody@example.com/forget", nil, signed(""), 404, "unknown_user"},
		{"empty create without a signature", "POST", "/v1/idv/sessions", nil, key, 401, "invalid_signature"},
		{"empty create signed over the empty body", "POST", "/v1/idv/sessions", nil, signed(""), 201, ""},
		{"a body signed as if empty", "POST", "/v1/idv/sessions", `{"user_identifier":"a@example.com"}`, signed(""), 401, "invalid_signature"},
		{"read without a signature", "GET", "/v1/idv/sessions/unknown", nil, key, 401, "invalid_signature"},
		{"read signed over the empty body", "GET", "/v1/idv/sessions/unknown", nil, signed(""), 404, "not_found"},
		{"unpadded base64 of the right HMAC", "GET", "/v1/idv/sessions/unknown", nil, append(key, SignatureHeader, trimPadding(Sign(hmacKey, nil))), 404, "not_found"},
		{"hex instead of base64", "GET", "/v1/idv/sessions/unknown", nil, append(key, SignatureHeader, "6e6f7065"), 401, "invalid_signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, out := e.call(tt.method, tt.path, "", tt.body, tt.hdr...)
			require.Equal(t, tt.status, resp.StatusCode, "%v", out)
			if tt.code != "" {
				require.Equal(t, tt.code, out["error"])
			}
		})
	}
}

func trimPadding(s string) string {
	for len(s) > 0 && s[len(s)-1] == '=' {
		s = s[:len(s)-1]
	}
	return s
}

// TestSignedBodyCreatesOnceAcrossReplicas: a captured signed body sent
// again, to either replica, does not start a second session; an
// Idempotency-Key replays the first answer; another body creates.
func TestSignedBodyCreatesOnceAcrossReplicas(t *testing.T) {
	stores(t, func(t *testing.T, st func() storage.Store) {
		a := newEnv(t, st())
		b := newEnvOn(t, a)
		body := `{"document_types":["passport"],"user_identifier":"ada@example.com"}`
		hdr := []string{"X-API-Key", tokenHMAC, SignatureHeader, Sign(hmacKey, []byte(body))}

		resp, first := a.call("POST", "/v1/idv/sessions", "", body, hdr...)
		require.Equal(t, 201, resp.StatusCode, "%v", first)
		for _, replica := range []*env{a, b} {
			resp, out := replica.call("POST", "/v1/idv/sessions", "", body, hdr...)
			require.Equal(t, 409, resp.StatusCode, "%v", out)
			require.Equal(t, "replayed_request", out["error"])
			require.Contains(t, out["message"], "Idempotency-Key")
		}
		// Another endpoint is another request, not a replay of this one.
		_, out := b.call("POST", "/v1/stepup/challenges", "", body, hdr...)
		require.NotEqual(t, "replayed_request", out["error"], "%v", out)

		withKey := append(hdr, IdempotencyHeader, "k-1")
		resp, out = a.call("POST", "/v1/idv/sessions", "", body, withKey...)
		require.Equal(t, 201, resp.StatusCode, "%v", out)
		resp, again := b.call("POST", "/v1/idv/sessions", "", body, withKey...)
		require.Equal(t, 201, resp.StatusCode)
		require.Equal(t, "true", resp.Header.Get("Idempotent-Replayed"))
		require.Equal(t, out["session_id"], again["session_id"], "the same answer, not a second session")

		other := `{"document_types":["passport"],"user_identifier":"ada@example.com","request_id":"r-2"}`
		resp, out = b.call("POST", "/v1/idv/sessions", "", other, "X-API-Key", tokenHMAC, SignatureHeader, Sign(hmacKey, []byte(other)))
		require.Equal(t, 201, resp.StatusCode, "a unique member makes another request: %v", out)
		require.NotEqual(t, first["session_id"], out["session_id"])

		resp, _ = a.call("POST", "/v1/idv/sessions", tokenA, body)
		require.Equal(t, 201, resp.StatusCode, "callers without a secret are not affected")
		resp, _ = a.call("POST", "/v1/idv/sessions", tokenA, body)
		require.Equal(t, 201, resp.StatusCode)
	})
}
