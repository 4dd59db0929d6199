package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/oidc"
	"github.com/idbridge/idbridge/pkg/idv"
)

// The browser tests drive headless Chromium through the real application on
// the embedded dev configuration: the demo relying party, the authorize
// endpoint, the waiting page (whose own script polls /login/status and
// continues), the simulator's hosted pages in the tab #verify-link opens,
// and back to the demo showing the claims. Screenshots of every page are
// saved under IDBRIDGE_ARTIFACTS.

// startLogin opens the demo and clicks one of its sign-in links, then
// waits for the waiting page.
func (b *headlessBrowser) startLogin(linkID, shotName string) {
	b.t.Helper()
	b.do(b.tab, "open demo", chromedp.Navigate(b.issuer+"/demo"))
	b.waitFor(b.tab, "#"+linkID)
	b.screenshot(b.tab, "demo")
	b.do(b.tab, "click "+linkID, chromedp.Click(chromedp.ID(linkID), chromedp.NodeVisible))
	b.waitFor(b.tab, "#verify-link")
	require.NotEmpty(b.t, b.waitFor(b.tab, "#status"))
	b.screenshot(b.tab, shotName)
}

// verifyIdentity fills the hosted proofing page in the verification tab:
// consent, document type, identity, sample document and selfie; then
// approves (or declines) and waits for the simulator's done page.
func (b *headlessBrowser) verifyIdentity(sim context.Context, identity string, approve bool) {
	b.t.Helper()
	b.waitFor(sim, "#approve")
	b.screenshot(sim, "idv-page")
	if !approve {
		b.do(sim, "decline", chromedp.Click(chromedp.ID("decline"), chromedp.NodeVisible))
		require.Equal(b.t, "declined", strings.ToLower(b.waitFor(sim, "#status")))
		b.screenshot(sim, "idv-declined")
		return
	}
	b.do(sim, "fill the proofing form",
		chromedp.Click(chromedp.ID("consent"), chromedp.NodeVisible),
		chromedp.SetValue(chromedp.ID("document_type"), string(idv.Passport)),
		chromedp.SetValue(chromedp.ID("identity"), identity),
		chromedp.Click(chromedp.ID("document-sample"), chromedp.NodeVisible),
		chromedp.Click(chromedp.ID("selfie-sample"), chromedp.NodeVisible),
	)
	b.screenshot(sim, "idv-filled")
	b.do(sim, "approve", chromedp.Click(chromedp.ID("approve"), chromedp.NodeVisible))
	require.Equal(b.t, "Passed", b.waitFor(sim, "#verification"))
	b.screenshot(sim, "idv-done")
}

// confirmFace answers the hosted LiveID page with the enrolled face or
// another one.
func (b *headlessBrowser) confirmFace(sim context.Context, button string) {
	b.t.Helper()
	b.waitFor(sim, "#"+button)
	b.screenshot(sim, "liveid-page")
	b.do(sim, "click "+button, chromedp.Click(chromedp.ID(button), chromedp.NodeVisible))
	b.waitFor(sim, "#done")
	b.screenshot(sim, "liveid-done")
}

// demoResult waits, on the first tab, for the waiting page to continue by
// itself to the demo's result: the ID token claims, or the error.
func (b *headlessBrowser) demoResult(shotName string) (claims, errText string) {
	claims, _, errText = b.demoResultAll(shotName)
	return claims, errText
}

// demoResultAll is demoResult with the userinfo claims too.
func (b *headlessBrowser) demoResultAll(shotName string) (claims, userinfo, errText string) {
	b.t.Helper()
	b.waitFor(b.tab, "#id-token-claims, #demo-error")
	b.screenshot(b.tab, shotName)
	claims, err := chromedp.Run(b.tab, chromedp.Evaluate[string](`(document.getElementById("id-token-claims")||{}).textContent||""`))
	require.NoError(b.t, err)
	userinfo, err = chromedp.Run(b.tab, chromedp.Evaluate[string](`(document.getElementById("userinfo-claims")||{}).textContent||""`))
	require.NoError(b.t, err)
	errText, err = chromedp.Run(b.tab, chromedp.Evaluate[string](`(document.getElementById("demo-error")||{}).textContent||""`))
	require.NoError(b.t, err)
	return claims, userinfo, errText
}

// TestBrowserIDVAndLiveIDOnPhone verifies an identity, then steps up with
// LiveID presenting the enrolled face and then someone else's, all at a
// phone-sized viewport.
func TestBrowserIDVAndLiveIDOnPhone(t *testing.T) {
	issuer, _ := startApp(t)
	b := newHeadlessBrowser(t, issuer, true)
	var hosted []string

	b.startLogin("demo-login-idv", "idv-wait")
	sim, href := b.openVerification(b.tab)
	hosted = append(hosted, href)
	b.verifyIdentity(sim, "erika-mustermann", true)
	claims, userinfo, errText := b.demoResultAll("idv-claims")
	require.Empty(t, errText)
	for _, want := range []string{`"ial_level": 2`, `"Mustermann"`, oidc.ACRIAL2} {
		require.Contains(t, claims, want, "ID token claims")
	}
	// The demo's IDV journey asks for verified_claims in userinfo.
	for _, want := range []string{`"verified_claims"`, `"nist_800_63A"`, `"Mustermann"`} {
		require.Contains(t, userinfo, want, "userinfo claims")
	}

	for _, step := range []struct{ name, button, want string }{
		{"liveid-match", "sample-match", oidc.ACRLiveID},
		{"liveid-nomatch", "sample-nomatch", "access_denied"},
	} {
		b.startLogin("demo-login-liveid", step.name+"-wait")
		sim, href := b.openVerification(b.tab)
		hosted = append(hosted, href)
		b.confirmFace(sim, step.button)
		claims, errText := b.demoResult(step.name + "-result")
		if step.button == "sample-match" {
			require.Empty(t, errText)
			require.Contains(t, claims, step.want)
			require.Contains(t, claims, `"face"`, "amr")
		} else {
			require.Empty(t, claims)
			require.Contains(t, errText, step.want)
		}
	}

	docs := strings.Join(b.documents(), " ")
	for _, p := range []string{"/demo", "/login/wait", "/simulator/idproofing/session/", "/simulator/liveid/session/", "/demo/callback"} {
		require.Contains(t, docs, p, "the browser loaded these pages")
	}
	b.checkCSP(hosted...)
}

// TestBrowserDeclineIDV declines on the hosted page: the demo gets
// access_denied.
func TestBrowserDeclineIDV(t *testing.T) {
	issuer, _ := startApp(t)
	b := newHeadlessBrowser(t, issuer, false)
	b.startLogin("demo-login-idv", "wait")
	sim, href := b.openVerification(b.tab)
	b.verifyIdentity(sim, "", false)
	claims, errText := b.demoResult("declined")
	require.Empty(t, claims)
	require.Contains(t, errText, "access_denied")
	require.Contains(t, errText, "declined")
	b.checkCSP(href)
}
