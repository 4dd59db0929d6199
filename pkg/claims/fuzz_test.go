package claims

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzParseRequest: any input either fails with ErrInvalidRequest or
// parses into a request whose answers follow the official schema.
func FuzzParseRequest(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(sharedDir(f), "examples", "request", "*.json"))
	for _, p := range files {
		raw, err := os.ReadFile(p)
		require.NoError(f, err)
		f.Add(string(raw))
	}
	for _, s := range []string{
		"", "{}", "[]", "null", `{"userinfo":{"verified_claims":[]}}`,
		vc(`{"trust_framework":{"values":["nist_800_63A"]},"time":{"max_age":1e30}}`, `{"given_name":{"value":"Inga"}}`),
		vc(`{"trust_framework":null,"evidence":[{"type":{"value":"document"},"check_details":[{"check_method":null,"check_id":{"value":"x"}}]}]}`, gfbNull),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r, err := ParseRequest(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("error %v does not wrap ErrInvalidRequest", err)
			}
			return
		}
		for _, target := range []Target{IDToken, UserInfo} {
			validateResponse(t, Build(fixture(), r, target, Options{Now: now, Scopes: []string{"openid", ScopeIdentityAssurance}}))
		}
	})
}

func TestBuildConcurrentUse(t *testing.T) {
	r := mustParse(t, readExample(t, "id_token.json", "", ""))
	want := Build(fixture(), r, IDToken, Options{Now: now})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				assert.Equal(t, want, Build(fixture(), r, IDToken, Options{Now: now}))
			}
		}()
	}
	wg.Wait()
}
