package simulator

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
)

func TestCancel(t *testing.T) {
	sim, err := New(Config{BaseURL: "http://sim.test"})
	require.NoError(t, err)
	ctx := context.Background()
	s, err := sim.StartIDV(ctx, idv.IDVRequest{UserRef: "u1"})
	require.NoError(t, err)
	require.NoError(t, sim.CancelIDV(ctx, s.ID))
	res, err := sim.IDVResult(ctx, s.ID)
	require.NoError(t, err)
	require.Equal(t, idv.StatusAbandoned, res.Status)
	require.ErrorIs(t, sim.Complete(s.ID, CompleteOptions{}), ErrFinished, "a cancelled session takes no answer")
	require.NoError(t, sim.CancelIDV(ctx, s.ID), "cancelling again does nothing")

	done, err := sim.StartIDV(ctx, idv.IDVRequest{UserRef: "u2"})
	require.NoError(t, err)
	require.NoError(t, sim.Complete(done.ID, CompleteOptions{}))
	require.NoError(t, sim.CancelIDV(ctx, done.ID))
	res, err = sim.IDVResult(ctx, done.ID)
	require.NoError(t, err)
	require.Equal(t, idv.StatusCompleted, res.Status, "a finished session stays finished")

	require.ErrorIs(t, sim.CancelIDV(ctx, "no-such-session"), idv.ErrNotFound)
	require.ErrorIs(t, sim.CancelLiveID(ctx, "no-such-challenge"), idv.ErrNotFound)
}
