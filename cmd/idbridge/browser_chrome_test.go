package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// browserTimeout bounds one browser test function, browser start included.
const browserTimeout = 150 * time.Second

// phone is the viewport of a small phone in portrait (CSS pixels).
var phone = struct{ w, h int64 }{390, 844}

// chromiumPath finds the browser: IDBRIDGE_CHROMIUM (set by scripts/test),
// else chromium on PATH.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("IDBRIDGE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found (set IDBRIDGE_CHROMIUM or run scripts/test, which installs chromium)")
	return ""
}

// artifactsDir is where screenshots go: IDBRIDGE_ARTIFACTS/<test>, else a
// temporary directory.
func artifactsDir(t *testing.T) string {
	t.Helper()
	base := os.Getenv("IDBRIDGE_ARTIFACTS")
	if base == "" {
		return t.TempDir()
	}
	dir := filepath.Join(base, regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(t.Name(), "_"))
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// headlessBrowser is one Chromium process for one test, with the first tab
// open, the documents it loaded and a screenshot counter.
type headlessBrowser struct {
	t      *testing.T
	tab    context.Context // the first tab; contexts of new tabs derive from it
	issuer string
	mobile bool
	dir    string

	mu   sync.Mutex
	csp  map[string]string // document URL on the issuer -> its Content-Security-Policy
	shot int
}

// newHeadlessBrowser starts Chromium headless with a fresh profile; mobile
// emulates a phone-sized touch viewport in every tab.
func newHeadlessBrowser(t *testing.T, issuer string, mobile bool) *headlessBrowser {
	t.Helper()
	ctx, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		// The waiting page polls while the verification tab is in front.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	b := &headlessBrowser{t: t, tab: tab, issuer: issuer, mobile: mobile, dir: artifactsDir(t), csp: map[string]string{}}
	t.Cleanup(func() { cancelTab(); cancelAlloc(); cancelTimeout() })
	b.prepare(tab)
	return b
}

// prepare records the documents a tab loads and sets its viewport.
func (b *headlessBrowser) prepare(tab context.Context) {
	b.t.Helper()
	require.NoError(b.t, chromedp.Listen(tab, func(ev any) {
		e, ok := ev.(*network.EventResponseReceived)
		if !ok || e.Type != network.ResourceTypeDocument || !strings.HasPrefix(e.Response.URL, b.issuer) {
			return
		}
		b.mu.Lock()
		b.csp[e.Response.URL] = headerValue(e.Response.Headers, "Content-Security-Policy")
		b.mu.Unlock()
	}))
	if b.mobile {
		require.NoError(b.t, chromedp.Do(tab, chromedp.EmulateViewport(phone.w, phone.h, chromedp.EmulateScale(2), chromedp.EmulateMobile)))
	} else {
		require.NoError(b.t, chromedp.Do(tab, chromedp.EmulateViewport(1280, 900)))
	}
}

func headerValue(h network.Headers, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}

// do runs actions on a tab and fails the test on error.
func (b *headlessBrowser) do(tab context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	require.NoError(b.t, chromedp.Do(tab, steps...), what)
}

// waitFor waits until the page of tab has an element matching css (across
// navigations) and returns its text.
func (b *headlessBrowser) waitFor(tab context.Context, css string) string {
	b.t.Helper()
	q, _ := json.Marshal(css)
	expr := fmt.Sprintf(`(function(){var e=document.readyState==="complete"&&document.querySelector(%s);return e?"1"+e.textContent:""})()`, q)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if v, err := chromedp.Run(tab, chromedp.Evaluate[string](expr)); err == nil && v != "" {
			return v[1:]
		}
		select {
		case <-tab.Done():
			b.t.Fatalf("browser ended while waiting for %s: %v", css, tab.Err())
		case <-time.After(150 * time.Millisecond):
		}
	}
	loc, _ := chromedp.Run(tab, chromedp.Location())
	b.screenshot(tab, "timeout")
	b.t.Fatalf("no %s on %s within 60s", css, loc)
	return ""
}

// screenshot saves the whole page as a numbered PNG and checks that the
// page fits the viewport's width (no horizontal scrolling).
func (b *headlessBrowser) screenshot(tab context.Context, name string) {
	b.t.Helper()
	// A tab behind another one (the verification tab opens in front) may
	// not paint, and a screenshot of it can wait for minutes.
	_, err := chromedp.Call(tab, page.BringToFront, cdp.Empty{})
	require.NoError(b.t, err)
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	require.NoError(b.t, err)
	b.mu.Lock()
	b.shot++
	file := filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.shot, name))
	b.mu.Unlock()
	require.NoError(b.t, os.WriteFile(file, png, 0o644))
	fits, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	require.NoError(b.t, err)
	loc, _ := chromedp.Run(tab, chromedp.Location())
	require.True(b.t, fits, "page %s (%s) scrolls horizontally", name, loc)
	broken, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`Array.from(document.images).filter(function(i){return i.complete&&i.naturalWidth===0}).map(function(i){return (i.id||i.alt)+" src="+i.getAttribute("src").slice(0,40)})`))
	require.NoError(b.t, err)
	require.Empty(b.t, broken, "page %s (%s) has images that did not load", name, loc)
}

// openVerification clicks #verify-link on the waiting page and returns the
// tab it opens (target=_blank), prepared like the first one.
func (b *headlessBrowser) openVerification(wait context.Context) (context.Context, string) {
	b.t.Helper()
	href, err := chromedp.Run(wait, chromedp.AttributeValue(chromedp.ID("verify-link"), "href"))
	require.NoError(b.t, err)
	require.True(b.t, strings.HasPrefix(href.Value, b.issuer+"/login/handoff?h="), "the link leads to the hand-off page first: %s", href.Value)
	opened := chromedp.WaitNewTarget(wait, func(info *target.Info) bool { return info.Type == "page" })
	b.do(wait, "click verify-link", chromedp.Click(chromedp.ID("verify-link"), chromedp.NodeVisible))
	var id target.ID
	select {
	case id = <-opened:
	case <-time.After(30 * time.Second):
		b.t.Fatal("#verify-link opened no tab")
	}
	tab, cancel := chromedp.NewContext(wait, chromedp.WithTargetID(id))
	b.t.Cleanup(cancel)
	b.prepare(tab)
	return tab, href.Value
}

// checkCSP asserts that every issuer document the browser loaded, and the
// extra URLs fetched directly, forbid framing.
func (b *headlessBrowser) checkCSP(extra ...string) {
	b.t.Helper()
	b.mu.Lock()
	seen := make(map[string]string, len(b.csp))
	for u, v := range b.csp {
		seen[u] = v
	}
	b.mu.Unlock()
	require.NotEmpty(b.t, seen, "no documents recorded")
	for _, u := range extra {
		resp, err := http.Get(u)
		require.NoError(b.t, err)
		resp.Body.Close()
		seen[u] = resp.Header.Get("Content-Security-Policy")
	}
	for u, csp := range seen {
		require.Contains(b.t, csp, "frame-ancestors 'none'", "CSP of %s", u)
	}
}

// documents returns the paths of the issuer documents loaded so far.
func (b *headlessBrowser) documents() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for u := range b.csp {
		out = append(out, strings.TrimPrefix(u, b.issuer))
	}
	return out
}
