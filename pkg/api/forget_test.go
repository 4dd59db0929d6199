package api

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/users"
)

func TestForgetUser(t *testing.T) {
	rcv := newReceiver(t, "whsec-forget", 1000) // never accepts
	e := newEnv(t, nil, withReceiver(rcv))
	var logs bytes.Buffer
	e.srv.log = slog.New(slog.NewJSONHandler(&logs, nil))
	core, err := journey.New(journey.Options{Users: e.users, Logger: e.srv.log})
	require.NoError(t, err)
	core.Register("api", e.srv)
	e.srv.journey = core

	id := e.createIDV(tokenA, map[string]any{"user_identifier": "jane@example.com"})
	require.NoError(t, e.sim.Complete(e.upstream(id), simulator.CompleteOptions{Fixture: "jane-doe"}))
	_, out := e.call("GET", "/v1/idv/sessions/"+id, tokenA, nil)
	require.Equal(t, "completed", out["status"])
	evID := "evt_" + hashHex(id, EventIDVCompleted)
	_, err = e.st.Get(context.Background(), eventBodyKey(evID))
	require.NoError(t, err, "the event waits in the outbox")

	resp, out := e.call("POST", "/v1/users/jane@example.com/forget", tokenB, nil)
	require.Equal(t, 403, resp.StatusCode)
	require.Equal(t, "forbidden", out["error"])
	resp, out = e.call("POST", "/v1/users/nobody@example.com/forget", tokenA, nil)
	require.Equal(t, 404, resp.StatusCode)
	require.Equal(t, "unknown_user", out["error"])

	resp, out = e.call("POST", "/v1/users/jane@example.com/forget", tokenA, nil)
	require.Equal(t, 200, resp.StatusCode, "%v", out)
	require.Equal(t, true, out["forgotten"])
	_, err = e.users.FindByIdentifier(context.Background(), e.ident("a", "jane@example.com"))
	require.ErrorIs(t, err, users.ErrNotFound)
	for _, k := range []string{eventBodyKey(evID), eventMetaKey(evID), sessionKey(id)} {
		_, err = e.st.Get(context.Background(), k)
		require.True(t, errors.Is(err, storage.ErrNotFound), "%s survived", k)
	}
	require.Contains(t, logs.String(), `"audit":"users.forget"`)
	require.Contains(t, logs.String(), `"by":"api:a"`)
	require.NotContains(t, logs.String(), "jane@example.com")

	// The queued delivery is dropped, never sent.
	require.NoError(t, e.srv.deliverOnce(context.Background()))
	pending, err := e.st.Pending(context.Background(), outboxQueue, 10)
	require.NoError(t, err)
	require.Empty(t, pending)
	n, _, _ := rcv.got()
	require.Zero(t, n)
}
