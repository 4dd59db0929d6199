package conformance

import (
	"crypto/rand"
	"crypto/rsa"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestChecksPassOnWellBehavedProvider: the fake provider without faults
// passes the checks the fault table below breaks, so their failures come
// from the faults.
func TestChecksPassOnWellBehavedProvider(t *testing.T) {
	f := newFakeOP(t, nil)
	for _, name := range []string{
		"oidcc-discovery-issuer-matches", "oidcc-discovery-endpoint-verification", "oidcc-discovery-jwks",
		"oidcc-server", "oidcc-codereuse", "oidcc-prompt-none-not-logged-in",
		"oidcc-ensure-registered-redirect-uri", "oidcc-userinfo-get", "oidcc-userinfo-post-header",
	} {
		t.Run(name, func(t *testing.T) {
			res := f.runCheck(t, name)
			require.Equal(t, Pass, res.Status, res.Detail)
		})
	}
}

// TestChecksFailOnMisbehavingProvider injects one fault per case and
// requires the check that guards against it to fail with the reason.
func TestChecksFailOnMisbehavingProvider(t *testing.T) {
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	for _, tt := range []struct {
		name, check, reason string
		fault               func(*fakeOP)
	}{
		{"discovery issuer mismatch", "oidcc-discovery-issuer-matches", "want exactly",
			func(f *fakeOP) { f.disco = func(d map[string]any) { d["issuer"] = "https://other.example" } }},
		{"no code response type", "oidcc-discovery-endpoint-verification", `lacks "code"`,
			func(f *fakeOP) {
				f.disco = func(d map[string]any) { d["response_types_supported"] = []string{"id_token"} }
			}},
		{"relative token endpoint", "oidcc-discovery-endpoint-verification", "not an absolute URL",
			func(f *fakeOP) { f.disco = func(d map[string]any) { d["token_endpoint"] = "/token" } }},
		{"discovery without jwks_uri", "oidcc-server", "discovery has no jwks_uri",
			func(f *fakeOP) { f.disco = func(d map[string]any) { delete(d, "jwks_uri") } }},
		{"key without kid", "oidcc-discovery-jwks", "has no kid",
			func(f *fakeOP) { f.jwk = func(k map[string]any) { delete(k, "kid") } }},
		{"key for encryption", "oidcc-discovery-jwks", "want sig",
			func(f *fakeOP) { f.jwk = func(k map[string]any) { k["use"] = "enc" } }},
		{"ID token signed by an unpublished key", "oidcc-server", "does not verify",
			func(f *fakeOP) { f.signWith = other }},
		{"ID token for another audience", "oidcc-server", "does not contain the client",
			func(f *fakeOP) { f.idClaims = func(c map[string]any) { c["aud"] = "someone-else" } }},
		{"ID token from another issuer", "oidcc-server", "id_token iss",
			func(f *fakeOP) { f.idClaims = func(c map[string]any) { c["iss"] = "https://other.example" } }},
		{"nonce not echoed", "oidcc-server", "nonce",
			func(f *fakeOP) { f.idClaims = func(c map[string]any) { c["nonce"] = "replayed" } }},
		{"expired ID token", "oidcc-server", "exp",
			func(f *fakeOP) { f.idClaims = func(c map[string]any) { c["exp"] = float64(1) } }},
		{"wrong at_hash", "oidcc-server", "at_hash",
			func(f *fakeOP) { f.idClaims = func(c map[string]any) { c["at_hash"] = "AAAAAAAAAAAAAAAAAAAAAA" } }},
		{"no auth_time", "oidcc-server", "auth_time",
			func(f *fakeOP) { f.idClaims = func(c map[string]any) { delete(c, "auth_time") } }},
		{"authorization response without iss", "oidcc-server", "RFC 9207",
			func(f *fakeOP) { f.response = func(v url.Values) { v.Del("iss") } }},
		{"error response without iss", "oidcc-prompt-none-not-logged-in", "RFC 9207",
			func(f *fakeOP) { f.response = func(v url.Values) { v.Del("iss") } }},
		{"state not echoed", "oidcc-prompt-none-not-logged-in", "state is",
			func(f *fakeOP) { f.response = func(v url.Values) { v.Set("state", "x") } }},
		{"code redeemed twice", "oidcc-codereuse", "the token endpoint issued tokens",
			func(f *fakeOP) { f.acceptReuse = true }},
		{"redirect to an unregistered URI", "oidcc-ensure-registered-redirect-uri", "the OP redirected",
			func(f *fakeOP) { f.anyRedirect = true }},
		{"no verified_claims metadata", "ekyc-discovery-metadata", "verified_claims_supported is not true", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := newFakeOP(t, tt.fault).runCheck(t, tt.check)
			require.Equal(t, Fail, res.Status, res.Detail)
			require.Contains(t, res.Detail, tt.reason)
		})
	}
}

func TestRunRejectsUnusableConfig(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  Config
	}{
		{"no issuer", Config{Client: Client{ID: "c"}}},
		{"issuer not a URL", Config{Issuer: "localhost:8080", Client: Client{ID: "c"}}},
		{"no client", Config{Issuer: "http://127.0.0.1:1"}},
		{"relative redirect", Config{Issuer: "http://127.0.0.1:1", Client: Client{ID: "c"}, RedirectURI: "/cb"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(t.Context(), tt.cfg)
			require.ErrorIs(t, err, ErrConfig)
		})
	}
}

// TestUnreachableInstanceFailsEveryCheck: nothing listens, so nothing
// passes, and the run still reports every check.
func TestUnreachableInstanceFailsEveryCheck(t *testing.T) {
	f := newFakeOP(t, nil)
	addr := f.srv.URL
	f.srv.Close()
	rep, err := Run(t.Context(), Config{Issuer: addr, Client: Client{ID: "c"}}, PlanConfig)
	require.NoError(t, err)
	require.Len(t, rep.Results, len(Checks(PlanConfig)))
	require.Equal(t, len(rep.Results), rep.Failed)
	require.False(t, rep.OK())
}
