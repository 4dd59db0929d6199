package main

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"html"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	crewjam "github.com/crewjam/saml"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
)

const rsaSHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"

// samlSP is crewjam/saml's own service provider, as a SAML relying party
// (Descope, an enterprise application) would sign in through idbridge.
type samlSP struct {
	*crewjam.ServiceProvider
	t testing.TB
}

// newSAMLSP makes a service provider with its own key and certificate;
// sign makes it sign its AuthnRequests (its LogoutRequests are always
// signed, as the profile requires).
func newSAMLSP(t testing.TB, name string, sign bool) *samlSP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	base := "https://" + name + ".example.com/saml"
	at := func(p string) url.URL { u, _ := url.Parse(base + p); return *u }
	sp := &crewjam.ServiceProvider{
		EntityID: base + "/metadata", Key: key, Certificate: cert, MetadataURL: at("/metadata"), AcsURL: at("/acs"), SloURL: at("/slo"),
		AuthnNameIDFormat: crewjam.PersistentNameIDFormat, LogoutSignatureMethod: rsaSHA256, LogoutBindings: []string{crewjam.HTTPRedirectBinding},
	}
	if sign {
		sp.SignatureMethod = rsaSHA256
	}
	return &samlSP{ServiceProvider: sp, t: t}
}

// metadataXML is the service provider's metadata, as an operator puts it
// in saml.service_providers[].metadata.
func (sp *samlSP) metadataXML() string {
	raw, err := xml.MarshalIndent(sp.Metadata(), "", "  ")
	require.NoError(sp.t, err)
	return string(raw)
}

// withSAML configures service providers (defaults applied).
func withSAML(sps ...config.SAMLServiceProvider) func(*config.Config) {
	return func(c *config.Config) {
		c.SAML.ServiceProviders = append(c.SAML.ServiceProviders, sps...)
		c.ApplyDefaults()
	}
}

// trust reads idbridge's IdP metadata into the service provider.
func (sp *samlSP) trust(issuer string) {
	sp.t.Helper()
	resp, err := http.Get(issuer + "/saml/metadata")
	require.NoError(sp.t, err)
	defer resp.Body.Close()
	require.Equal(sp.t, http.StatusOK, resp.StatusCode)
	raw, err := io.ReadAll(resp.Body)
	require.NoError(sp.t, err)
	var md crewjam.EntityDescriptor
	require.NoError(sp.t, xml.Unmarshal(raw, &md))
	sp.IDPMetadata = &md
}

// authn makes an AuthnRequest for the HTTP-Redirect binding, changed by
// edit, and returns its URL (signed when the SP signs) and ID.
func (sp *samlSP) authn(edit func(*crewjam.AuthnRequest)) (string, string) {
	sp.t.Helper()
	req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(crewjam.HTTPRedirectBinding), crewjam.HTTPRedirectBinding, crewjam.HTTPPostBinding)
	require.NoError(sp.t, err)
	if edit != nil {
		edit(req)
	}
	u, err := req.Redirect("relay-1", sp.ServiceProvider)
	require.NoError(sp.t, err)
	return u.String(), req.ID
}

var (
	samlResponseRE = regexp.MustCompile(`name="SAMLResponse" value="([^"]+)"`)
	samlActionRE   = regexp.MustCompile(`<form id="form-post" method="post" action="([^"]+)"`)
	samlRelayRE    = regexp.MustCompile(`name="RelayState" value="([^"]+)"`)
)

// posted is the SAML Response a page posts to the service provider.
type posted struct {
	action, response, relay string
}

func postedOf(t testing.TB, l landing) posted {
	t.Helper()
	m := samlResponseRE.FindStringSubmatch(l.body)
	require.NotNil(t, m, "no SAML response posted: %d %s", l.status, l.body)
	a := samlActionRE.FindStringSubmatch(l.body)
	require.NotNil(t, a)
	p := posted{action: html.UnescapeString(a[1]), response: html.UnescapeString(m[1])}
	if r := samlRelayRE.FindStringSubmatch(l.body); r != nil {
		p.relay = html.UnescapeString(r[1])
	}
	return p
}

// accept is the service provider's ACS receiving p: the signature,
// audience, destination, InResponseTo and times are checked by crewjam.
func (sp *samlSP) accept(p posted, requestIDs ...string) (*crewjam.Assertion, error) {
	sp.t.Helper()
	require.Equal(sp.t, sp.AcsURL.String(), p.action, "posted to the assertion consumer service")
	form := url.Values{"SAMLResponse": {p.response}, "RelayState": {p.relay}}
	req := httptest.NewRequest(http.MethodPost, p.action, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	require.NoError(sp.t, req.ParseForm())
	return sp.ParseResponse(req, requestIDs)
}

// status is the top and second-level status of a posted Response.
func status(t testing.TB, p posted) (string, string, string) {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(p.response)
	require.NoError(t, err)
	var resp crewjam.Response
	require.NoError(t, xml.Unmarshal(raw, &resp))
	second, msg := "", ""
	if resp.Status.StatusCode.StatusCode != nil {
		second = resp.Status.StatusCode.StatusCode.Value
	}
	if resp.Status.StatusMessage != nil {
		msg = resp.Status.StatusMessage.Value
	}
	return resp.Status.StatusCode.Value, second, msg
}

// attrs are an assertion's attributes by name.
func attrs(a *crewjam.Assertion) map[string][]string {
	out := map[string][]string{}
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			for _, v := range at.Values {
				out[at.Name] = append(out[at.Name], v.Value)
			}
		}
	}
	return out
}

func classOf(a *crewjam.Assertion) string {
	if len(a.AuthnStatements) == 0 || a.AuthnStatements[0].AuthnContext.AuthnContextClassRef == nil {
		return ""
	}
	return a.AuthnStatements[0].AuthnContext.AuthnContextClassRef.Value
}

// redirectMessage deflates and encodes raw XML for the HTTP-Redirect
// binding, as a hostile or broken service provider might send anything.
func redirectMessage(raw string) string {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	_, _ = w.Write([]byte(raw))
	_ = w.Close()
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

// errorProblem is the problem an error page names, "" for another page.
func errorProblem(l landing) string {
	m := regexp.MustCompile(`id="error-title"[^>]*data-problem="([a-z_]+)"`).FindStringSubmatch(l.body)
	if m == nil {
		return ""
	}
	return m[1]
}

// testLogger discards the application's log, or writes it to stderr with
// IDBRIDGE_TEST_LOG set.
func testLogger() *slog.Logger {
	out := io.Discard
	if os.Getenv("IDBRIDGE_TEST_LOG") != "" {
		out = os.Stderr
	}
	return slog.New(slog.NewTextHandler(out, nil))
}
