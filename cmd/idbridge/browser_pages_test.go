package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// pageLanguages are the languages of idbridge's pages.
var pageLanguages = []string{"en", "de", "es", "fr"}

// TestBrowserPagesEveryLanguage opens every page a person can see, in every
// language, on a desktop and on a phone: axe-core finds no serious or
// critical violation, lang is the page's language, nothing scrolls
// sideways, every image loads, and the QR code is shown only on the wide
// screen. Screenshots of each go to IDBRIDGE_ARTIFACTS. The pages:
// waiting page (IDV), hand-off page and its refusal (on another device),
// LiveID identification, error page, signed-out page; then, once the
// person is verified, the LiveID selfie page and the sign-out question.
// The LiveID waiting page is checked by TestBrowserCancelEachJourney, the
// form_post page submits itself before anyone reads it.
func TestBrowserPagesEveryLanguage(t *testing.T) {
	for _, mobile := range []bool{false, true} {
		name := "desktop"
		if mobile {
			name = "phone"
		}
		t.Run(name, func(t *testing.T) {
			issuer, _ := startAppWith(t, func(c *config.Config) { c.IDV.LiveIDMode = "capture" })
			b := newHeadlessBrowser(t, issuer, mobile)
			for _, lang := range pageLanguages {
				b.speak(b.tab, lang)
				b.do(b.tab, "demo IDV", chromedp.Navigate(issuer+"/demo/login?journey=idv"))
				require.NotEmpty(t, b.waitFor(b.tab, "#status-text"))
				b.checkPage(b.tab, lang+"-wait-idv", lang)
				qr, err := chromedp.Run(b.tab, chromedp.Evaluate[bool](`getComputedStyle(document.getElementById("qr-section")).display !== "none"`))
				require.NoError(t, err)
				require.Equal(t, !mobile, qr, "the QR code is for moving from a desktop to a phone")

				href, err := chromedp.Run(b.tab, chromedp.AttributeValue(chromedp.ID("verify-link"), "href"))
				require.NoError(t, err)
				other := b.otherDevice()
				b.speak(other, lang)
				b.do(other, "open the hand-off on another device", chromedp.Navigate(href.Value))
				b.waitFor(other, "#handoff-continue")
				b.checkPage(other, lang+"-handoff", lang)
				b.do(other, "refuse", chromedp.Click(chromedp.ID("handoff-refuse"), chromedp.NodeVisible))
				b.waitFor(other, "#handoff-refused")
				b.checkPage(other, lang+"-handoff-refused", lang)

				b.do(b.tab, "an unknown client", chromedp.Navigate(issuer+"/authorize?client_id=nobody&response_type=code"))
				b.waitFor(b.tab, "#error-reference")
				b.checkPage(b.tab, lang+"-error", lang)

				b.do(b.tab, "signed-out page", chromedp.Navigate(issuer+"/logged-out?client_id=demo"))
				b.waitFor(b.tab, "#logged-out")
				b.checkPage(b.tab, lang+"-logged-out", lang)

				liveid := url.Values{"client_id": {"descope-liveid"}, "redirect_uri": {"https://api.descope.com/v1/oauth/callback"},
					"response_type": {"code"}, "scope": {"openid"}, "state": {"s"}}
				b.do(b.tab, "LiveID with nobody known", chromedp.Navigate(issuer+"/authorize?"+liveid.Encode()))
				b.waitFor(b.tab, "#identify-submit")
				b.checkPage(b.tab, lang+"-identify", lang)
			}

			// Verified (in English), the person steps up with a selfie and
			// may sign out.
			b.speak(b.tab, "en")
			b.startLogin("demo-login-idv", "enrol-wait")
			sim, _ := b.openVerification(b.tab)
			b.verifyIdentity(sim, "erika-mustermann", true)
			claims, errText := b.demoResult("verified")
			require.Empty(t, errText)
			require.Contains(t, claims, `"ial_level": 2`)
			for _, lang := range pageLanguages {
				b.speak(b.tab, lang)
				b.do(b.tab, "demo LiveID", chromedp.Navigate(issuer+"/demo/login?journey=liveid"))
				b.waitFor(b.tab, "#capture-submit")
				b.checkPage(b.tab, lang+"-capture", lang)
				b.do(b.tab, "sign out without a hint", chromedp.Navigate(issuer+"/end_session?client_id=demo"))
				b.waitFor(b.tab, "#logout-submit")
				b.checkPage(b.tab, lang+"-logout-confirm", lang)
			}
			b.checkCSP()
		})
	}
}

// TestBrowserCancelEachJourney cancels an IDV and a LiveID login on their
// waiting pages: the demo relying party gets access_denied saying the
// person cancelled.
func TestBrowserCancelEachJourney(t *testing.T) {
	issuer, _ := startApp(t)
	b := newHeadlessBrowser(t, issuer, true)
	cancel := func(link, name string) {
		b.startLogin(link, name+"-wait")
		b.checkPage(b.tab, name+"-wait", "en")
		b.do(b.tab, "cancel", chromedp.Click(chromedp.ID("cancel"), chromedp.NodeVisible))
		claims, errText := b.demoResult(name + "-cancelled")
		require.Empty(t, claims)
		require.Contains(t, errText, "access_denied")
		require.Contains(t, errText, "cancelled")
	}
	cancel("demo-login-idv", "idv")

	b.startLogin("demo-login-idv", "enrol-wait")
	sim, _ := b.openVerification(b.tab)
	b.verifyIdentity(sim, "erika-mustermann", true)
	_, errText := b.demoResult("enrolled")
	require.Empty(t, errText)
	cancel("demo-login-liveid", "liveid")
}

// TestBrowserKeyboardOnly signs in with the keyboard alone: Tab from the
// top of each page to its main control, which shows a focus ring at every
// stop, and Enter. IDV (the 1Kosmos part, 1Kosmos's own page, is played
// by the simulator), then a LiveID selfie (the file itself is chosen in
// the system's dialog, which the test sets directly).
func TestBrowserKeyboardOnly(t *testing.T) {
	issuer, a := startAppWith(t, func(c *config.Config) { c.IDV.LiveIDMode = "capture" })
	b := newHeadlessBrowser(t, issuer, false)
	b.do(b.tab, "open demo", chromedp.Navigate(issuer+"/demo"))
	b.waitFor(b.tab, "#demo-login-idv")
	b.tabTo(b.tab, "demo-login-idv")
	b.do(b.tab, "Enter", chromedp.KeyEvent("\r"))
	b.waitFor(b.tab, "#verify-link")
	b.checkPage(b.tab, "keyboard-wait", "en")
	b.tabTo(b.tab, "verify-link")
	opened := chromedp.WaitNewTarget(b.tab, func(info *target.Info) bool { return info.Type == "page" })
	b.do(b.tab, "Enter opens the verification", chromedp.KeyEvent("\r"))
	id := b.sessionOf(opened)
	require.NoError(t, a.sim.Complete(id, simulator.CompleteOptions{Fixture: simulator.Fixtures()[0].Name}))
	claims, errText := b.demoResult("keyboard-idv-done")
	require.Empty(t, errText)
	require.Contains(t, claims, `"ial_level": 2`)

	b.tabTo(b.tab, "demo-login-liveid")
	b.do(b.tab, "Enter", chromedp.KeyEvent("\r"))
	b.waitFor(b.tab, "#capture-submit")
	selfie := filepath.Join(t.TempDir(), "selfie.jpg")
	require.NoError(t, os.WriteFile(selfie, simulator.Fixtures()[0].Selfie, 0o600))
	b.tabTo(b.tab, "selfie")
	b.do(b.tab, "choose the selfie", chromedp.SetUploadFiles(chromedp.ID("selfie"), []string{selfie}))
	b.tabTo(b.tab, "capture-submit")
	b.do(b.tab, "Enter checks the face", chromedp.KeyEvent("\r"))
	claims, errText = b.demoResult("keyboard-liveid-done")
	require.Empty(t, errText)
	require.Contains(t, claims, "urn:idbridge:acr:liveid")
}

// tabTo presses Tab, from where the focus is (the top of a page just
// loaded), until the element id has the focus; every element of
// idbridge's focused on the way shows a focus ring.
func (b *headlessBrowser) tabTo(tab context.Context, id string) {
	b.t.Helper()
	var seen []string
	for range 30 {
		b.do(tab, "Tab", chromedp.KeyEvent("\t"))
		got, visible, err := focusVisible(tab)
		require.NoError(b.t, err)
		seen = append(seen, got)
		if got != "BODY" && got != "" && !strings.HasPrefix(got, "demo-") {
			require.True(b.t, visible, "no visible focus on %s", got)
		}
		if got == id {
			return
		}
	}
	b.t.Fatalf("Tab never reached #%s (focused in turn: %v)", id, seen)
}

// sessionOf is the 1Kosmos session of the verification page that opens in
// the new tab announced on opened.
func (b *headlessBrowser) sessionOf(opened <-chan target.ID) string {
	b.t.Helper()
	var id target.ID
	select {
	case id = <-opened:
	case <-time.After(30 * time.Second):
		b.t.Fatal("no verification tab opened")
	}
	tab, cancel := chromedp.NewContext(b.tab, chromedp.WithTargetID(id))
	b.t.Cleanup(cancel)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if loc, err := chromedp.Run(tab, chromedp.Location()); err == nil && strings.Contains(loc, "/session/") {
			return loc[strings.LastIndex(loc, "/")+1:]
		}
		time.Sleep(150 * time.Millisecond)
	}
	b.t.Fatal("the verification tab never reached 1Kosmos's page")
	return ""
}
