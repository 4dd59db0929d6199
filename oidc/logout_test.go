package oidc

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

func TestEndSessionEndsSSO(t *testing.T) {
	h := newHarness(t)
	back := h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{})
	tokens, err := h.exchange(h.relyingParty("rp", "rp-secret"), back.Query().Get("code"))
	require.NoError(t, err)
	require.NotEmpty(t, h.authorize(h.browser, authParams("rp", "prompt", "none")).rpURL.Query().Get("code"), "signed in")

	out := h.visit(h.browser, http.MethodGet, h.srv.URL+PathEndSession+"?"+url.Values{"id_token_hint": {tokens.IDToken}, "client_id": {"rp"}}.Encode(), nil)
	require.Equal(t, http.StatusOK, out.status)
	require.Contains(t, out.body, `id="logged-out"`)

	after := h.authorize(h.browser, authParams("rp", "prompt", "none"))
	require.Equal(t, "login_required", after.rpURL.Query().Get("error"), "the SSO session is gone")
}

// logoutClient registers where its users go after signing out.
const logoutClient = `  - id: lo-rp
    secret: lo-secret
    redirect_uris: [https://rp.example/cb]
    post_logout_redirect_uris: [https://rp.example/bye]
`

var (
	confirmFieldRE = regexp.MustCompile(`name="confirm" value="([^"]+)"`)
	hiddenFieldRE  = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// signedIn logs browser c in through lo-rp and returns an ID token for it.
func (h *harness) signedIn(c *http.Client, fixture int) string {
	h.t.Helper()
	back := h.idvLogin(c, authParams("lo-rp"), simulator.CompleteOptions{Fixture: simulator.Fixtures()[fixture].Name})
	tokens, err := h.exchange(h.relyingParty("lo-rp", "lo-secret"), back.Query().Get("code"))
	require.NoError(h.t, err)
	return tokens.IDToken
}

func (h *harness) stillSignedIn(c *http.Client) bool {
	h.t.Helper()
	back := h.authorize(c, authParams("lo-rp", "prompt", "none"))
	require.NotNil(h.t, back.rpURL, back.body)
	return back.rpURL.Query().Get("code") != ""
}

// TestEndSessionWithOnlyAnIDTokenEndsNothing: an ID token replayed from
// another browser, without the person's session cookie, ends no session
// (RP-Initiated Logout 1.0 section 2: the OP must not log the person out
// on the strength of a token alone).
func TestEndSessionWithOnlyAnIDTokenEndsNothing(t *testing.T) {
	h := newHarnessWith(t, logoutClient)
	victim := h.newBrowser()
	idToken := h.signedIn(victim, 0)

	attacker := h.newBrowser()
	out := h.visit(attacker, http.MethodGet, h.srv.URL+PathEndSession+"?"+url.Values{"id_token_hint": {idToken}}.Encode(), nil)
	require.Equal(t, http.StatusOK, out.status)
	require.Contains(t, out.body, `id="logged-out"`, "the attacker's browser had nothing to end")
	require.True(t, h.stillSignedIn(victim), "the victim is still signed in")

	// The same from a browser with its own session for someone else asks
	// that browser's person, and confirming ends only that browser.
	other := h.newBrowser()
	h.signedIn(other, 1)
	ask := h.visit(other, http.MethodGet, h.srv.URL+PathEndSession+"?"+url.Values{"id_token_hint": {idToken}}.Encode(), nil)
	require.Contains(t, ask.body, `id="logout-confirm"`)
	confirmed := h.visit(other, http.MethodPost, h.srv.URL+PathEndSession, formOf(t, ask))
	require.Contains(t, confirmed.body, `id="logged-out"`)
	require.False(t, h.stillSignedIn(other))
	require.True(t, h.stillSignedIn(victim), "the victim is still signed in")
}

func TestEndSessionAsksWithoutAMatchingHint(t *testing.T) {
	h := newHarnessWith(t, logoutClient)
	h.signedIn(h.browser, 0)

	ask := h.visit(h.browser, http.MethodGet, h.srv.URL+PathEndSession+"?"+url.Values{"client_id": {"lo-rp"}, "post_logout_redirect_uri": {"https://rp.example/bye"}, "state": {"s-1"}}.Encode(), nil)
	require.Equal(t, http.StatusOK, ask.status)
	require.Contains(t, ask.body, `id="logout-confirm"`, "no hint: the person is asked")
	require.True(t, h.stillSignedIn(h.browser), "asking ends nothing")

	forged := formOf(t, ask)
	forged.Set("confirm", "v1.forged")
	again := h.visit(h.browser, http.MethodPost, h.srv.URL+PathEndSession, forged)
	require.Contains(t, again.body, `id="logout-confirm"`, "a forged confirmation asks again")
	require.True(t, h.stillSignedIn(h.browser))

	// A confirmation made for this browser does not work in another.
	thief := h.newBrowser()
	h.signedIn(thief, 1)
	stolen := h.visit(thief, http.MethodPost, h.srv.URL+PathEndSession, formOf(t, ask))
	require.Contains(t, stolen.body, `id="logout-confirm"`)
	require.True(t, h.stillSignedIn(thief))

	done := h.visit(h.browser, http.MethodPost, h.srv.URL+PathEndSession, formOf(t, ask))
	require.NotNil(t, done.rpURL, done.body)
	require.Equal(t, "/bye", done.rpURL.Path)
	require.Equal(t, "s-1", done.rpURL.Query().Get("state"))
	require.False(t, h.stillSignedIn(h.browser))

	replayed := h.visit(h.browser, http.MethodPost, h.srv.URL+PathEndSession, formOf(t, ask))
	require.NotNil(t, replayed.rpURL, "a replayed confirmation finds nothing left to end")
}

func TestEndSessionRefusesMalformedAndHostileRequests(t *testing.T) {
	h := newHarnessWith(t, logoutClient)
	idToken := h.signedIn(h.browser, 0)
	tests := []struct {
		name    string
		params  url.Values
		problem string
	}{
		{"forged hint", url.Values{"id_token_hint": {idToken[:len(idToken)-4] + "AAAA"}}, "not an ID token idbridge issued"},
		{"garbage hint", url.Values{"id_token_hint": {"not-a-jwt"}}, "not an ID token idbridge issued"},
		{"unregistered post_logout_redirect_uri", url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {"https://evil.example/"}}, "not registered"},
		{"post_logout_redirect_uri without a client", url.Values{"post_logout_redirect_uri": {"https://rp.example/bye"}}, "without knowing the client"},
		{"client_id other than the hint's", url.Values{"id_token_hint": {idToken}, "client_id": {"rp"}}, "differs"},
		{"oversized state", url.Values{"state": {oversizedState[:3000]}}, "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := h.visit(h.browser, http.MethodGet, h.srv.URL+PathEndSession+"?"+tt.params.Encode(), nil)
			require.Equal(t, http.StatusBadRequest, out.status, out.body)
			require.Nil(t, out.rpURL)
			require.Equal(t, "bad_request", problemOf(out))
			require.Contains(t, html.UnescapeString(h.errorDetail(out)), tt.problem)
			require.True(t, h.stillSignedIn(h.browser), "a refused request ends nothing")
		})
	}
}

// formOf reads the hidden fields of a confirmation page.
func formOf(t *testing.T, p page) url.Values {
	t.Helper()
	require.Regexp(t, confirmFieldRE, p.body)
	form := url.Values{}
	for _, m := range hiddenFieldRE.FindAllStringSubmatch(p.body, -1) {
		form.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return form
}
