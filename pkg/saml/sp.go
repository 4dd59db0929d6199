package saml

import (
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"

	crewjam "github.com/crewjam/saml"
)

// sp is a service provider as the identity provider uses it: its settings
// and its metadata, as configured or parsed once.
type sp struct {
	ServiceProvider
	meta *crewjam.EntityDescriptor
}

// registry finds service providers by entity id (crewjam's
// ServiceProviderProvider) and by short id.
type registry struct {
	byEntity map[string]*sp
	byID     map[string]*sp
}

var _ crewjam.ServiceProviderProvider = (*registry)(nil)

func newRegistry(list []ServiceProvider) (*registry, error) {
	reg := &registry{byEntity: map[string]*sp{}, byID: map[string]*sp{}}
	for _, c := range list {
		meta, err := metadataOf(c)
		if err != nil {
			return nil, fmt.Errorf("saml: service provider %s: %w", c.ID, err)
		}
		c.EntityID = meta.EntityID
		if _, dup := reg.byEntity[c.EntityID]; dup {
			return nil, fmt.Errorf("saml: service provider %s: entity id %s is used twice", c.ID, c.EntityID)
		}
		s := &sp{ServiceProvider: c, meta: meta}
		reg.byEntity[c.EntityID], reg.byID[c.ID] = s, s
	}
	return reg, nil
}

// GetServiceProvider returns the metadata of the service provider
// entityID, or os.ErrNotExist.
func (r *registry) GetServiceProvider(_ *http.Request, entityID string) (*crewjam.EntityDescriptor, error) {
	s, ok := r.byEntity[entityID]
	if !ok {
		return nil, os.ErrNotExist
	}
	return s.meta, nil
}

// metadataOf parses the configured metadata, or builds it from the
// settings, and applies the settings that narrow it: only the listed
// assertion consumer services, signed requests required, no encryption.
func metadataOf(c ServiceProvider) (*crewjam.EntityDescriptor, error) {
	var meta *crewjam.EntityDescriptor
	if c.Metadata != nil {
		var err error
		if meta, err = parseMetadata(c.Metadata, c.EntityID); err != nil {
			return nil, fmt.Errorf("metadata: %w", err)
		}
		if c.EntityID != "" && c.EntityID != meta.EntityID {
			return nil, fmt.Errorf("entity_id %q differs from the metadata's %q", c.EntityID, meta.EntityID)
		}
		if len(meta.SPSSODescriptors) == 0 {
			return nil, fmt.Errorf("the metadata of %s has no SPSSODescriptor", meta.EntityID)
		}
	} else {
		d := crewjam.SPSSODescriptor{SSODescriptor: crewjam.SSODescriptor{RoleDescriptor: crewjam.RoleDescriptor{ProtocolSupportEnumeration: "urn:oasis:names:tc:SAML:2.0:protocol"}}}
		for i, u := range c.ACSURLs {
			d.AssertionConsumerServices = append(d.AssertionConsumerServices, crewjam.IndexedEndpoint{Binding: crewjam.HTTPPostBinding, Location: u, Index: i})
		}
		if c.SLOURL != "" {
			d.SingleLogoutServices = []crewjam.Endpoint{{Binding: crewjam.HTTPRedirectBinding, Location: c.SLOURL}}
		}
		if c.Certificate != "" {
			b, _ := pem.Decode([]byte(c.Certificate))
			if b == nil || b.Type != "CERTIFICATE" {
				return nil, fmt.Errorf("certificate is not a PEM CERTIFICATE")
			}
			d.KeyDescriptors = []crewjam.KeyDescriptor{{Use: "signing", KeyInfo: crewjam.KeyInfo{X509Data: crewjam.X509Data{
				X509Certificates: []crewjam.X509Certificate{{Data: base64.StdEncoding.EncodeToString(b.Bytes)}}}}}}
		}
		meta = &crewjam.EntityDescriptor{EntityID: c.EntityID, SPSSODescriptors: []crewjam.SPSSODescriptor{d}}
	}
	for i := range meta.SPSSODescriptors {
		d := &meta.SPSSODescriptors[i]
		if c.Metadata != nil && len(c.ACSURLs) > 0 {
			d.AssertionConsumerServices = slices.DeleteFunc(d.AssertionConsumerServices, func(e crewjam.IndexedEndpoint) bool {
				return !slices.Contains(c.ACSURLs, e.Location)
			})
		}
		if c.RequireSignedRequests {
			yes := true
			d.AuthnRequestsSigned = &yes
		}
		if !c.EncryptAssertions {
			d.KeyDescriptors = slices.DeleteFunc(d.KeyDescriptors, func(k crewjam.KeyDescriptor) bool { return k.Use == "encryption" })
		}
	}
	if !slices.ContainsFunc(meta.SPSSODescriptors, func(d crewjam.SPSSODescriptor) bool {
		return slices.ContainsFunc(d.AssertionConsumerServices, func(e crewjam.IndexedEndpoint) bool { return e.Binding == crewjam.HTTPPostBinding })
	}) {
		return nil, fmt.Errorf("%s has no HTTP-POST assertion consumer service idbridge may use", meta.EntityID)
	}
	if c.RequireSignedRequests && !hasSigningKey(meta) {
		return nil, fmt.Errorf("%s requires signed requests but publishes no signing certificate", meta.EntityID)
	}
	return meta, nil
}

func hasSigningKey(meta *crewjam.EntityDescriptor) bool {
	for _, d := range meta.SPSSODescriptors {
		for _, k := range d.KeyDescriptors {
			if (k.Use == "" || k.Use == "signing") && len(k.KeyInfo.X509Data.X509Certificates) > 0 {
				return true
			}
		}
	}
	return false
}

// parseMetadata reads an EntityDescriptor, or the one with entityID (or the
// only one) of an EntitiesDescriptor. The file is the operator's.
func parseMetadata(raw []byte, entityID string) (*crewjam.EntityDescriptor, error) {
	var one crewjam.EntityDescriptor
	if err := xml.Unmarshal(raw, &one); err == nil && one.EntityID != "" {
		return &one, nil
	}
	var many crewjam.EntitiesDescriptor
	if err := xml.Unmarshal(raw, &many); err != nil {
		return nil, fmt.Errorf("neither an EntityDescriptor nor an EntitiesDescriptor: %w", err)
	}
	var found []*crewjam.EntityDescriptor
	for i := range many.EntityDescriptors {
		e := &many.EntityDescriptors[i]
		if len(e.SPSSODescriptors) > 0 && (entityID == "" || e.EntityID == entityID) {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		return nil, errors.New("the metadata must hold exactly one service provider (set entity_id to choose it)")
	}
	return found[0], nil
}
