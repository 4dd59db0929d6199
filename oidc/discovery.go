package oidc

import (
	"context"
	"encoding/json"
	"net/http"

	zop "github.com/zitadel/oidc/v3/pkg/op"

	"github.com/idbridge/idbridge/pkg/claims"
)

// discovery serves OpenID Provider metadata: zitadel's standard fields plus
// identity assurance (OIDC4IDA), acr values and RFC 9207. The document
// depends only on configuration, so it is built once.
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	p.discoveryOnce.Do(func() { p.discoveryJSON, p.discoveryErr = p.buildDiscovery(r.Context()) })
	if p.discoveryErr != nil {
		p.log.ErrorContext(r.Context(), "building discovery", "error", p.discoveryErr)
		http.Error(w, "discovery unavailable", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(p.discoveryJSON)
}

func (p *Provider) buildDiscovery(ctx context.Context) ([]byte, error) {
	ctx = zop.ContextWithIssuer(ctx, p.cfg.Issuer)
	base := zop.CreateDiscoveryConfig(ctx, p.op, &opStorage{p: p})
	raw, err := json.Marshal(base)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	for k, v := range claims.Metadata() {
		doc[k] = v
	}
	doc["acr_values_supported"] = p.acr.supported()
	doc["authorization_response_iss_parameter_supported"] = true
	doc["claims_parameter_supported"] = true
	doc["request_parameter_supported"] = true
	doc["request_uri_parameter_supported"] = false
	doc["pushed_authorization_request_endpoint"] = p.cfg.Issuer + PathPAR
	doc["require_pushed_authorization_requests"] = false
	doc["response_types_supported"] = []string{"code"}
	doc["response_modes_supported"] = []string{"query", "form_post"}
	doc["grant_types_supported"] = []string{"authorization_code", "refresh_token"}
	doc["code_challenge_methods_supported"] = []string{"S256"}
	doc["prompt_values_supported"] = promptValuesSupported
	doc["id_token_signing_alg_values_supported"] = []string{"RS256", "ES256"}
	doc["introspection_endpoint_auth_methods_supported"] = []string{"client_secret_basic", "client_secret_post", "private_key_jwt"}
	// Advertise only what works: zitadel lists a device authorization
	// endpoint that idbridge does not serve.
	delete(doc, "device_authorization_endpoint")
	return json.Marshal(doc)
}

// jwks serves the published signing keys (next, current, previous),
// encoded once per key ring load.
func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	body, err := p.keys.published(r.Context())
	if err != nil {
		p.log.ErrorContext(r.Context(), "loading signing keys", "error", err)
		writeOAuthError(w, http.StatusServiceUnavailable, errTemporarilyUnavailable().WithDescription("signing keys unavailable; retry shortly"))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(body)
}
