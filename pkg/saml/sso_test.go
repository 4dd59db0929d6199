package saml

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/journey"
)

// A valid request is stored and the browser sent to begin; begin asks the
// front for the journey with what the request asked, once.
func TestSSOAcceptsAndBeginsOnce(t *testing.T) {
	s, front, sp := newTestServer(t)
	req, err := sp.MakeAuthenticationRequest(testIssuer+PathSSO, crewjam.HTTPRedirectBinding, crewjam.HTTPPostBinding)
	require.NoError(t, err)
	req.ForceAuthn = new(bool)
	*req.ForceAuthn = true
	req.RequestedAuthnContext = &crewjam.RequestedAuthnContext{Comparison: "minimum", AuthnContextClassRefs: []string{journey.ACRIAL2}}
	u, err := req.Redirect("", sp)
	require.NoError(t, err)
	w := serve(s, httptest.NewRequest(http.MethodGet, u.String(), nil))
	require.Equal(t, http.StatusSeeOther, w.Code, "%v", front.pages)
	begin := w.Header().Get("Location")
	require.True(t, strings.HasPrefix(begin, PathBegin+"?login="))
	cookie := w.Result().Cookies()[0]
	require.Equal(t, bindCookie, cookie.Name)
	require.True(t, cookie.HttpOnly)

	r := httptest.NewRequest(http.MethodGet, begin, nil)
	r.AddCookie(cookie)
	serve(s, r)
	require.Len(t, front.begun, 1)
	got := front.begun[0]
	require.Equal(t, "saml:sp", got.Client)
	require.True(t, got.Fresh)
	require.False(t, got.Passive)
	require.Equal(t, []string{journey.ACRIAL2, journey.ACRLiveID}, got.ACR, "minimum IAL2: IAL2 or the stronger LiveID")
	require.True(t, got.ACREssential)

	r = httptest.NewRequest(http.MethodGet, begin, nil)
	r.AddCookie(cookie)
	w = serve(s, r)
	require.Equal(t, http.StatusConflict, w.Code)
	require.Len(t, front.begun, 1, "begun once")
}

func TestWantedAuthnContext(t *testing.T) {
	s, _, _ := newTestServer(t)
	s.o.ACRAliases = map[string]string{"urn:acr.login.gov:verified": journey.ACRIAL2}
	for _, tt := range []struct {
		name       string
		comparison string
		classes    []string
		accept     []string
	}{
		{"exact liveid", "exact", []string{journey.ACRLiveID}, []string{journey.ACRLiveID}},
		{"omitted comparison is exact", "", []string{journey.ACRIAL2}, []string{journey.ACRIAL2}},
		{"alias", "exact", []string{"urn:acr.login.gov:verified"}, []string{journey.ACRIAL2}},
		{"unknown class only", "exact", []string{"urn:oasis:names:tc:SAML:2.0:ac:classes:Password"}, nil},
		{"unknown and known", "exact", []string{"urn:x", journey.ACRLiveID}, []string{journey.ACRLiveID}},
		{"minimum ial2", "minimum", []string{journey.ACRIAL2}, []string{journey.ACRIAL2, journey.ACRLiveID}},
		{"minimum liveid", "minimum", []string{journey.ACRLiveID}, []string{journey.ACRLiveID}},
		{"better ial2", "better", []string{journey.ACRIAL2}, []string{journey.ACRLiveID}},
		{"better liveid", "better", []string{journey.ACRLiveID}, nil},
		{"maximum liveid", "maximum", []string{journey.ACRLiveID}, []string{journey.ACRLiveID, journey.ACRIAL2}},
		{"maximum ial2", "maximum", []string{journey.ACRIAL2}, []string{journey.ACRIAL2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := s.want(&crewjam.RequestedAuthnContext{Comparison: tt.comparison, AuthnContextClassRefs: tt.classes})
			require.True(t, w.Asked)
			require.Equal(t, tt.accept, w.Accept)
			for _, a := range []string{journey.ACRIAL2, journey.ACRLiveID} {
				require.Equal(t, contains(tt.accept, a), w.met(a), a)
			}
		})
	}
	require.True(t, s.want(nil).met(journey.ACRIAL2), "nothing asked: anything is met")
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// The pairwise NameID is stable per person and service provider, differs
// between service providers and people, and does not contain the subject.
func TestPairwiseNameID(t *testing.T) {
	s, _, _ := newTestServer(t)
	a := &sp{ServiceProvider: ServiceProvider{EntityID: "https://a.example", NameID: "persistent"}}
	b := &sp{ServiceProvider: ServiceProvider{EntityID: "https://b.example", NameID: "email", EmailDomain: "b.example"}}
	one, f := s.nameID(a, "u_1")
	require.Equal(t, crewjam.PersistentNameIDFormat, f)
	again, _ := s.nameID(a, "u_1")
	require.Equal(t, one, again)
	other, _ := s.nameID(a, "u_2")
	require.NotEqual(t, one, other)
	mail, f := s.nameID(b, "u_1")
	require.Equal(t, crewjam.EmailAddressNameIDFormat, f)
	require.Regexp(t, `^[0-9a-f]{40}@b\.example$`, mail)
	require.NotContains(t, one+mail, "u_1")
	raw, err := base64.RawURLEncoding.DecodeString(one)
	require.NoError(t, err)
	require.Len(t, raw, 32)
}

func TestFlattenVerifiedClaims(t *testing.T) {
	v := map[string]any{
		"verification": map[string]any{"trust_framework": "nist_800_63A", "evidence": []any{map[string]any{"type": "document", "check_details": []any{map[string]any{"check_method": "vpip"}}}}},
		"claims":       map[string]any{"given_name": "Jane", "nationalities": []any{"US", "CA"}},
	}
	got := map[string][]string{}
	for _, a := range flatten("verified_claims", v) {
		for _, val := range a.Values {
			got[a.Name] = append(got[a.Name], val.Value)
		}
		require.Equal(t, basicFormat, a.NameFormat)
	}
	require.Equal(t, map[string][]string{
		"verified_claims.verification.trust_framework":                         {"nist_800_63A"},
		"verified_claims.verification.evidence.0.type":                         {"document"},
		"verified_claims.verification.evidence.0.check_details.0.check_method": {"vpip"},
		"verified_claims.claims.given_name":                                    {"Jane"},
		"verified_claims.claims.nationalities":                                 {"US", "CA"},
	}, got)
	require.Equal(t, crewjam.AttributeValue{Type: "xs:integer", Value: "2"}, value(float64(2)))
	require.Equal(t, crewjam.AttributeValue{Type: "xs:boolean", Value: "true"}, value(true))
}

// The request parser entry point, fuzzed: whatever arrives as SAMLRequest
// (either binding), the answer is a page or a redirect, never a 500, and
// nothing is begun or posted for it unless it is a valid request.
func FuzzSSORequest(f *testing.F) {
	s, front, sp := newTestServer(f)
	req, err := sp.MakeAuthenticationRequest(testIssuer+PathSSO, crewjam.HTTPRedirectBinding, crewjam.HTTPPostBinding)
	require.NoError(f, err)
	valid, err := xmlOf(req)
	require.NoError(f, err)
	f.Add(valid, false)
	f.Add(valid, true)
	f.Add([]byte(`<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"`), false)
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>`), true)
	f.Add([]byte{0xff, 0xfe, 0x00}, false)
	f.Fuzz(func(t *testing.T, data []byte, post bool) {
		var r *http.Request
		if post {
			form := url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString(data)}}
			r = httptest.NewRequest(http.MethodPost, PathSSO, strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			r = httptest.NewRequest(http.MethodGet, PathSSO+"?"+url.Values{"SAMLRequest": {deflated(data)}}.Encode(), nil)
		}
		posted := len(front.posted)
		w := serve(s, r)
		require.Less(t, w.Code, 500, "problems: %v", front.pages)
		for _, p := range front.posted[posted:] {
			raw, _ := base64.StdEncoding.DecodeString(p.Get("SAMLResponse"))
			require.NotContains(t, string(raw), "Assertion", "a posted answer to a request is an error status, never an assertion")
		}
	})
}

func xmlOf(req *crewjam.AuthnRequest) ([]byte, error) {
	doc := etree.NewDocument()
	doc.SetRoot(req.Element())
	return doc.WriteToBytes()
}
