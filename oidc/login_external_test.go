package oidc

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
	"github.com/idbridge/idbridge/pkg/journey"
)

const internalReturn = "https://rp.example/saml/resume"

func newExternalHarness(t *testing.T) *harness {
	return newHarnessOpts(t, harnessOpts{internal: []config.Client{{
		ID: "saml:app", RedirectURIs: []string{internalReturn}, TokenAuthMethod: "private_key_jwt", Scopes: []string{"openid"},
		Journey: "auto", IDTokenAlg: "RS256", IdentifierNamespace: "app", Branding: config.Branding{ClientName: "SAML App"},
	}}})
}

// begin calls BeginLogin as the browser c and follows where it leads.
func (h *harness) begin(c *http.Client, req LoginRequest) page {
	h.t.Helper()
	base, _ := url.Parse(h.srv.URL)
	r := httptest.NewRequest(http.MethodGet, h.srv.URL+"/saml/begin", nil)
	r.RemoteAddr = "127.0.0.1:40000" // the network the browser's other requests come from
	for _, ck := range c.Jar.Cookies(base) {
		r.AddCookie(ck)
	}
	w := httptest.NewRecorder()
	h.p.BeginLogin(w, r, req)
	c.Jar.SetCookies(base, w.Result().Cookies())
	require.Equal(h.t, http.StatusSeeOther, w.Code, w.Body.String())
	loc, err := url.Parse(w.Header().Get("Location"))
	require.NoError(h.t, err)
	if loc.Host == "rp.example" {
		return page{status: w.Code, rpURL: loc}
	}
	return h.visit(c, http.MethodGet, base.ResolveReference(loc).String(), nil)
}

// Another front door's login runs the same journey, ends at the internal
// client's return address with code and state, and its code is redeemed
// once, by RedeemLogin only.
func TestBeginAndRedeemLogin(t *testing.T) {
	h := newExternalHarness(t)
	ctx := context.Background()
	c := h.newBrowser()
	wait := h.begin(c, LoginRequest{Client: "saml:app", ACR: []string{ACRIAL2}, ACREssential: true, State: "s-1"})
	require.Contains(t, wait.body, "SAML App", "the pages name the internal client")
	require.NoError(t, h.sim.Complete(h.sessionOf(wait), simulator.CompleteOptions{Fixture: h.sim.Fixtures()[0].Name}))
	back := h.finish(c, wait)
	require.NotNil(t, back.rpURL, back.body)
	require.Equal(t, internalReturn, back.rpURL.Scheme+"://"+back.rpURL.Host+back.rpURL.Path)
	q := back.rpURL.Query()
	require.Equal(t, "s-1", q.Get("state"))
	require.Equal(t, h.srv.URL, q.Get("iss"))

	auth, err := h.p.RedeemLogin(ctx, q.Get("code"), "saml:app")
	require.NoError(t, err)
	require.NotEmpty(t, auth.Subject)
	require.Equal(t, ACRIAL2, auth.ACR)
	require.Equal(t, []string{"face", "user"}, auth.AMR)
	_, err = h.p.RedeemLogin(ctx, q.Get("code"), "saml:app")
	require.ErrorIs(t, err, journey.ErrLoginGone, "once")

	// Silent from the SSO session; its code is not the token endpoint's.
	again := h.begin(c, LoginRequest{Client: "saml:app", Passive: true, State: "s-2"})
	require.NotNil(t, again.rpURL)
	code := again.rpURL.Query().Get("code")
	require.NotEmpty(t, code, again.rpURL.String())
	status, out := postForm(t, h.srv.URL+"/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpCallback},
		"client_id": {"rp"}, "client_secret": {"rp-secret"}}, "", "", "")
	require.Equal(t, http.StatusBadRequest, status, "%v", out)
	require.Equal(t, "invalid_grant", out["error"])
	_, err = h.p.RedeemLogin(ctx, code, "saml:app")
	require.ErrorIs(t, err, journey.ErrLoginGone, "a code presented elsewhere is used up")

	// An ordinary client's code is not an internal client's.
	rpCode := h.silentCode(c, "rp")
	_, err = h.p.RedeemLogin(ctx, rpCode, "saml:app")
	require.ErrorIs(t, err, journey.ErrLoginGone)
	_, err = h.p.RedeemLogin(ctx, "whatever", "rp")
	require.ErrorIs(t, err, journey.ErrLoginGone, "only internal clients redeem here")

	// Passive without a session; Fresh and Passive together.
	none := h.begin(h.newBrowser(), LoginRequest{Client: "saml:app", Passive: true, State: "s-3"})
	require.Equal(t, "login_required", none.rpURL.Query().Get("error"))
	require.Equal(t, "s-3", none.rpURL.Query().Get("state"))
	fresh := h.begin(c, LoginRequest{Client: "saml:app", Passive: true, Fresh: true, State: "s-4"})
	require.Equal(t, "login_required", fresh.rpURL.Query().Get("error"), "a fresh check needs interaction")
}

// Internal clients cannot use the OAuth endpoints themselves.
func TestInternalClientsAreRefusedByTheOAuthEndpoints(t *testing.T) {
	h := newExternalHarness(t)
	p := h.authorize(h.newBrowser(), url.Values{"client_id": {"saml:app"}, "redirect_uri": {internalReturn}, "response_type": {"code"}, "scope": {"openid"}})
	require.Equal(t, http.StatusBadRequest, p.status)
	require.Nil(t, p.rpURL, "never redirected")
	require.Contains(t, h.errorDetail(p), "Unknown client_id")
	status, out := postForm(t, h.srv.URL+"/token", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {internalReturn}, "client_id": {"saml:app"}}, "", "", "")
	require.Equal(t, http.StatusUnauthorized, status, "%v", out)
	require.Equal(t, "invalid_client", out["error"])
	status, out = postForm(t, h.srv.URL+"/par", url.Values{"client_id": {"saml:app"}, "response_type": {"code"}, "redirect_uri": {internalReturn}, "scope": {"openid"}}, "", "", "")
	require.Equal(t, http.StatusUnauthorized, status, "%v", out)

	w := httptest.NewRecorder()
	h.p.BeginLogin(w, httptest.NewRequest(http.MethodGet, "/x", nil), LoginRequest{Client: "rp"})
	require.Equal(t, http.StatusInternalServerError, w.Code, "an ordinary client has no BeginLogin")
}

// The RSA signing key comes with a certificate of its own, the same on
// every replica, rotated with the ring.
func TestSigningCertificates(t *testing.T) {
	h := newExternalHarness(t)
	ctx := context.Background()
	cur, published, err := h.p.SigningCertificates(ctx)
	require.NoError(t, err)
	require.Len(t, published, 2, "current and next")
	require.Equal(t, cur.PrivateKey.(*rsa.PrivateKey).Public(), cur.Leaf.PublicKey)
	require.NoError(t, cur.Leaf.CheckSignature(cur.Leaf.SignatureAlgorithm, cur.Leaf.RawTBSCertificate, cur.Leaf.Signature), "self-signed")
	require.Equal(t, x509.SHA256WithRSA, cur.Leaf.SignatureAlgorithm)

	// Another replica: the same certificate bytes.
	other, err := New(Deps{Config: h.p.cfg, Store: h.p.store, Journey: h.p.journey, Sealer: h.sealer, Cookies: h.p.cookies, Now: h.clock.Now})
	require.NoError(t, err)
	cur2, _, err := other.SigningCertificates(ctx)
	require.NoError(t, err)
	require.Equal(t, cur.Leaf.Raw, cur2.Leaf.Raw)

	_, err = h.p.RotateKeys(ctx, true)
	require.NoError(t, err)
	rotated, after, err := h.p.SigningCertificates(ctx)
	require.NoError(t, err)
	require.NotEqual(t, cur.Leaf.Raw, rotated.Leaf.Raw, "the next key signs")
	require.Contains(t, after, published[0], "the next key's certificate was published before it signed")
	require.Contains(t, certs(after), string(cur.Leaf.Raw), "the previous one stays published")
}

func certs(list []*x509.Certificate) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = string(c.Raw)
	}
	return out
}
