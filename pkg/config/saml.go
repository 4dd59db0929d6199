package config

import (
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"time"
)

// SAML configures the SAML 2.0 identity provider at /saml/ (metadata,
// single sign-on, single logout). It is served when at least one service
// provider is configured. Logins run the same journey as OpenID Connect
// logins (see README "SAML").
type SAML struct {
	// ServiceProviders are the SAML service providers (relying parties)
	// allowed to sign in through idbridge.
	ServiceProviders []SAMLServiceProvider `yaml:"service_providers"`
	// AuthnContexts names the authentication context classes
	// (AuthnContextClassRef) of idbridge's two journeys; defaults are the
	// OpenID Connect acr values.
	AuthnContexts SAMLAuthnContexts `yaml:"authn_contexts"`
	// ClockSkew is how far apart the clocks of idbridge and a service
	// provider may be: an assertion is valid from this long before it was
	// issued, and a request dated this far ahead is still taken (default
	// 60s, at most 5m).
	ClockSkew time.Duration `yaml:"clock_skew"`
	// AssertionLifetime is how long after it is issued an assertion may be
	// accepted (Conditions NotOnOrAfter, SubjectConfirmationData
	// NotOnOrAfter; default 5m, at most 10m).
	AssertionLifetime time.Duration `yaml:"assertion_lifetime"`
}

// SAMLAuthnContexts are the AuthnContextClassRef values of the journeys.
type SAMLAuthnContexts struct {
	// IAL2 is the class of an identity proofed to NIST 800-63A IAL2
	// (default urn:idbridge:acr:ial2).
	IAL2 string `yaml:"ial2"`
	// LiveID is the class of a biometric face check in this
	// authentication (default urn:idbridge:acr:liveid).
	LiveID string `yaml:"liveid"`
}

// SAMLServiceProvider is one SAML service provider. Its metadata (a file or
// inline XML) gives the entity id, assertion consumer services, single
// logout services and keys; without metadata they are written here.
type SAMLServiceProvider struct {
	// ID is a short name for logs, the login's client ("saml:" + id:
	// policy sections and audit lines) and the default identifier
	// namespace.
	ID string `yaml:"id"`
	// EntityID is the service provider's entity id (the Issuer of its
	// requests). Required without metadata; with metadata it must match.
	EntityID string `yaml:"entity_id"`
	// MetadataFile is a file holding the service provider's SAML metadata
	// (an EntityDescriptor); Metadata is the same XML inline. At most one.
	MetadataFile string `yaml:"metadata_file"`
	Metadata     string `yaml:"metadata"`
	// ACSURLs are the assertion consumer service URLs (HTTP-POST binding),
	// the first the default. Without metadata at least one is required;
	// with metadata they restrict its endpoints to these.
	ACSURLs []string `yaml:"acs_urls"`
	// SLOURL is the service provider's single logout endpoint
	// (HTTP-Redirect binding) when there is no metadata.
	SLOURL string `yaml:"slo_url"`
	// Certificate is the service provider's signing certificate (PEM) when
	// there is no metadata: it verifies signed requests and logout
	// requests.
	Certificate string `yaml:"certificate"`
	// RequireSignedRequests refuses unsigned AuthnRequests (also when the
	// metadata says AuthnRequestsSigned="true").
	RequireSignedRequests bool `yaml:"require_signed_requests"`
	// EncryptAssertions encrypts assertions when the service provider
	// publishes an encryption key in its metadata (default true; false
	// sends them signed only).
	EncryptAssertions *bool `yaml:"encrypt_assertions"`
	// NameID is the format of the assertion's subject: persistent (the
	// default: a pairwise, stable, opaque identifier per service
	// provider) or email (the same identifier as
	// <identifier>@EmailDomain, for service providers that take only
	// emailAddress; it is no mailbox).
	NameID string `yaml:"name_id"`
	// EmailDomain is the domain of email NameIDs (required with name_id
	// email).
	EmailDomain string `yaml:"email_domain"`
	// Attributes are the attributes released to this service provider
	// (README "SAML attributes"; default ial_level and idv_status).
	Attributes []string `yaml:"attributes"`
	// Journey is the default journey: idv, liveid or auto (default auto).
	Journey string `yaml:"journey"`
	// IdentifierNamespace is the namespace of identifiers typed on the
	// LiveID identification page for this service provider (default: the
	// id).
	IdentifierNamespace string `yaml:"identifier_namespace"`
	// FaceMaxAge is as clients[].face_max_age (default 0 for liveid).
	FaceMaxAge *time.Duration `yaml:"face_max_age"`
	// IDPInitiated lets a sign-in start at idbridge
	// (/saml/idp-initiated?sp=ID) and post an unsolicited assertion to the
	// default assertion consumer service. Off by default: such a response
	// answers no request, so the service provider cannot tell it from one
	// an attacker had someone's browser fetch.
	IDPInitiated bool `yaml:"idp_initiated"`
	// Branding is how the service provider presents itself on idbridge's
	// pages (client_name, logo_uri, ...), as for clients.
	Branding `yaml:",inline"`
}

// SAMLAttributes are the attributes a service provider may be released,
// by name (README "SAML attributes").
var SAMLAttributes = []string{"ial_level", "idv_status", "given_name", "family_name", "name", "birthdate", "address", "verified_claims"}

// SAMLClientPrefix starts the id of the login client of a service provider.
const SAMLClientPrefix = "saml:"

var samlID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func (s *SAML) applyDefaults() {
	if s.ClockSkew == 0 {
		s.ClockSkew = time.Minute
	}
	if s.AssertionLifetime == 0 {
		s.AssertionLifetime = 5 * time.Minute
	}
	if s.AuthnContexts.IAL2 == "" {
		s.AuthnContexts.IAL2 = "urn:idbridge:acr:ial2"
	}
	if s.AuthnContexts.LiveID == "" {
		s.AuthnContexts.LiveID = "urn:idbridge:acr:liveid"
	}
	for i := range s.ServiceProviders {
		sp := &s.ServiceProviders[i]
		if sp.NameID == "" {
			sp.NameID = "persistent"
		}
		if sp.Journey == "" {
			sp.Journey = "auto"
		}
		if sp.IdentifierNamespace == "" {
			sp.IdentifierNamespace = sp.ID
		}
		if sp.Attributes == nil {
			sp.Attributes = []string{"ial_level", "idv_status"}
		}
		if sp.EncryptAssertions == nil {
			sp.EncryptAssertions = new(bool)
			*sp.EncryptAssertions = true
		}
		if sp.FaceMaxAge == nil && sp.Journey == "liveid" {
			sp.FaceMaxAge = new(time.Duration)
		}
	}
}

// MetadataXML returns the service provider's metadata: the file or the
// inline XML; nil when neither is set.
func (sp SAMLServiceProvider) MetadataXML() ([]byte, error) {
	switch {
	case sp.MetadataFile != "":
		return os.ReadFile(sp.MetadataFile)
	case sp.Metadata != "":
		return []byte(sp.Metadata), nil
	}
	return nil, nil
}

func (c *Config) samlProblems() []string {
	var p []string
	add := func(field, format string, args ...any) {
		p = append(p, field+": "+fmt.Sprintf(format, args...))
	}
	s := c.SAML
	if s.ClockSkew < 0 || s.ClockSkew > 5*time.Minute {
		add("saml.clock_skew", "%s is outside 0 to 5m", s.ClockSkew)
	}
	if s.AssertionLifetime < 30*time.Second || s.AssertionLifetime > 10*time.Minute {
		add("saml.assertion_lifetime", "%s is outside 30s to 10m", s.AssertionLifetime)
	}
	if s.AuthnContexts.IAL2 == s.AuthnContexts.LiveID {
		add("saml.authn_contexts", "ial2 and liveid must name different classes")
	}
	ids, entities := map[string]bool{}, map[string]bool{}
	clients := map[string]bool{}
	for _, cl := range c.Clients {
		clients[cl.ID] = true
	}
	for i, sp := range s.ServiceProviders {
		f := fmt.Sprintf("saml.service_providers[%d]", i)
		switch {
		case !samlID.MatchString(sp.ID):
			add(f+".id", "%q must be 1 to 64 letters, digits, '.', '_' or '-'", sp.ID)
		case ids[sp.ID]:
			add(f+".id", "%q is used twice", sp.ID)
		case clients[SAMLClientPrefix+sp.ID]:
			add(f+".id", "clients[] already has the id %q", SAMLClientPrefix+sp.ID)
		}
		ids[sp.ID] = true
		if sp.MetadataFile != "" && sp.Metadata != "" {
			add(f+".metadata", "set metadata_file or metadata, not both")
		}
		raw, err := sp.MetadataXML()
		if err != nil {
			add(f+".metadata_file", "%v", err)
		}
		if raw == nil && err == nil {
			if sp.EntityID == "" {
				add(f+".entity_id", "required without metadata (the Issuer of the service provider's requests)")
			}
			if len(sp.ACSURLs) == 0 {
				add(f+".acs_urls", "at least one assertion consumer service URL is required without metadata")
			}
			if sp.Certificate != "" {
				if b, _ := pem.Decode([]byte(sp.Certificate)); b == nil || b.Type != "CERTIFICATE" {
					add(f+".certificate", "is not a PEM CERTIFICATE block")
				}
			}
			if sp.RequireSignedRequests && sp.Certificate == "" {
				add(f+".certificate", "required with require_signed_requests: the certificate verifies the requests")
			}
		}
		if sp.EntityID != "" {
			if entities[sp.EntityID] {
				add(f+".entity_id", "%q is used twice", sp.EntityID)
			}
			entities[sp.EntityID] = true
		}
		for j, u := range append(slices.Clone(sp.ACSURLs), sp.SLOURL) {
			if u == "" {
				continue
			}
			field := fmt.Sprintf("%s.acs_urls[%d]", f, j)
			if j == len(sp.ACSURLs) {
				field = f + ".slo_url"
			}
			pu, err := url.Parse(u)
			switch {
			case err != nil || pu.Host == "" || pu.Fragment != "" || (pu.Scheme != "https" && pu.Scheme != "http"):
				add(field, "%q must be an absolute http(s) URL without fragment", u)
			case pu.Scheme != "https" && !c.Dev:
				add(field, "%q must use https outside dev", u)
			}
		}
		oneOf(add, f+".name_id", sp.NameID, "persistent", "email")
		if sp.NameID == "email" && !regexp.MustCompile(`^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$`).MatchString(sp.EmailDomain) {
			add(f+".email_domain", "a lower-case domain name is required with name_id email, e.g. users.example.com")
		}
		for j, a := range sp.Attributes {
			if !slices.Contains(SAMLAttributes, a) {
				add(fmt.Sprintf("%s.attributes[%d]", f, j), "%q is not one of %v", a, SAMLAttributes)
			}
		}
		oneOf(add, f+".journey", sp.Journey, "idv", "liveid", "auto")
		if sp.FaceMaxAge != nil && *sp.FaceMaxAge < 0 {
			add(f+".face_max_age", "must not be negative (0: a face check in every authentication)")
		}
		p = append(p, sp.Branding.problems(f, c.Dev)...)
	}
	return p
}
