package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	zop "github.com/zitadel/oidc/v3/pkg/op"

	"github.com/idbridge/idbridge/pkg/storage"
)

// opStorage is what zitadel's token, userinfo, introspection, revocation
// and end_session endpoints read and write. The authorize side is
// idbridge's own (authorize.go, login_*.go).
type opStorage struct{ p *Provider }

var (
	_ zop.Storage                   = (*opStorage)(nil)
	_ zop.CanSetUserinfoFromRequest = (*opStorage)(nil)
)

// CreateAuthRequest is not used: idbridge's own authorize endpoint stores
// requests. It exists to satisfy zitadel's interface.
func (s *opStorage) CreateAuthRequest(context.Context, *zoidc.AuthRequest, string) (zop.AuthRequest, error) {
	return nil, errors.New("oidc: auth requests are created by idbridge's authorize endpoint")
}

func (s *opStorage) AuthRequestByID(ctx context.Context, id string) (zop.AuthRequest, error) {
	return s.p.loadAuthRequest(ctx, id)
}

func codeKey(code string) string {
	h := sha256.Sum256([]byte(code))
	return "code:{" + hex.EncodeToString(h[:]) + "}"
}

func usedCodeKey(code string) string {
	h := sha256.Sum256([]byte(code))
	return "code-used:{" + hex.EncodeToString(h[:]) + "}"
}

// errCodeInvalid: the code is unknown, expired, already used or belongs
// to an unfinished login.
var errCodeInvalid = errors.New("authorization code unknown, expired or already used")

// AuthRequestByCode is zitadel's name for redeemCode.
func (s *opStorage) AuthRequestByCode(ctx context.Context, code string) (zop.AuthRequest, error) {
	return s.p.redeemCode(ctx, code)
}

// redeemCode takes a code exactly once, across replicas, in one storage
// call. A code presented again revokes every token the first redemption
// issued (RFC 6749 section 4.1.2). Errors other than errCodeInvalid are
// storage failures.
func (p *Provider) redeemCode(ctx context.Context, code string) (*authRequest, error) {
	// The used code is remembered as long as the request could have lived,
	// to catch a replay.
	raw, first, err := p.store.Consume(ctx, codeKey(code), p.cfg.Tokens.AuthRequest)
	if errors.Is(err, storage.ErrNotFound) {
		// A code redeemed by an earlier version left this marker instead.
		if id, uerr := p.store.Get(ctx, usedCodeKey(code)); uerr == nil {
			p.replayed(ctx, string(id))
		}
		return nil, errCodeInvalid
	}
	if err != nil {
		return nil, err
	}
	// A code holds its grant (codeGrant); one issued by an earlier
	// version holds only the request's id.
	var g codeGrant
	legacy := len(raw) == 0 || raw[0] != '{'
	if legacy {
		g.ID = string(raw)
	} else if err := json.Unmarshal(raw, &g); err != nil || g.ID == "" {
		return nil, fmt.Errorf("oidc: stored code unreadable: %v", err)
	}
	if !first {
		p.replayed(ctx, g.ID)
		return nil, errCodeInvalid
	}
	if !legacy {
		return g.authRequest(), nil
	}
	a, err := p.loadAuthRequest(ctx, g.ID)
	if errors.Is(err, errAuthRequestGone) {
		return nil, errCodeInvalid
	}
	if err != nil {
		return nil, err
	}
	if !a.IsDone {
		return nil, fmt.Errorf("%w: authorization request %s is not complete", errCodeInvalid, a.ID)
	}
	_ = p.store.Delete(ctx, authRequestKey(a.ID))
	return a, nil
}

// replayed revokes every token issued for the request whose code was
// presented again.
func (p *Provider) replayed(ctx context.Context, authReqID string) {
	p.revokeGrant(ctx, authReqID)
	p.audit.Alert(ctx, "oauth.code_replayed", slog.String("auth_request", authReqID))
}

// SaveAuthCode is not used: idbridge issues codes itself (issueCode).
func (s *opStorage) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.p.store.Set(ctx, codeKey(code), []byte(id), s.p.cfg.Tokens.Code)
}

func (s *opStorage) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.p.store.Delete(ctx, authRequestKey(id))
}

func (s *opStorage) Health(ctx context.Context) error { return s.p.store.Ping(ctx) }
