package claims

import (
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
)

// vc wraps a verified_claims request for userinfo with a verification
// element and a claims element, both raw JSON.
func vc(verification, claims string) string {
	return `{"userinfo":{"verified_claims":{"verification":` + verification + `,"claims":` + claims + `}}}`
}

const (
	tfNull  = `{"trust_framework":null}`
	gfbNull = `{"given_name":null,"family_name":null,"birthdate":null}`
)

type buildCase struct {
	name   string
	claims string
	target Target              // default UserInfo
	opt    func(*Options)      // on top of Now=now, Scopes=[openid]
	id     func(*Identity)     // on top of fixture()
	want   map[string]any      // dotted path -> value
	absent []string            // dotted paths that must not exist
	keys   map[string][]string // dotted path -> exact member names
}

func runBuildCases(t *testing.T, cases []buildCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			id := fixture()
			if tt.id != nil {
				tt.id(&id)
			}
			opt := Options{Now: now, Scopes: []string{"openid"}}
			if tt.opt != nil {
				tt.opt(&opt)
			}
			target := tt.target
			if target == "" {
				target = UserInfo
			}
			out := build(t, id, mustParse(t, tt.claims), target, opt)
			for p, w := range tt.want {
				got, ok := at(out, p)
				if assert.True(t, ok, "missing %s in\n%s", p, pretty(out)) {
					assert.Equal(t, w, got, "at %s", p)
				}
			}
			for _, p := range tt.absent {
				_, ok := at(out, p)
				assert.False(t, ok, "%s must be absent from\n%s", p, pretty(out))
			}
			for p, want := range tt.keys {
				got, ok := at(out, p)
				require.True(t, ok, "missing %s in\n%s", p, pretty(out))
				m, ok := got.(map[string]any)
				require.True(t, ok, "%s is not an object", p)
				var names []string
				for k := range m {
					names = append(names, k)
				}
				sort.Strings(names)
				sort.Strings(want)
				assert.Equal(t, want, names, "members of %s", p)
			}
		})
	}
}

func TestBuildIdentityStates(t *testing.T) {
	never := func(id *Identity) {
		*id = Identity{Subject: "sub-new", IDVStatus: StatusNone}
	}
	failed := func(id *Identity) { id.IDVStatus = StatusFailed; id.FaceMatch = idv.Failed }
	runBuildCases(t, []buildCase{
		{
			name:   "never verified: no personal data, ial 1",
			claims: `{"userinfo":{"given_name":{"essential":true},"idv_status":null,"verified_claims":{"verification":{"trust_framework":null},"claims":{"given_name":null}}}}`,
			id:     never,
			want:   map[string]any{"ial_level": float64(1), "idv_status": "none"},
			absent: []string{"given_name", "verified_claims"},
		},
		{
			name:   "failed verification: no personal data, status mirrored",
			claims: vc(tfNull, gfbNull),
			id:     failed,
			opt:    func(o *Options) { o.FlatMirrors = true },
			want:   map[string]any{"ial_level": float64(1), "idv_status": "failed"},
			absent: []string{"given_name", "family_name", "birthdate", "verified_claims"},
		},
		{
			name:   "expired document: ial 1 and assurance_level ial1",
			claims: vc(`{"trust_framework":null,"assurance_level":null}`, gfbNull),
			id:     func(id *Identity) { id.Document.DateOfExpiry = "2026-06-30" },
			want: map[string]any{
				"ial_level": float64(1),
				"verified_claims.verification.assurance_level": "ial1",
			},
		},
		{
			name:   "verification older than the policy: ial 1",
			claims: vc(`{"trust_framework":null,"assurance_level":null}`, gfbNull),
			opt:    func(o *Options) { o.MaxVerificationAge = 7 * 24 * time.Hour },
			want: map[string]any{
				"ial_level": float64(1),
				"verified_claims.verification.assurance_level": "ial1",
			},
		},
		{
			name:   "no openid scope: no ial_level unless asked",
			claims: `{"userinfo":{"ial_level":null}}`,
			opt:    func(o *Options) { o.Scopes = nil },
			want:   map[string]any{"ial_level": float64(2)},
		},
		{
			name:   "no openid scope and nothing asked: empty",
			claims: ``,
			opt:    func(o *Options) { o.Scopes = nil },
			absent: []string{"ial_level", "verified_claims", "given_name"},
		},
	})
}

func TestBuildScopesAndFlatClaims(t *testing.T) {
	scopes := func(s ...string) func(*Options) {
		return func(o *Options) { o.Scopes = append([]string{"openid"}, s...) }
	}
	runBuildCases(t, []buildCase{
		{
			name: "identity_assurance scope: default verified_claims in userinfo",
			opt:  scopes(ScopeIdentityAssurance),
			want: map[string]any{
				"verified_claims.verification.assurance_level":                         "ial2",
				"verified_claims.verification.evidence.0.document_details.type":        "driving_permit",
				"verified_claims.verification.evidence.0.check_details.2.check_method": "bvr",
				"verified_claims.claims.middle_name":                                   "Maria",
			},
			absent: []string{"verified_claims.verification.evidence.0.document_details.document_number"},
		},
		{
			name:   "identity_assurance scope: nothing in the id token",
			opt:    scopes(ScopeIdentityAssurance),
			target: IDToken,
			absent: []string{"verified_claims"},
		},
		{
			name:   "identity_assurance scope yields to an explicit request",
			claims: vc(tfNull, `{"birthdate":null}`),
			opt:    scopes(ScopeIdentityAssurance),
			keys: map[string][]string{
				"verified_claims.claims":       {"birthdate"},
				"verified_claims.verification": {"trust_framework"},
			},
		},
		{
			name:   "identity_assurance scope yields to a request in the id token",
			claims: `{"id_token":{"verified_claims":{"verification":{"trust_framework":null},"claims":{"family_name":null}}}}`,
			opt:    scopes(ScopeIdentityAssurance),
			absent: []string{"verified_claims"},
		},
		{
			name: "profile and address scopes in userinfo",
			opt:  scopes("profile", "address"),
			want: map[string]any{
				"name": "Inga Maria Silverstone", "given_name": "Inga", "middle_name": "Maria",
				"family_name": "Silverstone", "birthdate": "1991-11-06", "address.country": "US",
			},
			absent: []string{"verified_claims", "nationalities"},
		},
		{
			name:   "profile scope: nothing flat in the id token",
			opt:    scopes("profile"),
			target: IDToken,
			absent: []string{"given_name", "name"},
		},
		{
			name:   "flat claims asked for the id token",
			claims: `{"id_token":{"given_name":null,"family_name":{"value":"Other"},"email":{"essential":true},"nationalities":null}}`,
			target: IDToken,
			want:   map[string]any{"given_name": "Inga", "nationalities": []any{"US"}},
			absent: []string{"family_name", "email"},
		},
		{
			name: "flat mirrors for Descope",
			opt:  func(o *Options) { o.FlatMirrors = true },
			want: map[string]any{
				"given_name": "Inga", "family_name": "Silverstone", "birthdate": "1991-11-06",
				"idv_status": "verified", "ial_level": float64(2),
			},
			absent: []string{"middle_name", "verified_claims"},
		},
		{
			name:   "flat mirrors beside verified_claims",
			claims: vc(tfNull, `{"given_name":null}`),
			opt:    func(o *Options) { o.FlatMirrors = true },
			want:   map[string]any{"given_name": "Inga", "verified_claims.claims.given_name": "Inga"},
		},
	})
}

func TestBuildExactOutput(t *testing.T) {
	// One complete answer checked member by member, beside the goldens.
	out := build(t, fixture(), mustParse(t, vc(`{"trust_framework":null,"time":null}`, `{"given_name":null}`)), UserInfo,
		Options{Now: now, Scopes: []string{"openid"}})
	assert.Equal(t, map[string]any{
		"ial_level": float64(2),
		"verified_claims": map[string]any{
			"verification": map[string]any{"trust_framework": "nist_800_63A", "time": "2026-06-01T05:32:10Z"},
			"claims":       map[string]any{"given_name": "Inga"},
		},
	}, out)
}

func TestBuildNilRequestAndZeroNow(t *testing.T) {
	out := Build(fixture(), nil, UserInfo, Options{Scopes: []string{"openid"}, TrustFramework: "nist_800_63A"})
	assert.Equal(t, map[string]any{"ial_level": 2}, out)
}

func TestValidatorRejectsBrokenVerifiedClaims(t *testing.T) {
	// The schema check used by every Build test must be able to fail.
	resp, _ := schemas(t)
	for name, doc := range map[string]map[string]any{
		"no trust_framework": {"verified_claims": map[string]any{"verification": map[string]any{}, "claims": map[string]any{}}},
		"bad birthdate":      {"verified_claims": map[string]any{"verification": map[string]any{"trust_framework": "x"}, "claims": map[string]any{"birthdate": "6 Nov 1991"}}},
		"empty evidence":     {"verified_claims": map[string]any{"verification": map[string]any{"trust_framework": "x", "evidence": []any{}}, "claims": map[string]any{}}},
		"bad time":           {"verified_claims": map[string]any{"verification": map[string]any{"trust_framework": "x", "time": "yesterday"}, "claims": map[string]any{}}},
	} {
		assert.Error(t, resp.Validate(toInstance(t, doc)), name)
	}
}
