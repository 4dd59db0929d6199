package oidc

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The waiting page's link (and QR code) is idbridge's hand-off page: the
// starting browser goes straight on; another device sees who asks, when
// and from where, and goes on to 1Kosmos only if the person confirms,
// once.
func TestHandoffPageBeforeOneKosmos(t *testing.T) {
	h := newHarness(t)
	starter := &http.Client{Jar: newJar(), CheckRedirect: h.browser.CheckRedirect,
		Transport: uaEdge{edge: edgeHeaders{country: "DE"}, ua: "Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0"}}
	wait := h.authorize(starter, authParams("idv-rp"))
	require.Equal(t, http.StatusOK, wait.status, wait.body)
	m := verifyLinkRE.FindStringSubmatch(wait.body)
	require.NotNil(t, m)
	link := html.UnescapeString(m[1])
	require.True(t, strings.HasPrefix(link, h.srv.URL+PathLogin+"/handoff?h="), "the link leads to idbridge first: %s", link)
	a, err := h.p.loadAuthRequest(context.Background(), waitID(t, wait))
	require.NoError(t, err)
	require.Equal(t, link, h.p.verifyLink(a), "the QR code carries the same hand-off link")
	require.NotContains(t, wait.body, a.VerifyURL, "1Kosmos's own link is not on the page")

	// The browser that started the login goes straight on.
	resp, err := starter.Get(link)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, a.VerifyURL, resp.Header.Get("Location"))

	// Another device is asked first.
	phone := h.newBrowser()
	page := get(t, phone, link)
	require.Equal(t, http.StatusOK, page.status)
	require.Contains(t, page.body, `id="handoff-title"`)
	require.Contains(t, page.body, "Example Bank", "names the service asking, as people know it")
	require.NotContains(t, page.body, "Internal IDV client", "never the operator's own name")
	require.Contains(t, page.body, "Germany", "roughly where the sign-in started")
	require.Contains(t, page.body, "Firefox on Windows", "in which browser")
	require.Contains(t, page.body, "1Kosmos is the identity verification service Example Bank uses", "says what 1Kosmos is")
	require.Contains(t, page.body, `id="handoff-shared"`, "and what is shared")

	// The phone's own language, when the login named none.
	de := getLang(t, phone, link, "de-DE,de;q=0.9")
	require.Contains(t, de.body, `<html lang="de">`)
	require.Contains(t, de.body, "Deutschland")
	require.Contains(t, de.body, "Firefox unter Windows")
	require.Contains(t, page.body, `id="handoff-started"`)
	token := strings.TrimPrefix(link, h.srv.URL+PathLogin+"/handoff?h=")
	answer := func(c *http.Client, what string) *http.Response {
		resp, err := c.PostForm(h.srv.URL+PathLogin+"/handoff", url.Values{"h": {token}, "answer": {what}})
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	ok := answer(phone, "continue")
	require.Equal(t, http.StatusSeeOther, ok.StatusCode)
	require.Equal(t, a.VerifyURL, ok.Header.Get("Location"), "confirmed: on to 1Kosmos")
	require.Equal(t, http.StatusNotFound, answer(h.newBrowser(), "continue").StatusCode, "a hand-off works once")
	require.Equal(t, http.StatusNotFound, get(t, h.newBrowser(), link).status)

	// Refusing uses the link up too.
	wait = h.authorize(h.newBrowser(), authParams("idv-rp"))
	link = html.UnescapeString(verifyLinkRE.FindStringSubmatch(wait.body)[1])
	token = strings.TrimPrefix(link, h.srv.URL+PathLogin+"/handoff?h=")
	refused := answer(h.newBrowser(), "refuse")
	require.Equal(t, http.StatusOK, refused.StatusCode)
	require.Equal(t, http.StatusNotFound, answer(h.newBrowser(), "continue").StatusCode)

	// Hostile input gets the same plain answer.
	for _, bad := range []string{"", "nope", strings.Repeat("x", 100), "<script>"} {
		p := get(t, h.newBrowser(), h.srv.URL+PathLogin+"/handoff?h="+url.QueryEscape(bad))
		require.Equal(t, http.StatusNotFound, p.status, bad)
		require.NotContains(t, p.body, "<script>")
	}
}

type uaEdge struct {
	edge edgeHeaders
	ua   string
}

func (u uaEdge) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", u.ua)
	return u.edge.RoundTrip(r)
}

func get(t *testing.T, c *http.Client, u string) page { return getLang(t, c, u, "") }

// getLang is get with an Accept-Language header.
func getLang(t *testing.T, c *http.Client, u, acceptLanguage string) page {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, body: string(b)}
}

func TestBrowserName(t *testing.T) {
	for ua, want := range map[string][2]string{
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1": {"Safari", "iOS"},
		"Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36":                                {"Chrome", "Android"},
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 Edg/124.0":                   {"Edge", "Windows"},
		"curl/8.5.0": {"", ""},
	} {
		b, s := browserName(ua)
		require.Equal(t, want, [2]string{b, s}, ua)
	}
}
