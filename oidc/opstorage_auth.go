package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

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

// AuthRequestByCode redeems a code exactly once, across replicas. A code
// presented again revokes every token the first redemption issued
// (RFC 6749 section 4.1.2).
func (s *opStorage) AuthRequestByCode(ctx context.Context, code string) (zop.AuthRequest, error) {
	id, err := s.p.store.Take(ctx, codeKey(code))
	if errors.Is(err, storage.ErrNotFound) {
		if first, uerr := s.p.store.Get(ctx, usedCodeKey(code)); uerr == nil {
			s.p.revokeGrant(ctx, string(first))
			s.p.log.WarnContext(ctx, "authorization code replayed; tokens issued for it revoked")
			return nil, errors.New("authorization code already used")
		}
		return nil, errors.New("authorization code unknown or expired")
	}
	if err != nil {
		return nil, err
	}
	// Remember the redemption long enough to catch a replay of the code.
	if err := s.p.store.Set(ctx, usedCodeKey(code), id, s.p.cfg.Tokens.AuthRequest); err != nil {
		return nil, err
	}
	a, err := s.p.loadAuthRequest(ctx, string(id))
	if err != nil {
		return nil, err
	}
	if !a.IsDone {
		return nil, fmt.Errorf("authorization request %s is not complete", a.ID)
	}
	return a, nil
}

// SaveAuthCode is not used: idbridge issues codes itself (issueCode).
func (s *opStorage) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.p.store.Set(ctx, codeKey(code), []byte(id), s.p.cfg.Tokens.Code)
}

func (s *opStorage) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.p.store.Delete(ctx, authRequestKey(id))
}

func (s *opStorage) Health(ctx context.Context) error { return s.p.store.Ping(ctx) }
