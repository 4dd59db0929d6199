package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/zitadel/oidc/v3/pkg/client/rp"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

func pkce() (verifier, challenge string) {
	verifier = randomToken()
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// idvLogin runs a complete IDV login for clientID in browser c and returns
// the code the relying party received.
func (h *harness) idvLogin(c *http.Client, params url.Values, opt simulator.CompleteOptions) *url.URL {
	h.t.Helper()
	wait := h.authorize(c, params)
	require.Equal(h.t, http.StatusOK, wait.status, wait.body)
	require.NoError(h.t, h.sim.Complete(h.sessionOf(wait), opt))
	done := h.finish(c, wait)
	require.NotNil(h.t, done.rpURL, "expected a redirect to the relying party, got %d %s", done.status, done.body)
	return done.rpURL
}

func TestIDVLoginWithPKCETokenUserinfo(t *testing.T) {
	h := newHarness(t)
	verifier, challenge := pkce()
	back := h.idvLogin(h.browser, authParams("rp", "code_challenge", challenge, "code_challenge_method", "S256",
		"claims", `{"userinfo":{"verified_claims":{"verification":{"trust_framework":null},"claims":{"given_name":null,"family_name":null,"birthdate":null}}}}`),
		simulator.CompleteOptions{})
	q := back.Query()
	require.Equal(t, "st-rp", q.Get("state"))
	require.Equal(t, h.srv.URL, q.Get("iss"), "RFC 9207 iss")
	require.NotEmpty(t, q.Get("code"))

	party := h.relyingParty("rp", "rp-secret")
	tokens, err := h.exchange(party, q.Get("code"), rp.WithCodeVerifier(verifier))
	require.NoError(t, err, "ID token must verify against JWKS")
	c := tokens.IDTokenClaims
	require.NotEmpty(t, c.Subject)
	require.Equal(t, ACRIAL2, c.AuthenticationContextClassReference)
	require.ElementsMatch(t, []string{"face", "user"}, c.AuthenticationMethodsReferences)
	require.WithinDuration(t, time.Now(), c.AuthTime.AsTime(), time.Minute)
	require.EqualValues(t, 2, c.Claims["ial_level"])
	require.Equal(t, "n-1", c.Nonce)
	require.NotContains(t, c.Claims, "verified_claims", "verified_claims were requested for userinfo only")

	info, err := rp.Userinfo[*zoidc.UserInfo](context.Background(), tokens.AccessToken, tokens.TokenType, c.Subject, party)
	require.NoError(t, err)
	require.Equal(t, c.Subject, info.Subject)
	require.EqualValues(t, 2, info.Claims["ial_level"])
	vc, ok := info.Claims["verified_claims"].(map[string]any)
	require.True(t, ok, "userinfo verified_claims: %v", info.Claims)
	require.Equal(t, "nist_800_63A", vc["verification"].(map[string]any)["trust_framework"])
	fixture := simulator.Fixtures()[0]
	require.Equal(t, fixture.Person.GivenName, vc["claims"].(map[string]any)["given_name"])
	require.Equal(t, fixture.Person.GivenName, info.Claims["given_name"], "flat mirror for Descope attribute mapping")
	require.Equal(t, "verified", info.Claims["idv_status"])
	// How this sign-in was authenticated, for relying parties that map
	// attributes from userinfo.
	require.Equal(t, ACRIAL2, info.Claims["acr"])
	require.ElementsMatch(t, []any{"face", "user"}, info.Claims["amr"])
	require.EqualValues(t, c.AuthTime.AsTime().Unix(), info.Claims["auth_time"])
}

// A claims parameter replaces the client's default ID token claims.
func TestClaimsParameterReplacesTheClientDefault(t *testing.T) {
	h := newHarnessWith(t, `
  - id: ida-rp
    secret: ida-secret
    id_token_claims: identity_assurance
    redirect_uris: [https://rp.example/cb]
`)
	party := h.relyingParty("ida-rp", "ida-secret")
	back := h.idvLogin(h.browser, authParams("ida-rp", "claims", `{"userinfo":{"given_name":null}}`), simulator.CompleteOptions{})
	tokens, err := h.exchange(party, back.Query().Get("code"))
	require.NoError(t, err)
	require.NotContains(t, tokens.IDTokenClaims.Claims, "verified_claims")

	back = h.idvLogin(h.newBrowser(), authParams("ida-rp"), simulator.CompleteOptions{Fixture: simulator.Fixtures()[1].Name})
	tokens, err = h.exchange(party, back.Query().Get("code"))
	require.NoError(t, err)
	vc := tokens.IDTokenClaims.Claims["verified_claims"].(map[string]any)
	require.Equal(t, simulator.Fixtures()[1].Person.FamilyName, vc["claims"].(map[string]any)["family_name"])
}

func TestCodeReplayIsRejectedAndRevokesTokens(t *testing.T) {
	h := newHarness(t)
	back := h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{})
	party := h.relyingParty("rp", "rp-secret")
	tokens, err := h.exchange(party, back.Query().Get("code"))
	require.NoError(t, err)

	_, err = h.exchange(party, back.Query().Get("code"))
	require.ErrorContains(t, err, "invalid_grant")

	_, err = rp.Userinfo[*zoidc.UserInfo](context.Background(), tokens.AccessToken, tokens.TokenType, tokens.IDTokenClaims.Subject, party)
	require.Error(t, err, "the access token issued for a replayed code must be revoked")
}

func TestLiveIDStepUpForVerifiedUser(t *testing.T) {
	h := newHarness(t)
	back := h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{})
	party := h.relyingParty("rp", "rp-secret")
	first, err := h.exchange(party, back.Query().Get("code"))
	require.NoError(t, err)

	h.clock.Advance(2 * time.Second)
	wait := h.authorize(h.browser, authParams("rp", "acr_values", ACRLiveID, "prompt", "login"))
	require.Equal(t, http.StatusOK, wait.status, wait.body)
	require.Equal(t, journeyLiveID, h.journeyOf(wait), "an enrolled, verified user gets LiveID, not IDV again")
	require.NoError(t, h.sim.CompleteLiveID(h.sessionOf(wait), simulator.LiveIDOptions{Match: true}))
	done := h.finish(h.browser, wait)
	require.NotNil(t, done.rpURL, done.body)
	second, err := h.exchange(party, done.rpURL.Query().Get("code"))
	require.NoError(t, err)
	require.Equal(t, first.IDTokenClaims.Subject, second.IDTokenClaims.Subject)
	require.Equal(t, ACRLiveID, second.IDTokenClaims.AuthenticationContextClassReference)
	require.True(t, second.IDTokenClaims.AuthTime.AsTime().After(first.IDTokenClaims.AuthTime.AsTime()), "prompt=login must give a fresh auth_time")

	// The same step-up with somebody else's face is refused.
	wait = h.authorize(h.browser, authParams("rp", "acr_values", ACRLiveID, "prompt", "login"))
	require.NoError(t, h.sim.CompleteLiveID(h.sessionOf(wait), simulator.LiveIDOptions{Match: false}))
	done = h.finish(h.browser, wait)
	require.Equal(t, "access_denied", done.rpURL.Query().Get("error"))
	require.Equal(t, h.srv.URL, done.rpURL.Query().Get("iss"))
}

func TestDeclinedVerificationIsAccessDenied(t *testing.T) {
	h := newHarness(t)
	wait := h.authorize(h.browser, authParams("idv-rp"))
	require.NoError(t, h.sim.Decline(h.sessionOf(wait)))
	done := h.finish(h.browser, wait)
	q := done.rpURL.Query()
	require.Equal(t, "access_denied", q.Get("error"))
	require.Contains(t, q.Get("error_description"), "declined")
	require.Equal(t, "st-idv-rp", q.Get("state"))
	require.Equal(t, h.srv.URL, q.Get("iss"))
}

func TestExpiredVerificationIsLoginRequired(t *testing.T) {
	h := newHarness(t)
	wait := h.authorize(h.browser, authParams("idv-rp"))
	h.clock.Advance(11 * time.Minute)
	done := h.visit(h.browser, http.MethodPost, h.srv.URL+"/login/continue", url.Values{"id": {waitID(t, wait)}})
	require.NotNil(t, done.rpURL, done.body)
	require.Equal(t, "login_required", done.rpURL.Query().Get("error"))
}

func TestFailedVerificationIsAccessDeniedWithReason(t *testing.T) {
	h := newHarness(t)
	var expired string
	for _, f := range simulator.Fixtures() {
		if f.Expired {
			expired = f.Name
		}
	}
	require.NotEmpty(t, expired, "the simulator has a fixture with an expired document")
	back := h.idvLogin(h.browser, authParams("idv-rp"), simulator.CompleteOptions{Fixture: expired})
	require.Equal(t, "access_denied", back.Query().Get("error"))
	require.Contains(t, back.Query().Get("error_description"), "identity verification failed")
}

func TestContinueBeforeCompletionReturnsToWaiting(t *testing.T) {
	h := newHarness(t)
	wait := h.authorize(h.browser, authParams("idv-rp"))
	again := h.visit(h.browser, http.MethodPost, h.srv.URL+"/login/continue", url.Values{"id": {waitID(t, wait)}})
	require.Equal(t, http.StatusOK, again.status)
	require.Contains(t, again.body, `id="verify-link"`)
	require.Nil(t, again.rpURL, "a running verification must never complete the login")
}

func TestLoginBoundToBrowser(t *testing.T) {
	h := newHarness(t)
	wait := h.authorize(h.browser, authParams("idv-rp"))
	require.NoError(t, h.sim.Complete(h.sessionOf(wait), simulator.CompleteOptions{}))
	other := h.newBrowser()
	stolen := h.visit(other, http.MethodPost, h.srv.URL+"/login/continue", url.Values{"id": {waitID(t, wait)}})
	require.Equal(t, http.StatusForbidden, stolen.status)
	require.Nil(t, stolen.rpURL)
}

func TestSilentSSOAndPromptNone(t *testing.T) {
	h := newHarness(t)
	back := h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{})
	party := h.relyingParty("rp", "rp-secret")
	first, err := h.exchange(party, back.Query().Get("code"))
	require.NoError(t, err)

	silent := h.authorize(h.browser, authParams("rp", "prompt", "none"))
	require.NotNil(t, silent.rpURL)
	require.NotEmpty(t, silent.rpURL.Query().Get("code"), silent.rpURL.String())
	again, err := h.exchange(party, silent.rpURL.Query().Get("code"))
	require.NoError(t, err)
	require.Equal(t, first.IDTokenClaims.Subject, again.IDTokenClaims.Subject)
	require.Equal(t, first.IDTokenClaims.AuthTime, again.IDTokenClaims.AuthTime)

	hinted := h.authorize(h.browser, authParams("rp", "prompt", "none", "id_token_hint", first.IDToken))
	require.NotNil(t, hinted.rpURL, hinted.body)
	hint, err := h.exchange(party, hinted.rpURL.Query().Get("code"))
	require.NoError(t, err, "id_token_hint for the session's subject succeeds silently: %s", hinted.rpURL)
	require.Equal(t, first.IDTokenClaims.Subject, hint.IDTokenClaims.Subject)

	fresh := h.newBrowser()
	none := h.authorize(fresh, authParams("rp", "prompt", "none"))
	require.Equal(t, "login_required", none.rpURL.Query().Get("error"))
	maxAge := h.authorize(h.browser, authParams("rp", "prompt", "none", "max_age", "0"))
	require.Equal(t, "login_required", maxAge.rpURL.Query().Get("error"))
}

func TestRefreshKeepsAuthenticationAndRotates(t *testing.T) {
	h := newHarness(t)
	back := h.idvLogin(h.browser, authParams("rp", "scope", "openid profile offline_access", "nonce", ""), simulator.CompleteOptions{})
	// A refreshed ID token carries no nonce (OIDC Core 12.2), so this
	// client sends none.
	party := h.relyingParty("rp", "rp-secret", rp.WithVerifierOpts(rp.WithNonce(func(context.Context) string { return "" })))
	tokens, err := h.exchange(party, back.Query().Get("code"))
	require.NoError(t, err)
	require.NotEmpty(t, tokens.RefreshToken)

	h.clock.Advance(time.Minute)
	refreshed, err := rp.RefreshTokens[*zoidc.IDTokenClaims](context.Background(), party, tokens.RefreshToken, "", "")
	require.NoError(t, err)
	require.NotEqual(t, tokens.RefreshToken, refreshed.RefreshToken, "refresh tokens rotate")
	require.Equal(t, tokens.IDTokenClaims.Subject, refreshed.IDTokenClaims.Subject)
	require.Equal(t, tokens.IDTokenClaims.AuthTime, refreshed.IDTokenClaims.AuthTime)
	require.Equal(t, ACRIAL2, refreshed.IDTokenClaims.AuthenticationContextClassReference)

	_, err = rp.RefreshTokens[*zoidc.IDTokenClaims](context.Background(), party, tokens.RefreshToken, "", "")
	require.ErrorContains(t, err, "invalid_grant", "a rotated refresh token is dead")
}

func TestES256ClientAndPostAuth(t *testing.T) {
	h := newHarness(t)
	back := h.idvLogin(h.browser, authParams("es-rp"), simulator.CompleteOptions{})
	tokens, err := h.exchange(h.relyingParty("es-rp", "es-secret"), back.Query().Get("code"))
	require.NoError(t, err)
	require.Equal(t, "ES256", tokenAlg(t, tokens.IDToken))

	b2 := h.newBrowser()
	back = h.idvLogin(b2, authParams("rp-post"), simulator.CompleteOptions{})
	_, err = h.exchange(h.relyingParty("rp-post", "rp-post-secret"), back.Query().Get("code"))
	require.NoError(t, err, "client_secret_post")
}

func TestFormPostResponseCarriesIss(t *testing.T) {
	h := newHarness(t)
	wait := h.authorize(h.browser, authParams("rp", "response_mode", "form_post"))
	require.NoError(t, h.sim.Complete(h.sessionOf(wait), simulator.CompleteOptions{}))
	done := h.finish(h.browser, wait)
	require.Equal(t, http.StatusOK, done.status)
	require.Contains(t, done.body, `action="https://rp.example/cb"`)
	require.Contains(t, done.body, `name="code"`)
	require.Contains(t, done.body, `name="iss" value="`+h.srv.URL+`"`)
	require.Contains(t, done.body, `name="state" value="st-rp"`)
}
