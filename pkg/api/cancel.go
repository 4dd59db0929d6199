package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/storage"
)

// cancelIDVSession serves POST /v1/idv/sessions/{id}/cancel: the person
// left the caller's flow (a Cancel button in a Descope screen).
func (s *Server) cancelIDVSession(ctx context.Context, req *request) (int, any, error) {
	rec, err := s.cancelOwn(ctx, req, kindIDV)
	if err != nil {
		return 0, nil, err
	}
	v, err := s.idvView(ctx, rec)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, v, nil
}

// cancelChallenge serves POST /v1/stepup/challenges/{id}/cancel.
func (s *Server) cancelChallenge(ctx context.Context, req *request) (int, any, error) {
	rec, err := s.cancelOwn(ctx, req, kindStepUp)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, challengeView(rec), nil
}

// cancelOwn ends the caller's unfinished record of kind as cancelled,
// under the session's lease (so a poll finishing it at the same time
// cannot interleave), cancels it upstream where the verifier can, and
// queues its event like any other end. The verifier is asked first: a
// session that has already ended upstream keeps its real outcome.
// Cancelling a cancelled record again answers it as it is (a retried call
// is harmless); any other ended record is ErrEnded.
func (s *Server) cancelOwn(ctx context.Context, req *request, kind string) (session, error) {
	rec, err := s.loadOwn(ctx, req.client.ID, kind, req.PathValue("id"))
	if err != nil {
		return rec, err
	}
	if rec = s.refreshForRead(ctx, rec); terminal(rec.Status) {
		return s.ended(rec)
	}
	token, err := s.st.Lock(ctx, sessionLockKey(rec.ID), sessionLockTTL)
	if errors.Is(err, storage.ErrExists) {
		return rec, ErrUnavailable.With("the session is being updated; retry the cancel")
	}
	if err != nil {
		return rec, err
	}
	defer func() { _ = s.st.Unlock(context.WithoutCancel(ctx), sessionLockKey(rec.ID), token) }()
	if err := s.getRecord(ctx, sessionKey(rec.ID), &rec); err != nil {
		return rec, err
	}
	if terminal(rec.Status) {
		return s.ended(rec)
	}
	rec.Status, rec.Reason, rec.CompletedAt = StatusCancelled, "cancelled by the caller", s.now()
	if rec.Kind == kindStepUp {
		rec.MatchResult = NoMatch
	}
	s.cancelUpstream(ctx, rec)
	if err := s.saveSession(ctx, rec); err != nil {
		return rec, err
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "api session cancelled", slog.String("client", rec.Client), slog.String("session_id", rec.ID))
	if err := s.notify(ctx, rec); err != nil {
		// The poller finishes the notification: the record is terminal
		// and still on its list.
		s.log.LogAttrs(ctx, slog.LevelWarn, "api cancel event not queued", slog.String("session_id", rec.ID), slog.String("error", err.Error()))
		return rec, nil
	}
	rec.Notified = true
	if err := s.saveSession(ctx, rec); err != nil {
		return rec, err
	}
	return rec, s.st.SetRemove(ctx, pendingSet, rec.ID)
}

// ended answers a cancel of a record that already ended.
func (s *Server) ended(rec session) (session, error) {
	if rec.Status == StatusCancelled {
		return rec, nil
	}
	return rec, ErrEnded.With("the session already ended with status " + rec.Status + "; there is nothing to cancel")
}

// cancelUpstream cancels the 1Kosmos session where the verifier can
// (idv.Canceller). 1Kosmos documents no cancel call, so with the 1Kosmos
// client the session is left to expire: its outcome no longer changes the
// cancelled record.
func (s *Server) cancelUpstream(ctx context.Context, rec session) {
	if _, err := idv.Cancel(ctx, s.verifier, rec.Kind == kindStepUp, rec.UpstreamID); err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "api upstream cancel failed", slog.String("session_id", rec.ID), slog.String("error", err.Error()))
	}
}
