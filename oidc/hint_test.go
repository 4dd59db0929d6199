package oidc

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
	"github.com/idbridge/idbridge/pkg/storage"
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

// lateRegistration is a store on which the first lookup of a document
// index misses, and the document is registered to someone else right
// after it: another login finishing the first verification of the same
// document at the same moment.
type lateRegistration struct {
	storage.Store
	once     sync.Once
	register func()
	mu       sync.Mutex
	people   []string // user records written
}

func (l *lateRegistration) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	if sub, ok := strings.CutPrefix(key, "user:{"); ok {
		l.mu.Lock()
		l.people = append(l.people, strings.TrimSuffix(sub, "}"))
		l.mu.Unlock()
	}
	return l.Store.Set(ctx, key, v, ttl)
}

func (l *lateRegistration) Get(ctx context.Context, key string) ([]byte, error) {
	hit := false
	if strings.HasPrefix(key, "doc:{") {
		l.once.Do(func() { l.register(); hit = true })
	}
	if hit {
		return nil, storage.ErrNotFound
	}
	return l.Store.Get(ctx, key)
}

// TestSimultaneousFirstVerificationsOfOneDocument: when two new visitors
// verify the same document at once, the one that loses the race signs in
// as the document's owner (as it would have a moment later) and no empty
// person is left behind.
func TestSimultaneousFirstVerificationsOfOneDocument(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	f := simulator.Fixtures()[0]
	var owner string
	late := &lateRegistration{Store: h.p.store}
	late.register = func() {
		u, err := h.users.Create(ctx)
		require.NoError(t, err)
		owner = u.Subject
		require.NoError(t, h.users.RecordVerification(ctx, u.Subject, idv.IDVResult{
			SessionID: "other", Status: idv.StatusCompleted, Verification: idv.Passed, Liveness: idv.Passed, FaceMatch: idv.Passed,
			Person: &f.Person, Document: &f.Document, CompletedAt: h.clock.Now(),
		}))
	}
	h.p.users = users.New(late, h.sealer, users.Options{HashKey: []byte("test-hash-key-test-hash-key-0001"), Now: h.clock.Now})

	back := h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{Fixture: f.Name})
	require.NotEmpty(t, back.Query().Get("code"), "no access_denied: %s", back)
	tokens, err := h.exchange(h.relyingParty("rp", "rp-secret"), back.Query().Get("code"))
	require.NoError(t, err)
	require.NotEmpty(t, owner)
	require.Equal(t, owner, tokens.IDTokenClaims.Subject, "signed in as the document's owner")
	late.mu.Lock()
	defer late.mu.Unlock()
	require.Greater(t, len(late.people), 1, "the losing login had created a person")
	for _, sub := range late.people {
		if sub != owner {
			_, err := h.users.Get(ctx, sub)
			require.ErrorIs(t, err, users.ErrNotFound, "the person created for the taken document is removed")
		}
	}
}
