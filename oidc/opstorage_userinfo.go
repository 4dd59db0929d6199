package oidc

import (
	"context"
	"errors"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	zop "github.com/zitadel/oidc/v3/pkg/op"

	"github.com/idbridge/idbridge/pkg/claims"
	"github.com/idbridge/idbridge/pkg/users"
)

// identity returns what the bridge knows of sub, for claims.
func (p *Provider) identity(ctx context.Context, sub string) (claims.Identity, error) {
	status, v, err := p.users.Identity(ctx, sub)
	if errors.Is(err, users.ErrNotFound) {
		return claims.Identity{Subject: sub, IDVStatus: "none"}, nil
	}
	if err != nil {
		return claims.Identity{}, err
	}
	return (&users.User{Subject: sub, IDVStatus: status, Verified: v}).ClaimsIdentity(), nil
}

func (p *Provider) claimOptions(scopes []string) claims.Options {
	return claims.Options{
		Scopes:             scopes,
		Now:                p.now(),
		MaxVerificationAge: p.cfg.Assurance.MaxVerificationAge,
		TrustFramework:     "nist_800_63A",
		FlatMirrors:        true,
	}
}

// claimsFor builds the identity claims of one target for clientID: what
// the scopes and the claims request (rawClaims) ask for and the user's
// record holds. An ID token of a request without claims gets the
// client's default claims (clients[].id_token_claims), filtered by the
// same rules.
func (p *Provider) claimsFor(ctx context.Context, clientID, sub, rawClaims string, scopes []string, target claims.Target) (map[string]any, error) {
	req, err := claims.ParseRequest(rawClaims)
	if err != nil {
		// Validated at /authorize; a stored request that no longer parses
		// is a server fault.
		return nil, fmt.Errorf("oidc: stored claims request unreadable: %w", err)
	}
	if cl := p.clients[clientID]; cl != nil && target == claims.IDToken {
		req = req.OrDefault(cl.idTokenClaims)
	}
	id, err := p.identity(ctx, sub)
	if err != nil {
		return nil, err
	}
	return claims.Build(id, req, target, p.claimOptions(scopes)), nil
}

// appendClaims adds the claims of one target to userinfo.
func (p *Provider) appendClaims(ctx context.Context, ui *zoidc.UserInfo, clientID, sub, rawClaims string, scopes []string, target claims.Target) error {
	m, err := p.claimsFor(ctx, clientID, sub, rawClaims, scopes, target)
	if err != nil {
		return err
	}
	for k, v := range m {
		ui.AppendClaims(k, v)
	}
	return nil
}

// SetUserinfoFromScopes is answered by SetUserinfoFromRequest, which sees
// the claims request too.
func (s *opStorage) SetUserinfoFromScopes(ctx context.Context, ui *zoidc.UserInfo, userID, clientID string, scopes []string) error {
	ui.Subject = userID
	return nil
}

// SetUserinfoFromRequest adds the ID token's claims.
func (s *opStorage) SetUserinfoFromRequest(ctx context.Context, ui *zoidc.UserInfo, req zop.IDTokenRequest, scopes []string) error {
	var raw string
	switch r := req.(type) {
	case *authRequest:
		raw = r.Claims
	case *refreshRequest:
		raw = r.Claims
		// zitadel reads acr only from auth requests; a refreshed ID token
		// keeps the acr of the authentication (OIDC Core 12.2).
		if r.ACR != "" {
			ui.AppendClaims("acr", r.ACR)
		}
	}
	return s.p.appendClaims(ctx, ui, req.GetClientID(), req.GetSubject(), raw, scopes, claims.IDToken)
}

// SetUserinfoFromToken answers the userinfo endpoint: the identity
// claims, and the acr, amr and auth_time of the authentication the token
// came from. OIDC Core 5.3.2 lets userinfo carry any claim; these let a
// relying party that maps attributes from userinfo (Descope does) tell
// whether this sign-in included a face check.
func (s *opStorage) SetUserinfoFromToken(ctx context.Context, ui *zoidc.UserInfo, tokenID, subject, origin string) error {
	at, err := s.loadAccess(ctx, tokenID)
	if err != nil || at.Subject != subject || s.p.now().After(at.ExpiresAt) {
		return errors.New("access token invalid or expired")
	}
	ui.Subject = at.Subject
	if err := s.p.appendClaims(ctx, ui, at.ClientID, at.Subject, at.Claims, at.Scopes, claims.UserInfo); err != nil {
		return err
	}
	if at.ACR != "" {
		ui.AppendClaims("acr", at.ACR)
	}
	if len(at.AMR) > 0 {
		ui.AppendClaims("amr", at.AMR)
	}
	if !at.AuthTime.IsZero() {
		ui.AppendClaims("auth_time", at.AuthTime.Unix())
	}
	return nil
}

func (s *opStorage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *opStorage) ValidateJWTProfileScopes(_ context.Context, _ string, scopes []string) ([]string, error) {
	return scopes, nil
}

// GetClientByClientID finds a client; an unknown or missing client_id is
// invalid_client (401), as RFC 6749 5.2 asks, never a server error.
func (s *opStorage) GetClientByClientID(_ context.Context, id string) (zop.Client, error) {
	c, ok := s.p.clients[id]
	if !ok || c.internal {
		return nil, zoidc.ErrInvalidClient().WithDescription("unknown or missing client_id; authenticate with the client's registered credentials")
	}
	return c, nil
}

func (s *opStorage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	c, ok := s.p.clients[id]
	if !ok || !c.cfg.CheckSecret(secret) {
		return zoidc.ErrInvalidClient().WithDescription("client authentication failed")
	}
	return nil
}

// GetKeyByIDAndClientID finds a private_key_jwt client's public key.
func (s *opStorage) GetKeyByIDAndClientID(_ context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	c, ok := s.p.clients[clientID]
	if !ok || c.jwks == nil {
		return nil, errors.New("client has no registered keys")
	}
	for _, k := range c.jwks.Keys {
		if k.KeyID == keyID || (keyID == "" && len(c.jwks.Keys) == 1) {
			return &k, nil
		}
	}
	return nil, errors.New("key not registered for client")
}

// SigningKey picks the ID token key for the client being served (see
// withTokenClient); RS256 by default.
func (s *opStorage) SigningKey(ctx context.Context) (zop.SigningKey, error) {
	alg := jose.RS256
	if a, ok := ctx.Value(algKey{}).(jose.SignatureAlgorithm); ok {
		alg = a
	}
	return s.p.keys.current(ctx, alg)
}

func (s *opStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return algorithms, nil
}

func (s *opStorage) KeySet(ctx context.Context) ([]zop.Key, error) { return s.p.keys.public(ctx) }

type algKey struct{}
