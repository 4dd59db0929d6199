package idvtest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

func startLiveID(t *testing.T, h Harness, user, ref string) idv.Session {
	t.Helper()
	s, err := h.Verifier.StartLiveID(context.Background(), idv.LiveIDRequest{UserRef: user, FaceRef: ref})
	require.NoError(t, err)
	require.NotEmpty(t, s.ID)
	require.NotEmpty(t, s.URL)
	return s
}

func liveResult(t *testing.T, h Harness, id string) idv.LiveIDResult {
	t.Helper()
	r, err := h.Verifier.LiveIDResult(context.Background(), id)
	require.NoError(t, err)
	require.Equal(t, id, r.ChallengeID)
	return r
}

func runLiveID(t *testing.T, h Harness) {
	user, ref, selfie := enroll(t, h)

	t.Run("start is pending", func(t *testing.T) {
		s := startLiveID(t, h, user, ref)
		r := liveResult(t, h, s.ID)
		assert.Equal(t, idv.StatusPending, r.Status)
		assert.Equal(t, idv.NotPerformed, r.FaceMatch)
	})

	t.Run("opening the page is in progress", func(t *testing.T) {
		if h.OpenPage == nil {
			t.Skip("harness cannot open pages")
		}
		s := startLiveID(t, h, user, ref)
		h.OpenPage(t, s.URL)
		assert.Equal(t, idv.StatusInProgress, liveResult(t, h, s.ID).Status)
	})

	tests := []struct {
		name      string
		opt       simulator.LiveIDOptions
		liveness  idv.Outcome
		match     idv.Outcome
		minConf   float64
		maxConf   float64
		hasReason bool
	}{
		{name: "enrolled face matches", opt: simulator.LiveIDOptions{Match: true}, liveness: idv.Passed, match: idv.Passed, minConf: 0.5, maxConf: 1},
		{name: "same selfie uploaded matches", opt: simulator.LiveIDOptions{Selfie: selfie}, liveness: idv.Passed, match: idv.Passed, minConf: 0.5, maxConf: 1},
		{name: "another face does not match", opt: simulator.LiveIDOptions{Match: false}, liveness: idv.Passed, match: idv.Failed, maxConf: 0.5, hasReason: true},
		{name: "another uploaded selfie does not match", opt: simulator.LiveIDOptions{Selfie: NewFace(t)}, liveness: idv.Passed, match: idv.Failed, maxConf: 0.5, hasReason: true},
		{name: "spoof fails liveness", opt: simulator.LiveIDOptions{Selfie: fixture(t, spoof).Selfie}, liveness: idv.Failed, match: idv.Failed, maxConf: 0.5, hasReason: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startLiveID(t, h, user, ref)
			h.CompleteLiveID(t, s.ID, tt.opt)
			r := liveResult(t, h, s.ID)
			require.Equal(t, idv.StatusCompleted, r.Status)
			assert.Equal(t, tt.liveness, r.Liveness)
			assert.Equal(t, tt.match, r.FaceMatch)
			assert.GreaterOrEqual(t, r.Confidence, tt.minConf)
			assert.LessOrEqual(t, r.Confidence, tt.maxConf)
			assert.False(t, r.CompletedAt.IsZero())
			assert.Equal(t, tt.hasReason, r.Reason != "", "reason %q", r.Reason)
		})
	}

	t.Run("decline", func(t *testing.T) {
		s := startLiveID(t, h, user, ref)
		h.Decline(t, s.ID)
		r := liveResult(t, h, s.ID)
		assert.Equal(t, idv.StatusDeclined, r.Status)
		assert.NotEqual(t, idv.Passed, r.FaceMatch)
	})

	t.Run("unknown id is not found", func(t *testing.T) {
		_, err := h.Verifier.LiveIDResult(context.Background(), uuid.NewString())
		require.ErrorIs(t, err, idv.ErrNotFound)
	})

	t.Run("challenge expires", func(t *testing.T) {
		if h.Advance == nil {
			t.Skip("harness cannot move time")
		}
		s := startLiveID(t, h, user, ref)
		h.Advance(t, h.SessionTTL+time.Second)
		assert.Equal(t, idv.StatusExpired, liveResult(t, h, s.ID).Status)
	})
}
