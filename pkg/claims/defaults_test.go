package claims

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIDTokenDefault(t *testing.T) {
	unverified := func(id *Identity) { id.IDVStatus, id.Document = StatusPending, nil }
	tests := []struct {
		name, set, member string
		// request is a claims parameter sent with the default; "" is none.
		request string
		id      func(*Identity)
		want    map[string]any
		absent  []string
		err     string
	}{
		{
			name: "identity_assurance: the userinfo set in the id token",
			set:  ScopeIdentityAssurance,
			want: map[string]any{
				"verified_claims.verification.trust_framework":                  "nist_800_63A",
				"verified_claims.verification.assurance_level":                  "ial2",
				"verified_claims.verification.evidence.0.document_details.type": "driving_permit",
				"verified_claims.claims.family_name":                            "Silverstone",
				"given_name":                                                    "Inga",
				"ial_level":                                                     2,
			},
			absent: []string{"verified_claims.verification.evidence.0.document_details.document_number", "verified_claims.claims.address"},
		},
		{
			name:   "nothing personal for a person not verified",
			set:    ScopeIdentityAssurance,
			id:     unverified,
			want:   map[string]any{"ial_level": 1, "idv_status": StatusPending},
			absent: []string{"verified_claims", "given_name"},
		},
		{
			name:   "an explicit member, filtered by its own values",
			member: `{"verified_claims":{"verification":{"trust_framework":{"value":"eidas"}},"claims":{"birthdate":null}}}`,
			absent: []string{"verified_claims"},
		},
		{
			name:   "an explicit member, met",
			member: `{"verified_claims":{"verification":{"trust_framework":null},"claims":{"birthdate":null}}}`,
			want:   map[string]any{"verified_claims.claims.birthdate": "1991-11-06"},
			absent: []string{"verified_claims.claims.given_name", "verified_claims.verification.time"},
		},
		{
			name:    "a request with claims replaces the default",
			set:     ScopeIdentityAssurance,
			request: `{"userinfo":{"given_name":null}}`,
			absent:  []string{"verified_claims"},
		},
		{name: "unknown set", set: "everything", err: `"everything" is not a claim set`},
		{name: "set and member", set: ScopeIdentityAssurance, member: `{}`, err: "not both"},
		{name: "member not an object", member: `["verified_claims"]`, err: "id_token must be an object"},
		{name: "verified_claims without verification", member: `{"verified_claims":{"claims":{"given_name":null}}}`, err: "verification"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def, err := IDTokenDefault(tt.set, tt.member)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				require.True(t, errors.Is(err, ErrInvalidRequest))
				return
			}
			require.NoError(t, err)
			id := fixture()
			if tt.id != nil {
				tt.id(&id)
			}
			r := mustParse(t, tt.request).OrDefault(def)
			out := build(t, id, r, IDToken, Options{Now: now, Scopes: []string{"openid"}, FlatMirrors: true})
			for p, w := range tt.want {
				got, ok := at(out, p)
				require.True(t, ok, "missing %s in\n%s", p, pretty(out))
				require.EqualValues(t, w, got, p)
			}
			for _, p := range tt.absent {
				_, ok := at(out, p)
				require.False(t, ok, "%s present in\n%s", p, pretty(out))
			}
		})
	}
}

// Every named set is a verified_claims request the official request
// schema accepts.
func TestIDTokenClaimSetsFollowTheRequestSchema(t *testing.T) {
	_, reqSchema := schemas(t)
	for name, set := range IDTokenClaimSets {
		var member map[string]json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(set), &member), name)
		inst, err := unmarshalInstance(string(member["verified_claims"]))
		require.NoError(t, err)
		require.NoError(t, reqSchema.Validate(inst), name)
	}
	require.Nil(t, mustParse(t, "").OrDefault(nil).target(IDToken), "no default, no request")
}
