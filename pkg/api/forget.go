package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/idbridge/idbridge/pkg/users"
)

// forgetUser serves POST /v1/users/{user_identifier}/forget: erasure of
// the person the caller knows by user_identifier (clients with
// allow_forget only).
func (s *Server) forgetUser(ctx context.Context, req *request) (int, any, error) {
	if !req.client.AllowForget {
		return 0, nil, ErrForbidden.With("this API client may not erase users (api.clients[].allow_forget)")
	}
	ident := req.PathValue("user_identifier")
	if err := checkIdentifier(ident, true); err != nil {
		return 0, nil, err
	}
	u, err := s.users.FindByIdentifier(ctx, ident)
	if errors.Is(err, users.ErrNotFound) {
		return 0, nil, ErrUnknownUser
	}
	if err != nil {
		return 0, nil, err
	}
	if err := s.Forget(ctx, u.Subject); err != nil {
		return 0, nil, err
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "audit", slog.String("audit", "users.forget"),
		slog.String("sub", u.Subject), slog.String("client", req.client.ID), slog.String("via", "api"))
	return http.StatusOK, map[string]any{"forgotten": true, "sub": u.Subject}, nil
}

// Forget erases the person sub: the API's session records and stored
// events about them (queued webhooks not yet delivered are then dropped
// by the deliverer), then the user record. The caller writes the audit
// line; `idbridge users forget` calls this too.
func (s *Server) Forget(ctx context.Context, sub string) error {
	keys, err := s.st.SetMembers(ctx, subjectIndexKey(sub))
	if err != nil {
		return err
	}
	if err := s.st.Delete(ctx, append(keys, subjectIndexKey(sub))...); err != nil {
		return err
	}
	err = s.users.Forget(ctx, sub)
	if errors.Is(err, users.ErrNotFound) {
		return nil
	}
	return err
}
