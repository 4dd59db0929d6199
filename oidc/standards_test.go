package oidc

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/zitadel/oidc/v3/pkg/client/rp"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

func TestStaleVerificationTriggersReverification(t *testing.T) {
	h := newHarness(t)
	back := h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{})
	tokens, err := h.exchange(h.relyingParty("rp", "rp-secret"), back.Query().Get("code"))
	require.NoError(t, err)
	require.EqualValues(t, 2, tokens.IDTokenClaims.Claims["ial_level"])

	h.clock.Advance(8761 * time.Hour) // past assurance.max_verification_age
	wait := h.authorize(h.browser, authParams("rp", "acr_values", ACRIAL2))
	require.Equal(t, http.StatusOK, wait.status, wait.body)
	require.Equal(t, journeyIDV, h.journeyOf(wait), "IAL2 asked with stale data: identity verification again, not LiveID")

	lowered := h.authorize(h.newBrowser(), authParams("rp", "prompt", "none"))
	require.Equal(t, "login_required", lowered.rpURL.Query().Get("error"))
}

func TestMaxAgeZeroForcesFreshAuthentication(t *testing.T) {
	h := newHarness(t)
	back := h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{})
	party := h.relyingParty("rp", "rp-secret")
	first, err := h.exchange(party, back.Query().Get("code"))
	require.NoError(t, err)
	h.clock.Advance(5 * time.Second)
	wait := h.authorize(h.browser, authParams("rp", "max_age", "0"))
	require.Equal(t, http.StatusOK, wait.status, "max_age=0 never reuses the session")
	require.Equal(t, journeyLiveID, h.journeyOf(wait))
	require.NoError(t, h.sim.CompleteLiveID(h.sessionOf(wait), simulator.LiveIDOptions{Match: true}))
	done := h.finish(h.browser, wait)
	second, err := h.exchange(party, done.rpURL.Query().Get("code"))
	require.NoError(t, err)
	require.True(t, second.IDTokenClaims.AuthTime.AsTime().After(first.IDTokenClaims.AuthTime.AsTime()))
}

func TestIDTokenHintForAnotherSubjectIsLoginRequired(t *testing.T) {
	h := newHarness(t)
	party := h.relyingParty("rp", "rp-secret")
	a := h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{Fixture: simulator.Fixtures()[0].Name})
	_, err := h.exchange(party, a.Query().Get("code"))
	require.NoError(t, err)
	other := h.newBrowser()
	b := h.idvLogin(other, authParams("rp"), simulator.CompleteOptions{Fixture: simulator.Fixtures()[1].Name})
	bTokens, err := h.exchange(party, b.Query().Get("code"))
	require.NoError(t, err)

	p := h.authorize(h.browser, authParams("rp", "prompt", "none", "id_token_hint", bTokens.IDToken))
	require.Equal(t, "login_required", p.rpURL.Query().Get("error"), "the hint names someone other than the session's user")
}

func TestRefreshTokenIsBoundToItsClient(t *testing.T) {
	h := newHarness(t)
	back := h.idvLogin(h.browser, authParams("rp", "scope", "openid profile offline_access", "nonce", ""), simulator.CompleteOptions{})
	noNonce := rp.WithVerifierOpts(rp.WithNonce(func(context.Context) string { return "" }))
	tokens, err := h.exchange(h.relyingParty("rp", "rp-secret", noNonce), back.Query().Get("code"))
	require.NoError(t, err)
	_, err = rp.RefreshTokens[*zoidc.IDTokenClaims](context.Background(), h.relyingParty("es-rp", "es-secret", noNonce), tokens.RefreshToken, "", "")
	require.Error(t, err, "another client cannot use the refresh token")
	_, err = rp.RefreshTokens[*zoidc.IDTokenClaims](context.Background(), h.relyingParty("rp", "rp-secret", noNonce), tokens.RefreshToken, "", "")
	require.NoError(t, err, "the failed attempt by another client did not consume it")
}

func TestIdentityAssuranceScopeReturnsDefaultVerifiedClaims(t *testing.T) {
	h := newHarness(t)
	back := h.idvLogin(h.browser, authParams("rp", "scope", "openid identity_assurance"), simulator.CompleteOptions{})
	party := h.relyingParty("rp", "rp-secret")
	tokens, err := h.exchange(party, back.Query().Get("code"))
	require.NoError(t, err)
	info, err := rp.Userinfo[*zoidc.UserInfo](context.Background(), tokens.AccessToken, tokens.TokenType, tokens.IDTokenClaims.Subject, party)
	require.NoError(t, err)
	vc, ok := info.Claims["verified_claims"].(map[string]any)
	require.True(t, ok, "%v", info.Claims)
	require.NotEmpty(t, vc["claims"])
	require.NotContains(t, vc["claims"], "document_number")
}

// prompt=consent is never answered from the SSO session: the person
// consents by completing a check for the client (there is no separate
// consent page), as OIDC Core 3.1.2.1 asks the OP to obtain consent before
// returning information. Without consent the session answers silently.
func TestPromptConsentRunsAFreshCheck(t *testing.T) {
	h := newHarness(t)
	back := h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{})
	party := h.relyingParty("rp", "rp-secret")
	first, err := h.exchange(party, back.Query().Get("code"))
	require.NoError(t, err)

	silent := h.authorize(h.browser, authParams("rp"))
	require.NotNil(t, silent.rpURL, "the session answers a request without prompt")

	h.clock.Advance(2 * time.Second)
	wait := h.authorize(h.browser, authParams("rp", "prompt", "consent"))
	require.Nil(t, wait.rpURL, "prompt=consent is not answered from the session")
	require.Equal(t, http.StatusOK, wait.status, wait.body)
	require.Equal(t, journeyLiveID, h.journeyOf(wait))
	require.NoError(t, h.sim.CompleteLiveID(h.sessionOf(wait), simulator.LiveIDOptions{Match: true}))
	again, err := h.exchange(party, h.finish(h.browser, wait).rpURL.Query().Get("code"))
	require.NoError(t, err)
	require.Equal(t, first.IDTokenClaims.Subject, again.IDTokenClaims.Subject)
	require.True(t, again.IDTokenClaims.AuthTime.AsTime().After(first.IDTokenClaims.AuthTime.AsTime()), "a fresh check, not the session's")
}
