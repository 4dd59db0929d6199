package claims

import (
	"testing"

	"github.com/idbridge/idbridge/pkg/idv"
)

// The eKYC server test plan of the OpenID Foundation: requests shaped like
// its modules, and what the OP must answer.
func TestBuildConformance(t *testing.T) {
	runBuildCases(t, []buildCase{
		{
			name:   "happy path with null claims",
			claims: vc(tfNull, gfbNull),
			want: map[string]any{
				"verified_claims.verification.trust_framework": "nist_800_63A",
				"verified_claims.claims.given_name":            "Inga",
				"verified_claims.claims.family_name":           "Silverstone",
				"verified_claims.claims.birthdate":             "1991-11-06",
				"ial_level":                                    float64(2),
			},
			keys: map[string][]string{
				"verified_claims.verification": {"trust_framework"},
				"verified_claims.claims":       {"given_name", "family_name", "birthdate"},
			},
		},
		{
			name:   "happy path with empty objects",
			claims: vc(`{"trust_framework":{}}`, `{"given_name":{},"family_name":{}}`),
			keys:   map[string][]string{"verified_claims.claims": {"given_name", "family_name"}},
		},
		{
			name:   "happy path with essential false",
			claims: vc(`{"trust_framework":{"essential":false}}`, `{"given_name":{"essential":false},"birthdate":{"essential":true}}`),
			keys:   map[string][]string{"verified_claims.claims": {"given_name", "birthdate"}},
		},
		{
			name:   "unknown claim omitted",
			claims: vc(tfNull, `{"given_name":null,"favourite_colour":null}`),
			keys:   map[string][]string{"verified_claims.claims": {"given_name"}},
		},
		{
			name:   "unknown essential claim omitted with its empty verified_claims",
			claims: vc(tfNull, `{"favourite_colour":{"essential":true}}`),
			absent: []string{"verified_claims"},
			want:   map[string]any{"ial_level": float64(2)},
		},
		{
			name:   "claim outside claims_in_verified_claims_supported omitted",
			claims: vc(tfNull, `{"email":{"essential":true},"given_name":null}`),
			keys:   map[string][]string{"verified_claims.claims": {"given_name"}},
		},
		{
			name:   "client restricted to some verified claims",
			claims: vc(tfNull, gfbNull),
			opt:    func(o *Options) { o.ClaimsInVerifiedClaims = []string{"given_name", "not_a_claim"} },
			keys:   map[string][]string{"verified_claims.claims": {"given_name"}},
		},
		{
			name:   "random value on a claim omits that claim",
			claims: vc(tfNull, `{"given_name":{"value":"0a4b-random"},"family_name":null}`),
			keys:   map[string][]string{"verified_claims.claims": {"family_name"}},
		},
		{
			name:   "random value on the only claim omits verified_claims",
			claims: vc(tfNull, `{"given_name":{"value":"0a4b-random","essential":true}}`),
			absent: []string{"verified_claims"},
		},
		{
			name:   "matching value and values on claims",
			claims: vc(tfNull, `{"given_name":{"value":"Inga"},"family_name":{"values":["X","Silverstone"]}}`),
			keys:   map[string][]string{"verified_claims.claims": {"given_name", "family_name"}},
		},
		{
			name:   "random trust_framework value omits verified_claims",
			claims: vc(`{"trust_framework":{"value":"0a4b-random"}}`, gfbNull),
			absent: []string{"verified_claims"},
		},
		{
			name:   "trust_framework among values",
			claims: vc(`{"trust_framework":{"values":["eidas","nist_800_63A"]}}`, gfbNull),
			want:   map[string]any{"verified_claims.verification.trust_framework": "nist_800_63A"},
		},
		{
			name:   "assurance_level requested",
			claims: vc(`{"trust_framework":null,"assurance_level":null}`, gfbNull),
			want:   map[string]any{"verified_claims.verification.assurance_level": "ial2"},
		},
		{
			name:   "assurance_level value met",
			claims: vc(`{"trust_framework":null,"assurance_level":{"value":"ial2"}}`, gfbNull),
			want:   map[string]any{"verified_claims.verification.assurance_level": "ial2"},
		},
		{
			name:   "assurance_level value not met",
			claims: vc(`{"trust_framework":null,"assurance_level":{"values":["ial3"]}}`, gfbNull),
			absent: []string{"verified_claims"},
		},
		{
			name:   "expired document lowers assurance_level below a requested ial2",
			claims: vc(`{"trust_framework":null,"assurance_level":{"value":"ial2"}}`, gfbNull),
			id:     func(id *Identity) { id.Document.DateOfExpiry = "2026-05-31" },
			absent: []string{"verified_claims"},
			want:   map[string]any{"ial_level": float64(1)},
		},
		{
			name:   "verification time with max_age met",
			claims: vc(`{"trust_framework":null,"time":{"max_age":2678400}}`, gfbNull),
			want:   map[string]any{"verified_claims.verification.time": "2026-06-01T05:32:10Z"},
		},
		{
			name:   "verification time max_age unmet omits verified_claims",
			claims: vc(`{"trust_framework":null,"time":{"max_age":86400}}`, gfbNull),
			absent: []string{"verified_claims"},
		},
		{
			name:   "verification_process is the session id when requested",
			claims: vc(`{"trust_framework":null,"verification_process":null}`, gfbNull),
			want:   map[string]any{"verified_claims.verification.verification_process": "7675d80f-57e0-ab14-9543-26b41fc22"},
			keys:   map[string][]string{"verified_claims.verification": {"trust_framework", "verification_process"}},
		},
		{
			name:   "claims null requests no claim",
			claims: vc(tfNull, `null`),
			absent: []string{"verified_claims"},
		},
		{
			name:   "requested only in userinfo: absent from the id token",
			claims: vc(tfNull, gfbNull),
			target: IDToken,
			absent: []string{"verified_claims", "given_name"},
			want:   map[string]any{"ial_level": float64(2)},
		},
		{
			name:   "requested only in id_token: present there",
			claims: `{"id_token":{"verified_claims":{"verification":{"trust_framework":null},"claims":{"family_name":null}}}}`,
			target: IDToken,
			keys:   map[string][]string{"verified_claims.claims": {"family_name"}},
		},
		{
			name:   "requested only in id_token: absent from userinfo",
			claims: `{"id_token":{"verified_claims":{"verification":{"trust_framework":null},"claims":{"family_name":null}}}}`,
			absent: []string{"verified_claims"},
		},
		{
			name: "verified_claims array returns the satisfied requests as an array",
			claims: `{"userinfo":{"verified_claims":[
				{"verification":{"trust_framework":{"value":"eidas"}},"claims":{"given_name":null}},
				{"verification":{"trust_framework":{"value":"nist_800_63A"}},"claims":{"birthdate":null}},
				{"verification":{"trust_framework":null},"claims":{"family_name":null}}]}}`,
			want: map[string]any{
				"verified_claims.0.claims.birthdate":   "1991-11-06",
				"verified_claims.1.claims.family_name": "Silverstone",
			},
			absent: []string{"verified_claims.2"},
		},
		{
			name: "verified_claims array of unsatisfied requests is omitted",
			claims: `{"userinfo":{"verified_claims":[
				{"verification":{"trust_framework":{"value":"eidas"}},"claims":{"given_name":null}}]}}`,
			absent: []string{"verified_claims"},
		},
		{
			name: "evidence filters are linked by OR",
			claims: vc(`{"trust_framework":null,"evidence":[
				{"type":{"value":"electronic_record"}},{"type":{"value":"document"}}]}`, gfbNull),
			want: map[string]any{"verified_claims.verification.evidence.0.type": "document"},
			keys: map[string][]string{"verified_claims.verification.evidence.0": {"type"}},
		},
		{
			name:   "evidence of a type never used omits verified_claims",
			claims: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"vouch"}}]}`, gfbNull),
			absent: []string{"verified_claims"},
		},
		{
			name: "check_details filtered by check_method value",
			claims: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"document"},
				"check_details":[{"check_method":{"value":"bvr"}}]}]}`, gfbNull),
			want:   map[string]any{"verified_claims.verification.evidence.0.check_details.0.check_method": "bvr"},
			absent: []string{"verified_claims.verification.evidence.0.check_details.1"},
		},
		{
			name: "check_details entries are linked by OR",
			claims: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"document"},
				"check_details":[{"check_method":{"value":"vri"}},{"check_method":{"values":["bvr","pvr"]},"organization":null}]}]}`, gfbNull),
			want: map[string]any{
				"verified_claims.verification.evidence.0.check_details.0.check_method": "vri",
				"verified_claims.verification.evidence.0.check_details.1.check_method": "bvr",
				"verified_claims.verification.evidence.0.check_details.1.organization": "1Kosmos",
			},
			absent: []string{"verified_claims.verification.evidence.0.check_details.0.organization"},
		},
		{
			name: "biometric check asked but not performed omits verified_claims",
			claims: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"document"},
				"check_details":[{"check_method":{"value":"bvr"}}]}]}`, gfbNull),
			id:     func(id *Identity) { id.FaceMatch = idv.NotPerformed },
			absent: []string{"verified_claims"},
		},
		{
			name: "in-person check asked omits verified_claims",
			claims: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"document"},
				"check_details":[{"check_method":{"value":"pipp"}}]}]}`, gfbNull),
			absent: []string{"verified_claims"},
		},
		{
			name: "document type among values",
			claims: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"document"},
				"document_details":{"type":{"values":["passport","driving_permit"]}}}]}`, gfbNull),
			want: map[string]any{"verified_claims.verification.evidence.0.document_details.type": "driving_permit"},
			keys: map[string][]string{"verified_claims.verification.evidence.0.document_details": {"type"}},
		},
		{
			name: "document type not among values omits verified_claims",
			claims: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"document"},
				"document_details":{"type":{"values":["idcard","passport"]}}}]}`, gfbNull),
			absent: []string{"verified_claims"},
		},
		{
			name: "document number withheld unless asked by name",
			claims: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"document"},
				"document_details":{"type":null,"issuer":{"country":null,"name":null},"date_of_expiry":null}}]}`, gfbNull),
			keys: map[string][]string{
				"verified_claims.verification.evidence.0.document_details":        {"type", "issuer", "date_of_expiry"},
				"verified_claims.verification.evidence.0.document_details.issuer": {"country", "name"},
			},
		},
		{
			name: "document number released when asked by name",
			claims: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"document"},
				"document_details":{"document_number":null}}]}`, gfbNull),
			want: map[string]any{"verified_claims.verification.evidence.0.document_details.document_number": "I1234568"},
			keys: map[string][]string{"verified_claims.verification.evidence.0.document_details": {"type", "document_number"}},
		},
		{
			name: "date_of_issuance max_age unmet omits verified_claims",
			claims: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"document"},
				"document_details":{"date_of_issuance":{"max_age":31536000}}}]}`, gfbNull),
			absent: []string{"verified_claims"},
		},
		{
			name:   "constraint on an element the bridge never has omits verified_claims",
			claims: vc(`{"trust_framework":null,"assurance_process":{"policy":{"value":"gpg45"}}}`, gfbNull),
			absent: []string{"verified_claims"},
		},
		{
			name:   "unconstrained element the bridge never has is ignored",
			claims: vc(`{"trust_framework":null,"attachments":null,"assurance_process":{"policy":null}}`, gfbNull),
			keys:   map[string][]string{"verified_claims.verification": {"trust_framework"}},
		},
		{
			name: "derived_claims answered like claims",
			claims: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"document"},
				"derived_claims":{"given_name":null,"shoe_size":null}}]}`, gfbNull),
			keys: map[string][]string{"verified_claims.verification.evidence.0.derived_claims": {"given_name"}},
		},
		{
			name:   "structured claims inside verified_claims",
			claims: vc(tfNull, `{"address":null,"nationalities":null,"place_of_birth":null,"middle_name":null}`),
			want: map[string]any{
				"verified_claims.claims.address.locality":       "Shoshone",
				"verified_claims.claims.nationalities":          []any{"US"},
				"verified_claims.claims.place_of_birth.country": "USA",
				"verified_claims.claims.middle_name":            "Maria",
			},
		},
	})
}
