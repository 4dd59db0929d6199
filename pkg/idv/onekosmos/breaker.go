package onekosmos

import (
	"sync"
	"time"
)

// breaker is a consecutive-failure circuit breaker. Closed: calls pass and
// failures are counted; Failures in a row open it. Open: calls fail fast
// until OpenFor has passed. Then one trial call passes (half-open): success
// closes the circuit, failure opens it again.
type breaker struct {
	cfg BreakerConfig
	now func() time.Time

	mu       sync.Mutex
	failures int
	openedAt time.Time
	open     bool
	trial    bool // a half-open trial call is in flight
}

func newBreaker(cfg BreakerConfig, now func() time.Time) *breaker {
	return &breaker{cfg: cfg, now: now}
}

// allow reports whether a call may go out. Every allowed call must be
// followed by exactly one done.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.open {
		return true
	}
	if b.trial || b.now().Sub(b.openedAt) < b.cfg.OpenFor {
		return false
	}
	b.trial = true
	return true
}

// done records the outcome of an allowed call. healthy is false for
// outcomes that say the service is down (network errors, timeouts, 5xx,
// garbage); a 4xx refusal is healthy. neutral outcomes (the caller gave
// up) count neither way.
func (b *breaker) done(healthy, neutral bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	wasTrial := b.trial
	b.trial = false
	switch {
	case neutral:
		return
	case healthy:
		b.failures = 0
		b.open = false
	default:
		b.failures++
		if wasTrial || b.failures >= b.cfg.Failures {
			b.open = true
			b.openedAt = b.now()
		}
	}
}

// State returns "closed", "open" or "half-open" for metrics and health
// pages.
func (b *breaker) state() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case !b.open:
		return "closed"
	case b.trial || b.now().Sub(b.openedAt) >= b.cfg.OpenFor:
		return "half-open"
	}
	return "open"
}

// BreakerState reports the circuit breaker state: "closed", "open" or
// "half-open".
func (c *Client) BreakerState() string { return c.breaker.state() }
