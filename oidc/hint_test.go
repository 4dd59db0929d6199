package oidc

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
	"github.com/idbridge/idbridge/pkg/users"
)

// A login_hint only names a person; it must not let a stranger replace a
// verified identity or take over the identifier.
func TestLoginHintCannotReplaceAVerifiedIdentity(t *testing.T) {
	h := newHarness(t)
	jane, erika := simulator.Fixtures()[0], simulator.Fixtures()[1]
	h.idvLogin(h.browser, authParams("idv-rp", "login_hint", "jane@example.com"), simulator.CompleteOptions{Fixture: jane.Name})
	victim, err := h.users.FindByIdentifier(context.Background(), "jane@example.com")
	require.NoError(t, err)

	attacker := h.newBrowser()
	back := h.idvLogin(attacker, authParams("idv-rp", "login_hint", "jane@example.com"), simulator.CompleteOptions{Fixture: erika.Name})
	require.Equal(t, "access_denied", back.Query().Get("error"))
	require.Contains(t, back.Query().Get("error_description"), "another document")

	after, err := h.users.Get(context.Background(), victim.Subject)
	require.NoError(t, err)
	require.Equal(t, jane.Person.FamilyName, after.Verified.Person.FamilyName, "the victim's identity is untouched")
	require.Equal(t, victim.FaceRef, after.FaceRef)

	// The same person re-verifying with the same document is fine.
	again := h.idvLogin(h.newBrowser(), authParams("idv-rp", "login_hint", "jane@example.com"), simulator.CompleteOptions{Fixture: jane.Name})
	require.NotEmpty(t, again.Query().Get("code"), again.String())
}

func TestSessionUserCannotTakeAnotherUsersIdentifier(t *testing.T) {
	h := newHarness(t)
	h.idvLogin(h.browser, authParams("rp", "login_hint", "a@example.com"), simulator.CompleteOptions{Fixture: simulator.Fixtures()[0].Name})
	other := h.newBrowser()
	h.idvLogin(other, authParams("rp", "login_hint", "b@example.com"), simulator.CompleteOptions{Fixture: simulator.Fixtures()[1].Name})
	b, err := h.users.FindByIdentifier(context.Background(), "b@example.com")
	require.NoError(t, err)

	// A's browser asks for B: not silent, and the journey targets B (LiveID
	// with B's face), so A's session cannot answer for B.
	none := h.authorize(h.browser, authParams("rp", "prompt", "none", "login_hint", "b@example.com"))
	require.Equal(t, "login_required", none.rpURL.Query().Get("error"))
	wait := h.authorize(h.browser, authParams("rp", "login_hint", "b@example.com"))
	require.Contains(t, wait.body, "/liveid/session/")
	require.NoError(t, h.sim.CompleteLiveID(h.sessionOf(wait), simulator.LiveIDOptions{Match: false}))
	done := h.finish(h.browser, wait)
	require.Equal(t, "access_denied", done.rpURL.Query().Get("error"))

	still, err := h.users.FindByIdentifier(context.Background(), "b@example.com")
	require.NoError(t, err)
	require.Equal(t, b.Subject, still.Subject)

	a, err := h.users.FindByIdentifier(context.Background(), "a@example.com")
	require.NoError(t, err)
	require.ErrorIs(t, h.users.AddIdentifier(context.Background(), a.Subject, "b@example.com"), users.ErrIdentifierTaken)
}

func TestLeakedIDTokenCannotReplaceAVerifiedIdentity(t *testing.T) {
	h := newHarness(t)
	jane, erika := simulator.Fixtures()[0], simulator.Fixtures()[1]
	back := h.idvLogin(h.browser, authParams("idv-rp"), simulator.CompleteOptions{Fixture: jane.Name})
	tokens, err := h.exchange(h.relyingParty("idv-rp", "idv-secret"), back.Query().Get("code"))
	require.NoError(t, err)

	attacker := h.newBrowser()
	denied := h.idvLogin(attacker, authParams("idv-rp", "id_token_hint", tokens.IDToken), simulator.CompleteOptions{Fixture: erika.Name})
	require.Equal(t, "access_denied", denied.Query().Get("error"))
	u, err := h.users.Get(context.Background(), tokens.IDTokenClaims.Subject)
	require.NoError(t, err)
	require.Equal(t, jane.Person.FamilyName, u.Verified.Person.FamilyName)

	// In the person's own session a new document replaces the old one.
	renewed := h.idvLogin(h.browser, authParams("idv-rp", "id_token_hint", tokens.IDToken, "prompt", "login"), simulator.CompleteOptions{Fixture: erika.Name})
	require.NotEmpty(t, renewed.Query().Get("code"), renewed.String())
}
