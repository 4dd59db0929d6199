package oidc

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// TestGateAdmitsInArrivalOrder: with one slot taken, waiters are admitted
// one at a time, first come first served.
func TestGateAdmitsInArrivalOrder(t *testing.T) {
	g := newGate(1, time.Minute)
	require.NoError(t, g.enter(context.Background()))
	var (
		mu    sync.Mutex
		order []int
		wg    sync.WaitGroup
		inUse int
		most  int
	)
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, g.enter(context.Background()))
			mu.Lock()
			order = append(order, i)
			inUse++
			most = max(most, inUse)
			mu.Unlock()
			time.Sleep(time.Millisecond) // hold the slot a moment
			mu.Lock()
			inUse--
			mu.Unlock()
			g.leave()
		}()
		// Let each waiter queue before the next one arrives.
		require.Eventually(t, func() bool { return waiting(g) == i+1 }, 5*time.Second, time.Millisecond)
	}
	g.leave()
	wg.Wait()
	require.Equal(t, []int{0, 1, 2, 3, 4}, order)
	require.Equal(t, 1, most, "one slot: one holder at a time")
}

// waiting counts the goroutines parked in gate.enter, from their stacks.
func waiting(*gate) int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "[select") && strings.Contains(g, "(*gate).enter") {
			n++
		}
	}
	return n
}

func TestGateGivesUp(t *testing.T) {
	g := newGate(1, 20*time.Millisecond)
	require.NoError(t, g.enter(context.Background()))
	require.ErrorIs(t, g.enter(context.Background()), errBusy)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	long := newGate(1, time.Minute)
	require.NoError(t, long.enter(context.Background()))
	require.ErrorIs(t, long.enter(ctx), context.Canceled)
	g.leave()
	require.NoError(t, g.enter(context.Background()), "a slot given back is usable again")

	var none *gate
	require.NoError(t, none.enter(context.Background()), "a nil gate admits everyone")
	none.leave()
}

// TestBusyTokenEndpointAnswers503: when every slot stays taken longer than
// the gate's wait, a token request gets a retryable OAuth error and its
// code is not touched.
func TestBusyTokenEndpointAnswers503(t *testing.T) {
	h := newHarness(t)
	h.p.tokenGate = newGate(1, 50*time.Millisecond)
	code := h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{}).Query().Get("code")
	require.NoError(t, h.p.tokenGate.enter(context.Background()))
	resp, body := tokenCall(t, h, codeForm(code).Encode(), "rp", "rp-secret")
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, body)
	require.Equal(t, "temporarily_unavailable", body["error"])
	require.Equal(t, "1", resp.Header.Get("Retry-After"))
	h.p.tokenGate.leave()
	resp, body = tokenCall(t, h, codeForm(code).Encode(), "rp", "rp-secret")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
}
