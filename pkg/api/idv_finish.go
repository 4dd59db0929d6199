package api

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/journey"
)

// observeIDV reads the proofing session upstream and moves rec along.
func (s *Server) observeIDV(ctx context.Context, rec *session) error {
	res, err := s.verifier.IDVResult(ctx, rec.UpstreamID)
	if errors.Is(err, idv.ErrNotFound) {
		rec.Status, rec.Reason = StatusExpired, "the verification session no longer exists"
		return nil
	}
	if err != nil {
		return err
	}
	rec.CompletedAt = res.CompletedAt
	switch res.Status {
	case idv.StatusPending, idv.StatusInProgress:
		if s.overdue(*rec) {
			rec.Status, rec.Reason = StatusExpired, "the session expired"
		} else if res.Status == idv.StatusInProgress {
			rec.Status = StatusInProgress
		}
	case idv.StatusCompleted:
		return s.completeIDV(ctx, rec, res)
	case idv.StatusDeclined:
		rec.Status, rec.Reason = StatusDeclined, nonEmpty(res.Reason, "declined by the person")
	default:
		rec.Status, rec.Reason = StatusExpired, nonEmpty(res.Reason, "the session expired")
	}
	return nil
}

// completeIDV hands a completed proofing session to the journey core,
// which lands it on the person the caller named (or the document's owner,
// or a new person) by the same rules as a browser login, and records the
// outcome on rec.
func (s *Server) completeIDV(ctx context.Context, rec *session, res idv.IDVResult) error {
	rec.Verification = string(res.Verification)
	person, err := s.personOf(ctx, *rec)
	if err != nil {
		return err
	}
	u, err := s.journey.CompleteIDV(ctx, person, res)
	switch {
	case errors.Is(err, journey.ErrVerificationFailed):
		rec.Status, rec.Reason = StatusFailed, nonEmpty(res.Reason, "the verification failed")
		rec.Subject = person.Subject()
		return nil
	case errors.Is(err, journey.ErrDocumentTaken):
		rec.Status, rec.Reason = StatusFailed, "this document is already verified for another person"
		s.log.LogAttrs(ctx, slog.LevelWarn, "api idv document belongs to another user", slog.String("session_id", rec.ID))
		return nil
	case errors.Is(err, journey.ErrOtherDocument):
		rec.Status, rec.Reason = StatusFailed, "this person is verified with another document; a new document is accepted only after the person authenticates (sign in with a face check, then verify)"
		s.log.LogAttrs(ctx, slog.LevelWarn, "api idv refused: the person is verified with another document", slog.String("session_id", rec.ID))
		return nil
	case err != nil:
		return err
	}
	if rec.Subject != u.Subject {
		if err := s.indexSubject(ctx, u.Subject, sessionKey(rec.ID)); err != nil {
			return err
		}
	}
	rec.Subject = u.Subject
	rec.Status, rec.Reason = StatusCompleted, ""
	s.journey.Succeeded(ctx, u.Subject, s.originOf(*rec))
	return nil
}

// personOf is whom a session is about: the person the caller names by
// user_identifier now (an assertion of an authenticated caller), or
// nobody, with the identifier to link to whoever verifies.
func (s *Server) personOf(ctx context.Context, rec session) (journey.Person, error) {
	if rec.UserIdentifier == "" {
		return journey.Person{}, nil
	}
	return s.personFor(ctx, rec.Client, rec.UserIdentifier)
}

// originOf is where the person of a session is, as the caller told.
func (s *Server) originOf(rec session) journey.Origin {
	o := journey.Origin{Device: rec.DeviceID}
	if ip, err := netip.ParseAddr(rec.IP); err == nil {
		o.Where = s.journey.Locate(ip)
	}
	return o
}

// personFor is the person a caller names, for nodes that need one.
func (s *Server) personFor(ctx context.Context, client, identifier string) (journey.Person, error) {
	id, err := s.identifier(client, identifier)
	if err != nil {
		return journey.Person{}, err
	}
	return s.journey.Identify(ctx, journey.Claims{Identifier: id, IdentifierFrom: journey.FromCaller})
}

func nonEmpty(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
