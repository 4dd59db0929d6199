package api

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
	"github.com/idbridge/idbridge/pkg/storage"
)

// TestEndToEnd: the connector creates an IDV, the person completes it, the
// signed idv.completed event reaches the receiver exactly once although
// two replicas run, and the result endpoint shows the verified identity.
func TestEndToEnd(t *testing.T) {
	stores(t, func(t *testing.T, st func() storage.Store) {
		rcv := newReceiver(t, "whsec-e2e", 0)
		e := newEnv(t, st(), withReceiver(rcv))
		replica := e.newServer()
		run(t, e.srv)
		run(t, replica)

		id := e.createIDV(tokenA, map[string]any{"document_types": []string{"dl_object"}, "user_identifier": "jane@example.com"})
		require.NoError(t, e.sim.Complete(e.upstream(id), simulator.CompleteOptions{Fixture: "jane-doe"}))

		eventually(t, "the webhook", func() bool { _, evs, _ := rcv.got(); return len(evs) > 0 })
		// Several more poll and delivery passes of both replicas.
		time.Sleep(300 * time.Millisecond)
		attempts, evs, bad := rcv.got()
		require.Equal(t, 1, attempts)
		require.Zero(t, bad)
		require.Len(t, evs, 1)
		ev := evs[0]
		require.Equal(t, EventIDVCompleted, ev.Type)
		require.Equal(t, id, ev.Data["session_id"])
		require.Equal(t, "completed", ev.Data["status"])
		require.EqualValues(t, 2, ev.Data["ial_level"])
		require.Equal(t, "Jane", ev.Data["given_name"])

		resp, out := e.call("GET", "/v1/idv/sessions/"+id, tokenA, nil)
		require.Equal(t, 200, resp.StatusCode)
		require.Equal(t, "completed", out["status"])
		require.EqualValues(t, 2, out["ial_level"])
		require.Equal(t, "Doe", out["family_name"])
		require.Equal(t, "1990-04-12", out["birthdate"])
		require.Contains(t, out, "verified_claims")
		require.Equal(t, ev.Data["sub"], out["sub"])

		u, err := e.users.FindByIdentifier(context.Background(), e.ident("a", "jane@example.com"))
		require.NoError(t, err)
		require.Equal(t, out["sub"], u.Subject)
		require.True(t, u.Enrolled())

		pending, err := e.st.SetMembers(context.Background(), pendingSet)
		require.NoError(t, err)
		require.Empty(t, pending)
	})
}

// TestDeliveryRetriesAcrossRestart: a receiver that fails three times
// gets the event once it recovers, although the Server that made the
// first attempts stopped and a new one took over the store.
func TestDeliveryRetriesAcrossRestart(t *testing.T) {
	stores(t, func(t *testing.T, st func() storage.Store) {
		rcv := newReceiver(t, "whsec-retry", 3)
		e := newEnv(t, st(), withReceiver(rcv), withConfig(func(c *Options) {
			c.Webhooks.Backoff = 50 * time.Millisecond
			c.Webhooks.Lease = 400 * time.Millisecond
			c.Webhooks.Timeout = 300 * time.Millisecond
		}))
		stop := run(t, e.srv)

		id := e.createIDV(tokenA, map[string]any{"user_identifier": "erika@example.com"})
		require.NoError(t, e.sim.Complete(e.upstream(id), simulator.CompleteOptions{Fixture: "erika-mustermann"}))
		eventually(t, "a failed attempt", func() bool { n, _, _ := rcv.got(); return n >= 1 })
		stop()
		n, evs, _ := rcv.got()
		require.Empty(t, evs)
		require.Less(t, n, 4, "the restart must happen before the receiver recovers")

		restarted := e.newServer()
		run(t, restarted)
		eventually(t, "delivery after recovery", func() bool { _, evs, _ := rcv.got(); return len(evs) == 1 })
		time.Sleep(600 * time.Millisecond) // longer than the lease: nothing may come back
		attempts, evs, bad := rcv.got()
		require.Len(t, evs, 1)
		require.Equal(t, 4, attempts)
		require.Zero(t, bad)
		require.Equal(t, EventIDVCompleted, evs[0].Type)
	})
}
