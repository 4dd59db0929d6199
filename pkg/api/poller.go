package api

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// pollerLeaseTTL is how long one replica's poll pass may hold the poller
// lease; a replica that dies holding it delays polling this long at most.
func (s *Server) pollerLeaseTTL() time.Duration {
	return max(30*time.Second, 5*s.cfg.PollInterval)
}

// pollOnce asks the verifier about every pending session created through
// the API and finishes those that ended. Any replica may run it; the
// lease makes one pass run at a time, and each session is finished under
// its own lease as well.
func (s *Server) pollOnce(ctx context.Context) error {
	token, err := s.st.Lock(ctx, pollerLease, s.pollerLeaseTTL())
	if errors.Is(err, storage.ErrExists) {
		return nil
	}
	if err != nil {
		return err
	}
	defer func() { _ = s.st.Unlock(context.WithoutCancel(ctx), pollerLease, token) }()
	ids, err := s.st.SetMembers(ctx, pendingSet)
	if err != nil {
		return err
	}
	failed := 0
	var last error
	for _, id := range ids {
		if ctx.Err() != nil {
			return nil
		}
		var rec session
		err := s.getRecord(ctx, sessionKey(id), &rec)
		if errors.Is(err, errNoRecord) {
			_ = s.st.SetRemove(ctx, pendingSet, id) // expired or erased
			continue
		}
		if err == nil {
			_, err = s.refresh(ctx, rec)
		}
		if err != nil {
			failed++
			last = err
		}
	}
	if failed > 0 {
		s.log.Warn("api poll pass incomplete", slog.Int("failed", failed), slog.Int("pending", len(ids)), slog.String("error", last.Error()))
	}
	return nil
}
