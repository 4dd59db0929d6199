package oidc

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// One completed login issues exactly one code: a status poll that read
// the request before Continue finished it cannot write it back, and a
// second Continue (or two at once) gets no second code. On the memory
// store and on a real redis-server shared by two replicas.
func TestOneLoginIssuesOneCode(t *testing.T) {
	t.Run("memory", func(t *testing.T) { oneCode(t, newHarness(t), nil) })
	t.Run("redis", func(t *testing.T) {
		rs := newReplicas(t)
		oneCode(t, rs.harness, func(i int) { rs.on(int32(i % 2)) })
	})
}

func oneCode(t *testing.T, h *harness, replica func(int)) {
	ctx := context.Background()
	if replica == nil {
		replica = func(int) {}
	}
	// The race made deterministic: a poll loads the request, Continue
	// issues the code, the poll writes its stale copy back.
	wait := h.authorize(h.browser, authParams("rp"))
	require.NoError(t, h.sim.Complete(h.sessionOf(wait), simulator.CompleteOptions{}))
	stale, err := h.p.loadAuthRequest(ctx, waitID(t, wait))
	require.NoError(t, err)
	first := h.finish(h.browser, wait)
	require.NotEmpty(t, first.rpURL.Query().Get("code"))
	stale.LastStatus = "completed"
	require.ErrorIs(t, h.p.saveAuthRequest(ctx, stale), errAuthRequestGone, "a finished request is not brought back")
	again := h.visit(h.browser, http.MethodGet, h.srv.URL+PathLogin+"/continue?id="+stale.ID, nil)
	require.Nil(t, again.rpURL, "no second code")
	require.Equal(t, http.StatusNotFound, again.status)

	// Continue twice at once, while the page polls, across replicas.
	for round := range 10 {
		replica(round)
		wait := h.authorize(h.browser, authParams("rp", "prompt", "login"))
		require.Equal(t, http.StatusOK, wait.status, wait.body)
		if strings.Contains(wait.body, "/liveid/session/") {
			require.NoError(t, h.sim.CompleteLiveID(h.sessionOf(wait), simulator.LiveIDOptions{Match: true}))
		} else {
			require.NoError(t, h.sim.Complete(h.sessionOf(wait), simulator.CompleteOptions{}))
		}
		id := waitID(t, wait)
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := 0
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				replica(round + i)
				if i%2 == 0 {
					resp, err := h.browser.Get(h.srv.URL + PathLogin + "/status?id=" + id)
					if err == nil {
						resp.Body.Close()
					}
				}
				got := h.visit(h.browser, http.MethodGet, h.srv.URL+PathLogin+"/continue?id="+id, nil)
				if got.rpURL != nil && got.rpURL.Query().Get("code") != "" {
					mu.Lock()
					codes++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		require.Equal(t, 1, codes, "round %d: exactly one code", round)
	}
}
