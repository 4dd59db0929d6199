package conformance

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// configChecks mirror oidcc-config-certification-test-plan: the discovery
// document and the JWKS, plus the metadata idbridge's clients rely on.
func configChecks() []Check {
	c := func(name, summary string, run func(context.Context, *env) (string, error)) Check {
		return Check{Plan: PlanConfig, Name: name, Summary: summary, run: run}
	}
	return []Check{
		c("oidcc-discovery-issuer-matches", "discovery issuer equals the URL it was fetched from, character for character", checkDiscoveryIssuer),
		c("oidcc-discovery-endpoint-verification", "required endpoints and lists: response_types code, subject_types, RS256, openid scope", checkDiscoveryFields),
		c("oidcc-discovery-jwks", "jwks_uri reachable; every key public with a unique kid, use sig and an alg; an RS256 key", checkJWKS),
		c("idbridge-discovery-claims-acr-iss", "claims_parameter_supported, acr_values_supported, RFC 9207 iss, S256, form_post", checkDiscoveryIdbridge),
		c("ekyc-discovery-metadata", "OIDC4IDA: verified_claims_supported, trust_frameworks_supported, evidence_supported, claims_in_verified_claims_supported", checkDiscoveryIDA),
	}
}

func checkDiscoveryIssuer(ctx context.Context, e *env) (string, error) {
	d, err := e.discovery(ctx)
	if err != nil {
		return "", err
	}
	if d["issuer"] != e.issuer {
		return "", fmt.Errorf("discovery issuer is %v, want exactly %q (OIDC Discovery 4.3)", d["issuer"], e.issuer)
	}
	return "issuer " + e.issuer, nil
}

// endpointURL checks that a metadata member is an absolute URL with the
// issuer's scheme.
func (e *env) endpointURL(d map[string]any, name string, required bool) error {
	s, _ := d[name].(string)
	if s == "" {
		if required {
			return fmt.Errorf("%s is missing", name)
		}
		return nil
	}
	u, err := url.Parse(s)
	iss, _ := url.Parse(e.issuer)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Fragment != "" {
		return fmt.Errorf("%s %q is not an absolute URL", name, s)
	}
	if iss != nil && u.Scheme != iss.Scheme {
		return fmt.Errorf("%s %q does not use the issuer's scheme %s", name, s, iss.Scheme)
	}
	return nil
}

func checkDiscoveryFields(ctx context.Context, e *env) (string, error) {
	d, err := e.discovery(ctx)
	if err != nil {
		return "", err
	}
	var problems []string
	for _, ep := range []struct {
		name     string
		required bool
	}{{"authorization_endpoint", true}, {"token_endpoint", true}, {"jwks_uri", true}, {"userinfo_endpoint", true}, {"end_session_endpoint", false}, {"revocation_endpoint", false}, {"introspection_endpoint", false}} {
		if err := e.endpointURL(d, ep.name, ep.required); err != nil {
			problems = append(problems, err.Error())
		}
	}
	need := func(list, value string) {
		if !slices.Contains(stringList(d, list), value) {
			problems = append(problems, fmt.Sprintf("%s %v lacks %q", list, d[list], value))
		}
	}
	need("response_types_supported", "code")
	need("id_token_signing_alg_values_supported", "RS256")
	need("scopes_supported", "openid")
	subjects := stringList(d, "subject_types_supported")
	if len(subjects) == 0 {
		problems = append(problems, "subject_types_supported is missing or empty")
	}
	for _, s := range subjects {
		if s != "public" && s != "pairwise" {
			problems = append(problems, fmt.Sprintf("subject_types_supported has unknown %q", s))
		}
	}
	if slices.Contains(stringList(d, "id_token_signing_alg_values_supported"), "none") {
		problems = append(problems, "id_token_signing_alg_values_supported offers none")
	}
	if len(problems) > 0 {
		return "", fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return fmt.Sprintf("endpoints absolute; response_types %v; subject_types %v; signing %v", stringList(d, "response_types_supported"), subjects, stringList(d, "id_token_signing_alg_values_supported")), nil
}

func checkJWKS(ctx context.Context, e *env) (string, error) {
	d, err := e.discovery(ctx)
	if err != nil {
		return "", err
	}
	set, err := e.keys(ctx)
	if err != nil {
		return "", err
	}
	algs := stringList(d, "id_token_signing_alg_values_supported")
	seen := map[string]bool{}
	hasRS256 := false
	for i, k := range set.raw {
		kid, _ := k["kid"].(string)
		use, _ := k["use"].(string)
		alg, _ := k["alg"].(string)
		switch {
		case kid == "":
			return "", fmt.Errorf("key %d has no kid", i)
		case seen[kid]:
			return "", fmt.Errorf("kid %q appears twice", kid)
		case use != "sig":
			return "", fmt.Errorf("key %q has use %q, want sig", kid, use)
		case alg == "":
			return "", fmt.Errorf("key %q has no alg", kid)
		case !slices.Contains(algs, alg):
			return "", fmt.Errorf("key %q has alg %s, not in id_token_signing_alg_values_supported %v", kid, alg, algs)
		}
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			if _, ok := k[private]; ok {
				return "", fmt.Errorf("key %q publishes private member %q", kid, private)
			}
		}
		seen[kid] = true
		hasRS256 = hasRS256 || alg == "RS256"
	}
	if !hasRS256 {
		return "", fmt.Errorf("no RS256 key although RS256 is the default ID token algorithm")
	}
	return fmt.Sprintf("%d public keys with unique kid, use sig and alg", len(set.raw)), nil
}

func checkDiscoveryIdbridge(ctx context.Context, e *env) (string, error) {
	d, err := e.discovery(ctx)
	if err != nil {
		return "", err
	}
	var problems []string
	for _, flag := range []string{"claims_parameter_supported", "authorization_response_iss_parameter_supported"} {
		if d[flag] != true {
			problems = append(problems, flag+" is not true")
		}
	}
	need := func(list string, values ...string) {
		for _, v := range values {
			if !slices.Contains(stringList(d, list), v) {
				problems = append(problems, fmt.Sprintf("%s lacks %q", list, v))
			}
		}
	}
	need("acr_values_supported", acrIAL2)
	need("claims_supported", "sub", "acr", "auth_time", "ial_level", "verified_claims")
	need("grant_types_supported", "authorization_code")
	need("code_challenge_methods_supported", "S256")
	need("response_modes_supported", "query", "form_post")
	need("token_endpoint_auth_methods_supported", "client_secret_basic", "client_secret_post")
	if len(problems) > 0 {
		return "", fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return fmt.Sprintf("claims parameter, iss parameter; acr_values %v", stringList(d, "acr_values_supported")), nil
}

func checkDiscoveryIDA(ctx context.Context, e *env) (string, error) {
	d, err := e.discovery(ctx)
	if err != nil {
		return "", err
	}
	var problems []string
	if d["verified_claims_supported"] != true {
		problems = append(problems, "verified_claims_supported is not true")
	}
	for _, list := range []string{"trust_frameworks_supported", "evidence_supported", "claims_in_verified_claims_supported"} {
		if len(stringList(d, list)) == 0 {
			problems = append(problems, list+" is missing or empty")
		}
	}
	if slices.Contains(stringList(d, "evidence_supported"), "document") && len(stringList(d, "documents_supported")) == 0 {
		problems = append(problems, "evidence document is supported but documents_supported is empty (OIDC4IDA 8)")
	}
	for _, c := range stringList(d, "claims_in_verified_claims_supported") {
		if !slices.Contains(stringList(d, "claims_supported"), c) {
			problems = append(problems, fmt.Sprintf("claims_in_verified_claims_supported %q is not in claims_supported", c))
		}
	}
	if len(problems) > 0 {
		return "", fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return fmt.Sprintf("trust frameworks %v; evidence %v; documents %v", stringList(d, "trust_frameworks_supported"), stringList(d, "evidence_supported"), stringList(d, "documents_supported")), nil
}
