package oidc

import (
	"context"
	"errors"
	"time"
)

// errBusy: a request waited its longest for a turn.
var errBusy = errors.New("oidc: too many requests in progress")

// gate admits at most a fixed number of callers at once, in arrival order
// (goroutines blocked on a channel send are woken first in, first out). The
// token endpoint goes through one sized to the CPUs when its work is all
// CPU (limits.token_concurrency): under a burst each request then runs to
// completion in turn instead of all of them sharing the CPUs at once,
// which keeps token latency even (docs/performance.md has the figures).
// A nil gate admits everyone.
type gate struct {
	slots chan struct{}
	wait  time.Duration // longest wait for a turn
}

func newGate(n int, wait time.Duration) *gate {
	if n <= 0 {
		return nil
	}
	return &gate{slots: make(chan struct{}, n), wait: wait}
}

// enter waits for a turn: errBusy after the gate's longest wait, or the
// context's error if the caller gave up first.
func (g *gate) enter(ctx context.Context) error {
	if g == nil {
		return nil
	}
	select {
	case g.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return nil
	case <-t.C:
		return errBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *gate) leave() {
	if g != nil {
		<-g.slots
	}
}
