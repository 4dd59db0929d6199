// Package config is idbridge's file configuration: the YAML format, its
// defaults, ${ENV} expansion and validation that reports every problem at
// once with its field path. Runtime objects (stores, verifiers, the
// provider) are built from it elsewhere; nothing here holds a live
// dependency.
package config

import (
	"time"
)

// Config is the whole file.
type Config struct {
	// Issuer is the public base URL of the provider, exactly as relying
	// parties configure it (no trailing slash).
	Issuer string `yaml:"issuer"`
	// Listen is the address the HTTP server binds, e.g. ":8080".
	Listen string `yaml:"listen"`
	// Dev allows an http:// issuer and prints the demo URLs.
	Dev bool `yaml:"dev"`

	Log        Log        `yaml:"log"`
	Storage    Storage    `yaml:"storage"`
	IDV        IDV        `yaml:"idv"`
	Keys       Keys       `yaml:"keys"`
	Session    Session    `yaml:"session"`
	Tokens     Tokens     `yaml:"tokens"`
	Assurance  Assurance  `yaml:"assurance"`
	PersonData PersonData `yaml:"personal_data"`
	Clients    []Client   `yaml:"clients"`
	Demo       Demo       `yaml:"demo"`
	// API configures the connector API and webhooks (api.go).
	API API `yaml:"api"`
	// Risk configures risk-based step-up (risk.go).
	Risk Risk `yaml:"risk"`
	// Admin configures the policy administration page (admin.go).
	Admin Admin `yaml:"admin"`
	// TLS, Limits and Metrics configure serving (serving.go).
	TLS     TLS     `yaml:"tls"`
	Limits  Limits  `yaml:"limits"`
	Metrics Metrics `yaml:"metrics"`
	// SAML configures the SAML 2.0 identity provider (saml.go).
	SAML SAML `yaml:"saml"`
}

// Log configures log/slog output.
type Log struct {
	Format string `yaml:"format"` // text | json
	Level  string `yaml:"level"`  // debug | info | warn | error
	// ClientAddress is how audit lines record the client's address: full,
	// truncated (its /24 or /48 network; the default) or hashed (a keyed
	// hash under ClientAddressKey, linking one address's lines without
	// keeping it).
	ClientAddress string `yaml:"client_address"`
	// ClientAddressKey (base64, at least 32 bytes) keys the hashed
	// addresses; required with hashed, shared by every replica.
	ClientAddressKey string `yaml:"client_address_key"`
}

// Storage chooses the shared state backend.
type Storage struct {
	Type  string `yaml:"type"` // memory | redis
	Redis Redis  `yaml:"redis"`
}

// Redis configures the Redis backend: one address for a standalone server,
// master_name for Sentinel, several addresses for Cluster.
type Redis struct {
	Addrs      []string `yaml:"addrs"`
	Username   string   `yaml:"username"`
	Password   string   `yaml:"password"`
	DB         int      `yaml:"db"`
	MasterName string   `yaml:"master_name"`
	KeyPrefix  string   `yaml:"key_prefix"`
	TLS        bool     `yaml:"tls"`
	// Timeout bounds each connect, read and write (default 1s): a Redis
	// that stops answering fails requests with 503 quickly instead of
	// holding them.
	Timeout time.Duration `yaml:"timeout"`
	// MaxRetries is how often a failed command is retried (default 1; -1
	// none). Only idempotent steps are built on retried commands' results.
	MaxRetries int `yaml:"max_retries"`
}

// IDV chooses the verification service.
type IDV struct {
	Type      string    `yaml:"type"` // simulator | onekosmos
	Simulator Simulator `yaml:"simulator"`
	OneKosmos OneKosmos `yaml:"onekosmos"`
	// SessionTTL bounds how long a started verification may take.
	SessionTTL time.Duration `yaml:"session_ttl"`
	// LiveIDMode is how LiveID captures the face: "app" (the 1Kosmos
	// authenticator app or hosted page, polled) or "capture" (idbridge's
	// own page takes a selfie and calls 1Kosmos face verification).
	LiveIDMode string `yaml:"liveid_mode"`
}

// Simulator configures the in-process 1Kosmos simulator. Everything marked
// simulator-only has no counterpart in the real service.
type Simulator struct {
	// AutoComplete (simulator-only) completes every session at once with the
	// first fixture identity; for load tests.
	AutoComplete bool `yaml:"auto_complete"`
	// Scores (simulator-only) adds score fields to results.
	Scores bool `yaml:"scores"`
	// Client selects how the provider talks to the in-process simulator:
	// "http" (the real 1Kosmos client over loopback HTTP, the default) or
	// "direct" (method calls).
	Client string `yaml:"client"`
	// Faults (simulator-only) injects failures into the simulator's wire
	// API, to rehearse a 1Kosmos outage with the shipped binary. They reach
	// the provider only through client "http".
	Faults SimulatorFaults `yaml:"faults"`
}

// SimulatorFaults is what the simulator injects into its wire API
// (simulator-only; the same as `idbridge simulator --fault-*`). Rates are
// probabilities between 0 and 1, drawn per request.
type SimulatorFaults struct {
	// ErrorRate answers 503 {"code":503,...} (--fault-5xx).
	ErrorRate float64 `yaml:"error_rate"`
	// GarbageRate answers 200 with a body that is not JSON (--fault-garbage).
	GarbageRate float64 `yaml:"garbage_rate"`
	// DropRate closes the connection without an answer (--fault-drop).
	DropRate float64 `yaml:"drop_rate"`
	// Latency delays every wire request (--fault-latency).
	Latency time.Duration `yaml:"latency"`
}

// Any reports whether f injects anything.
func (f SimulatorFaults) Any() bool { return f != SimulatorFaults{} }

// OneKosmos configures the client of a real 1Kosmos tenant. Paths and the
// curve are configurable because 1Kosmos documents only part of them.
type OneKosmos struct {
	BaseURL    string `yaml:"base_url"`
	TenantDNS  string `yaml:"tenant_dns"`
	Community  string `yaml:"community"`
	LicenseKey string `yaml:"license_key"`
	DVCID      string `yaml:"dvc_id"`
	Curve      string `yaml:"curve"`
	PrivateKey string `yaml:"private_key"`
	// Timeout per call.
	Timeout time.Duration `yaml:"timeout"`
	// Retries of idempotent calls.
	Retries int `yaml:"retries"`
}

// Keys configures token signing and the symmetric key shared by replicas.
type Keys struct {
	// Algorithm of newly generated signing keys: RS256 or ES256.
	Algorithm string `yaml:"algorithm"`
	// RotationPeriod is how long a key signs before the next one takes over.
	RotationPeriod time.Duration `yaml:"rotation_period"`
	// CryptoKey (base64, 32 bytes) encrypts opaque access tokens; every
	// replica must share it. Generated per process when empty (dev only).
	CryptoKey string `yaml:"crypto_key"`
}

// Session configures the browser SSO session cookie.
type Session struct {
	// HashKey and BlockKey (base64, 32 bytes each) sign and encrypt the
	// cookie; every replica must share them. Generated when empty (dev only).
	HashKey  string        `yaml:"hash_key"`
	BlockKey string        `yaml:"block_key"`
	Lifetime time.Duration `yaml:"lifetime"`
	// CookieName of the SSO session.
	CookieName string `yaml:"cookie_name"`
}

// Tokens sets protocol lifetimes.
type Tokens struct {
	AccessToken  time.Duration `yaml:"access_token"`
	IDToken      time.Duration `yaml:"id_token"`
	RefreshToken time.Duration `yaml:"refresh_token"`
	Code         time.Duration `yaml:"code"`
	AuthRequest  time.Duration `yaml:"auth_request"`
}

// Assurance sets identity assurance policy.
type Assurance struct {
	// MaxVerificationAge: verified data older than this lowers ial_level to
	// 1 (0: never stale).
	MaxVerificationAge time.Duration `yaml:"max_verification_age"`
	// ACRAliases maps acr values relying parties send to idbridge's own.
	ACRAliases map[string]string `yaml:"acr_aliases"`
}

// PersonData configures encryption at rest and retention of verification
// data.
type PersonData struct {
	// Keys are "kid:base64-32-bytes"; the first seals, all open. Generated
	// when empty (dev only).
	Keys []string `yaml:"keys"`
	// Retention of verification results (0: kept while the user exists).
	Retention time.Duration `yaml:"retention"`
	// HashKey (base64) keys the document hash that finds a person by their
	// document. Generated when empty (dev only).
	HashKey string `yaml:"hash_key"`
}

// Client is a relying party.
type Client struct {
	ID string `yaml:"id"`
	// Secret in clear (allowed in dev; prefer SecretHash or ${ENV}).
	Secret string `yaml:"secret"`
	// SecretHash is "sha256:<hex>" of the secret.
	SecretHash             string   `yaml:"secret_hash"`
	RedirectURIs           []string `yaml:"redirect_uris"`
	PostLogoutRedirectURIs []string `yaml:"post_logout_redirect_uris"`
	// TokenAuthMethod: client_secret_basic (also accepts post),
	// client_secret_post, private_key_jwt or none (public, PKCE required).
	TokenAuthMethod string `yaml:"token_auth_method"`
	// Scopes the client may request (default: openid profile address
	// identity_assurance offline_access).
	Scopes []string `yaml:"scopes"`
	// Journey is the default journey: idv, liveid or auto.
	Journey string `yaml:"journey"`
	// IDTokenAlg: RS256 (default) or ES256.
	IDTokenAlg string `yaml:"id_token_alg"`
	// RefreshTokens allows the refresh_token grant.
	RefreshTokens bool `yaml:"refresh_tokens"`
	// RequirePKCE demands S256 PKCE even from a confidential client.
	RequirePKCE bool `yaml:"require_pkce"`
	// Risk overrides the global risk rules for this client.
	Risk *RiskRules `yaml:"risk"`
	// RequirePAR accepts authorization requests only through the pushed
	// authorization request endpoint (RFC 9126).
	RequirePAR bool `yaml:"require_par"`
	// JWKS is the client's public key set (JSON), for private_key_jwt.
	JWKS string `yaml:"jwks"`
	// Name is the operator's own name for the client (logs, admin
	// commands). People see Branding.ClientName instead.
	Name string `yaml:"name"`
	// Branding is how the client presents itself on idbridge's pages
	// (client_name, logo_uri, policy_uri, ...; branding.go).
	Branding `yaml:",inline"`
	// IdentifierNamespace is the namespace of the identifiers this client
	// asserts in pushed (PAR) or signed (JAR) requests and names in
	// login_hint (default: the client's id). Clients and connector API
	// callers that know people by the same identifiers (one Descope
	// project) share a namespace by naming the same one.
	IdentifierNamespace string `yaml:"identifier_namespace"`
	// FaceMaxAge is how old the face check of an SSO session may be for
	// this client to answer without a new one (default 0 for journey
	// liveid: every authentication checks the face; unset for others).
	FaceMaxAge *time.Duration `yaml:"face_max_age"`
	// AllowedOrigins are the web origins (scheme://host[:port]) from which
	// browser code of this client may call the token, userinfo,
	// revocation and introspection endpoints (CORS). Empty: none.
	AllowedOrigins []string `yaml:"allowed_origins"`
	// ResourceServer lets this client introspect access tokens issued to
	// any client (RFC 7662); every other client introspects only its own.
	// A pure resource server needs no redirect_uris.
	ResourceServer bool `yaml:"resource_server"`
	// IDTokenClaims are the claims this client's ID tokens carry when a
	// request has no claims parameter (a relying party such as Descope's
	// custom OAuth provider cannot send one): a set name
	// (identity_assurance: verified_claims with name, birth date and
	// document evidence) or the id_token member of a claims request. They
	// are filtered like requested claims (OIDC4IDA 1.0 section 6) and
	// never change which check a login runs.
	IDTokenClaims ClaimSet `yaml:"id_token_claims"`
}

// Demo configures the built-in demo relying party at /demo.
type Demo struct {
	Enabled  bool   `yaml:"enabled"`
	ClientID string `yaml:"client_id"`
}

// IdentifierNamespaces lists every identifier namespace the configuration
// names (OIDC clients and connector API callers), each once, in order.
func (c *Config) IdentifierNamespaces() []string {
	var out []string
	seen := map[string]bool{}
	add := func(ns string) {
		if ns != "" && !seen[ns] {
			seen[ns] = true
			out = append(out, ns)
		}
	}
	for _, cl := range c.Clients {
		add(cl.IdentifierNamespace)
	}
	for _, cl := range c.API.Clients {
		add(cl.IdentifierNamespace)
	}
	for _, sp := range c.SAML.ServiceProviders {
		add(sp.IdentifierNamespace)
	}
	return out
}
