package oidc

import (
	"context"
	"net/http"
	"net/url"
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

// pushed pushes params for clientID to /par and returns the front-channel
// parameters that use it: a pushed login_hint is the client's assertion.
func (h *harness) pushed(clientID, secret string, params url.Values) url.Values {
	h.t.Helper()
	form := url.Values{}
	for k, v := range params {
		form[k] = v
	}
	form.Del("client_id")
	status, body := postForm(h.t, h.srv.URL+PathPAR, form, clientID, secret, "")
	require.Equal(h.t, http.StatusCreated, status, "%v", body)
	uri, _ := body["request_uri"].(string)
	return url.Values{"client_id": {clientID}, "request_uri": {uri}}
}

func (h *harness) identifier(ns, v string) users.Identifier {
	h.t.Helper()
	id, err := users.NewIdentifier(ns, v)
	require.NoError(h.t, err)
	return id
}

// named is the person an identifier of the shared test namespace names.
func (h *harness) named(v string) (*users.User, error) {
	return h.users.FindByIdentifier(context.Background(), h.identifier("shared", v))
}

// A front-channel login_hint only names whom to challenge: verifying
// another document under it gives the verifier their own person, and
// links nothing.
func TestFrontChannelLoginHintNeverLinks(t *testing.T) {
	h := newHarness(t)
	jane, erika := simulator.Fixtures()[0], simulator.Fixtures()[1]
	h.idvLogin(h.browser, h.pushed("rp", "rp-secret", authParams("rp", "login_hint", "jane@example.com")), simulator.CompleteOptions{Fixture: jane.Name})
	victim, err := h.named("jane@example.com")
	require.NoError(t, err, "a pushed login_hint is the client's assertion: it links")

	attacker := h.newBrowser()
	back := h.idvLogin(attacker, authParams("idv-rp", "login_hint", "jane@example.com"), simulator.CompleteOptions{Fixture: erika.Name})
	tokens, err := h.exchange(h.relyingParty("idv-rp", "idv-secret"), back.Query().Get("code"))
	require.NoError(t, err)
	require.NotEqual(t, victim.Subject, tokens.IDTokenClaims.Subject, "the attacker signs in as themselves")

	after, err := h.users.Get(context.Background(), victim.Subject)
	require.NoError(t, err)
	require.Equal(t, jane.Person.FamilyName, after.Verified.Person.FamilyName, "the victim's identity is untouched")
	require.Equal(t, victim.FaceRef, after.FaceRef)
	still, err := h.named("jane@example.com")
	require.NoError(t, err)
	require.Equal(t, victim.Subject, still.Subject)

	// A hint naming nobody is not linked to whoever verifies under it.
	h.idvLogin(h.newBrowser(), authParams("idv-rp", "login_hint", "ceo@corp.example"), simulator.CompleteOptions{Fixture: erika.Name})
	_, err = h.named("ceo@corp.example")
	require.ErrorIs(t, err, users.ErrNotFound)
}

// A client's pushed assertion binds the verification to the named person,
// who then cannot be given another document without authenticating.
func TestPushedHintCannotReplaceAVerifiedIdentity(t *testing.T) {
	h := newHarness(t)
	jane, erika := simulator.Fixtures()[0], simulator.Fixtures()[1]
	h.idvLogin(h.browser, h.pushed("rp", "rp-secret", authParams("rp", "login_hint", "jane@example.com")), simulator.CompleteOptions{Fixture: jane.Name})
	victim, err := h.named("jane@example.com")
	require.NoError(t, err)

	denied := h.idvLogin(h.newBrowser(), h.pushed("idv-rp", "idv-secret", authParams("idv-rp", "login_hint", "jane@example.com")), simulator.CompleteOptions{Fixture: erika.Name})
	require.Equal(t, "access_denied", denied.Query().Get("error"))
	require.Contains(t, denied.Query().Get("error_description"), "another document")
	after, err := h.users.Get(context.Background(), victim.Subject)
	require.NoError(t, err)
	require.Equal(t, jane.Person.FamilyName, after.Verified.Person.FamilyName)

	// The same person re-verifying with the same document is fine.
	again := h.idvLogin(h.newBrowser(), h.pushed("idv-rp", "idv-secret", authParams("idv-rp", "login_hint", "jane@example.com")), simulator.CompleteOptions{Fixture: jane.Name})
	require.NotEmpty(t, again.Query().Get("code"), again.String())
}

func TestSessionUserCannotTakeAnotherUsersIdentifier(t *testing.T) {
	h := newHarness(t)
	h.idvLogin(h.browser, h.pushed("rp", "rp-secret", authParams("rp", "login_hint", "a@example.com")), simulator.CompleteOptions{Fixture: simulator.Fixtures()[0].Name})
	other := h.newBrowser()
	h.idvLogin(other, h.pushed("rp", "rp-secret", authParams("rp", "login_hint", "b@example.com")), simulator.CompleteOptions{Fixture: simulator.Fixtures()[1].Name})
	b, err := h.named("b@example.com")
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

	still, err := h.named("b@example.com")
	require.NoError(t, err)
	require.Equal(t, b.Subject, still.Subject)

	a, err := h.named("a@example.com")
	require.NoError(t, err)
	require.ErrorIs(t, h.users.AddIdentifier(context.Background(), a.Subject, h.identifier("shared", "b@example.com")), users.ErrIdentifierTaken)
}

func TestLeakedIDTokenCannotReplaceAVerifiedIdentity(t *testing.T) {
	h := newHarness(t)
	jane, erika := simulator.Fixtures()[0], simulator.Fixtures()[1]
	back := h.idvLogin(h.browser, authParams("idv-rp"), simulator.CompleteOptions{Fixture: jane.Name})
	tokens, err := h.exchange(h.relyingParty("idv-rp", "idv-secret"), back.Query().Get("code"))
	require.NoError(t, err)

	attacker := h.newBrowser()
	other := h.idvLogin(attacker, authParams("idv-rp", "id_token_hint", tokens.IDToken), simulator.CompleteOptions{Fixture: erika.Name})
	theirs, err := h.exchange(h.relyingParty("idv-rp", "idv-secret"), other.Query().Get("code"))
	require.NoError(t, err)
	require.NotEqual(t, tokens.IDTokenClaims.Subject, theirs.IDTokenClaims.Subject, "a leaked ID token only names; the attacker is themselves")
	u, err := h.users.Get(context.Background(), tokens.IDTokenClaims.Subject)
	require.NoError(t, err)
	require.Equal(t, jane.Person.FamilyName, u.Verified.Person.FamilyName)

	// In the person's own session a new document replaces the old one.
	renewed := h.idvLogin(h.browser, authParams("idv-rp", "id_token_hint", tokens.IDToken, "prompt", "login"), simulator.CompleteOptions{Fixture: simulator.Fixtures()[2].Name})
	again, err := h.exchange(h.relyingParty("idv-rp", "idv-secret"), renewed.Query().Get("code"))
	require.NoError(t, err)
	require.Equal(t, tokens.IDTokenClaims.Subject, again.IDTokenClaims.Subject)
}

// An identifier typed on the identification page names whom to
// challenge: an enrolled person gets LiveID (the decision is made again
// once the person is known), and nothing is linked.
func TestTypedIdentifierOfAnEnrolledPersonGetsLiveID(t *testing.T) {
	h := newHarness(t)
	h.idvLogin(h.browser, h.pushed("rp", "rp-secret", authParams("rp", "login_hint", "Jane@Example.com")), simulator.CompleteOptions{Fixture: simulator.Fixtures()[0].Name})
	jane, err := h.named("jane@example.com")
	require.NoError(t, err, "e-mail addresses compare case-insensitively")

	c := h.newBrowser()
	ask := h.authorize(c, authParams("liveid-rp"))
	require.Equal(t, http.StatusOK, ask.status)
	require.Contains(t, ask.body, `name="identifier"`)
	wait := h.visit(c, http.MethodPost, h.srv.URL+PathLogin+"/identify", url.Values{"id": {waitID(t, ask)}, "identifier": {" JANE@example.com "}})
	require.Contains(t, wait.body, "/liveid/session/", "an enrolled person steps up with LiveID, not IDV")
	require.NoError(t, h.sim.CompleteLiveID(h.sessionOf(wait), simulator.LiveIDOptions{Match: true}))
	done := h.finish(c, wait)
	tokens, err := h.exchange(h.relyingParty("liveid-rp", "liveid-secret"), done.rpURL.Query().Get("code"))
	require.NoError(t, err)
	require.Equal(t, jane.Subject, tokens.IDTokenClaims.Subject)
	require.Equal(t, ACRLiveID, tokens.IDTokenClaims.AuthenticationContextClassReference)

	// A typed identifier of nobody runs IDV and links nothing.
	c = h.newBrowser()
	ask = h.authorize(c, authParams("liveid-rp"))
	wait = h.visit(c, http.MethodPost, h.srv.URL+PathLogin+"/identify", url.Values{"id": {waitID(t, ask)}, "identifier": {"ceo@corp.example"}})
	require.Contains(t, wait.body, "/idproofing/session/")
	require.NoError(t, h.sim.Complete(h.sessionOf(wait), simulator.CompleteOptions{Fixture: simulator.Fixtures()[1].Name}))
	require.NotEmpty(t, h.finish(c, wait).rpURL.Query().Get("code"))
	_, err = h.named("ceo@corp.example")
	require.ErrorIs(t, err, users.ErrNotFound)
}

// A LiveID client's every authentication checks the face: an SSO session
// does not answer it with an old face check.
func TestLiveIDClientChecksTheFaceDespiteASession(t *testing.T) {
	h := newHarness(t)
	back := h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{})
	first, err := h.exchange(h.relyingParty("rp", "rp-secret"), back.Query().Get("code"))
	require.NoError(t, err)

	none := h.authorize(h.browser, authParams("liveid-rp", "prompt", "none"))
	require.Equal(t, "login_required", none.rpURL.Query().Get("error"), "no silent answer for a LiveID client")
	h.clock.Advance(time.Minute)
	wait := h.authorize(h.browser, authParams("liveid-rp"))
	require.Contains(t, wait.body, "/liveid/session/", "the session's person steps up with a face check")
	require.NoError(t, h.sim.CompleteLiveID(h.sessionOf(wait), simulator.LiveIDOptions{Match: true}))
	done := h.finish(h.browser, wait)
	tokens, err := h.exchange(h.relyingParty("liveid-rp", "liveid-secret"), done.rpURL.Query().Get("code"))
	require.NoError(t, err)
	require.Equal(t, first.IDTokenClaims.Subject, tokens.IDTokenClaims.Subject)
	require.Equal(t, ACRLiveID, tokens.IDTokenClaims.AuthenticationContextClassReference)
	require.True(t, tokens.IDTokenClaims.AuthTime.AsTime().After(first.IDTokenClaims.AuthTime.AsTime()), "a fresh auth_time")
	require.Contains(t, tokens.IDTokenClaims.AuthenticationMethodsReferences, "face")
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
		}, "document"))
	}
	h.p.users = users.New(late, h.sealer, users.Options{HashKey: []byte("test-hash-key-test-hash-key-0001"), Now: h.clock.Now})
	h.p.journey = testJourney(t, h.p.cfg, h.p.users, h.clock.Now, nil)

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
