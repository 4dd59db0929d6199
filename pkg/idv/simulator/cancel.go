package simulator

import (
	"context"
	"errors"

	"github.com/idbridge/idbridge/pkg/idv"
)

// The in-process verifier can cancel sessions (simulator-only: 1Kosmos
// documents no cancel call, and the simulator's wire API offers none, so
// the 1Kosmos client pointed at the simulator cannot either). A cancelled
// session ends as ABANDONED, and its hosted page stops accepting input.

var _ idv.Canceller = (*Simulator)(nil)

// CancelIDV ends an active proofing session (simulator-only). A session
// that already ended is left as it is; idv.ErrNotFound for an unknown id.
func (s *Simulator) CancelIDV(ctx context.Context, sessionID string) error {
	return s.cancel(sessionID)
}

// CancelLiveID ends an active authenticator session (simulator-only), like
// CancelIDV.
func (s *Simulator) CancelLiveID(ctx context.Context, challengeID string) error {
	return s.cancel(challengeID)
}

func (s *Simulator) cancel(id string) error {
	err := s.endAny(id, stateAbandoned, "cancelled at the relying party")
	if errors.Is(err, ErrFinished) {
		return nil
	}
	return notFound(err)
}
