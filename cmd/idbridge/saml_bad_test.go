package main

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	crewjam "github.com/crewjam/saml"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
)

// Bad, hostile and replayed input at every SAML endpoint is answered with
// an error page that names the problem (or, for a valid request that
// cannot be met, a SAML error Response): never a 500, never an
// assertion.
func TestSAMLRefusesBadInput(t *testing.T) {
	app := newSAMLSP(t, "app", true)
	plain := newSAMLSP(t, "plain", false)
	stranger := newSAMLSP(t, "stranger", true)
	eachStore(t, func(t *testing.T, d *doors) {
		for _, sp := range []*samlSP{app, plain, stranger} {
			sp.trust(d.issuer)
		}
		sso := d.issuer + "/saml/sso"
		query := func(v url.Values) string { return sso + "?" + v.Encode() }
		unsigned := func(sp *samlSP, edit func(*crewjam.AuthnRequest)) string {
			method := sp.SignatureMethod
			sp.SignatureMethod = ""
			defer func() { sp.SignatureMethod = method }()
			u, _ := sp.authn(edit)
			return u
		}
		signed := func(sp *samlSP, edit func(*crewjam.AuthnRequest)) string { u, _ := sp.authn(edit); return u }
		// here sends a request made for another destination to idbridge.
		here := func(u string) string { return sso + u[strings.Index(u, "?"):] }
		replayed := signed(app, nil)
		d.visit(d.browser(), http.MethodGet, replayed, nil)
		huge := `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="x" Version="2.0">` + strings.Repeat("<x/>", 40000) + `</samlp:AuthnRequest>`
		laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&lol2;</samlp:AuthnRequest>`

		for _, tt := range []struct {
			name   string
			method string
			url    string
			form   url.Values
			status int
		}{
			{"unknown service provider", "GET", signed(stranger, nil), nil, 400},
			{"unsigned when signing is required", "GET", unsigned(app, nil), nil, 400},
			{"signature of another key", "GET", strings.Replace(signed(app, nil), "Signature=", "Signature=AAAA", 1), nil, 400},
			{"wrong destination", "GET", here(signed(app, func(r *crewjam.AuthnRequest) { r.Destination = "https://evil.example/saml/sso" })), nil, 400},
			{"wrong destination, unsigned", "GET", here(unsigned(plain, func(r *crewjam.AuthnRequest) { r.Destination = "https://evil.example/saml/sso" })), nil, 400},
			{"replayed request ID", "GET", replayed, nil, 400},
			{"expired request", "GET", signed(app, func(r *crewjam.AuthnRequest) { r.IssueInstant = time.Now().Add(-10 * time.Minute) }), nil, 400},
			{"request from the future", "GET", unsigned(plain, func(r *crewjam.AuthnRequest) { r.IssueInstant = time.Now().Add(3 * time.Minute) }), nil, 400},
			{"unregistered ACS URL", "GET", unsigned(plain, func(r *crewjam.AuthnRequest) { r.AssertionConsumerServiceURL = "https://evil.example/acs" }), nil, 400},
			{"SAML 1.1 version", "GET", unsigned(plain, func(r *crewjam.AuthnRequest) { r.Version = "1.1" }), nil, 400},
			{"no ID", "GET", unsigned(plain, func(r *crewjam.AuthnRequest) { r.ID = "" }), nil, 400},
			{"no SAMLRequest", "GET", sso, nil, 400},
			{"not base64", "GET", query(url.Values{"SAMLRequest": {"%%%not base64"}}), nil, 400},
			{"not deflated", "GET", query(url.Values{"SAMLRequest": {"aGVsbG8gd29ybGQ="}}), nil, 400},
			{"malformed XML", "GET", query(url.Values{"SAMLRequest": {redirectMessage(`<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="a"`)}}), nil, 400},
			{"not an AuthnRequest", "GET", query(url.Values{"SAMLRequest": {redirectMessage(`<html><body>hi</body></html>`)}}), nil, 400},
			{"entity expansion", "GET", query(url.Values{"SAMLRequest": {redirectMessage(laughs)}}), nil, 400},
			{"oversized after inflating", "GET", query(url.Values{"SAMLRequest": {redirectMessage(huge)}}), nil, 413},
			{"oversized query", "GET", query(url.Values{"SAMLRequest": {strings.Repeat("A", 200<<10)}}), nil, 413},
			{"oversized form", "POST", sso, url.Values{"SAMLRequest": {strings.Repeat("A", 200<<10)}}, 413},
			{"malformed form", "POST", sso, url.Values{"SAMLRequest": {"!!"}}, 400},
			{"relay state too long", "GET", strings.Replace(unsigned(plain, nil), "RelayState=relay-1", "RelayState="+strings.Repeat("r", 2000), 1), nil, 400},
			{"logout not signed", "GET", d.issuer + "/saml/slo?" + url.Values{"SAMLRequest": {redirectMessage(`<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="l1" Version="2.0" IssueInstant="` + time.Now().UTC().Format(time.RFC3339) + `" Destination="` + d.issuer + `/saml/slo"><saml:Issuer>` + plain.EntityID + `</saml:Issuer><saml:NameID>x</saml:NameID></samlp:LogoutRequest>`)}}.Encode(), nil, 400},
			{"logout of an unknown service provider", "GET", logoutURL(t, stranger, d.issuer), nil, 400},
			{"logout, garbage", "GET", d.issuer + "/saml/slo?SAMLRequest=%%%", nil, 400},
			{"IdP-initiated, not allowed", "GET", d.issuer + "/saml/idp-initiated?sp=app", nil, 404},
			{"IdP-initiated, unknown", "GET", d.issuer + "/saml/idp-initiated?sp=nobody", nil, 404},
			{"resume, forged state", "GET", d.issuer + "/saml/resume?state=forged&code=x", nil, 404},
			{"begin, forged login", "GET", d.issuer + "/saml/begin?login=forged", nil, 404},
			{"wrong method", "PUT", sso, nil, 405},
			{"no such endpoint", "GET", d.issuer + "/saml/nothing", nil, 404},
		} {
			t.Run(tt.name, func(t *testing.T) {
				c := d.browser()
				var resp *http.Response
				var err error
				switch tt.method {
				case "GET":
					resp, err = c.Get(tt.url)
				case "POST":
					resp, err = c.PostForm(tt.url, tt.form)
				default:
					req, _ := http.NewRequest(tt.method, tt.url, nil)
					resp, err = c.Do(req)
				}
				require.NoError(t, err)
				var body bytes.Buffer
				_, _ = body.ReadFrom(resp.Body)
				resp.Body.Close()
				require.Equal(t, tt.status, resp.StatusCode, body.String())
				require.NotEmpty(t, errorProblem(landing{body: body.String()}), "an error page")
				require.NotContains(t, body.String(), "SAMLResponse", "never an answer")
			})
		}

		// A valid login's steps, out of their browser or order.
		c := d.browser()
		start, _ := plain.authn(nil)
		resp, err := c.Get(start)
		require.NoError(t, err)
		resp.Body.Close()
		begin := resp.Header.Get("Location")
		require.Contains(t, begin, "/saml/begin?login=")
		other := d.visit(d.browser(), http.MethodGet, d.issuer+begin, nil)
		require.Equal(t, http.StatusForbidden, other.status)
		require.Equal(t, "other_browser", errorProblem(other))
		wait := d.visit(c, http.MethodGet, d.issuer+begin, nil)
		require.Equal(t, "idv", journeyOf(wait), "the login's own browser begins it")
		again := d.visit(c, http.MethodGet, d.issuer+begin, nil)
		require.Equal(t, "completed", errorProblem(again), "once")
		done := d.idv(c, wait, jane.Name)
		postedOf(t, done)
		// The journey's return address, used again: no second answer.
		login := strings.TrimPrefix(begin, "/saml/begin?login=")
		replay := d.visit(c, http.MethodGet, d.issuer+"/saml/resume?"+url.Values{"state": {login}, "code": {"used"}, "iss": {d.issuer}}.Encode(), nil)
		require.Equal(t, http.StatusNotFound, replay.status)
		require.NotContains(t, replay.body, "SAMLResponse")
	}, withSAML(
		config.SAMLServiceProvider{ID: "app", Metadata: app.metadataXML(), RequireSignedRequests: true},
		config.SAMLServiceProvider{ID: "plain", Metadata: plain.metadataXML()},
	))
}

// logoutURL is a signed LogoutRequest of sp for the HTTP-Redirect binding.
func logoutURL(t *testing.T, sp *samlSP, issuer string) string {
	t.Helper()
	req, err := sp.MakeLogoutRequest(issuer+"/saml/slo", "someone")
	require.NoError(t, err)
	u, err := sp.RedirectLogoutRequestURL(req, "")
	require.NoError(t, err)
	return u.String()
}
