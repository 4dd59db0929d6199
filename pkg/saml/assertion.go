package saml

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"

	crewjam "github.com/crewjam/saml"

	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/users"
)

// assertion makes the assertion for auth of person u: subject, the
// achieved AuthnContextClassRef and AuthnInstant, the conditions, and the
// attributes the service provider may have. crewjam's assertion maker
// builds it; idbridge then sets the windows (clock skew, lifetime), the
// client's address as idbridge trusts it, and its own attribute statement.
func (s *Server) assertion(req *crewjam.IdpAuthnRequest, sp *sp, auth journey.Authentication, u *users.User) error {
	name, format := s.nameID(sp, u.Subject)
	session := &crewjam.Session{
		ID: newToken(), CreateTime: auth.AuthTime, Index: newToken(),
		NameID: name, NameIDFormat: string(format), AuthnContextClassRef: s.class(auth.ACR),
	}
	if err := (crewjam.DefaultAssertionMaker{}).MakeAssertion(req, session); err != nil {
		return err
	}
	a, now, ip := req.Assertion, s.now(), s.clientIP(req.HTTPRequest)
	a.Conditions.NotBefore = now.Add(-s.o.ClockSkew)
	a.Conditions.NotOnOrAfter = now.Add(s.o.AssertionLifetime)
	for i := range a.Subject.SubjectConfirmations {
		if d := a.Subject.SubjectConfirmations[i].SubjectConfirmationData; d != nil {
			d.NotOnOrAfter, d.Address = now.Add(s.o.AssertionLifetime), ip
		}
	}
	for i := range a.AuthnStatements {
		if l := a.AuthnStatements[i].SubjectLocality; l != nil {
			l.Address = ip
		}
	}
	a.AttributeStatements = nil
	if attrs := s.attributes(sp, u); len(attrs) > 0 {
		a.AttributeStatements = []crewjam.AttributeStatement{{Attributes: attrs}}
	}
	return nil
}

// nameID is the assertion's subject for the person sub at service provider
// sp. Persistent (the default): base64url of HMAC-SHA256 under the
// pairwise key of "saml-nameid", the service provider's entity id and sub,
// each ended by a zero byte: stable for one person at one service
// provider, different at every other, and telling nothing of sub. Email:
// the first 20 bytes of the same HMAC in lower-case hex, at the configured
// domain (an identifier shaped as an address, not a mailbox).
func (s *Server) nameID(sp *sp, sub string) (string, crewjam.NameIDFormat) {
	m := hmac.New(sha256.New, s.o.PairwiseKey)
	m.Write([]byte("saml-nameid\x00" + sp.EntityID + "\x00" + sub + "\x00"))
	sum := m.Sum(nil)
	if sp.NameID == "email" {
		return hex.EncodeToString(sum[:20]) + "@" + sp.EmailDomain, crewjam.EmailAddressNameIDFormat
	}
	return base64.RawURLEncoding.EncodeToString(sum), crewjam.PersistentNameIDFormat
}

// formatOf is the NameID format sp gets.
func formatOf(sp *sp) crewjam.NameIDFormat {
	if sp.NameID == "email" {
		return crewjam.EmailAddressNameIDFormat
	}
	return crewjam.PersistentNameIDFormat
}

// nameIDPolicyOK reports whether a request's NameIDPolicy can be met:
// no format, unspecified, or the service provider's own format. An
// SPNameQualifier other than the service provider itself is refused
// (idbridge keeps no affiliations).
func (s *Server) nameIDPolicyOK(sp *sp, p *crewjam.NameIDPolicy) bool {
	if p == nil {
		return true
	}
	if p.Format != nil {
		switch *p.Format {
		case "", string(crewjam.UnspecifiedNameIDFormat), string(formatOf(sp)):
		default:
			return false
		}
	}
	return p.SPNameQualifier == nil || *p.SPNameQualifier == "" || *p.SPNameQualifier == sp.EntityID
}
