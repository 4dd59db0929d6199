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

func TestPushedAuthorizationRequest(t *testing.T) {
	h := newHarness(t)
	form := authParams("par-rp")
	form.Del("client_id")
	status, body := postForm(t, h.srv.URL+PathPAR, form, "par-rp", "par-secret", "")
	require.Equal(t, http.StatusCreated, status, body)
	uri, _ := body["request_uri"].(string)
	require.Contains(t, uri, requestURIPrefix)
	require.EqualValues(t, 60, body["expires_in"])

	wait := h.authorize(h.browser, url.Values{"client_id": {"par-rp"}, "request_uri": {uri}})
	require.Equal(t, http.StatusOK, wait.status, wait.body)
	require.NoError(t, h.sim.Complete(h.sessionOf(wait), simulator.CompleteOptions{}))
	done := h.finish(h.browser, wait)
	require.Equal(t, "st-par-rp", done.rpURL.Query().Get("state"), "parameters come from the pushed request")
	_, err := h.exchange(h.relyingParty("par-rp", "par-secret"), done.rpURL.Query().Get("code"))
	require.NoError(t, err)

	again := h.authorize(h.newBrowser(), url.Values{"client_id": {"par-rp"}, "request_uri": {uri}})
	require.Equal(t, http.StatusBadRequest, again.status, "a request_uri is single-use")
	require.Contains(t, h.errorDetail(again), "already used")
	again = h.authorize(h.newBrowser(), url.Values{"client_id": {"par-rp"}, "request_uri": {uri}, "redirect_uri": {rpCallback}, "state": {"s"}})
	require.Equal(t, "invalid_request_uri", again.rpURL.Query().Get("error"))
}

func TestPushedAuthorizationRequestErrors(t *testing.T) {
	h := newHarness(t)
	status, body := postForm(t, h.srv.URL+PathPAR, authParams("par-rp"), "par-rp", "wrong", "")
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, "invalid_client", body["error"])

	status, body = postForm(t, h.srv.URL+PathPAR, authParams("par-rp", "scope", "profile"), "par-rp", "par-secret", "")
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "invalid_scope", body["error"])

	status, body = postForm(t, h.srv.URL+PathPAR, authParams("par-rp", "redirect_uri", "https://evil.example/cb"), "par-rp", "par-secret", "")
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "invalid_request", body["error"])
	require.Contains(t, body["error_description"], "redirect_uri")

	status, body = postForm(t, h.srv.URL+PathPAR, authParams("par-rp", "request_uri", "urn:x"), "par-rp", "par-secret", "")
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "invalid_request", body["error"])

	direct := h.authorize(h.browser, authParams("par-rp"))
	require.Equal(t, "invalid_request", direct.rpURL.Query().Get("error"), "require_par refuses a direct request")

	_, body = postForm(t, h.srv.URL+PathPAR, authParams("rp"), "rp", "rp-secret", "")
	foreign := h.authorize(h.browser, url.Values{"client_id": {"par-rp"}, "request_uri": {body["request_uri"].(string)}})
	require.Equal(t, http.StatusBadRequest, foreign.status, "a request_uri works only for the client that pushed it")
	require.Nil(t, foreign.rpURL)
	own := h.authorize(h.browser, url.Values{"client_id": {"rp"}, "request_uri": {body["request_uri"].(string)}})
	require.Equal(t, http.StatusOK, own.status, "another client's attempt did not use it up: %s", own.body)
	require.Contains(t, own.body, `id="verify-link"`)
}

func TestSignedRequestObjectByValue(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "jar-1", Algorithm: "RS256", Use: "sig"}}})
	require.NoError(t, err)
	h := newHarnessWith(t, "  - id: jar-rp\n    token_auth_method: private_key_jwt\n    jwks: '"+string(jwks)+"'\n    redirect_uris: [https://rp.example/cb]\n")
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "jar-1").WithType("oauth-authz-req+jwt"))
	require.NoError(t, err)
	sign := func(claims map[string]any) string {
		s, err := jwt.Signed(signer).Claims(claims).Serialize()
		require.NoError(t, err)
		return s
	}
	obj := map[string]any{
		"iss": "jar-rp", "aud": h.srv.URL, "client_id": "jar-rp", "response_type": "code", "redirect_uri": rpCallback,
		"scope": "openid", "state": "from-object", "nonce": "n-1", "exp": time.Now().Add(time.Minute).Unix(),
		"claims": map[string]any{"id_token": map[string]any{"acr": map[string]any{"essential": true, "values": []string{"urn:unknown"}}}},
	}
	p := h.authorize(h.browser, url.Values{"client_id": {"jar-rp"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpCallback}, "request": {sign(obj)}})
	require.NotNil(t, p.rpURL, p.body)
	require.Equal(t, "from-object", p.rpURL.Query().Get("state"))
	require.Equal(t, "unmet_authentication_requirements", p.rpURL.Query().Get("error"), "the claims member of the object is honoured")

	delete(obj, "claims")
	p = h.authorize(h.browser, url.Values{"client_id": {"jar-rp"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpCallback}, "request": {sign(obj)}})
	require.Equal(t, http.StatusOK, p.status, p.body)
	require.Contains(t, p.body, `id="verify-link"`)

	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	forged, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: other}, (&jose.SignerOptions{}).WithHeader("kid", "jar-1"))
	bad, _ := jwt.Signed(forged).Claims(obj).Serialize()
	p = h.authorize(h.browser, url.Values{"client_id": {"jar-rp"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpCallback}, "request": {bad}})
	require.Equal(t, "invalid_request_object", p.rpURL.Query().Get("error"))
}
