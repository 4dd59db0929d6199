package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"
)

// TestBrowserAdminChangesALogin drives the admin page in headless
// Chromium: sign in with the admin token, type a condition with a mistake
// and see the server's validation as you type, fix it, preview the
// decision on a sample request, apply, and see the demo's sign-in refused
// by the new version where it went ahead before.
func TestBrowserAdminChangesALogin(t *testing.T) {
	d := startDoors(t, "", withAdminToken)
	b := newHeadlessBrowser(t, d.issuer, false)

	// Before: the demo's sign-in goes ahead to a verification.
	b.do(b.tab, "open demo", chromedp.Navigate(d.issuer+"/demo"))
	b.waitFor(b.tab, "#demo-login")
	b.do(b.tab, "sign in", chromedp.Click(chromedp.ID("demo-login"), chromedp.NodeVisible))
	b.waitFor(b.tab, "#verify-link")
	b.screenshot(b.tab, "login-before")

	b.do(b.tab, "open the admin page", chromedp.Navigate(d.issuer+"/admin/policy"))
	b.waitFor(b.tab, "#token")
	b.screenshot(b.tab, "admin-sign-in")
	b.do(b.tab, "sign in with the token",
		chromedp.SetValue(chromedp.ID("token"), adminToken),
		chromedp.Click(chromedp.ID("token-submit"), chromedp.NodeVisible))
	require.Equal(t, "version 1", b.waitFor(b.tab, "#active-version"))
	b.screenshot(b.tab, "admin-policy")

	// Type a rule whose condition names a variable that does not exist.
	start := "rules:\n  - name: close-demo\n    action: deny\n    reason: closed_for_maintenance\n    when: client_id == \"demo\""
	b.do(b.tab, "edit", chromedp.SetValue(chromedp.ID("policy-source"), start),
		chromedp.SendKeys(chromedp.ID("policy-source"), " && new_devise", chromedp.NodeVisible))
	problem := b.waitFor(b.tab, "#problems li")
	require.Contains(t, problem, "line 5: rules[0] (close-demo)")
	require.Contains(t, problem, "undeclared reference to 'new_devise'")
	b.screenshot(b.tab, "validation-error")

	// Fix it: remove what was typed.
	b.do(b.tab, "fix", chromedp.SendKeys(chromedp.ID("policy-source"), strings.Repeat(kb.Backspace, len(" && new_devise")), chromedp.NodeVisible))
	b.waitFor(b.tab, "#valid")
	b.screenshot(b.tab, "validation-ok")

	b.do(b.tab, "preview", chromedp.SetValue(chromedp.ID("client_id"), "demo"),
		chromedp.Click(chromedp.ID("preview"), chromedp.NodeVisible))
	b.waitFor(b.tab, "#preview-table")
	row, err := chromedp.Run(b.tab, chromedp.Evaluate[[]string](`(function(){var r=document.querySelector(".preview-row");return [r.dataset.active, r.dataset.candidate]})()`))
	require.NoError(t, err)
	require.Equal(t, []string{"allow", "deny"}, row, "the returning person is let through now, refused by the edit")
	b.screenshot(b.tab, "preview")

	b.do(b.tab, "apply", chromedp.SetValue(chromedp.ID("comment"), "demo closed for maintenance"),
		chromedp.Click(chromedp.ID("apply"), chromedp.NodeVisible))
	require.Contains(t, b.waitFor(b.tab, "#applied"), "Version 2")
	require.Equal(t, "version 2", b.waitFor(b.tab, "#running-version"))
	b.screenshot(b.tab, "applied")

	// After: the same sign-in is refused by the policy.
	b.do(b.tab, "open demo", chromedp.Navigate(d.issuer+"/demo"))
	b.waitFor(b.tab, "#demo-login")
	b.do(b.tab, "sign in", chromedp.Click(chromedp.ID("demo-login"), chromedp.NodeVisible))
	errText := b.waitFor(b.tab, "#demo-error")
	require.Contains(t, errText, "access_denied")
	require.Contains(t, errText, "risk policy")
	b.screenshot(b.tab, "login-after")
	b.checkCSP()
}
