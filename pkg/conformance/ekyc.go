package conformance

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// ekycChecks mirror ekyc-test-plan-oidccore (OpenID Connect for Identity
// Assurance 1.0 over OpenID Connect Core).
func ekycChecks() []Check {
	c := func(name, summary string, run func(context.Context, *env) (string, error)) Check {
		return Check{Plan: PlanEKYC, Name: name, Summary: summary, run: run}
	}
	// A request for the standard document verification in both targets.
	happy := func(element string) string {
		vc := `{"verification":{"trust_framework":` + element + `,"evidence":[{"type":{"value":"document"},"check_details":[{"check_method":` + element + `}],"document_details":{"type":` + element + `}}]},` +
			`"claims":{"given_name":` + element + `,"family_name":` + element + `,"birthdate":` + element + `}}`
		return `{"id_token":{"verified_claims":` + vc + `},"userinfo":{"verified_claims":` + vc + `}}`
	}
	core := []string{"given_name", "family_name", "birthdate"}
	unknown := "xx_unknown_claim_" + strings.ToLower(random()[:8])
	return []Check{
		c("ekyc-server-happypath", "verified_claims with null elements in id_token and userinfo: document evidence, claims delivered",
			ekycExpect(happy("null"), core, core, true)),
		c("ekyc-server-happypath-emptyobject", "the same with {} elements",
			ekycExpect(happy("{}"), core, core, true)),
		c("ekyc-server-happypath-essentialfalse", `the same with {"essential":false} elements`,
			ekycExpect(happy(`{"essential":false}`), core, core, true)),
		c("ekyc-server-unknown-claim-omitted", "a claim unknown to the OP is omitted, the others delivered",
			ekycExpect(`{"userinfo":{"verified_claims":{"verification":{"trust_framework":null},"claims":{"given_name":null,"`+unknown+`":null}}}}`, nil, []string{"given_name"}, false)),
		c("ekyc-server-unknown-essential-claim-omitted", "an essential claim unknown to the OP is omitted: no verified_claims, login still succeeds",
			ekycExpect(`{"userinfo":{"verified_claims":{"verification":{"trust_framework":null},"claims":{"`+unknown+`":{"essential":true}}}}}`, nil, nil, false)),
		c("ekyc-server-random-value-omitted", "a random trust_framework value cannot be met: verified_claims omitted",
			ekycExpect(`{"id_token":{"verified_claims":{"verification":{"trust_framework":{"value":"`+unknown+`"}},"claims":{"given_name":null}}},"userinfo":{"verified_claims":{"verification":{"trust_framework":{"value":"`+unknown+`"}},"claims":{"given_name":null}}}}`, nil, nil, false)),
		c("ekyc-server-request-only-in-idtoken", "verified_claims requested for the ID token only: absent from userinfo",
			ekycExpect(`{"id_token":{"verified_claims":{"verification":{"trust_framework":null},"claims":{"family_name":null}}}}`, []string{"family_name"}, nil, false)),
		c("ekyc-server-request-only-in-userinfo", "verified_claims requested for userinfo only: absent from the ID token",
			ekycExpect(`{"userinfo":{"verified_claims":{"verification":{"trust_framework":null},"claims":{"family_name":null}}}}`, nil, []string{"family_name"}, false)),
		c("ekyc-server-short-purpose-invalid-request", "purpose shorter than 3 characters: invalid_request (OIDC4IDA 6.2)",
			ekycPurpose("ab")),
		c("ekyc-server-long-purpose-invalid-request", "purpose longer than 300 characters: invalid_request",
			ekycPurpose(strings.Repeat("p", 301))),
	}
}

// ekycExpect logs in with the claims request and checks each target:
// wantID/wantUI list the claims verified_claims must hold there; nil
// means verified_claims must be absent. evidence requires document
// evidence.
func ekycExpect(claimsJSON string, wantID, wantUI []string, evidence bool) func(context.Context, *env) (string, error) {
	return func(ctx context.Context, e *env) (string, error) {
		d, err := e.discovery(ctx)
		if err != nil {
			return "", err
		}
		t, tok, err := e.loginWith(ctx, e.authParams("scope", "openid", "claims", claimsJSON))
		if err != nil {
			return "", err
		}
		ui, err := e.userinfo(ctx, t.AccessToken, userinfoGet)
		if err != nil {
			return "", fmt.Errorf("userinfo: %w", err)
		}
		var notes []string
		for _, target := range []struct {
			name   string
			claims map[string]any
			want   []string
		}{{"id_token", tok.Claims, wantID}, {"userinfo", ui, wantUI}} {
			vc, present := target.claims["verified_claims"]
			switch {
			case target.want == nil && present:
				return "", fmt.Errorf("%s has verified_claims although none can be delivered there", target.name)
			case target.want == nil:
				notes = append(notes, target.name+": no verified_claims")
			case !present:
				return "", fmt.Errorf("%s lacks verified_claims", target.name)
			default:
				got, err := validateVerifiedClaims(d, vc, evidence)
				if err != nil {
					return "", fmt.Errorf("%s verified_claims: %w", target.name, err)
				}
				for _, w := range target.want {
					if !slices.Contains(got, w) {
						return "", fmt.Errorf("%s verified_claims.claims lacks the requested %s (has %v)", target.name, w, got)
					}
				}
				for _, g := range got {
					if !slices.Contains(target.want, g) {
						return "", fmt.Errorf("%s verified_claims.claims has %s, which was not requested", target.name, g)
					}
				}
				notes = append(notes, fmt.Sprintf("%s: %v", target.name, got))
			}
		}
		return strings.Join(notes, "; "), nil
	}
}

// validateVerifiedClaims checks the structure of OIDC4IDA 1.0 section 5
// against the OP's metadata and returns the claim names delivered.
func validateVerifiedClaims(d map[string]any, vc any, evidence bool) ([]string, error) {
	var objs []map[string]any
	switch v := vc.(type) {
	case map[string]any:
		objs = []map[string]any{v}
	case []any:
		for _, x := range v {
			m, ok := x.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("array element is not an object")
			}
			objs = append(objs, m)
		}
	default:
		return nil, fmt.Errorf("is neither an object nor an array")
	}
	frameworks := stringList(d, "trust_frameworks_supported")
	var names []string
	for _, o := range objs {
		ver, ok := o["verification"].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("verification is missing")
		}
		tf, _ := ver["trust_framework"].(string)
		if tf == "" || !slices.Contains(frameworks, tf) {
			return nil, fmt.Errorf("trust_framework %v is not one of trust_frameworks_supported %v", ver["trust_framework"], frameworks)
		}
		if err := validateEvidence(d, ver["evidence"], evidence); err != nil {
			return nil, err
		}
		cl, ok := o["claims"].(map[string]any)
		if !ok || len(cl) == 0 {
			return nil, fmt.Errorf("claims is missing or empty (an empty verified_claims must be omitted)")
		}
		for n, v := range cl {
			if !slices.Contains(stringList(d, "claims_in_verified_claims_supported"), n) {
				return nil, fmt.Errorf("claim %s is not in claims_in_verified_claims_supported", n)
			}
			if v == nil || v == "" {
				return nil, fmt.Errorf("claim %s is empty", n)
			}
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

func validateEvidence(d map[string]any, ev any, required bool) error {
	if ev == nil {
		if required {
			return fmt.Errorf("evidence was requested but is missing")
		}
		return nil
	}
	list, ok := ev.([]any)
	if !ok || len(list) == 0 {
		return fmt.Errorf("evidence is not a non-empty array")
	}
	for _, x := range list {
		item, ok := x.(map[string]any)
		if !ok {
			return fmt.Errorf("evidence element is not an object")
		}
		typ, _ := item["type"].(string)
		if !slices.Contains(stringList(d, "evidence_supported"), typ) {
			return fmt.Errorf("evidence type %v is not in evidence_supported", item["type"])
		}
		if typ != "document" {
			continue
		}
		if checks, _ := item["check_details"].([]any); required && len(checks) == 0 {
			return fmt.Errorf("document evidence has no check_details")
		}
		if dd, ok := item["document_details"].(map[string]any); ok {
			if dt, _ := dd["type"].(string); !slices.Contains(stringList(d, "documents_supported"), dt) {
				return fmt.Errorf("document_details.type %v is not in documents_supported", dd["type"])
			}
		} else if required {
			return fmt.Errorf("document evidence has no document_details")
		}
	}
	return nil
}

// ekycPurpose sends a claims request whose purpose breaks the 3 to 300
// character rule: the request must fail with invalid_request.
func ekycPurpose(purpose string) func(context.Context, *env) (string, error) {
	return func(ctx context.Context, e *env) (string, error) {
		claims := `{"userinfo":{"verified_claims":{"verification":{"trust_framework":null},"claims":{"given_name":{"purpose":"` + purpose + `"}}}}}`
		params := e.authParams("scope", "openid", "claims", claims)
		p, err := e.newBrowser().login(ctx, params, answerGenuine...)
		if err != nil {
			return "", err
		}
		code, err := e.errorFrom(p, params)
		if err != nil {
			return "", err
		}
		if code != "invalid_request" {
			return "", fmt.Errorf("error is %s, want invalid_request", code)
		}
		return fmt.Sprintf("purpose of %d characters: invalid_request with state and iss", len(purpose)), nil
	}
}
