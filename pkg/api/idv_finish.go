package api

import (
	"context"
	"errors"
	"log/slog"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/users"
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

// completeIDV records a completed proofing session on the person: found by
// user_identifier, else by the verified document, else created. A
// document that already belongs to someone else fails the session.
func (s *Server) completeIDV(ctx context.Context, rec *session, res idv.IDVResult) error {
	rec.Verification = string(res.Verification)
	if res.Verification != idv.Passed {
		rec.Status, rec.Reason = StatusFailed, nonEmpty(res.Reason, "the verification failed")
		if rec.UserIdentifier == "" {
			return nil
		}
		u, err := s.users.FindByIdentifier(ctx, rec.UserIdentifier)
		if errors.Is(err, users.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		rec.Subject = u.Subject
		return s.users.RecordVerification(ctx, u.Subject, res)
	}
	u, created, err := s.resolveUser(ctx, rec.UserIdentifier, res.Document)
	if err != nil {
		return err
	}
	u, err = s.users.RecordVerificationOn(ctx, u, created, res)
	if errors.Is(err, users.ErrDocumentTaken) {
		rec.Status, rec.Reason = StatusFailed, "this document is already verified for another person"
		s.log.LogAttrs(ctx, slog.LevelWarn, "api idv document belongs to another user", slog.String("session_id", rec.ID))
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.users.AddIdentifier(ctx, u.Subject, rec.UserIdentifier); err != nil {
		return err
	}
	if rec.Subject == "" {
		rec.Subject = u.Subject
		if err := s.indexSubject(ctx, u.Subject, sessionKey(rec.ID)); err != nil {
			return err
		}
	}
	rec.Subject = u.Subject
	rec.Status, rec.Reason = StatusCompleted, ""
	return nil
}

// resolveUser finds the person a verification belongs to, or creates one
// (created reports that).
func (s *Server) resolveUser(ctx context.Context, identifier string, doc *idv.Document) (u *users.User, created bool, err error) {
	if identifier != "" {
		u, err := s.users.FindByIdentifier(ctx, identifier)
		if !errors.Is(err, users.ErrNotFound) {
			return u, false, err
		}
	}
	return s.users.PersonFor(ctx, doc)
}

func nonEmpty(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
