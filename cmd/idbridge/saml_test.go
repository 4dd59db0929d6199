package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	crewjam "github.com/crewjam/saml"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/storage"
)

const (
	classIAL2   = "urn:idbridge:acr:ial2"
	classLiveID = "urn:idbridge:acr:liveid"
)

// samlDoors is the real application with one SAML service provider,
// crewjam/saml's own ServiceProvider, which signs its requests.
func samlDoors(t *testing.T, f func(t *testing.T, d *doors, sp *samlSP)) {
	sp := newSAMLSP(t, "app", true)
	eachStore(t, func(t *testing.T, d *doors) {
		sp.trust(d.issuer)
		f(t, d, sp)
	}, withSAML(config.SAMLServiceProvider{ID: "app", Metadata: sp.metadataXML(), RequireSignedRequests: true, Branding: config.Branding{ClientName: "Example App"},
		Attributes: []string{"ial_level", "idv_status", "given_name", "family_name", "birthdate", "verified_claims"}}))
}

// A SAML service provider signs in through identity verification, then
// with a LiveID face check it asks for by class with ForceAuthn; passive
// requests are answered from the session; single logout ends it.
func TestSAMLSignInThroughTheJourney(t *testing.T) {
	samlDoors(t, func(t *testing.T, d *doors, sp *samlSP) {
		c := d.browser()
		start, reqID := sp.authn(nil)
		wait := d.visit(c, http.MethodGet, start, nil)
		require.Contains(t, wait.body, "Example App", "the pages name the service provider")
		p := postedOf(t, d.idv(c, wait, jane.Name))
		require.Equal(t, "relay-1", p.relay)
		a, err := sp.accept(p, reqID)
		require.NoError(t, err, "the service provider verified the signed (and encrypted) response")
		require.Equal(t, string(crewjam.PersistentNameIDFormat), a.Subject.NameID.Format)
		nameID := a.Subject.NameID.Value
		require.Len(t, nameID, 43, "base64url of an HMAC-SHA256")
		require.Equal(t, classIAL2, classOf(a))
		got := attrs(a)
		require.Equal(t, []string{"2"}, got["ial_level"])
		require.Equal(t, []string{"verified"}, got["idv_status"])
		require.Equal(t, []string{jane.Person.GivenName}, got["given_name"])
		require.Equal(t, []string{jane.Person.FamilyName}, got["family_name"])
		require.Equal(t, []string{"nist_800_63A"}, got["verified_claims.verification.trust_framework"])
		require.Equal(t, []string{"document"}, got["verified_claims.verification.evidence.0.type"])
		var vc map[string]any
		require.NoError(t, json.Unmarshal([]byte(got["verified_claims"][0]), &vc), "verified_claims as one JSON value")
		require.Contains(t, vc, "verification")
		require.NotContains(t, got, "address", "only the attributes of the policy")
		require.Equal(t, sp.EntityID, a.Conditions.AudienceRestrictions[0].Audience.Value)
		require.WithinDuration(t, time.Now().Add(5*time.Minute), a.Conditions.NotOnOrAfter, 30*time.Second)
		require.WithinDuration(t, time.Now().Add(-time.Minute), a.Conditions.NotBefore, 30*time.Second)
		require.Equal(t, reqID, a.Subject.SubjectConfirmations[0].SubjectConfirmationData.InResponseTo)
		require.Equal(t, sp.AcsURL.String(), a.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient)

		// The same request again: refused, no assertion.
		again := d.visit(c, http.MethodGet, start, nil)
		require.Equal(t, http.StatusBadRequest, again.status)
		require.Equal(t, "bad_request", errorProblem(again))
		require.NotContains(t, again.body, "SAMLResponse")

		// Passive, with the session: answered without interaction, same
		// person, same class.
		start, reqID = sp.authn(func(r *crewjam.AuthnRequest) { r.IsPassive = ptr(true) })
		a, err = sp.accept(postedOf(t, d.visit(c, http.MethodGet, start, nil)), reqID)
		require.NoError(t, err)
		require.Equal(t, nameID, a.Subject.NameID.Value)
		firstAuth := a.AuthnStatements[0].AuthnInstant

		// The LiveID class, exactly, with ForceAuthn: a face check now.
		time.Sleep(1100 * time.Millisecond)
		start, reqID = sp.authn(func(r *crewjam.AuthnRequest) {
			r.ForceAuthn = ptr(true)
			r.RequestedAuthnContext = &crewjam.RequestedAuthnContext{Comparison: "exact", AuthnContextClassRefs: []string{classLiveID}}
		})
		wait = d.visit(c, http.MethodGet, start, nil)
		a, err = sp.accept(postedOf(t, d.liveID(c, wait, true)), reqID)
		require.NoError(t, err)
		require.Equal(t, classLiveID, classOf(a))
		require.Equal(t, nameID, a.Subject.NameID.Value)
		require.True(t, a.AuthnStatements[0].AuthnInstant.After(firstAuth), "a new authentication")

		// A face that does not match: AuthnFailed, no assertion.
		start, reqID = sp.authn(func(r *crewjam.AuthnRequest) { r.ForceAuthn = ptr(true) })
		wait = d.visit(c, http.MethodGet, start, nil)
		p = postedOf(t, d.liveID(c, wait, false))
		_, err = sp.accept(p, reqID)
		require.Error(t, err)
		top, second, _ := status(t, p)
		require.Equal(t, crewjam.StatusResponder, top)
		require.Equal(t, crewjam.StatusAuthnFailed, second)

		// Single logout (SP-initiated, HTTP-Redirect, signed).
		lreq, err := sp.MakeLogoutRequest(sp.GetSLOBindingLocation(crewjam.HTTPRedirectBinding), nameID)
		require.NoError(t, err)
		lu, err := sp.RedirectLogoutRequestURL(lreq, "bye")
		require.NoError(t, err)
		out := d.visit(c, http.MethodGet, lu.String(), nil)
		require.NotNil(t, out.back, "%d %s", out.status, out.body)
		require.Equal(t, sp.SloURL.Host, out.back.Host)
		back := httptest.NewRequest(http.MethodGet, out.back.String(), nil)
		resp, err := sp.ParseLogoutResponse(back, []string{lreq.ID})
		require.NoError(t, err, "a signed LogoutResponse")
		require.Equal(t, crewjam.StatusSuccess, resp.Status.StatusCode.Value)
		// The same LogoutRequest again is refused.
		require.Equal(t, "bad_request", errorProblem(d.visit(c, http.MethodGet, lu.String(), nil)))

		// The session is gone: a passive request cannot be answered.
		start, reqID = sp.authn(func(r *crewjam.AuthnRequest) { r.IsPassive = ptr(true) })
		p = postedOf(t, d.visit(c, http.MethodGet, start, nil))
		top, second, _ = status(t, p)
		require.Equal(t, crewjam.StatusResponder, top)
		require.Equal(t, crewjam.StatusNoPassive, second)
		_, err = sp.accept(p, reqID)
		require.Error(t, err)

		// What the SAML logins left in the store has declared owners, and
		// nothing of the SAML door's own names the person.
		own := 0
		require.NoError(t, d.a.store.(storage.Scanner).Scan(context.Background(), func(key string, value []byte) error {
			ks, ok := storage.KeyspaceOf(d.a.keyspaces(), key)
			require.True(t, ok, "%s belongs to no declared keyspace", key)
			if ks.Owner == "saml" {
				own++
				require.NotContains(t, string(value), nameID, key)
				require.NotContains(t, string(value), jane.Person.FamilyName, key)
			}
			return nil
		}))
		require.Positive(t, own, "spent request and logout IDs are kept")
	})
}

// An exact authentication context idbridge does not achieve is answered
// with NoAuthnContext at once; one it achieves only in part (LiveID for a
// person who is not enrolled yet, so the journey verifies instead) is
// answered with NoAuthnContext after the journey, never with a weaker
// assertion; the minimum comparison takes the stronger class.
func TestSAMLNoAuthnContext(t *testing.T) {
	samlDoors(t, func(t *testing.T, d *doors, sp *samlSP) {
		c := d.browser()
		start, reqID := sp.authn(func(r *crewjam.AuthnRequest) {
			r.RequestedAuthnContext = &crewjam.RequestedAuthnContext{Comparison: "exact", AuthnContextClassRefs: []string{"urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"}}
		})
		p := postedOf(t, d.visit(c, http.MethodGet, start, nil))
		top, second, _ := status(t, p)
		require.Equal(t, crewjam.StatusResponder, top)
		require.Equal(t, crewjam.StatusNoAuthnContext, second)
		_, err := sp.accept(p, reqID)
		require.Error(t, err, "no assertion")

		// Exact IAL2 for a person who verifies: met.
		start, reqID = sp.authn(func(r *crewjam.AuthnRequest) {
			r.RequestedAuthnContext = &crewjam.RequestedAuthnContext{AuthnContextClassRefs: []string{classIAL2}}
		})
		a, err := sp.accept(postedOf(t, d.idv(c, d.visit(c, http.MethodGet, start, nil), erika.Name)), reqID)
		require.NoError(t, err)
		require.Equal(t, classIAL2, classOf(a))

		// Minimum IAL2 from the session: IAL2 or better.
		start, reqID = sp.authn(func(r *crewjam.AuthnRequest) {
			r.RequestedAuthnContext = &crewjam.RequestedAuthnContext{Comparison: "minimum", AuthnContextClassRefs: []string{classIAL2}}
		})
		a, err = sp.accept(postedOf(t, d.visit(c, http.MethodGet, start, nil)), reqID)
		require.NoError(t, err)
		require.Contains(t, []string{classIAL2, classLiveID}, classOf(a))

		// Exact IAL2 for someone whose verification fails: AuthnFailed.
		other := d.browser()
		start, reqID = sp.authn(func(r *crewjam.AuthnRequest) {
			r.RequestedAuthnContext = &crewjam.RequestedAuthnContext{AuthnContextClassRefs: []string{classIAL2}}
		})
		wait := d.visit(other, http.MethodGet, start, nil)
		require.NoError(t, d.a.sim.Decline(d.session(other, wait)))
		p = postedOf(t, d.finish(other, wait))
		top, second, _ = status(t, p)
		require.Equal(t, crewjam.StatusResponder, top)
		require.Equal(t, crewjam.StatusAuthnFailed, second)
		_, err = sp.accept(p, reqID)
		require.Error(t, err)
	})
}

func ptr[T any](v T) *T { return &v }
