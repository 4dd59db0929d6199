package api

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/storage"
)

// TestHMACCoversEveryRequest: a caller with an hmac_secret must sign every
// request, bodiless ones over the empty body (finding: a POST without a
// body passed on the bearer token alone).
func TestHMACCoversEveryRequest(t *testing.T) {
	e := newEnv(t, nil, withConfig(func(c *Options) { c.Clients[2].AllowForget = true }))
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
// again, to either replica, does not start a second session, with or
// without a header Idempotency-Key (the header is not signed); the
// idempotency key it was first sent with replays the first answer; a body
// with another idempotency_key creates.
func TestSignedBodyCreatesOnceAcrossReplicas(t *testing.T) {
	stores(t, func(t *testing.T, st func() storage.Store) {
		a := newEnv(t, st())
		b := newEnvOn(t, a)
		signed := func(body string, extra ...string) []string {
			return append([]string{"X-API-Key", tokenHMAC, SignatureHeader, Sign(hmacKey, []byte(body))}, extra...)
		}
		body := `{"document_types":["passport"],"user_identifier":"ada@example.com"}`

		resp, first := a.call("POST", "/v1/idv/sessions", "", body, signed(body)...)
		require.Equal(t, 201, resp.StatusCode, "%v", first)
		for _, replay := range []struct {
			to  *env
			hdr []string
		}{{a, signed(body)}, {b, signed(body)}, {b, signed(body, IdempotencyHeader, "new-key")}} {
			resp, out := replay.to.call("POST", "/v1/idv/sessions", "", body, replay.hdr...)
			require.Equal(t, 409, resp.StatusCode, "%v", out)
			require.Equal(t, "replayed_request", out["error"])
			require.Contains(t, out["message"], "idempotency_key")
		}
		// Another endpoint is another request, not a replay of this one.
		_, out := b.call("POST", "/v1/stepup/challenges", "", body, signed(body)...)
		require.NotEqual(t, "replayed_request", out["error"], "%v", out)

		// A header key sent with the body the first time replays its answer.
		fresh := `{"document_types":["passport"],"user_identifier":"bo@example.com"}`
		resp, out = a.call("POST", "/v1/idv/sessions", "", fresh, signed(fresh, IdempotencyHeader, "k-1")...)
		require.Equal(t, 201, resp.StatusCode, "%v", out)
		resp, again := b.call("POST", "/v1/idv/sessions", "", fresh, signed(fresh, IdempotencyHeader, "k-1")...)
		require.Equal(t, 201, resp.StatusCode)
		require.Equal(t, "true", resp.Header.Get("Idempotent-Replayed"))
		require.Equal(t, out["session_id"], again["session_id"], "the same answer, not a second session")
		resp, _ = b.call("POST", "/v1/idv/sessions", "", fresh, signed(fresh, IdempotencyHeader, "k-2")...)
		require.Equal(t, 409, resp.StatusCode, "a new header key does not make a signed body new")

		// The key in the body is signed: each flow run gives its own.
		run := func(key string) string {
			return `{"document_types":["passport"],"user_identifier":"ada@example.com","idempotency_key":"` + key + `"}`
		}
		resp, one := a.call("POST", "/v1/idv/sessions", "", run("flow-1"), signed(run("flow-1"))...)
		require.Equal(t, 201, resp.StatusCode, "%v", one)
		resp, retry := b.call("POST", "/v1/idv/sessions", "", run("flow-1"), signed(run("flow-1"))...)
		require.Equal(t, 201, resp.StatusCode, "%v", retry)
		require.Equal(t, "true", resp.Header.Get("Idempotent-Replayed"))
		require.Equal(t, one["session_id"], retry["session_id"])
		resp, two := b.call("POST", "/v1/idv/sessions", "", run("flow-2"), signed(run("flow-2"))...)
		require.Equal(t, 201, resp.StatusCode, "%v", two)
		require.NotEqual(t, one["session_id"], two["session_id"])
		require.NotEqual(t, first["session_id"], two["session_id"])

		resp, _ = a.call("POST", "/v1/idv/sessions", tokenA, body)
		require.Equal(t, 201, resp.StatusCode, "callers without a secret are not affected")
		resp, _ = a.call("POST", "/v1/idv/sessions", tokenA, body)
		require.Equal(t, 201, resp.StatusCode)
	})
}

// TestDescopeSignsTheJSONString: Descope signs the JSON string of its
// payload; a body sent indented or with a trailing newline verifies
// against that signature, and is the same request for replays.
func TestDescopeSignsTheJSONString(t *testing.T) {
	e := newEnv(t, nil)
	compact := `{"document_types":["passport"],"user_identifier":"cy@example.com"}`
	sig := Sign(hmacKey, []byte(compact))
	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"indented", "{\n  \"document_types\": [\"passport\"],\n  \"user_identifier\": \"cy@example.com\"\n}", 201, ""},
		{"the same payload again, newline-terminated", compact + "\n", 409, "replayed_request"},
		{"another payload under that signature", `{"document_types":["passport"],"user_identifier":"eve@example.com"}`, 401, "invalid_signature"},
		{"reordered members are another string", `{"user_identifier":"cy@example.com","document_types":["passport"]}`, 401, "invalid_signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, out := e.call("POST", "/v1/idv/sessions", "", tt.body, "X-API-Key", tokenHMAC, SignatureHeader, sig)
			require.Equal(t, tt.status, resp.StatusCode, "%v", out)
			if tt.code != "" {
				require.Equal(t, tt.code, out["error"])
			}
		})
	}
}

// TestIdempotencyKeyInTheBody: the idempotency_key member works as the
// header does, and a header that disagrees with it is refused.
func TestIdempotencyKeyInTheBody(t *testing.T) {
	e := newEnv(t, nil)
	post := func(body string, hdr ...string) (int, map[string]any) {
		resp, out := e.call("POST", "/v1/idv/sessions", tokenA, body, hdr...)
		return resp.StatusCode, out
	}
	status, first := post(`{"user_identifier":"di@example.com","idempotency_key":"run-1"}`)
	require.Equal(t, 201, status, "%v", first)
	status, again := post(`{"user_identifier":"di@example.com","idempotency_key":"run-1"}`, IdempotencyHeader, "run-1")
	require.Equal(t, 201, status, "%v", again)
	require.Equal(t, first["session_id"], again["session_id"], "the header and the member name one key")
	status, out := post(`{"user_identifier":"someone@example.com","idempotency_key":"run-1"}`)
	require.Equal(t, 422, status, "%v", out)
	require.Equal(t, "idempotency_key_reused", out["error"])

	tests := []struct {
		name, body string
		hdr        []string
		want       string
	}{
		{"not a string", `{"idempotency_key":7}`, nil, "idempotency_key must be a string"},
		{"header disagrees", `{"idempotency_key":"a"}`, []string{IdempotencyHeader, "b"}, "differ"},
		{"too long", `{"idempotency_key":"` + strings.Repeat("k", 256) + `"}`, nil, "longer than 255"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := post(tt.body, tt.hdr...)
			require.Equal(t, 400, status, "%v", out)
			require.Equal(t, "invalid_request", out["error"])
			require.Contains(t, out["message"], tt.want)
		})
	}
	status, a := post(`{"user_identifier":"di@example.com","idempotency_key":""}`)
	require.Equal(t, 201, status, "an empty member is no key")
	status, b := post(`{"user_identifier":"di@example.com","idempotency_key":""}`)
	require.Equal(t, 201, status)
	require.NotEqual(t, a["session_id"], b["session_id"])
}
