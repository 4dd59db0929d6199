package api

import (
	"context"
	"errors"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// sessionLockTTL bounds how long one replica may hold a session while it
// asks the verifier and records the outcome.
const sessionLockTTL = 30 * time.Second

// expiryGrace is how long after its expiry a session the verifier still
// calls pending is given up.
const expiryGrace = time.Minute

// refresh brings an unfinished record up to date with the verifier. A
// record that reaches a terminal state is finished exactly once across
// replicas (under the session's lease): the user record is updated, the
// outbound event is queued and the record leaves the poller's list. When
// another replica holds the lease, the record is returned as it was.
func (s *Server) refresh(ctx context.Context, rec session) (session, error) {
	if terminal(rec.Status) && rec.Notified {
		return rec, nil
	}
	token, err := s.st.Lock(ctx, sessionLockKey(rec.ID), sessionLockTTL)
	if errors.Is(err, storage.ErrExists) {
		return rec, nil
	}
	if err != nil {
		return rec, err
	}
	defer func() { _ = s.st.Unlock(context.WithoutCancel(ctx), sessionLockKey(rec.ID), token) }()
	if err := s.getRecord(ctx, sessionKey(rec.ID), &rec); err != nil {
		return rec, err
	}
	if !terminal(rec.Status) {
		before := rec.Status
		var err error
		switch rec.Kind {
		case kindIDV:
			err = s.observeIDV(ctx, &rec)
		case kindStepUp:
			err = s.observeChallenge(ctx, &rec)
		}
		if err != nil {
			return rec, err
		}
		if rec.Status == before {
			return rec, nil
		}
		if terminal(rec.Status) && rec.CompletedAt.IsZero() {
			rec.CompletedAt = s.now()
		}
		if err := s.saveSession(ctx, rec); err != nil {
			return rec, err
		}
		if !terminal(rec.Status) {
			return rec, nil
		}
	}
	if err := s.notify(ctx, rec); err != nil {
		return rec, err
	}
	rec.Notified = true
	if err := s.saveSession(ctx, rec); err != nil {
		return rec, err
	}
	return rec, s.st.SetRemove(ctx, pendingSet, rec.ID)
}

// overdue reports whether a session still pending upstream is past its
// expiry.
func (s *Server) overdue(rec session) bool {
	return !rec.ExpiresAt.IsZero() && s.now().After(rec.ExpiresAt.Add(expiryGrace))
}
