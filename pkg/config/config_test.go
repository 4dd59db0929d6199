package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEmbeddedDevConfigIsValid(t *testing.T) {
	c, err := Load("")
	require.NoError(t, err)
	require.Equal(t, "memory", c.Storage.Type)
	require.Equal(t, "simulator", c.IDV.Type)
	require.True(t, c.Demo.Enabled)
	ids := map[string]string{}
	for _, cl := range c.Clients {
		ids[cl.ID] = cl.Journey
	}
	require.Equal(t, map[string]string{"demo": "auto", "descope-idv": "idv", "descope-liveid": "liveid", "conformance-1": "auto", "conformance-2": "auto"}, ids)
}

func TestDevFileEqualsEmbedded(t *testing.T) {
	embedded, err := Load("")
	require.NoError(t, err)
	fromFile, err := Load(filepath.Join("..", "..", "configs", "dev.yaml"))
	require.NoError(t, err)
	require.Equal(t, embedded, fromFile)
}

func TestEnvExpansion(t *testing.T) {
	t.Setenv("IDB_TEST_SECRET", "s3cr:et#x")
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	require.NoError(t, os.WriteFile(secretFile, []byte("from-file\n"), 0o600))
	c, err := Parse("t.yaml", []byte(`
dev: true
clients:
  - id: a
    secret: ${IDB_TEST_SECRET}
    redirect_uris: [https://rp.example/cb]
  - id: b
    secret: ${file:`+secretFile+`}
    redirect_uris: [https://rp.example/cb]
  - id: c
    secret: ${IDB_TEST_UNSET_VAR:-fallback}
    redirect_uris: [https://rp.example/cb]
`))
	require.NoError(t, err)
	require.Equal(t, "s3cr:et#x", c.Clients[0].Secret)
	require.Equal(t, "from-file", c.Clients[1].Secret)
	require.Equal(t, "fallback", c.Clients[2].Secret)
}

func TestValidationReportsEveryProblem(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"unset env", "issuer: ${IDB_TEST_NOPE}\ndev: true\n", []string{"environment variable IDB_TEST_NOPE is not set"}},
		{"http issuer outside dev", "issuer: http://idv.example\n", []string{"issuer: \"http://idv.example\" must use https"}},
		{"unknown field", "dev: true\nsurprise: 1\n", []string{"field surprise not found"}},
		{"bad storage", "dev: true\nstorage: {type: etcd}\n", []string{`storage.type: "etcd" is not one of memory, redis`}},
		{"redis without addrs", "dev: true\nstorage: {type: redis}\n", []string{"storage.redis.addrs"}},
		{"production secrets missing", "issuer: https://idv.example\n", []string{"keys.crypto_key: required", "session.hash_key: required", "personal_data.keys", "personal_data.hash_key"}},
		{"client problems", `dev: true
clients:
  - id: x
    token_auth_method: magic
    journey: teleport
    redirect_uris: ["/relative"]
  - id: x
    redirect_uris: [https://ok.example/cb]
    secret: s
    scopes: [profile]
`, []string{
			`clients[0].token_auth_method: "magic" is not one of`,
			`clients[0].journey: "teleport" is not one of`,
			`clients[0].redirect_uris[0]: "/relative" must be an absolute URL`,
			`clients[1].id: "x" is used twice`,
			`clients[1].scopes: must include openid`,
		}},
		{"onekosmos needs tenant", "dev: true\nidv: {type: onekosmos}\n", []string{"idv.onekosmos.tenant_dns: required", "idv.onekosmos.license_key: required", "idv.onekosmos.dvc_id: required"}},
		{"bad key", "dev: true\nkeys: {crypto_key: short}\n", []string{"keys.crypto_key: must be base64 of at least 32 bytes"}},
		{"bad risk", "dev: true\nrisk: {trusted_proxies: [nope], rules: {new_device: panic, deny_countries: [usa]}}\n", []string{"risk.trusted_proxies[0]", `risk.rules.new_device: "panic" is not one of`, "risk.rules.deny_countries[0]"}},
		{"public resource server", "dev: true\nclients:\n  - id: rs\n    token_auth_method: none\n    resource_server: true\n", []string{"clients[0].resource_server: a resource server must authenticate"}},
		{"bad allowed origins", "issuer: https://idv.example\nclients:\n  - id: spa\n    token_auth_method: none\n    redirect_uris: [https://app.example/cb]\n    allowed_origins: [https://app.example/path, \"https://*.example\", http://app.example]\n", []string{
			`clients[0].allowed_origins[0]: "https://app.example/path" is not an origin`,
			`clients[0].allowed_origins[1]: "https://*.example" is not an origin`,
			`clients[0].allowed_origins[2]: "http://app.example" must use https outside dev`,
		}},
		{"hashed addresses without a key", "dev: true\nlog: {client_address: hashed}\n", []string{"log.client_address_key: required when log.client_address is hashed"}},
		{"unknown address mode", "dev: true\nlog: {client_address: everything}\n", []string{`log.client_address: "everything" is not one of full, truncated, hashed`}},
		{"short metrics token", "dev: true\nmetrics: {token: short}\n", []string{"metrics.token: too short"}},
		{"demo client missing", "dev: true\ndemo: {enabled: true, client_id: nobody}\n", []string{`demo.client_id: "nobody" is not a configured client`}},
		{"id token claims", `dev: true
clients:
  - id: a
    secret: s
    redirect_uris: [https://rp.example/cb]
    id_token_claims: everything
  - id: b
    secret: s
    redirect_uris: [https://rp.example/cb]
    id_token_claims: {verified_claims: {claims: {given_name: null}}}
  - id: c
    secret: s
    redirect_uris: [https://rp.example/cb]
    id_token_claims: [verified_claims]
`, []string{
			`clients[0].id_token_claims: claims parameter default: "everything" is not a claim set (known: identity_assurance)`,
			`clients[1].id_token_claims: claims parameter member id_token.verified_claims`,
			`id_token_claims must be a set name (identity_assurance) or a mapping of claim requests`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tt.yaml))
			require.Error(t, err)
			for _, w := range tt.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestIDTokenClaimSets(t *testing.T) {
	c, err := Parse("t.yaml", []byte(`dev: true
clients:
  - id: named
    secret: s
    redirect_uris: [https://rp.example/cb]
    id_token_claims: identity_assurance
  - id: written
    secret: s
    redirect_uris: [https://rp.example/cb]
    id_token_claims:
      verified_claims:
        verification: {trust_framework: null}
        claims: {birthdate: {essential: true}}
`))
	require.NoError(t, err)
	require.Equal(t, ClaimSet{Name: "identity_assurance"}, c.Clients[0].IDTokenClaims)
	require.JSONEq(t, `{"verified_claims":{"verification":{"trust_framework":null},"claims":{"birthdate":{"essential":true}}}}`, c.Clients[1].IDTokenClaims.Member)
	for _, cl := range c.Clients {
		r, err := cl.IDTokenClaims.Request()
		require.NoError(t, err)
		require.True(t, r.VerifiedClaimsRequested("id_token"), cl.ID)
	}
	dev, err := Load("")
	require.NoError(t, err)
	for _, cl := range dev.Clients {
		want := ClaimSet{}
		if cl.ID == "descope-idv" || cl.ID == "descope-liveid" {
			want = ClaimSet{Name: "identity_assurance"}
		}
		require.Equal(t, want, cl.IDTokenClaims, cl.ID)
	}
}

func TestResourceServerNeedsNoRedirectURIs(t *testing.T) {
	c, err := Parse("t.yaml", []byte("dev: true\nclients:\n  - id: rs\n    secret: s\n    resource_server: true\n"))
	require.NoError(t, err)
	require.True(t, c.Clients[0].ResourceServer)
}

func TestDevAllowsPlainHTTPWebhooksAndPublicMetrics(t *testing.T) {
	_, err := Parse("t.yaml", []byte("dev: true\napi:\n  webhooks:\n    endpoints:\n      - url: http://localhost:9000/in\n        secret: s\n"))
	require.NoError(t, err)
}

func TestCheckSecret(t *testing.T) {
	plain := Client{Secret: "s3cret"}
	require.True(t, plain.CheckSecret("s3cret"))
	require.False(t, plain.CheckSecret("s3cre"))
	// printf s3cret | sha256sum
	hashed := Client{SecretHash: "sha256:1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0"}
	require.True(t, hashed.CheckSecret("s3cret"))
	require.False(t, hashed.CheckSecret(""))
	require.False(t, Client{}.CheckSecret(""))
}

func TestRedisTimeoutAndRetries(t *testing.T) {
	c, err := Parse("t.yaml", []byte("dev: true\nstorage:\n  type: redis\n  redis:\n    addrs: [127.0.0.1:6379]\n"))
	require.NoError(t, err)
	require.Equal(t, time.Second, c.Storage.Redis.Timeout)
	require.Equal(t, 1, c.Storage.Redis.MaxRetries)
	c, err = Parse("t.yaml", []byte("dev: true\nstorage:\n  type: redis\n  redis:\n    addrs: [127.0.0.1:6379]\n    timeout: 250ms\n    max_retries: -1\n"))
	require.NoError(t, err)
	require.Equal(t, 250*time.Millisecond, c.Storage.Redis.Timeout)
	require.Equal(t, -1, c.Storage.Redis.MaxRetries)
	_, err = Parse("t.yaml", []byte("dev: true\nstorage:\n  type: redis\n  redis:\n    addrs: [127.0.0.1:6379]\n    max_retries: -2\n"))
	require.ErrorContains(t, err, "storage.redis: timeout must be positive and max_retries")
}

// TestReferencesInCommentsAreNotExpanded: a comment may show ${NAME}
// syntax without making the configuration need NAME; references in
// values, quoted or not and next to #, still expand.
func TestReferencesInCommentsAreNotExpanded(t *testing.T) {
	t.Setenv("IDB_TEST_SECRET", "s3cret")
	c, err := Parse("t.yaml", []byte(`
# Secrets come from ${IDB_TEST_UNSET_A} or ${file:/nonexistent/a}.
dev: true
clients:
  - id: a  # O'Brien's client, secret from ${IDB_TEST_UNSET_B}
    secret: "${IDB_TEST_SECRET}#1" # ${IDB_TEST_UNSET_C}
    redirect_uris: [https://rp.example/cb]
  - id: b
    secret: 'x#${IDB_TEST_SECRET}'
    redirect_uris: [https://rp.example/cb]
`))
	require.NoError(t, err)
	require.Equal(t, "s3cret#1", c.Clients[0].Secret)
	require.Equal(t, "x#s3cret", c.Clients[1].Secret)

	_, err = Parse("t.yaml", []byte("dev: true\nissuer: ${IDB_TEST_UNSET_D} # ${IDB_TEST_UNSET_E}\n"))
	require.ErrorContains(t, err, "IDB_TEST_UNSET_D")
	require.NotContains(t, err.Error(), "IDB_TEST_UNSET_E")
}
