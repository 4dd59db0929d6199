package api

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDeadLetterAndReplay(t *testing.T) {
	rcv := newReceiver(t, "whsec-dead", 2)
	e := newEnv(t, nil, withReceiver(rcv), withConfig(func(c *Options) { c.Webhooks.MaxAttempts = 2 }))
	ctx := context.Background()

	id := e.createIDV(tokenA, nil)
	require.NoError(t, e.sim.Decline(e.upstream(id)))
	_, out := e.call("GET", "/v1/idv/sessions/"+id, tokenA, nil)
	require.Equal(t, "declined", out["status"])

	run(t, e.srv)
	var dead []DeadLetter
	eventually(t, "a dead letter", func() bool {
		var err error
		dead, err = DeadLetters(ctx, e.st)
		require.NoError(t, err)
		return len(dead) == 1
	})
	require.Equal(t, EventIDVFailed, dead[0].Type)
	require.Equal(t, 2, dead[0].Attempts)
	require.Contains(t, dead[0].LastError, "503")
	require.Equal(t, rcv.srv.URL+"/hook", dead[0].Endpoint)

	_, err := Replay(ctx, e.st, "evt_unknown")
	require.ErrorIs(t, err, ErrEventNotFound)
	n, err := Replay(ctx, e.st, dead[0].EventID)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	eventually(t, "the replayed event", func() bool { _, evs, _ := rcv.got(); return len(evs) == 1 })
	_, evs, _ := rcv.got()
	require.Equal(t, dead[0].EventID, evs[0].ID)
	require.Equal(t, "declined", evs[0].Data["status"])
	left, err := DeadLetters(ctx, e.st)
	require.NoError(t, err)
	require.Empty(t, left)
}

func TestBackoffDoublesUpToMax(t *testing.T) {
	e := newEnv(t, nil)
	want := []int64{20, 40, 80, 100, 100}
	for i, w := range want {
		require.Equal(t, w, e.srv.backoff(i+1).Milliseconds(), "after failure %d", i+1)
	}
}
