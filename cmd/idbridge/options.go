package main

import (
	"fmt"
	"strings"

	"github.com/idbridge/idbridge/pkg/api"
	"github.com/idbridge/idbridge/pkg/config"
	samlidp "github.com/idbridge/idbridge/pkg/saml"
)

// The front doors take settings of their own types; these build them from
// the configuration file (defaults applied and validated by pkg/config).

// apiOptions are the connector API's settings of the api section.
func apiOptions(c config.API) api.Options {
	o := api.Options{
		Webhooks: api.Webhooks{
			MaxAttempts: c.Webhooks.MaxAttempts, Backoff: c.Webhooks.Backoff, MaxBackoff: c.Webhooks.MaxBackoff,
			Timeout: c.Webhooks.Timeout, Lease: c.Webhooks.Lease, Interval: c.Webhooks.Interval, EventTTL: c.Webhooks.EventTTL,
		},
		Hooks:        api.Hooks{Secret: c.Hooks.Secret, Owner: c.Hooks.Owner, ReplayWindow: c.Hooks.ReplayWindow, RawTTL: c.Hooks.RawTTL},
		PollInterval: c.PollInterval, RecordTTL: c.RecordTTL, IdempotencyTTL: c.IdempotencyTTL,
		MaxBodyBytes: c.MaxBodyBytes, AuthFailuresPerMinute: c.AuthFailuresPerMinute,
	}
	for _, cl := range c.Clients {
		o.Clients = append(o.Clients, api.Caller{ID: cl.ID, CheckToken: cl.CheckToken, HMACSecret: cl.HMACSecret,
			RateLimit: cl.RateLimit, AllowForget: cl.AllowForget, IdentifierNamespace: cl.IdentifierNamespace})
	}
	for _, e := range c.Webhooks.Endpoints {
		o.Webhooks.Endpoints = append(o.Webhooks.Endpoints, api.WebhookEndpoint{URL: e.URL, Secret: e.Secret, Events: e.Events})
	}
	for _, r := range c.Hooks.Rules {
		o.Hooks.Rules = append(o.Hooks.Rules, api.HookRule{Event: r.Event, Action: r.Action, UnlessVerified: r.UnlessVerified})
	}
	return o
}

// samlClients are the internal login clients of the SAML service
// providers: the provider runs their logins on its pages, with the
// service provider's journey, identifier namespace and branding, and
// returns to the SAML front door's resume path. They have no secret and
// no keys, and the provider refuses them at /authorize, /par and /token.
func samlClients(cfg *config.Config) []config.Client {
	var out []config.Client
	for _, sp := range cfg.SAML.ServiceProviders {
		out = append(out, config.Client{
			ID: config.SAMLClientPrefix + sp.ID, Name: "SAML " + sp.ID, RedirectURIs: []string{cfg.Issuer + samlidp.PathResume},
			TokenAuthMethod: "private_key_jwt", Scopes: []string{"openid"}, Journey: sp.Journey, IDTokenAlg: "RS256",
			IdentifierNamespace: sp.IdentifierNamespace, FaceMaxAge: sp.FaceMaxAge, Branding: sp.Branding,
		})
	}
	return out
}

// samlOptions are the SAML identity provider's settings of the saml
// section; the metadata files are read here.
func samlOptions(cfg *config.Config, pairwiseKey []byte) (samlidp.Options, error) {
	s := cfg.SAML
	o := samlidp.Options{
		Issuer: cfg.Issuer, IAL2Class: s.AuthnContexts.IAL2, LiveIDClass: s.AuthnContexts.LiveID, ACRAliases: cfg.Assurance.ACRAliases,
		ClockSkew: s.ClockSkew, AssertionLifetime: s.AssertionLifetime, LoginLifetime: cfg.Tokens.AuthRequest,
		PairwiseKey: pairwiseKey, SecureCookies: strings.HasPrefix(cfg.Issuer, "https://"),
	}
	for i, sp := range s.ServiceProviders {
		meta, err := sp.MetadataXML()
		if err != nil {
			return o, fmt.Errorf("saml.service_providers[%d].metadata_file: %w", i, err)
		}
		o.ServiceProviders = append(o.ServiceProviders, samlidp.ServiceProvider{
			ID: sp.ID, Client: config.SAMLClientPrefix + sp.ID, EntityID: sp.EntityID, Metadata: meta,
			ACSURLs: sp.ACSURLs, SLOURL: sp.SLOURL, Certificate: sp.Certificate, RequireSignedRequests: sp.RequireSignedRequests,
			EncryptAssertions: sp.EncryptAssertions == nil || *sp.EncryptAssertions, NameID: sp.NameID, EmailDomain: sp.EmailDomain,
			Attributes: sp.Attributes, IDPInitiated: sp.IDPInitiated,
		})
	}
	return o, nil
}
