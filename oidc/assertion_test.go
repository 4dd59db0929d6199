package oidc

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// jwtClientHarness is a harness with the private_key_jwt client jwt-rp and
// the signer of its registered key.
func jwtClientHarness(t *testing.T) (*harness, jose.Signer) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	require.NoError(t, err)
	h := newHarnessWith(t, "  - id: jwt-rp\n    token_auth_method: private_key_jwt\n    jwks: '"+string(jwks)+"'\n    redirect_uris: [https://rp.example/cb]\n")
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
	require.NoError(t, err)
	return h, signer
}

func TestPrivateKeyJWTClientAndAssertionReplay(t *testing.T) {
	h, signer := jwtClientHarness(t)
	assertion := func(jti string) string {
		s, err := jwt.Signed(signer).Claims(map[string]any{"iss": "jwt-rp", "sub": "jwt-rp", "aud": []string{h.srv.URL, h.srv.URL + PathToken},
			"jti": jti, "iat": time.Now().Unix(), "exp": time.Now().Add(time.Minute).Unix()}).Serialize()
		require.NoError(t, err)
		return s
	}
	redeem := func(code, a string) (int, map[string]any) {
		return postForm(t, h.srv.URL+PathToken, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpCallback},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a}}, "", "", "")
	}
	back := h.idvLogin(h.browser, authParams("jwt-rp"), simulator.CompleteOptions{})
	first := assertion("jti-1")
	status, body := redeem(back.Query().Get("code"), first)
	require.Equal(t, http.StatusOK, status, body)
	require.NotEmpty(t, body["id_token"])

	back = h.idvLogin(h.newBrowser(), authParams("jwt-rp"), simulator.CompleteOptions{Fixture: simulator.Fixtures()[1].Name})
	status, body = redeem(back.Query().Get("code"), first)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, "invalid_client", body["error"])
	require.Contains(t, body["error_description"], "already used")

	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	forger, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: other}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
	forged, _ := jwt.Signed(forger).Claims(map[string]any{"iss": "jwt-rp", "sub": "jwt-rp", "aud": h.srv.URL, "jti": "jti-2", "exp": time.Now().Add(time.Minute).Unix()}).Serialize()
	status, body = redeem(back.Query().Get("code"), forged)
	require.GreaterOrEqual(t, status, 400)
	require.NotEmpty(t, body["error"], "a forged assertion is refused")

	status, _ = redeem(back.Query().Get("code"), "not-a-jwt")
	require.Equal(t, http.StatusUnauthorized, status)

	status, body = redeem(back.Query().Get("code"), assertion("jti-3"))
	require.Equal(t, http.StatusOK, status, "refused client authentication left the code to its client: %v", body)

	// PAR authenticates private_key_jwt clients the same way, single use
	// included.
	push := func(a string) (int, map[string]any) {
		return postForm(t, h.srv.URL+PathPAR, url.Values{"client_id": {"jwt-rp"}, "redirect_uri": {rpCallback}, "response_type": {"code"}, "scope": {"openid"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a}}, "", "", "")
	}
	pushed := assertion("jti-4")
	status, body = push(pushed)
	require.Equal(t, http.StatusCreated, status, body)
	require.NotEmpty(t, body["request_uri"])
	status, body = push(pushed)
	require.Equal(t, http.StatusUnauthorized, status, body)
	require.Contains(t, body["error_description"], "already used")
}

// A client assertion names idbridge by its issuer or by the URL of the
// endpoint it authenticates to: OIDC Core 9 says the audience SHOULD be
// the token endpoint's URL, which is what a relying party such as
// Descope's custom provider with "Private Key" authentication may send.
func TestClientAssertionAudiences(t *testing.T) {
	h, signer := jwtClientHarness(t)
	tests := []struct {
		name string
		aud  any
		ok   bool
	}{
		{"issuer", h.srv.URL, true},
		{"token endpoint", h.srv.URL + PathToken, true},
		{"token endpoint in a list", []string{"https://other.example", h.srv.URL + PathToken}, true},
		{"PAR endpoint", h.srv.URL + PathPAR, true},
		{"another server", "https://other.example/token", false},
		{"idbridge's userinfo endpoint", h.srv.URL + PathUserinfo, false},
		{"issuer with a trailing slash", h.srv.URL + "/", false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			back := h.idvLogin(h.newBrowser(), authParams("jwt-rp"), simulator.CompleteOptions{})
			a, err := jwt.Signed(signer).Claims(map[string]any{"iss": "jwt-rp", "sub": "jwt-rp", "aud": tt.aud,
				"jti": "aud-" + string(rune('a'+i)), "iat": time.Now().Unix(), "exp": time.Now().Add(time.Minute).Unix()}).Serialize()
			require.NoError(t, err)
			status, body := postForm(t, h.srv.URL+PathToken, url.Values{"grant_type": {"authorization_code"}, "code": {back.Query().Get("code")},
				"redirect_uri": {rpCallback}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a}}, "", "", "")
			if tt.ok {
				require.Equal(t, http.StatusOK, status, "%v", body)
				return
			}
			require.Equal(t, http.StatusUnauthorized, status, "%v", body)
			require.Equal(t, "invalid_client", body["error"])
		})
	}
}
