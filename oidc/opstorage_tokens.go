package oidc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	zop "github.com/zitadel/oidc/v3/pkg/op"

	"github.com/idbridge/idbridge/pkg/storage"
)

// grant is what every token of one authentication carries unchanged:
// refresh keeps sub, acr, amr and auth_time as the login set them.
type grant struct {
	Subject   string    `json:"sub"`
	ClientID  string    `json:"client_id"`
	Scopes    []string  `json:"scopes"`
	AuthTime  time.Time `json:"auth_time"`
	ACR       string    `json:"acr,omitempty"`
	AMR       []string  `json:"amr,omitempty"`
	Claims    string    `json:"claims,omitempty"`
	AuthReqID string    `json:"authreq"`
}

type accessToken struct {
	grant
	ID        string    `json:"id"`
	IssuedAt  time.Time `json:"iat"`
	ExpiresAt time.Time `json:"exp"`
	RefreshID string    `json:"refresh_id,omitempty"`
}

type refreshToken struct {
	grant
	ID        string    `json:"id"`
	ExpiresAt time.Time `json:"exp"`
	AccessID  string    `json:"access_id"`
}

// refreshRequest is a redeemed refresh token as zitadel sees it.
type refreshRequest struct {
	refreshToken
	scopes []string
}

var _ zop.RefreshTokenRequest = (*refreshRequest)(nil)

func (r *refreshRequest) GetAMR() []string            { return r.AMR }
func (r *refreshRequest) GetAudience() []string       { return []string{r.ClientID} }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.AuthTime }
func (r *refreshRequest) GetClientID() string         { return r.ClientID }
func (r *refreshRequest) GetScopes() []string         { return r.scopes }
func (r *refreshRequest) GetSubject() string          { return r.Subject }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.scopes = s }

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func accessKey(id string) string { return "at:{" + id + "}" }

func refreshKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return "rt:{" + hex.EncodeToString(h[:]) + "}"
}

// grantKey indexes the tokens of one login (its grant), each until it
// expires, so that revoking or forgetting reaches them and rotation does
// not grow the index.
func grantKey(authReqID string) string { return "grant-index:{" + authReqID + "}" }

// legacyGrantKey is the set earlier versions kept that index in.
func legacyGrantKey(authReqID string) string { return "grant:{" + authReqID + "}" }

func grantOf(req zop.TokenRequest) grant {
	switch r := req.(type) {
	case *authRequest:
		return grant{Subject: r.Subject, ClientID: r.ClientID, Scopes: r.Scopes, AuthTime: r.AuthTime, ACR: r.ACR, AMR: r.AMR, Claims: r.Claims, AuthReqID: r.ID}
	case *refreshRequest:
		g := r.grant
		g.Scopes = r.scopes
		return g
	}
	return grant{Subject: req.GetSubject(), Scopes: req.GetScopes(), AuthTime: time.Now()}
}

func (s *opStorage) putAccess(ctx context.Context, g grant, refreshID string) (*accessToken, error) {
	now := s.p.now()
	at := &accessToken{grant: g, ID: randomToken(), IssuedAt: now, ExpiresAt: now.Add(s.p.cfg.Tokens.AccessToken), RefreshID: refreshID}
	raw, err := json.Marshal(at)
	if err != nil {
		return nil, err
	}
	if g.AuthReqID == "" {
		err = s.p.store.Set(ctx, accessKey(at.ID), raw, s.p.cfg.Tokens.AccessToken)
	} else {
		// The token and its entry in the grant's index go together.
		_, err = s.p.store.SetAndIndex(ctx, accessKey(at.ID), raw, s.p.cfg.Tokens.AccessToken, grantKey(g.AuthReqID), "at:"+at.ID, at.ExpiresAt, 0)
	}
	if err != nil {
		return nil, err
	}
	return at, nil
}

func (s *opStorage) CreateAccessToken(ctx context.Context, req zop.TokenRequest) (string, time.Time, error) {
	g := grantOf(req)
	at, err := s.putAccess(ctx, g, "")
	if err != nil {
		return "", time.Time{}, err
	}
	if err := s.p.checkGrantLive(ctx, g.AuthReqID, accessKey(at.ID)); err != nil {
		return "", time.Time{}, err
	}
	return at.ID, at.ExpiresAt, nil
}

// CreateAccessAndRefreshTokens issues an access token and a refresh token.
// With currentRefreshToken set it rotates: the old refresh token is taken
// atomically, so of two concurrent refreshes exactly one succeeds and the
// other is invalid_grant; the rotated token is remembered, so presenting
// it again later revokes its successors (TokenRequestByRefreshToken).
func (s *opStorage) CreateAccessAndRefreshTokens(ctx context.Context, req zop.TokenRequest, current string) (string, string, time.Time, error) {
	g := grantOf(req)
	if current != "" {
		raw, err := s.p.store.Take(ctx, refreshKey(current))
		if errors.Is(err, storage.ErrNotFound) {
			return "", "", time.Time{}, zoidc.ErrInvalidGrant().WithParent(zop.ErrInvalidRefreshToken).
				WithDescription("the refresh token was already used by a concurrent request; use the refresh token of the response that succeeded")
		}
		if err != nil {
			return "", "", time.Time{}, err
		}
		var old refreshToken
		if err := json.Unmarshal(raw, &old); err != nil {
			return "", "", time.Time{}, err
		}
		s.p.rememberRotated(ctx, current, old)
		_ = s.p.store.Delete(ctx, accessKey(old.AccessID))
		scopes := g.Scopes
		g = old.grant
		g.Scopes = scopes
	}
	newRefresh := randomToken()
	at, err := s.putAccess(ctx, g, refreshKey(newRefresh))
	if err != nil {
		return "", "", time.Time{}, err
	}
	rt := refreshToken{grant: g, ID: refreshKey(newRefresh), ExpiresAt: s.p.now().Add(s.p.cfg.Tokens.RefreshToken), AccessID: at.ID}
	raw, err := json.Marshal(rt)
	if err != nil {
		return "", "", time.Time{}, err
	}
	if g.AuthReqID == "" {
		err = s.p.store.Set(ctx, refreshKey(newRefresh), raw, s.p.cfg.Tokens.RefreshToken)
	} else {
		_, err = s.p.store.SetAndIndex(ctx, refreshKey(newRefresh), raw, s.p.cfg.Tokens.RefreshToken, grantKey(g.AuthReqID), "rt:"+rt.ID, rt.ExpiresAt, 0)
	}
	if err != nil {
		return "", "", time.Time{}, err
	}
	if err := s.p.checkGrantLive(ctx, g.AuthReqID, accessKey(at.ID), refreshKey(newRefresh)); err != nil {
		return "", "", time.Time{}, err
	}
	return at.ID, newRefresh, at.ExpiresAt, nil
}

func (s *opStorage) loadRefresh(ctx context.Context, token string) (*refreshToken, error) {
	raw, err := s.p.store.Get(ctx, refreshKey(token))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, zop.ErrInvalidRefreshToken
	}
	if err != nil {
		return nil, err
	}
	var rt refreshToken
	if err := json.Unmarshal(raw, &rt); err != nil {
		return nil, err
	}
	return &rt, nil
}

// TokenRequestByRefreshToken reads a refresh token for the refresh_token
// grant. A token that was already rotated is a replay (RFC 9700 4.14.2):
// everything issued for its grant is revoked.
func (s *opStorage) TokenRequestByRefreshToken(ctx context.Context, token string) (zop.RefreshTokenRequest, error) {
	rt, err := s.loadRefresh(ctx, token)
	if errors.Is(err, zop.ErrInvalidRefreshToken) {
		s.p.revokeIfRotated(ctx, token)
	}
	if err != nil {
		return nil, err
	}
	return &refreshRequest{refreshToken: *rt, scopes: rt.Scopes}, nil
}

func (s *opStorage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	rt, err := s.loadRefresh(ctx, token)
	if err != nil || rt.ClientID != clientID {
		return "", "", zop.ErrInvalidRefreshToken
	}
	return rt.Subject, rt.ID, nil
}

func (s *opStorage) loadAccess(ctx context.Context, id string) (*accessToken, error) {
	raw, err := s.p.store.Get(ctx, accessKey(id))
	if err != nil {
		return nil, err
	}
	var at accessToken
	if err := json.Unmarshal(raw, &at); err != nil {
		return nil, err
	}
	return &at, nil
}

// RevokeToken revokes an access token (by id) or a refresh token (by value
// or id) of clientID (RFC 7009: unknown tokens are not an error).
func (s *opStorage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *zoidc.Error {
	if at, err := s.loadAccess(ctx, tokenOrID); err == nil {
		if at.ClientID != clientID {
			return zoidc.ErrInvalidClient().WithDescription("the token was issued to another client")
		}
		_ = s.p.store.Delete(ctx, accessKey(at.ID))
		return nil
	}
	key := tokenOrID
	if !isRefreshKey(key) {
		key = refreshKey(tokenOrID)
	}
	raw, err := s.p.store.Get(ctx, key)
	if err != nil {
		return nil
	}
	var rt refreshToken
	if json.Unmarshal(raw, &rt) == nil && rt.ClientID != clientID {
		return zoidc.ErrInvalidClient().WithDescription("the token was issued to another client")
	}
	_ = s.p.store.Delete(ctx, key, accessKey(rt.AccessID))
	return nil
}

func isRefreshKey(s string) bool { return len(s) > 4 && s[:4] == "rt:{" }

// deleteGrant deletes the tokens of one authorization request and their
// index.
func (p *Provider) deleteGrant(ctx context.Context, authReqID string) error {
	members, err := p.store.IndexMembers(ctx, grantKey(authReqID))
	if err != nil {
		return err
	}
	legacy, err := p.store.SetMembers(ctx, legacyGrantKey(authReqID))
	if err != nil {
		return err
	}
	members = append(members, legacy...)
	keys := []string{grantKey(authReqID), legacyGrantKey(authReqID)}
	for _, m := range members {
		switch {
		case len(m) > 3 && m[:3] == "at:":
			keys = append(keys, accessKey(m[3:]))
		case len(m) > 3 && m[:3] == "rt:":
			keys = append(keys, m[3:])
		}
	}
	return p.store.Delete(ctx, keys...)
}

// TerminateSession ends every browser session of userID. zitadel's
// end_session would call it; idbridge serves end_session itself and ends
// only the requesting browser's session (endSession).
func (s *opStorage) TerminateSession(ctx context.Context, userID, clientID string) error {
	return s.p.endSessions(ctx, userID)
}

// endSessions deletes every SSO session of sub.
func (p *Provider) endSessions(ctx context.Context, sub string) error {
	sids, err := p.store.IndexMembers(ctx, userSessionsKey(sub))
	if err != nil {
		return err
	}
	legacy, err := p.store.SetMembers(ctx, legacySessionsKey(sub))
	if err != nil {
		return err
	}
	sids = append(sids, legacy...)
	keys := []string{userSessionsKey(sub), legacySessionsKey(sub)}
	for _, sid := range sids {
		keys = append(keys, ssoKey(sid))
	}
	return p.store.Delete(ctx, keys...)
}
