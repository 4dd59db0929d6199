package claims

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
)

// now is the fixed request time of the tests.
var now = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

// fixture is a person verified a month before now with a US driving
// permit, liveness and face match passed.
func fixture() Identity {
	return Identity{
		Subject: "sub-5f2c9a",
		Person: idv.Person{
			GivenName: "Inga", MiddleName: "Maria", FamilyName: "Silverstone",
			BirthDate: "1991-11-06", PlaceOfBirth: "USA", Nationalities: []string{"US", "US", "bad-code"},
			Address: &idv.Address{
				StreetAddress: "114 Old State Hwy 127", Locality: "Shoshone",
				Region: "CA", PostalCode: "92384", Country: "US",
			},
		},
		Document: &idv.Document{
			Type: idv.DriversLicense, Number: "I1234568", IssuingCountry: "US", Issuer: "CA DMV",
			DateOfIssuance: "2019-09-05", DateOfExpiry: "2029-08-01",
		},
		VerifiedAt: time.Date(2026, 6, 1, 5, 32, 10, 0, time.UTC),
		Liveness:   idv.Passed,
		FaceMatch:  idv.Passed,
		TxnID:      "7675d80f-57e0-ab14-9543-26b41fc22",
		Verifier:   "1Kosmos",
		IDVStatus:  StatusVerified,
	}
}

// sharedDir finds shared/oidc4ida by walking up from the package.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	require.NoError(t, err)
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "shared", "oidc4ida")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
		if d == filepath.Dir(d) {
			t.Fatalf("shared/oidc4ida not found above %s", dir)
			return ""
		}
	}
}

// schemaBase is the $id prefix of the official schemas.
const schemaBase = "https://bitbucket.org/openid/ekyc-ida/raw/master/schema/"

// localLoader serves the official schema URLs from shared/oidc4ida/schema.
type localLoader struct{ dir string }

func (l localLoader) Load(url string) (any, error) {
	name, ok := strings.CutPrefix(url, schemaBase)
	if !ok || strings.Contains(name, "/") {
		return nil, fmt.Errorf("no local copy of %s", url)
	}
	f, err := os.Open(filepath.Join(l.dir, name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

var (
	schemasOnce     sync.Once
	responseSchema  *jsonschema.Schema
	requestSchema   *jsonschema.Schema
	schemaLoadError error
)

func schemas(t testing.TB) (response, request *jsonschema.Schema) {
	t.Helper()
	dir := filepath.Join(sharedDir(t), "schema")
	schemasOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.UseLoader(localLoader{dir: dir})
		c.AssertFormat()
		responseSchema, schemaLoadError = c.Compile(schemaBase + "verified_claims.json")
		if schemaLoadError != nil {
			return
		}
		requestSchema, schemaLoadError = c.Compile(schemaBase + "verified_claims_request.json")
	})
	require.NoError(t, schemaLoadError)
	return responseSchema, requestSchema
}

// toInstance turns any JSON-marshallable value into a schema instance.
func toInstance(t testing.TB, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	return inst
}

// validateResponse checks a Build output against the official
// verified_claims response schema.
func validateResponse(t testing.TB, out map[string]any) {
	t.Helper()
	resp, _ := schemas(t)
	if err := resp.Validate(toInstance(t, out)); err != nil {
		t.Fatalf("output does not follow verified_claims.json: %v\n%s", err, pretty(out))
	}
}

// build runs Build and validates the output against the schema.
func build(t testing.TB, id Identity, r *Request, target Target, opt Options) map[string]any {
	t.Helper()
	out := Build(id, r, target, opt)
	validateResponse(t, out)
	return normalise(t, out)
}

// normalise round-trips v through JSON so tests compare plain JSON values.
func normalise(t testing.TB, v map[string]any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

func pretty(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// at walks a dotted path ("verified_claims.claims.given_name", "evidence.0")
// through decoded JSON and reports whether it exists.
func at(v any, dotted string) (any, bool) {
	for _, k := range strings.Split(dotted, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				return nil, false
			}
		case []any:
			var i int
			if _, err := fmt.Sscanf(k, "%d", &i); err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func mustParse(t testing.TB, raw string) *Request {
	t.Helper()
	r, err := ParseRequest(raw)
	require.NoError(t, err)
	return r
}

func unmarshalInstance(raw string) (any, error) {
	return jsonschema.UnmarshalJSON(strings.NewReader(raw))
}
