package api

import (
	"context"
	"net/http"

	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/storage"
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
	person, err := s.personFor(ctx, req.client.ID, ident)
	if err != nil {
		return 0, nil, err
	}
	if person.User == nil {
		return 0, nil, ErrUnknownUser
	}
	sub := person.User.Subject
	if err := s.journey.Forget(ctx, sub, "api:"+req.client.ID); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"forgotten": true, "sub": sub}, nil
}

var _ journey.Eraser = (*Server)(nil)

// ForgetSubject deletes the API's records about sub: session records and
// stored events (queued webhooks not yet delivered are then dropped by the
// deliverer). The journey core's Forget calls it, for the API and the CLI
// alike.
func (s *Server) ForgetSubject(ctx context.Context, sub string) error {
	keys, err := s.st.IndexMembers(ctx, subjectIndexKey(sub))
	if err != nil {
		return err
	}
	legacy, err := s.st.SetMembers(ctx, legacySubjectKey(sub))
	if err != nil {
		return err
	}
	return s.st.Delete(ctx, append(append(keys, legacy...), subjectIndexKey(sub), legacySubjectKey(sub))...)
}

// Keyspaces are the records the connector API owns. ForgetSubject erases
// the personal ones through the subject index, except raw hook bodies.
var Keyspaces = []storage.Keyspace{
	{Prefix: "api:session:", Owner: "api", Personal: true},
	{Prefix: "api:person:", Owner: "api", Personal: true},
	{Prefix: "api:subject:", Owner: "api", Personal: true},
	{Prefix: "api:event:", Owner: "api", Personal: true},
	{Prefix: "api:eventbody:", Owner: "api", Personal: true},
	{Prefix: "api:delivered:", Owner: "api"},
	{Prefix: "api:delivery:", Owner: "api"},
	{Prefix: "api:dead", Owner: "api"},
	{Prefix: "api:hook:", Owner: "api", Personal: true,
		Transient: "raw Descope events for audit, sealed, kept api.hooks.raw_ttl; they name people only by Descope's own identifiers"},
	{Prefix: "api:hookseen:", Owner: "api"},
	{Prefix: "api:idem:", Owner: "api"},
	{Prefix: "api:lock:", Owner: "api"},
	{Prefix: "api:outbox", Owner: "api"},
	{Prefix: "api:pending", Owner: "api"},
}
