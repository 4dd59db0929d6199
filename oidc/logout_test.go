package oidc

import (
	"net/http"
	"net/url"
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
