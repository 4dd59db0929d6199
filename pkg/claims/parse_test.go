package claims

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRequestErrors(t *testing.T) {
	const secret = "SECRET-VALUE-4711"
	tests := []struct {
		name string
		raw  string
		// want is a fragment of the message.
		want string
		// schemaAllows is true where the official request schema is
		// looser than the specification text that the parser follows.
		schemaAllows bool
	}{
		{name: "truncated JSON", raw: `{"userinfo":{`, want: "is not valid JSON (unexpected end of input)"},
		{name: "not JSON", raw: secret, want: "is not valid JSON (syntax error at byte 1)"},
		{name: "trailing data", raw: `{} {}`, want: "data after the top-level object"},
		{name: "array", raw: `[]`, want: "claims parameter must be a JSON object", schemaAllows: true},
		{name: "string", raw: `"` + secret + `"`, want: "must be a JSON object", schemaAllows: true},
		{name: "userinfo not an object", raw: `{"userinfo":[]}`, want: "member userinfo must be a JSON object"},
		{name: "id_token null", raw: `{"id_token":null}`, want: "member id_token must be a JSON object"},
		{name: "claim request true", raw: `{"userinfo":{"email":true}}`, want: "member userinfo.email must be null or a JSON object", schemaAllows: true},
		{name: "essential not boolean", raw: `{"id_token":{"acr":{"essential":"` + secret + `"}}}`, want: "id_token.acr.essential must be true or false", schemaAllows: true},
		{name: "values not an array", raw: `{"id_token":{"acr":{"values":"` + secret + `"}}}`, want: "id_token.acr.values must be an array", schemaAllows: true},
		{name: "purpose too short", raw: `{"userinfo":{"email":{"purpose":"x"}}}`, want: "purpose must be a string of 3 to 300 characters", schemaAllows: true},
		{name: "purpose too long", raw: `{"userinfo":{"email":{"purpose":"` + strings.Repeat("a", 301) + `"}}}`, want: "3 to 300", schemaAllows: true},
		{name: "verified_claims a string", raw: `{"userinfo":{"verified_claims":"` + secret + `"}}`, want: "userinfo.verified_claims must be a JSON object or an array of objects"},
		{name: "verified_claims array of strings", raw: `{"userinfo":{"verified_claims":["x"]}}`, want: "userinfo.verified_claims[0] must be a JSON object"},
		{name: "verification missing", raw: `{"userinfo":{"verified_claims":{"claims":{"given_name":null}}}}`, want: "userinfo.verified_claims must contain verification"},
		{name: "claims missing", raw: `{"userinfo":{"verified_claims":{"verification":{"trust_framework":null}}}}`, want: "must contain claims"},
		{name: "claims empty", raw: vc(tfNull, `{}`), want: "userinfo.verified_claims.claims must name at least one claim"},
		{name: "claims an array", raw: vc(tfNull, `[]`), want: "verified_claims.claims must be null or a JSON object"},
		{name: "claim entry a string", raw: vc(tfNull, `{"given_name":"x"}`), want: "verified_claims.claims.given_name must be null or a JSON object"},
		{name: "unknown member of verified_claims", raw: `{"userinfo":{"verified_claims":{"verification":{"trust_framework":null},"claims":{"given_name":null},"extra":null}}}`, want: "verified_claims.extra is not allowed"},
		{name: "trust_framework missing", raw: vc(`{"time":null}`, gfbNull), want: "verified_claims.verification must contain trust_framework"},
		{name: "verification an array", raw: vc(`[]`, gfbNull), want: "verified_claims.verification must be a JSON object"},
		{name: "trust_framework value a number", raw: vc(`{"trust_framework":{"value":7}}`, gfbNull), want: "trust_framework.value must be a string"},
		{name: "trust_framework values empty", raw: vc(`{"trust_framework":{"values":[]}}`, gfbNull), want: "trust_framework.values must not be empty"},
		{name: "assurance_level values of numbers", raw: vc(`{"trust_framework":null,"assurance_level":{"values":[2]}}`, gfbNull), want: "assurance_level.values[0] must be a string"},
		{name: "time max_age negative", raw: vc(`{"trust_framework":null,"time":{"max_age":-1}}`, gfbNull), want: "time.max_age must be a non-negative integer number of seconds"},
		{name: "time max_age a string", raw: vc(`{"trust_framework":null,"time":{"max_age":"10"}}`, gfbNull), want: "time.max_age must be a non-negative integer"},
		{name: "time max_age fractional", raw: vc(`{"trust_framework":null,"time":{"max_age":1.5}}`, gfbNull), want: "time.max_age must be a non-negative integer"},
		{name: "evidence empty", raw: vc(`{"trust_framework":null,"evidence":[]}`, gfbNull), want: "verification.evidence must not be empty"},
		{name: "evidence an object", raw: vc(`{"trust_framework":null,"evidence":{}}`, gfbNull), want: "verification.evidence must be an array"},
		{name: "evidence without type", raw: vc(`{"trust_framework":null,"evidence":[{}]}`, gfbNull), want: "evidence[0] must contain type"},
		{name: "evidence type null", raw: vc(`{"trust_framework":null,"evidence":[{"type":null}]}`, gfbNull), want: "evidence[0].type must be a JSON object with a value"},
		{name: "evidence type unknown", raw: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"`+secret+`"}}]}`, gfbNull), want: "evidence[0].type.value must be one of document"},
		{name: "evidence type by values", raw: vc(`{"trust_framework":null,"evidence":[{"type":{"values":["document"]}}]}`, gfbNull), want: "evidence[0].type.values is not allowed", schemaAllows: true},
		{name: "check_details empty", raw: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"document"},"check_details":[]}]}`, gfbNull), want: "check_details must not be empty"},
		{name: "check_details without check_method", raw: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"document"},"check_details":[{"time":null}]}]}`, gfbNull), want: "check_details[0] must contain check_method"},
		{name: "document_details a string", raw: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"document"},"document_details":"x"}]}`, gfbNull), want: "document_details must be a JSON object"},
		{name: "document type value a number", raw: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"document"},"document_details":{"type":{"value":1}}}]}`, gfbNull), want: "document_details.type.value must be a string"},
		{name: "issuer member a string", raw: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"document"},"document_details":{"issuer":{"country":"US"}}}]}`, gfbNull), want: "document_details.issuer.country must be null or a JSON object"},
		{name: "derived_claims empty", raw: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"document"},"derived_claims":{}}]}`, gfbNull), want: "derived_claims must name at least one claim"},
		{name: "attachments true", raw: vc(`{"trust_framework":null,"evidence":[{"type":{"value":"document"},"attachments":true}]}`, gfbNull), want: "attachments must be null or a JSON object"},
		{name: "too large", raw: `{"userinfo":{"x":"` + strings.Repeat("a", MaxRequestSize) + `"}}`, want: "is larger than 65536 bytes", schemaAllows: true},
	}
	_, reqSchema := schemas(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRequest(tt.raw)
			require.Error(t, err)
			assert.Nil(t, r)
			assert.True(t, errors.Is(err, ErrInvalidRequest))
			var re *RequestError
			require.True(t, errors.As(err, &re))
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), secret, "the message must not echo request values")
			assert.Less(t, len(err.Error()), 200)

			// The official schema agrees, except where the specification
			// text is stricter than it.
			if inst, jerr := unmarshalInstance(tt.raw); jerr == nil {
				serr := reqSchema.Validate(inst)
				if tt.schemaAllows {
					assert.NoError(t, serr, "schema verdict changed: drop schemaAllows")
				} else {
					assert.Error(t, serr, "the official schema accepts what the parser rejects")
				}
			}
		})
	}
}

func TestParseRequestLongMemberNamesAreCut(t *testing.T) {
	long := strings.Repeat("k", 5000)
	_, err := ParseRequest(`{"userinfo":{"` + long + `":1}}`)
	require.ErrorIs(t, err, ErrInvalidRequest)
	assert.Less(t, len(err.Error()), 150)
	assert.Contains(t, err.Error(), "kkk...")
}

func TestParseRequestAccepts(t *testing.T) {
	tests := []struct {
		name  string
		raw   string
		check func(t *testing.T, r *Request)
	}{
		{name: "empty string", raw: "", check: func(t *testing.T, r *Request) { assert.True(t, r.Empty()) }},
		{name: "blank", raw: "  \n", check: func(t *testing.T, r *Request) { assert.True(t, r.Empty()) }},
		{name: "empty object", raw: `{}`, check: func(t *testing.T, r *Request) { assert.True(t, r.Empty()) }},
		{name: "unknown top-level member ignored", raw: `{"access_token":{"x":null}}`, check: func(t *testing.T, r *Request) { assert.True(t, r.Empty()) }},
		{
			name: "acr with values and essential",
			raw:  `{"id_token":{"acr":{"essential":true,"values":["urn:idbridge:idv",3,"urn:idbridge:liveid"]}}}`,
			check: func(t *testing.T, r *Request) {
				v, ess := r.ACR()
				assert.Equal(t, []string{"urn:idbridge:idv", "urn:idbridge:liveid"}, v)
				assert.True(t, ess)
				assert.True(t, r.Has(IDToken, "acr"))
				assert.False(t, r.Has(UserInfo, "acr"))
				assert.False(t, r.Empty())
			},
		},
		{
			name: "acr with value",
			raw:  `{"id_token":{"acr":{"value":"urn:idbridge:idv"}}}`,
			check: func(t *testing.T, r *Request) {
				v, ess := r.ACR()
				assert.Equal(t, []string{"urn:idbridge:idv"}, v)
				assert.False(t, ess)
			},
		},
		{
			name: "no acr",
			raw:  `{"userinfo":{"acr":null}}`,
			check: func(t *testing.T, r *Request) {
				v, ess := r.ACR()
				assert.Nil(t, v)
				assert.False(t, ess)
			},
		},
		{
			name: "essential flat and verified claims",
			raw:  `{"userinfo":{"email":{"essential":true,"purpose":"To send receipts"},"verified_claims":{"verification":{"trust_framework":null},"claims":{"given_name":{"essential":true}}}}}`,
			check: func(t *testing.T, r *Request) {
				assert.True(t, r.Essential(UserInfo, "email"))
				assert.True(t, r.Essential(UserInfo, "verified_claims"))
				assert.False(t, r.Essential(IDToken, "verified_claims"))
				assert.False(t, r.Essential(UserInfo, "given_name"))
				assert.True(t, r.Has(UserInfo, "verified_claims"))
				assert.False(t, r.Has(IDToken, "verified_claims"))
				c, ok := r.Claim(UserInfo, "email")
				require.True(t, ok)
				assert.Equal(t, "To send receipts", c.Purpose)
			},
		},
		{
			name: "max_age is the strictest verification time",
			raw: `{"userinfo":{"verified_claims":[
				{"verification":{"trust_framework":null,"time":{"max_age":600}},"claims":{"given_name":null}},
				{"verification":{"trust_framework":null,"time":{"max_age":60}},"claims":{"given_name":null}},
				{"verification":{"trust_framework":null},"claims":{"given_name":null}}]}}`,
			check: func(t *testing.T, r *Request) {
				d, ok := r.MaxAge(UserInfo)
				assert.True(t, ok)
				assert.Equal(t, time.Minute, d)
				_, ok = r.MaxAge(IDToken)
				assert.False(t, ok)
			},
		},
		{
			name: "huge max_age saturates",
			raw:  vc(`{"trust_framework":null,"time":{"max_age":1e300}}`, gfbNull),
			check: func(t *testing.T, r *Request) {
				d, ok := r.MaxAge(UserInfo)
				assert.True(t, ok)
				assert.Greater(t, d, 100*365*24*time.Hour)
			},
		},
		{
			name: "integral max_age written as a float",
			raw:  vc(`{"trust_framework":null,"time":{"max_age":60.0}}`, gfbNull),
			check: func(t *testing.T, r *Request) {
				d, _ := r.MaxAge(UserInfo)
				assert.Equal(t, time.Minute, d)
			},
		},
		{
			name: "claims null is accepted",
			raw:  vc(tfNull, `null`),
			check: func(t *testing.T, r *Request) {
				assert.True(t, r.VerifiedClaimsRequested(UserInfo))
			},
		},
		{
			name: "empty verified_claims array",
			raw:  `{"userinfo":{"verified_claims":[]}}`,
			check: func(t *testing.T, r *Request) {
				assert.True(t, r.VerifiedClaimsRequested(UserInfo))
				assert.Empty(t, Build(fixture(), r, UserInfo, Options{Now: now}))
			},
		},
	}
	_, reqSchema := schemas(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRequest(tt.raw)
			require.NoError(t, err)
			require.NotNil(t, r)
			tt.check(t, r)
			if strings.TrimSpace(tt.raw) != "" {
				inst, err := unmarshalInstance(tt.raw)
				require.NoError(t, err)
				assert.NoError(t, reqSchema.Validate(inst), "the official schema rejects what the parser accepts")
			}
		})
	}
}

func TestNilRequest(t *testing.T) {
	var r *Request
	assert.True(t, r.Empty())
	assert.False(t, r.Has(UserInfo, "given_name"))
	assert.False(t, r.Essential(IDToken, "acr"))
	v, ess := r.ACR()
	assert.Nil(t, v)
	assert.False(t, ess)
	_, ok := r.MaxAge(UserInfo)
	assert.False(t, ok)
}

// Every claims parameter example of the specification parses, passes the
// official request schema, and builds schema-valid claims for both targets.
func TestOfficialRequestExamples(t *testing.T) {
	// Examples whose constraints the bridge meets (trust framework null or
	// nist_800_63A, document evidence, checks it performs).
	answered := map[string]Target{
		"claims.json": UserInfo, "essential.json": UserInfo, "id_token.json": IDToken,
		"id_token_id_document.json": IDToken, "simple_id_token.json": IDToken, "userinfo.json": UserInfo,
		"verification.json": UserInfo, "verification_document.json": UserInfo,
		"verification_with_attachments.json": UserInfo, "verification_withderived.json": UserInfo,
		"verification_withderived2.json": UserInfo,
	}
	dir := filepath.Join(sharedDir(t), "examples", "request")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	_, reqSchema := schemas(t)
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			require.NoError(t, err)
			inst, err := unmarshalInstance(string(raw))
			require.NoError(t, err)
			require.NoError(t, reqSchema.Validate(inst))
			r, err := ParseRequest(string(raw))
			require.NoError(t, err)
			for _, target := range []Target{IDToken, UserInfo} {
				out := build(t, fixture(), r, target, Options{Now: now, Scopes: []string{"openid"}})
				_, has := out["verified_claims"]
				want, ok := answered[name]
				assert.Equal(t, ok && want == target, has, "verified_claims in %s:\n%s", target, pretty(out))
			}
		})
	}
}
