package claims

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	p := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(p, got, 0o644))
	}
	want, err := os.ReadFile(p)
	require.NoError(t, err, "run go test -update to create %s", p)
	assert.Equal(t, string(want), string(got), "%s differs; rerun with -update if intended", p)
}

func TestGoldenOutputs(t *testing.T) {
	passport := fixture()
	passport.Document = &idv.Document{
		Type: idv.Passport, Number: "83774554", IssuingCountry: "IT", Issuer: "Ministero degli Affari Esteri",
		DateOfIssuance: "2021-04-20", DateOfExpiry: "2031-04-19",
	}
	tests := []struct {
		name   string
		id     Identity
		claims string
		target Target
		opt    Options
	}{
		{
			name:   "userinfo_full_document",
			id:     passport,
			claims: readExample(t, "id_token.json", IDToken, UserInfo),
			target: UserInfo,
			opt:    Options{Now: now, Scopes: []string{"openid"}},
		},
		{
			name:   "userinfo_identity_assurance_scope_descope",
			id:     fixture(),
			target: UserInfo,
			opt:    Options{Now: now, Scopes: []string{"openid", "profile", ScopeIdentityAssurance}, FlatMirrors: true},
		},
		{
			name: "userinfo_array_request",
			id:   fixture(),
			claims: `{"userinfo":{"verified_claims":[
				{"verification":{"trust_framework":{"value":"eidas"}},"claims":{"given_name":null}},
				{"verification":{"trust_framework":null,"assurance_level":null,"evidence":[{"type":{"value":"document"},"check_details":[{"check_method":{"values":["bvr","biopad"]}}]}]},"claims":{"given_name":null,"address":null,"nationalities":null}},
				{"verification":{"trust_framework":null,"time":{"max_age":60}},"claims":{"birthdate":null}}]}}`,
			target: UserInfo,
			opt:    Options{Now: now, Scopes: []string{"openid"}},
		},
		{
			name:   "id_token_simple",
			id:     fixture(),
			claims: readExample(t, "simple_id_token.json", "", ""),
			target: IDToken,
			opt:    Options{Now: now, Scopes: []string{"openid"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, tt.name, build(t, tt.id, mustParse(t, tt.claims), tt.target, tt.opt))
		})
	}
}

func TestGoldenMetadata(t *testing.T) {
	golden(t, "metadata", Metadata())
}

func TestMetadataConsistent(t *testing.T) {
	m := Metadata()
	for _, k := range []string{
		"claims_parameter_supported", "claims_supported", "verified_claims_supported",
		"trust_frameworks_supported", "evidence_supported", "documents_supported",
		"documents_check_methods_supported", "claims_in_verified_claims_supported",
	} {
		assert.Contains(t, m, k)
	}
	supported := m["claims_supported"].([]string)
	for _, c := range m["claims_in_verified_claims_supported"].([]string) {
		assert.Contains(t, supported, c)
	}
	for _, c := range []string{"ial_level", "idv_status", "verified_claims", "given_name", "birthdate"} {
		assert.Contains(t, supported, c)
	}
	for _, dt := range documentTypes {
		assert.Contains(t, m["documents_supported"], dt)
	}
	for _, cm := range performedChecks(fixture()) {
		assert.Contains(t, m["documents_check_methods_supported"], cm)
	}
	// A fresh copy each time: callers may edit it.
	m["claims_supported"].([]string)[0] = "changed"
	assert.Equal(t, "sub", Metadata()["claims_supported"].([]string)[0])
}

// readExample returns an official request example, its target renamed.
func readExample(t *testing.T, name string, from, to Target) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(sharedDir(t), "examples", "request", name))
	require.NoError(t, err)
	if from == "" {
		return string(raw)
	}
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	m[string(to)] = m[string(from)]
	delete(m, string(from))
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return string(out)
}
