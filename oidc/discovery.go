package oidc

import (
	"encoding/json"
	"net/http"

	zop "github.com/zitadel/oidc/v3/pkg/op"

	"github.com/idbridge/idbridge/pkg/claims"
)

// discovery serves OpenID Provider metadata: zitadel's standard fields plus
// identity assurance (OIDC4IDA), acr values and RFC 9207.
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	ctx := zop.ContextWithIssuer(r.Context(), p.cfg.Issuer)
	base := zop.CreateDiscoveryConfig(ctx, p.op, &opStorage{p: p})
	raw, err := json.Marshal(base)
	if err != nil {
		http.Error(w, "discovery unavailable", http.StatusInternalServerError)
		return
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		http.Error(w, "discovery unavailable", http.StatusInternalServerError)
		return
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
	doc["prompt_values_supported"] = []string{"none", "login", "consent", "select_account"}
	doc["id_token_signing_alg_values_supported"] = []string{"RS256", "ES256"}
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, doc)
}
