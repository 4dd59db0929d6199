package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/idbridge/idbridge/pkg/storage"
)

// A grant (every token of one authentication) is revoked when its code or
// one of its rotated refresh tokens is presented again. Revocation first
// marks the grant, then deletes the tokens listed in its set; a token
// request that stores tokens checks the mark after storing them and
// deletes its own tokens if it finds it. Whichever of the two runs first,
// no token of a revoked grant survives both.

// errGrantRevoked is the parent of the invalid_grant answered when tokens
// were issued for a grant that was revoked meanwhile.
var errGrantRevoked = errors.New("oidc: the grant was revoked while its tokens were issued")

func grantRevokedKey(authReqID string) string { return "grant-revoked:{" + authReqID + "}" }

// rotatedKey remembers a refresh token after rotation, under its hash.
func rotatedKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return "rt-rotated:{" + hex.EncodeToString(h[:]) + "}"
}

// revokedMarkLifetime is how long a revocation is remembered: as long as
// a token of any client's grant can live.
func (p *Provider) revokedMarkLifetime() time.Duration {
	return max(p.cfg.Tokens.RefreshToken, p.cfg.Tokens.AccessToken, p.cfg.Tokens.Code)
}

// revokeGrant revokes every token issued for one authorization request,
// those stored after it included.
func (p *Provider) revokeGrant(ctx context.Context, authReqID string) {
	if err := p.store.Set(ctx, grantRevokedKey(authReqID), []byte{1}, p.revokedMarkLifetime()); err != nil {
		p.log.ErrorContext(ctx, "revoking a grant: marking it", "error", err)
	}
	if err := p.deleteGrant(ctx, authReqID); err != nil {
		p.log.ErrorContext(ctx, "revoking a grant", "error", err)
	}
}

// checkGrantLive runs after tokens of a grant were stored under keys: if
// the grant was revoked meanwhile, it deletes them and answers
// invalid_grant. Tokens without a grant (authReqID "") are not checked.
func (p *Provider) checkGrantLive(ctx context.Context, authReqID string, keys ...string) error {
	if authReqID == "" {
		return nil
	}
	_, err := p.store.Get(ctx, grantRevokedKey(authReqID))
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := p.store.Delete(context.WithoutCancel(ctx), keys...); err != nil {
		p.log.ErrorContext(ctx, "deleting tokens of a revoked grant", "error", err)
	}
	return zoidc.ErrInvalidGrant().WithParent(errGrantRevoked).
		WithDescription("the code or refresh token was presented twice, so every token issued for it is revoked; start a new login")
}

// refreshReuseInterval is how long after its rotation a refresh token is
// only refused, not taken for a replay: long enough for the client's own
// concurrent requests with the same token (a retry, two tabs) to finish.
const refreshReuseInterval = 5 * time.Second

// rotation is what is remembered of a rotated refresh token.
type rotation struct {
	AuthReqID string    `json:"authreq"`
	At        time.Time `json:"at"`
}

// rememberRotated records that token was rotated, for as long as it
// would have lived, so that presenting it again is recognised.
func (p *Provider) rememberRotated(ctx context.Context, token string, old refreshToken) {
	if old.AuthReqID == "" {
		return
	}
	raw, _ := json.Marshal(rotation{AuthReqID: old.AuthReqID, At: p.now()})
	ttl := max(old.ExpiresAt.Sub(p.now()), time.Minute)
	if err := p.store.Set(ctx, rotatedKey(token), raw, ttl); err != nil {
		p.log.WarnContext(ctx, "remembering a rotated refresh token", "error", err)
	}
}

// revokeIfRotated revokes the grant of a refresh token presented again
// after it was rotated (RFC 9700 4.14.2): one of its holders is not the
// client. Within refreshReuseInterval of the rotation the token is only
// refused.
func (p *Provider) revokeIfRotated(ctx context.Context, token string) {
	raw, err := p.store.Get(ctx, rotatedKey(token))
	if err != nil {
		return
	}
	var rot rotation
	if json.Unmarshal(raw, &rot) != nil || rot.AuthReqID == "" || p.now().Sub(rot.At) < refreshReuseInterval {
		return
	}
	p.revokeGrant(ctx, rot.AuthReqID)
	p.audit.Alert(ctx, "oauth.refresh_token_replayed", slog.String("auth_request", rot.AuthReqID))
}
