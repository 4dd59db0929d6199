package oidc

import (
	"context"
	"strings"
	"time"

	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/storage"
)

// userGrantsKey indexes what the provider issued for a person: one member
// per finished login, naming its grant (the tokens it yields) and its
// code, kept until the last of them expires.
func userGrantsKey(sub string) string { return "user-grants:{" + sub + "}" }

func grantMember(authReqID, code string) string { return authReqID + " " + codeKey(code) }

// maxGrants bounds the live grants of one person; beyond it the oldest is
// revoked.
const maxGrants = 1000

// grantLifetime is how long the codes and tokens of one login of client
// can live: the refresh token's lifetime only for clients that get one.
func (p *Provider) grantLifetime(cl *client) time.Duration {
	life := p.cfg.Tokens.AccessToken
	if cl != nil && cl.cfg.RefreshTokens {
		life = max(life, p.cfg.Tokens.RefreshToken)
	}
	return max(life, p.cfg.Tokens.Code)
}

// revokeEvicted ends the grants an index bound pushed out.
func (p *Provider) revokeEvicted(ctx context.Context, members []string) {
	for _, m := range members {
		authReqID, code, _ := strings.Cut(m, " ")
		p.revokeGrant(ctx, authReqID)
		if code != "" {
			_ = p.store.Delete(ctx, code)
		}
	}
}

var _ journey.Eraser = (*Provider)(nil)

// ForgetSubject deletes everything the provider holds about sub: its SSO
// sessions, unredeemed codes, and every access and refresh token of every
// grant, so a token of the person is refused the moment it returns.
func (p *Provider) ForgetSubject(ctx context.Context, sub string) error {
	members, err := p.store.IndexMembers(ctx, userGrantsKey(sub))
	if err != nil {
		return err
	}
	for _, m := range members {
		authReqID, code, _ := strings.Cut(m, " ")
		if err := p.deleteGrant(ctx, authReqID); err != nil {
			return err
		}
		if code != "" {
			if err := p.store.Delete(ctx, code); err != nil {
				return err
			}
		}
	}
	if err := p.endSessions(ctx, sub); err != nil {
		return err
	}
	return p.store.Delete(ctx, userGrantsKey(sub))
}

// Keyspaces are the records the provider owns. ForgetSubject erases the
// personal ones, except those that only live for the minutes of a login.
var Keyspaces = []storage.Keyspace{
	{Prefix: "authreq:", Owner: "oidc", Personal: true,
		Transient: "a login in flight, at most tokens.auth_request; it cannot finish once the person record is gone"},
	{Prefix: "par:", Owner: "oidc", Personal: true,
		Transient: "a pushed request (its login_hint), single-use, 60 seconds"},
	{Prefix: "code:", Owner: "oidc", Personal: true},
	{Prefix: "code-used:", Owner: "oidc"},
	{Prefix: "at:", Owner: "oidc", Personal: true},
	{Prefix: "rt:", Owner: "oidc", Personal: true},
	{Prefix: "grant-index:", Owner: "oidc"},
	{Prefix: "grant:", Owner: "oidc"},
	{Prefix: "user-grants:", Owner: "oidc", Personal: true},
	{Prefix: "sso:", Owner: "oidc", Personal: true},
	{Prefix: "sso-index:", Owner: "oidc", Personal: true},
	{Prefix: "user-sessions:", Owner: "oidc", Personal: true},
	{Prefix: "jti:", Owner: "oidc"},
	{Prefix: "jar:", Owner: "oidc"},
	{Prefix: "grant-revoked:", Owner: "oidc"},
	{Prefix: "rt-rotated:", Owner: "oidc"},
	{Prefix: "signing-keys", Owner: "oidc"},
	{Prefix: "browser-session:", Owner: "oidc"},
	{Prefix: "handoff:", Owner: "oidc"},
}
