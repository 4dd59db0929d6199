package onekosmos

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
)

func TestBreakerOpensAndCloses(t *testing.T) {
	f := newFake(t)
	var down atomic.Bool
	down.Store(true)
	healthy := f.resultOK("Pending")
	f.set(rResultV3, func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			writeJSONT(w, 502, map[string]any{"code": 502, "message": "bad gateway"})
			return
		}
		healthy(w, r)
	})
	clock := newTestClock()
	c := f.client(func(cfg *Config) {
		cfg.Now = clock.Now
		cfg.Retries = -1
		cfg.Breaker = BreakerConfig{Failures: 3, OpenFor: 30 * time.Second}
	})
	ctx := context.Background()

	// Bootstrap succeeds (and resets the count); three failed results open it.
	for i := 0; i < 3; i++ {
		_, err := c.IDVResult(ctx, "s-1")
		require.ErrorIs(t, err, idv.ErrUnavailable)
		assert.NotErrorIs(t, err, errOpen)
	}
	assert.Equal(t, "open", c.BreakerState())
	_, err := c.IDVResult(ctx, "s-1")
	require.ErrorIs(t, err, idv.ErrUnavailable)
	require.ErrorIs(t, err, errOpen)
	assert.Equal(t, 3, f.count(rResultV3), "no call goes out while open")

	// After the open duration one trial goes out; it fails: open again.
	clock.Advance(31 * time.Second)
	assert.Equal(t, "half-open", c.BreakerState())
	_, err = c.IDVResult(ctx, "s-1")
	require.NotErrorIs(t, err, errOpen)
	assert.Equal(t, 4, f.count(rResultV3))
	_, err = c.IDVResult(ctx, "s-1")
	require.ErrorIs(t, err, errOpen)

	// Service back: the next trial closes the circuit.
	down.Store(false)
	clock.Advance(31 * time.Second)
	r, err := c.IDVResult(ctx, "s-1")
	require.NoError(t, err)
	assert.Equal(t, idv.StatusPending, r.Status)
	assert.Equal(t, "closed", c.BreakerState())
}

func TestBreakerIgnoresRefusals(t *testing.T) {
	f := newFake(t)
	f.set(rResultV3, func(w http.ResponseWriter, r *http.Request) {
		writeJSONT(w, 404, map[string]any{"code": 404, "message": "session not found"})
	})
	c := f.client(func(cfg *Config) { cfg.Breaker.Failures = 2 })
	for i := 0; i < 5; i++ {
		_, err := c.IDVResult(context.Background(), "s-1")
		require.ErrorIs(t, err, idv.ErrNotFound)
	}
	assert.Equal(t, "closed", c.BreakerState())
}

func TestBreakerHalfOpenAllowsOneTrial(t *testing.T) {
	clock := newTestClock()
	b := newBreaker(BreakerConfig{Failures: 1, OpenFor: time.Second}, clock.Now)
	require.True(t, b.allow())
	b.done(false, false)
	require.False(t, b.allow())
	clock.Advance(2 * time.Second)
	require.True(t, b.allow(), "trial")
	require.False(t, b.allow(), "only one trial at a time")
	b.done(true, false)
	require.True(t, b.allow())
	b.done(true, false)
	assert.Equal(t, "closed", b.state())
}
