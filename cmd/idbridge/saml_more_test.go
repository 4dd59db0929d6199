package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	crewjam "github.com/crewjam/saml"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/storage/redistest"
)

// A service provider configured without metadata (entity id, ACS URL),
// with email-like NameIDs, no assertion encryption, and IdP-initiated
// sign-in: the unsolicited response reaches its default ACS, and the
// NameID is stable for the person but different at another service
// provider.
func TestSAMLIdPInitiatedWithEmailNameIDs(t *testing.T) {
	portal := newSAMLSP(t, "portal", false)
	portal.AllowIDPInitiated = true
	other := newSAMLSP(t, "other", false)
	eachStore(t, func(t *testing.T, d *doors) {
		portal.trust(d.issuer)
		other.trust(d.issuer)
		c := d.browser()
		wait := d.visit(c, http.MethodGet, d.issuer+"/saml/idp-initiated?sp=portal&RelayState=/home", nil)
		p := postedOf(t, d.idv(c, wait, erika.Name))
		require.Equal(t, "/home", p.relay)
		raw, err := base64.StdEncoding.DecodeString(p.response)
		require.NoError(t, err)
		require.NotContains(t, string(raw), "EncryptedAssertion", "encryption is off for this service provider")
		require.NotContains(t, string(raw), "InResponseTo", "unsolicited")
		a, err := portal.accept(p)
		require.NoError(t, err)
		require.Equal(t, 2, strings.Count(string(raw), "<ds:Signature "), "the response and the assertion are signed")
		require.Contains(t, string(raw), `Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"`)
		require.Equal(t, string(crewjam.EmailAddressNameIDFormat), a.Subject.NameID.Format)
		require.Regexp(t, `^[0-9a-f]{40}@users\.example\.com$`, a.Subject.NameID.Value)
		require.Equal(t, []string{"2"}, attrs(a)["ial_level"], "the default policy: ial_level and idv_status")
		require.NotContains(t, attrs(a), "given_name")

		// The same person at another service provider: another NameID.
		start, reqID := other.authn(nil)
		b, err := other.accept(postedOf(t, d.visit(c, http.MethodGet, start, nil)), reqID)
		require.NoError(t, err, "the SSO session answers")
		require.Equal(t, string(crewjam.PersistentNameIDFormat), b.Subject.NameID.Format)
		require.NotContains(t, b.Subject.NameID.Value, strings.TrimSuffix(a.Subject.NameID.Value, "@users.example.com")[:20])
		require.Contains(t, string(mustDecode(t, postedOf(t, d.visit(c, http.MethodGet, mustAuthn(other), nil)).response)), "EncryptedAssertion", "encrypted to the key its metadata publishes")
	}, withSAML(
		config.SAMLServiceProvider{ID: "portal", EntityID: portal.EntityID, ACSURLs: []string{portal.AcsURL.String()}, NameID: "email", EmailDomain: "users.example.com", IDPInitiated: true, EncryptAssertions: ptr(false)},
		config.SAMLServiceProvider{ID: "other", Metadata: other.metadataXML()},
	))
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(s)
	require.NoError(t, err)
	return raw
}

func mustAuthn(sp *samlSP) string { u, _ := sp.authn(nil); return u }

// Two replicas on one real redis-server behind one issuer: a SAML login
// accepted and begun on one replica is verified, resumed and answered on
// the other; the request's ID is spent on both.
func TestSAMLAcrossReplicas(t *testing.T) {
	sp := newSAMLSP(t, "app", true)
	srv := redistest.Start(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	issuer := "http://" + ln.Addr().String()
	t.Setenv("IDBRIDGE_ISSUER", issuer)
	geo := filepath.Join(t.TempDir(), "geo.csv")
	require.NoError(t, os.WriteFile(geo, []byte("203.0.113.0/24,US,40.71,-74.0\n"), 0o600))
	var apps [2]*app
	for i := range apps {
		cfg, err := config.Load("")
		require.NoError(t, err)
		sharedKeys(cfg)
		cfg.Risk.GeoIPCSV = geo
		cfg.Storage.Type, cfg.Storage.Redis.Addrs, cfg.Storage.Redis.KeyPrefix = "redis", []string{srv.Addr()}, "idb:"
		withSAML(config.SAMLServiceProvider{ID: "app", Metadata: sp.metadataXML(), RequireSignedRequests: true})(cfg)
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		apps[i], err = build(ctx, cfg, testLogger())
		require.NoError(t, err)
		t.Cleanup(func() { apps[i].Close() })
	}
	var target atomic.Int32
	var served sync.Map // path -> replicas that served it
	handlers := [2]http.Handler{apps[0].Handler(), apps[1].Handler()}
	front := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/simulator/") {
			handlers[0].ServeHTTP(w, r) // 1Kosmos is one service for every replica
			return
		}
		n := target.Load()
		old, _ := served.LoadOrStore(r.URL.Path, "")
		served.Store(r.URL.Path, old.(string)+fmt.Sprint(n))
		handlers[n].ServeHTTP(w, r)
	})}
	go func() { _ = front.Serve(ln) }()
	t.Cleanup(func() { front.Close() })
	d := &doors{t: t, issuer: issuer, a: apps[0]}
	sp.trust(issuer)

	c := d.browser()
	start, reqID := sp.authn(nil)
	wait := d.visit(c, http.MethodGet, start, nil) // accepted and begun on replica 0
	target.Store(1)
	a, err := sp.accept(postedOf(t, d.idv(c, wait, jane.Name)), reqID) // finished on replica 1
	require.NoError(t, err)
	require.Equal(t, classIAL2, classOf(a))
	require.Equal(t, "verified", attrs(a)["idv_status"][0])
	for path, want := range map[string]string{"/saml/sso": "0", "/saml/begin": "0", "/login/continue": "1", "/saml/resume": "1"} {
		got, _ := served.Load(path)
		require.Equal(t, want, got, "%s was served by replica %s", path, want)
	}
	// The request, sent again to replica 1: its ID was spent on replica 0.
	again := d.visit(d.browser(), http.MethodGet, start, nil)
	require.Equal(t, http.StatusBadRequest, again.status)
	require.Equal(t, "bad_request", errorProblem(again))
	// Single logout on replica 0 ends the session made on replica 1.
	target.Store(0)
	out := d.visit(c, http.MethodGet, logoutURLFor(t, sp, a.Subject.NameID.Value), nil)
	require.NotNil(t, out.back, "%d %s", out.status, out.body)
	start, _ = sp.authn(func(r *crewjam.AuthnRequest) { r.IsPassive = ptr(true) })
	top, second, _ := status(t, postedOf(t, d.visit(c, http.MethodGet, start, nil)))
	require.Equal(t, crewjam.StatusResponder, top)
	require.Equal(t, crewjam.StatusNoPassive, second)
}

func logoutURLFor(t *testing.T, sp *samlSP, nameID string) string {
	t.Helper()
	req, err := sp.MakeLogoutRequest(sp.GetSLOBindingLocation(crewjam.HTTPRedirectBinding), nameID)
	require.NoError(t, err)
	u, err := sp.RedirectLogoutRequestURL(req, "")
	require.NoError(t, err)
	return u.String()
}

// check-config reports the SAML identity provider and its service
// providers, and every problem of their settings at once.
func TestCheckConfigReportsSAML(t *testing.T) {
	sp := newSAMLSP(t, "acme", true)
	meta := writeFile(t, "acme.xml", sp.metadataXML())
	good := writeFile(t, "good.yaml", "dev: true\nissuer: http://localhost:8080\nsaml:\n  service_providers:\n    - id: acme\n      metadata_file: "+meta+"\n      journey: idv\n      attributes: [ial_level, verified_claims]\n")
	var out strings.Builder
	require.NoError(t, run(context.Background(), []string{"check-config", "--config", good}, &out, io.Discard))
	require.Contains(t, out.String(), "SAML identity provider: entity id http://localhost:8080/saml/metadata, 1 service provider(s)")
	require.Contains(t, out.String(), "acme: (from its metadata), journey idv, name_id persistent, attributes ial_level verified_claims, idp_initiated false")

	bad := writeFile(t, "bad.yaml", "dev: true\nsaml:\n  service_providers:\n    - id: x\n      name_id: email\n      attributes: [ssn]\n")
	err := run(context.Background(), []string{"check-config", "--config", bad}, io.Discard, io.Discard)
	require.Error(t, err)
	for _, p := range []string{"saml.service_providers[0].entity_id", "saml.service_providers[0].acs_urls", "saml.service_providers[0].email_domain", "saml.service_providers[0].attributes[0]"} {
		require.Contains(t, err.Error(), p)
	}
}
