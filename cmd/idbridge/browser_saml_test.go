package main

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	crewjam "github.com/crewjam/saml"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
)

// samlApp is a small web application that signs people in with SAML
// through crewjam's ServiceProvider: /login sends the browser to idbridge
// with an HTTP-POST AuthnRequest (asking for the IAL2 class), /acs checks
// the response and shows who signed in.
type samlApp struct {
	sp  *samlSP
	mu  sync.Mutex
	ids []string
}

func (a *samlApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/login":
		req, err := a.sp.MakeAuthenticationRequest(a.sp.GetSSOBindingLocation(crewjam.HTTPPostBinding), crewjam.HTTPPostBinding, crewjam.HTTPPostBinding)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		a.mu.Lock()
		a.ids = append(a.ids, req.ID)
		a.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><title>Example app</title><body>%s</body></html>`, req.Post("app-state"))
	case "/acs":
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		a.mu.Lock()
		ids := a.ids
		a.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		assertion, err := a.sp.ParseResponse(r, ids)
		if err != nil {
			detail := err.Error()
			if ire, ok := err.(*crewjam.InvalidResponseError); ok {
				detail = ire.PrivateErr.Error()
			}
			fmt.Fprintf(w, `<!doctype html><html lang="en"><title>Example app</title><body><p id="saml-error">%s</p></body></html>`, html.EscapeString(detail))
			return
		}
		var b strings.Builder
		for name, vs := range attrs(assertion) {
			fmt.Fprintf(&b, "<li>%s=%s</li>", html.EscapeString(name), html.EscapeString(strings.Join(vs, ",")))
		}
		fmt.Fprintf(w, `<!doctype html><html lang="en"><title>Example app</title><body><h1 id="saml-result">Signed in: %s</h1><p id="saml-class">%s</p><p id="relay">%s</p><ul id="attributes">%s</ul></body></html>`,
			html.EscapeString(assertion.Subject.NameID.Value), html.EscapeString(classOf(assertion)), html.EscapeString(r.PostForm.Get("RelayState")), b.String())
	default:
		http.NotFound(w, r)
	}
}

// TestBrowserSAMLSignIn signs in to a SAML application in headless
// Chromium: the application posts its AuthnRequest to idbridge, the person
// verifies their identity on the simulator's hosted page from idbridge's
// waiting page, and idbridge's form_post page posts the signed assertion
// back, which the application accepts.
func TestBrowserSAMLSignIn(t *testing.T) {
	app := &samlApp{}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	sp := newSAMLSP(t, "browser", true)
	acs, _ := url.Parse(srv.URL + "/acs")
	sp.AcsURL = *acs
	// Signed into the HTTP-POST request it makes.
	sp.RequestedAuthnContext = &crewjam.RequestedAuthnContext{Comparison: "exact", AuthnContextClassRefs: []string{classIAL2}}
	app.sp = sp
	issuer, _ := startAppWith(t, withSAML(config.SAMLServiceProvider{ID: "browser", Metadata: sp.metadataXML(), RequireSignedRequests: true,
		Branding: config.Branding{ClientName: "Example SAML App"}, Attributes: []string{"ial_level", "given_name", "family_name"}}))
	sp.trust(issuer)

	b := newHeadlessBrowser(t, issuer, false)
	b.do(b.tab, "open the application", chromedp.Navigate(srv.URL+"/login"))
	b.waitFor(b.tab, "#verify-link")
	title, err := chromedp.Run(b.tab, chromedp.Evaluate[string](`document.body.textContent`))
	require.NoError(t, err)
	require.Contains(t, title, "Example SAML App", "the waiting page names the application")
	b.screenshot(b.tab, "saml-wait")
	sim, _ := b.openVerification(b.tab)
	b.verifyIdentity(sim, "erika-mustermann", true)
	who := b.waitFor(b.tab, "#saml-result, #saml-error")
	b.screenshot(b.tab, "saml-signed-in")
	errText, err := chromedp.Run(b.tab, chromedp.Evaluate[string](`(document.getElementById("saml-error")||{}).textContent||""`))
	require.NoError(t, err)
	require.Empty(t, errText)
	require.Contains(t, who, "Signed in: ")
	require.Equal(t, classIAL2, b.waitFor(b.tab, "#saml-class"))
	require.Equal(t, "app-state", b.waitFor(b.tab, "#relay"))
	list := b.waitFor(b.tab, "#attributes")
	require.Contains(t, list, "ial_level=2")
	require.Contains(t, list, "family_name=Mustermann")
	docs := strings.Join(b.documents(), " ")
	for _, p := range []string{"/login/wait", "/saml/resume"} {
		require.Contains(t, docs, p, "the browser loaded these pages")
	}
	b.checkCSP()
}
