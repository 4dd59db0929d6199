package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
	"github.com/zitadel/oidc/v3/pkg/client/rp"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// tokenCall posts a raw token request and returns the response and its
// JSON body.
func tokenCall(t *testing.T, h *harness, body string, user, pass string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+PathToken, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	require.NoError(t, json.Unmarshal(raw, &out), "token responses are JSON: %s", raw)
	return resp, out
}

func codeForm(code string, extra ...string) url.Values {
	v := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpCallback}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

// TestCodeExchangeRefusesMalformedRequestsWithoutSpendingTheCode: every
// malformed or misdirected exchange gets the RFC 6749 5.2 error that names
// the problem, and (bar the last row, which presents the code to the
// wrong client) none of them uses up the code, which still redeems.
func TestCodeExchangeRefusesMalformedRequestsWithoutSpendingTheCode(t *testing.T) {
	h := newHarness(t)
	code := h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{}).Query().Get("code")
	// Well-formed enough for the jti replay check, which reads it first.
	unsigned := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." +
		base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, `{"iss":"rp","jti":"j-1","exp":%d}`, time.Now().Add(time.Minute).Unix())) + "."
	tests := []struct {
		name       string
		body       string
		user, pass string
		status     int
		want, desc string
	}{
		{"repeated code", codeForm(code).Encode() + "&code=" + code, "rp", "rp-secret", 400, "invalid_request", "code is repeated"},
		{"no client", codeForm(code).Encode(), "", "", 401, "invalid_client", "no client authentication"},
		{"unknown client", codeForm(code).Encode(), "nobody", "x", 401, "invalid_client", "unknown client"},
		{"basic and post together", codeForm(code, "client_secret", "rp-secret").Encode(), "rp", "rp-secret", 400, "invalid_request", "more than one client authentication method"},
		{"body client_id differs", codeForm(code, "client_id", "rp-post").Encode(), "rp", "rp-secret", 400, "invalid_request", "client_id in the body differs"},
		{"wrong assertion type", codeForm(code, "client_id", "rp", "client_assertion", unsigned, "client_assertion_type", "bogus").Encode(), "", "", 401, "invalid_client", "client_assertion_type must be"},
		{"missing redirect_uri", url.Values{"grant_type": {"authorization_code"}, "code": {code}}.Encode(), "rp", "rp-secret", 400, "invalid_request", "redirect_uri is missing"},
		{"missing grant_type", url.Values{"code": {code}, "redirect_uri": {rpCallback}}.Encode(), "rp", "rp-secret", 400, "invalid_request", "grant_type"},
		{"unsupported grant_type", codeForm(code, "grant_type", "password").Encode(), "rp", "rp-secret", 400, "unsupported_grant_type", ""},
		{"hostile percent-encoding", "grant_type=authorization_code&code=%zz", "rp", "rp-secret", 400, "invalid_request", "form body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := tokenCall(t, h, tt.body, tt.user, tt.pass)
			require.Equal(t, tt.status, resp.StatusCode, body)
			require.Equal(t, tt.want, body["error"], body)
			if tt.desc != "" {
				require.Contains(t, body["error_description"], tt.desc)
			}
			require.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
			if tt.status == http.StatusUnauthorized {
				require.Equal(t, `Basic realm="idbridge"`, resp.Header.Get("WWW-Authenticate"), "RFC 6749 5.2")
			}
		})
	}
	resp, body := tokenCall(t, h, codeForm(code, "redirect_uri", "https://rp.example/other").Encode(), "rp", "rp-secret")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Equal(t, "invalid_grant", body["error"])
	require.Contains(t, body["error_description"], "redirect_uri differs")
	// The mismatched redirect_uri took the code (it is checked after the
	// code is redeemed, so a probing client cannot keep trying).
	resp, body = tokenCall(t, h, codeForm(code).Encode(), "rp", "rp-secret")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Equal(t, "invalid_grant", body["error"])

	// A fresh code survives all the refusals before redemption.
	fresh := h.idvLogin(h.newBrowser(), authParams("rp"), simulator.CompleteOptions{Fixture: simulator.Fixtures()[1].Name}).Query().Get("code")
	for _, tt := range tests {
		resp, _ := tokenCall(t, h, strings.ReplaceAll(tt.body, code, fresh), tt.user, tt.pass)
		require.Equal(t, tt.status, resp.StatusCode, tt.name)
	}
	resp, body = tokenCall(t, h, codeForm(fresh).Encode(), "rp", "rp-secret")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
}

func TestTokenEndpointTakesOnlyPOST(t *testing.T) {
	h := newHarness(t)
	resp, err := http.Get(h.srv.URL + PathToken + "?grant_type=authorization_code&code=x")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	require.Equal(t, "POST", resp.Header.Get("Allow"))
}

// TestPKCEVerifierRules: RFC 7636 4.6 and RFC 9700 2.1.1.
func TestPKCEVerifierRules(t *testing.T) {
	h := newHarness(t)
	verifier, challenge := pkce()

	// A verifier for a request that had no challenge is refused.
	code := h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{}).Query().Get("code")
	resp, body := tokenCall(t, h, codeForm(code, "code_verifier", verifier).Encode(), "rp", "rp-secret")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Equal(t, "invalid_grant", body["error"])
	require.Contains(t, body["error_description"], "no code_challenge")

	// A missing verifier for a request that had one is refused.
	code = h.idvLogin(h.newBrowser(), authParams("pub", "code_challenge", challenge, "code_challenge_method", "S256"), simulator.CompleteOptions{Fixture: simulator.Fixtures()[1].Name}).Query().Get("code")
	resp, body = tokenCall(t, h, codeForm(code, "client_id", "pub").Encode(), "", "")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Equal(t, "invalid_grant", body["error"])
	require.Contains(t, body["error_description"], "code_verifier is missing")
}

// TestIDTokenFromCodeExchange checks the ID token idbridge signs itself:
// header, registered claims, at_hash and c_hash (OIDC Core 3.1.3.6), and
// that a refreshed ID token states the same identity claims.
func TestIDTokenFromCodeExchange(t *testing.T) {
	h := newHarnessWith(t, `
  - id: ida-rp
    secret: ida-secret
    refresh_tokens: true
    id_token_claims: identity_assurance
    redirect_uris: [https://rp.example/cb]
`)
	for _, c := range []struct{ id, secret, alg string }{{"rp", "rp-secret", "RS256"}, {"es-rp", "es-secret", "ES256"}, {"ida-rp", "ida-secret", "RS256"}} {
		t.Run(c.id, func(t *testing.T) {
			code := h.idvLogin(h.newBrowser(), authParams(c.id, "scope", "openid profile offline_access"), simulator.CompleteOptions{}).Query().Get("code")
			resp, body := tokenCall(t, h, codeForm(code).Encode(), c.id, c.secret)
			require.Equal(t, http.StatusOK, resp.StatusCode, body)
			require.Equal(t, "Bearer", body["token_type"])
			require.Equal(t, "openid profile offline_access", body["scope"])
			require.NotEmpty(t, body["refresh_token"])
			require.Greater(t, body["expires_in"], float64(0))

			idToken := body["id_token"].(string)
			parts := strings.Split(idToken, ".")
			require.Len(t, parts, 3)
			var header map[string]string
			decodeSegment(t, parts[0], &header)
			require.Equal(t, c.alg, header["alg"])
			require.Equal(t, "JWT", header["typ"])
			require.NotEmpty(t, header["kid"])
			var claims map[string]any
			decodeSegment(t, parts[1], &claims)
			for _, k := range []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "at_hash", "c_hash", "ial_level", "given_name"} {
				require.Contains(t, claims, k)
			}
			require.Equal(t, h.srv.URL, claims["iss"])
			require.Equal(t, []any{c.id}, claims["aud"])
			require.Equal(t, halfHash(body["access_token"].(string)), claims["at_hash"])
			require.Equal(t, halfHash(code), claims["c_hash"])
			// A client's default claims fill an ID token whose request
			// named none (Descope's custom provider sends no claims).
			vc, hasVC := claims["verified_claims"].(map[string]any)
			require.Equal(t, c.id == "ida-rp", hasVC, "verified_claims only by the client's default: %v", claims)
			if hasVC {
				require.Equal(t, "nist_800_63A", vc["verification"].(map[string]any)["trust_framework"])
				require.Equal(t, simulator.Fixtures()[0].Person.FamilyName, vc["claims"].(map[string]any)["family_name"])
				require.NotContains(t, vc["verification"].(map[string]any)["evidence"].([]any)[0].(map[string]any)["document_details"], "document_number")
			}

			// The relying party library verifies signature, at_hash and
			// claims against the published keys.
			party := h.relyingParty(c.id, c.secret)
			verified, err := rp.VerifyTokens[*zoidc.IDTokenClaims](context.Background(), body["access_token"].(string), idToken, party.IDTokenVerifier())
			require.NoError(t, err)
			require.Equal(t, claims["sub"], verified.Subject)

			noNonce := rp.WithVerifierOpts(rp.WithNonce(func(context.Context) string { return "" }), rp.WithIssuedAtOffset(0))
			refreshed, err := rp.RefreshTokens[*zoidc.IDTokenClaims](context.Background(), h.relyingParty(c.id, c.secret, noNonce), body["refresh_token"].(string), "", "")
			require.NoError(t, err)
			var again map[string]any
			decodeSegment(t, strings.Split(refreshed.IDToken, ".")[1], &again)
			identity := func(m map[string]any) []string {
				var keys []string
				for k := range m {
					if !registeredClaims[k] {
						keys = append(keys, k)
					}
				}
				slices.Sort(keys)
				return keys
			}
			require.Equal(t, identity(claims), identity(again), "refresh states the same identity claims")
			for _, k := range identity(claims) {
				require.Equal(t, claims[k], again[k], k)
			}
			require.Equal(t, claims["acr"], again["acr"])
			require.Equal(t, claims["auth_time"], again["auth_time"])
		})
	}
}

func decodeSegment(t *testing.T, seg string, v any) {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, v))
}

// TestCodeFromEarlierVersionRedeems: a code that holds only its request's
// id, with the finished request kept in the store (as issued before codes
// carried their grant, e.g. by a replica not yet upgraded), still redeems.
func TestCodeFromEarlierVersionRedeems(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	code := h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{}).Query().Get("code")
	raw, err := h.p.store.Get(ctx, codeKey(code))
	require.NoError(t, err)
	var g codeGrant
	require.NoError(t, json.Unmarshal(raw, &g))
	old := g.authRequest()
	old.CreatedAt = h.clock.Now()
	require.NoError(t, h.p.saveAuthRequest(ctx, old))
	require.NoError(t, h.p.store.Set(ctx, codeKey(code), []byte(g.ID), time.Minute))

	resp, body := tokenCall(t, h, codeForm(code).Encode(), "rp", "rp-secret")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.NotEmpty(t, body["id_token"])
	_, err = h.p.loadAuthRequest(ctx, g.ID)
	require.ErrorIs(t, err, errAuthRequestGone, "the redeemed request is gone")
}

// TestReplayedContinueMintsNoSecondCode: once a login has answered its
// client, its continue URL finds nothing to answer.
func TestReplayedContinueMintsNoSecondCode(t *testing.T) {
	h := newHarness(t)
	wait := h.authorize(h.browser, authParams("rp"))
	require.Equal(t, http.StatusOK, wait.status, wait.body)
	require.NoError(t, h.sim.Complete(h.sessionOf(wait), simulator.CompleteOptions{}))
	m := statusURLRE.FindStringSubmatch(wait.body)
	require.NotNil(t, m)
	var next string
	require.Eventually(t, func() bool {
		resp, err := h.browser.Get(h.srv.URL + html.UnescapeString(m[1]))
		require.NoError(t, err)
		defer resp.Body.Close()
		var st statusView
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&st))
		next = st.Next
		return next != ""
	}, 10*time.Second, 50*time.Millisecond)
	first := h.visit(h.browser, http.MethodGet, h.srv.URL+next, nil)
	require.NotNil(t, first.rpURL, first.body)
	require.NotEmpty(t, first.rpURL.Query().Get("code"))

	again := h.visit(h.browser, http.MethodGet, h.srv.URL+next, nil)
	require.Nil(t, again.rpURL, "no second answer to the client")
	require.Equal(t, http.StatusNotFound, again.status)
	require.Contains(t, again.body, "already completed")
}

// TestCORSForBrowserClients: a single-page app on its registered origin
// can read discovery and JWKS and redeem its code (preflight included), as
// with the endpoints zitadel serves.
func TestCORSForBrowserClients(t *testing.T) {
	h := newHarnessWith(t, "  - id: spa-pub\n    token_auth_method: none\n    redirect_uris: [https://rp.example/cb]\n    allowed_origins: [https://spa.example]\n")
	const origin = "https://spa.example"
	req, err := http.NewRequest(http.MethodOptions, h.srv.URL+PathToken, nil)
	require.NoError(t, err)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Less(t, resp.StatusCode, 300, "preflight answered")
	require.Equal(t, origin, resp.Header.Get("Access-Control-Allow-Origin"))
	require.Contains(t, resp.Header.Get("Access-Control-Allow-Methods"), "POST")

	for _, path := range []string{"/.well-known/openid-configuration", PathJWKS} {
		req, _ := http.NewRequest(http.MethodGet, h.srv.URL+path, nil)
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"), path)
	}

	verifier, challenge := pkce()
	code := h.idvLogin(h.browser, authParams("spa-pub", "code_challenge", challenge, "code_challenge_method", "S256"), simulator.CompleteOptions{}).Query().Get("code")
	req, _ = http.NewRequest(http.MethodPost, h.srv.URL+PathToken, strings.NewReader(codeForm(code, "client_id", "spa-pub", "code_verifier", verifier).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, origin, resp.Header.Get("Access-Control-Allow-Origin"))
}

func TestSignRefusesAKeyThatDoesNotFitItsAlgorithm(t *testing.T) {
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	for _, k := range []*signingKey{
		{alg: jose.ES256, priv: p384, info: KeyInfo{ID: "p384"}},
		{alg: jose.RS256, priv: p256, info: KeyInfo{ID: "ec-as-rsa"}},
	} {
		_, err := k.sign([]byte(`{}`))
		require.Error(t, err, k.info.ID)
	}
	good := &signingKey{alg: jose.ES256, priv: p256, info: KeyInfo{ID: "ok"}, header: jwsHeader(jose.ES256, "ok")}
	jws, err := good.sign([]byte(`{"sub":"x"}`))
	require.NoError(t, err)
	parsed, err := jose.ParseSignedCompact(jws, []jose.SignatureAlgorithm{jose.ES256})
	require.NoError(t, err)
	payload, err := parsed.Verify(&p256.PublicKey)
	require.NoError(t, err, "go-jose verifies idbridge's signature")
	require.JSONEq(t, `{"sub":"x"}`, string(payload))
}

// TestReplayOfACodeRedeemedByAnEarlierVersion: such a redemption left a
// separate used-code marker naming the request; presenting the code again
// still revokes what was issued for it.
func TestReplayOfACodeRedeemedByAnEarlierVersion(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	s := &opStorage{p: h.p}
	at, err := s.putAccess(ctx, grant{Subject: "u_x", ClientID: "rp", AuthReqID: "req-old"}, "")
	require.NoError(t, err)
	require.NoError(t, h.p.store.Set(ctx, usedCodeKey("old-code"), []byte("req-old"), time.Minute))

	resp, body := tokenCall(t, h, codeForm("old-code").Encode(), "rp", "rp-secret")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Equal(t, "invalid_grant", body["error"])
	_, err = s.loadAccess(ctx, at.ID)
	require.Error(t, err, "the access token issued for the replayed code is revoked")
}

// TestTokenEndpointWithStorageDown: both grants answer a storage outage
// with a retryable 503, never as a bad code or refresh token.
func TestTokenEndpointWithStorageDown(t *testing.T) {
	h := newHarness(t)
	code := h.idvLogin(h.browser, authParams("rp", "scope", "openid offline_access"), simulator.CompleteOptions{}).Query().Get("code")
	resp, body := tokenCall(t, h, codeForm(code).Encode(), "rp", "rp-secret")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	refresh := body["refresh_token"].(string)
	code = h.idvLogin(h.newBrowser(), authParams("rp"), simulator.CompleteOptions{Fixture: simulator.Fixtures()[1].Name}).Query().Get("code")

	require.NoError(t, h.p.store.Close())
	for name, form := range map[string]url.Values{
		"authorization_code": codeForm(code),
		"refresh_token":      {"grant_type": {"refresh_token"}, "refresh_token": {refresh}},
	} {
		resp, body := tokenCall(t, h, form.Encode(), "rp", "rp-secret")
		require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "%s: %v", name, body)
		require.Equal(t, "temporarily_unavailable", body["error"], name)
	}
}
