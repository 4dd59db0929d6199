package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// axeVersion is the axe-core release scripts/test installs from npm.
const axeVersion = "4.14.1"

var (
	axeOnce   sync.Once
	axeScript string
	axeErr    error
)

// axeSource is axe-core's script: IDBRIDGE_AXE (set by scripts/test, which
// installs the pinned release with npm) names axe.min.js.
func axeSource(t *testing.T) string {
	t.Helper()
	axeOnce.Do(func() {
		path := os.Getenv("IDBRIDGE_AXE")
		if path == "" {
			axeErr = fmt.Errorf("IDBRIDGE_AXE is not set: run scripts/test, which installs axe-core@%s with npm, or set it to axe.min.js", axeVersion)
			return
		}
		b, err := os.ReadFile(path)
		if err != nil {
			axeErr = fmt.Errorf("IDBRIDGE_AXE: %w", err)
			return
		}
		axeScript = string(b)
	})
	require.NoError(t, axeErr)
	return axeScript
}

// axeViolation is one failed axe rule, as the tests report it.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkPage asserts what every page of idbridge must be, in the tab's
// current document: its lang is lang, and axe-core (WCAG 2.1 A and AA
// rules and best practices) finds no serious or critical violation. The
// page is saved as a screenshot named name.
func (b *headlessBrowser) checkPage(tab context.Context, name, lang string) {
	b.t.Helper()
	b.screenshot(tab, name)
	got, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.documentElement.lang`))
	require.NoError(b.t, err)
	require.Equal(b.t, lang, got, "lang of %s", name)
	loaded, err := chromedp.Run(tab, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	require.NoError(b.t, err)
	if !loaded {
		// Evaluated by DevTools, not loaded by the page: the page's CSP
		// (script-src 'self') stays as it is.
		_, err = chromedp.Run(tab, chromedp.Evaluate[bool](axeSource(b.t)+";true"))
		require.NoError(b.t, err, "injecting axe-core")
	}
	version, err := chromedp.Run(tab, chromedp.Evaluate[string](`axe.version`))
	require.NoError(b.t, err)
	require.Equal(b.t, axeVersion, version)
	raw, err := chromedp.Run(tab, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
		.then(function (r) { return JSON.stringify(r.violations.filter(function (v) { return v.impact === "serious" || v.impact === "critical"; })
		.map(function (v) { return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) { return n.target.join(" "); })}; })); })`,
		chromedp.EvalAwaitPromise))
	require.NoError(b.t, err, "running axe-core")
	var bad []axeViolation
	require.NoError(b.t, json.Unmarshal([]byte(raw), &bad))
	loc, _ := chromedp.Run(tab, chromedp.Location())
	require.Empty(b.t, bad, "axe-core: serious or critical violations on %s (%s, %s)", name, lang, loc)
}

// speak sets the language the tab's requests ask for (Accept-Language).
func (b *headlessBrowser) speak(tab context.Context, lang string) {
	b.t.Helper()
	_, err := chromedp.Call(tab, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang + ";q=1, en;q=0.1"}})
	require.NoError(b.t, err, "Accept-Language %s", lang)
}

// otherDevice opens a tab in a browser context of its own (no cookies of
// the first tab): a second device of the same person, or someone else's.
func (b *headlessBrowser) otherDevice() context.Context {
	b.t.Helper()
	tab, cancel := chromedp.NewContext(b.tab, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	b.prepare(tab)
	return tab
}

// focusVisible reports whether the focused element shows a focus ring
// (an outline), and its id.
func focusVisible(tab context.Context) (id string, visible bool, err error) {
	v, err := chromedp.Run(tab, chromedp.Evaluate[string](`(function(){var e=document.activeElement;if(!e||e===document.body){return "|0"}
		var s=getComputedStyle(e);return (e.id||e.tagName)+"|"+(s.outlineStyle!=="none"&&parseFloat(s.outlineWidth)>=2?"1":"0")})()`))
	if err != nil {
		return "", false, err
	}
	id, vis, _ := strings.Cut(v, "|")
	return id, vis == "1", nil
}
