package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSAMLValidation(t *testing.T) {
	meta := filepath.Join(t.TempDir(), "sp.xml")
	require.NoError(t, os.WriteFile(meta, []byte(`<EntityDescriptor entityID="https://sp.example"/>`), 0o600))
	base := "dev: true\nissuer: http://localhost:8080\nclients:\n  - id: saml:taken\n    secret: s\n    redirect_uris: [http://localhost:8080/cb]\nsaml:\n"
	for _, tt := range []struct {
		name, saml string
		problems   []string
	}{
		{"none", "", nil},
		{"entity and ACS", "  service_providers:\n    - id: a\n      entity_id: https://a.example\n      acs_urls: [https://a.example/acs]\n", nil},
		{"metadata file", "  service_providers:\n    - id: a\n      metadata_file: " + meta + "\n", nil},
		{"missing metadata file", "  service_providers:\n    - id: a\n      metadata_file: /nonexistent/sp.xml\n", []string{"saml.service_providers[0].metadata_file: open /nonexistent/sp.xml"}},
		{"both metadata", "  service_providers:\n    - id: a\n      metadata_file: " + meta + "\n      metadata: <x/>\n", []string{"set metadata_file or metadata, not both"}},
		{"no entity, no ACS", "  service_providers:\n    - id: a\n", []string{"saml.service_providers[0].entity_id: required", "saml.service_providers[0].acs_urls: at least one"}},
		{"bad id", "  service_providers:\n    - id: 'a b'\n      metadata: <x/>\n", []string{`saml.service_providers[0].id: "a b" must be`}},
		{"id of a client", "  service_providers:\n    - id: taken\n      metadata: <x/>\n", []string{`clients[] already has the id "saml:taken"`}},
		{"twice", "  service_providers:\n    - {id: a, entity_id: https://a, acs_urls: [https://a/acs]}\n    - {id: a, entity_id: https://a, acs_urls: [https://a/acs]}\n", []string{`id: "a" is used twice`, `entity_id: "https://a" is used twice`}},
		{"relative ACS", "  service_providers:\n    - {id: a, entity_id: e, acs_urls: [/acs]}\n", []string{`acs_urls[0]: "/acs" must be an absolute`}},
		{"email without domain", "  service_providers:\n    - {id: a, metadata: <x/>, name_id: email}\n", []string{"email_domain: a lower-case domain name is required"}},
		{"unknown name_id", "  service_providers:\n    - {id: a, metadata: <x/>, name_id: transient}\n", []string{`name_id: "transient" is not one of persistent, email`}},
		{"unknown attribute", "  service_providers:\n    - {id: a, metadata: <x/>, attributes: [ial_level, ssn]}\n", []string{`attributes[1]: "ssn" is not one of`}},
		{"signed without certificate", "  service_providers:\n    - {id: a, entity_id: e, acs_urls: [https://a/acs], require_signed_requests: true}\n", []string{"certificate: required with require_signed_requests"}},
		{"not a certificate", "  service_providers:\n    - {id: a, entity_id: e, acs_urls: [https://a/acs], certificate: nope}\n", []string{"certificate: is not a PEM CERTIFICATE block"}},
		{"bad journey", "  service_providers:\n    - {id: a, metadata: <x/>, journey: sms}\n", []string{`journey: "sms" is not one of`}},
		{"same classes", "  authn_contexts: {ial2: urn:x, liveid: urn:x}\n", []string{"saml.authn_contexts: ial2 and liveid must name different classes"}},
		{"skew too long", "  clock_skew: 1h\n", []string{"saml.clock_skew: 1h0m0s is outside 0 to 5m"}},
		{"assertion too long", "  assertion_lifetime: 1h\n", []string{"saml.assertion_lifetime"}},
		{"branding", "  service_providers:\n    - {id: a, metadata: <x/>, primary_color: '#ffff00'}\n", []string{"saml.service_providers[0].primary_color"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(base+tt.saml))
			if tt.problems == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Len(t, err.(*Error).Problems, len(tt.problems), err.Error())
			for _, p := range tt.problems {
				require.Contains(t, err.Error(), p)
			}
		})
	}
}

func TestSAMLDefaults(t *testing.T) {
	c, err := Parse("t.yaml", []byte("dev: true\nsaml:\n  service_providers:\n    - {id: a, metadata: <x/>}\n    - {id: b, metadata: <x/>, journey: liveid, encrypt_assertions: false}\n"))
	require.NoError(t, err)
	s := c.SAML
	require.Equal(t, "urn:idbridge:acr:ial2", s.AuthnContexts.IAL2)
	require.Equal(t, "urn:idbridge:acr:liveid", s.AuthnContexts.LiveID)
	require.Equal(t, time.Minute, s.ClockSkew)
	require.Equal(t, 5*time.Minute, s.AssertionLifetime)
	a, b := s.ServiceProviders[0], s.ServiceProviders[1]
	require.Equal(t, "persistent", a.NameID)
	require.Equal(t, "auto", a.Journey)
	require.Equal(t, "a", a.IdentifierNamespace)
	require.Equal(t, []string{"ial_level", "idv_status"}, a.Attributes)
	require.True(t, *a.EncryptAssertions)
	require.False(t, a.IDPInitiated, "IdP-initiated sign-in is off by default")
	require.Nil(t, a.FaceMaxAge)
	require.False(t, *b.EncryptAssertions)
	require.Equal(t, time.Duration(0), *b.FaceMaxAge, "LiveID service providers check the face every time")
	require.Contains(t, c.IdentifierNamespaces(), "b")
}
