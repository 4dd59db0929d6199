package oidc

import (
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	zop "github.com/zitadel/oidc/v3/pkg/op"

	"github.com/idbridge/idbridge/pkg/claims"
	"github.com/idbridge/idbridge/pkg/config"
)

// client adapts a configured relying party to zitadel's Client.
type client struct {
	cfg        config.Client
	loginURL   func(string) string
	idTokenTTL time.Duration
	jwks       *jose.JSONWebKeySet
	// idTokenClaims are the claims of ID tokens whose request has none
	// (nil: only what scopes give).
	idTokenClaims *claims.Request
	// internal: the client of another front door (login_external.go),
	// refused by the OAuth endpoints.
	internal bool
}

var _ zop.Client = (*client)(nil)

func (c *client) GetID() string                        { return c.cfg.ID }
func (c *client) RedirectURIs() []string               { return c.cfg.RedirectURIs }
func (c *client) PostLogoutRedirectURIs() []string     { return c.cfg.PostLogoutRedirectURIs }
func (c *client) ApplicationType() zop.ApplicationType { return zop.ApplicationTypeWeb }
func (c *client) LoginURL(id string) string            { return c.loginURL(id) }
func (c *client) AccessTokenType() zop.AccessTokenType { return zop.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration       { return c.idTokenTTL }
func (c *client) DevMode() bool                        { return false }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) ResponseTypes() []zoidc.ResponseType {
	return []zoidc.ResponseType{zoidc.ResponseTypeCode}
}
func (c *client) public() bool      { return c.cfg.TokenAuthMethod == "none" }
func (c *client) requirePKCE() bool { return c.public() || c.cfg.RequirePKCE }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// AuthMethod returns the registered method. client_secret_basic clients
// also authenticate with client_secret_post: zitadel reads either form.
func (c *client) AuthMethod() zoidc.AuthMethod {
	switch c.cfg.TokenAuthMethod {
	case "client_secret_post":
		return zoidc.AuthMethodPost
	case "private_key_jwt":
		return zoidc.AuthMethodPrivateKeyJWT
	case "none":
		return zoidc.AuthMethodNone
	}
	return zoidc.AuthMethodBasic
}

func (c *client) GrantTypes() []zoidc.GrantType {
	g := []zoidc.GrantType{zoidc.GrantTypeCode}
	if c.cfg.RefreshTokens {
		g = append(g, zoidc.GrantTypeRefreshToken)
	}
	return g
}

// IsScopeAllowed is asked for scopes beyond the standard ones.
func (c *client) IsScopeAllowed(scope string) bool {
	return slices.Contains(c.cfg.Scopes, scope)
}

// allowScopes keeps only the scopes the client is registered for; unknown
// scopes are dropped, not an error (OAuth 2.0 section 3.3).
func (c *client) allowScopes(scopes []string) []string {
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if slices.Contains(c.cfg.Scopes, s) && !slices.Contains(out, s) {
			if s == zoidc.ScopeOfflineAccess && !c.cfg.RefreshTokens {
				continue
			}
			out = append(out, s)
		}
	}
	return out
}
