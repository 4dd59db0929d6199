package policy

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultRefresh is how often Live looks for a new version by default:
// every replica decides by a newly stored version within about this long.
const DefaultRefresh = 2 * time.Second

// Live is the policy every decision of one replica reads: the active
// stored version, compiled. Current is a single atomic load, so decisions
// never wait for a reload; Refresh compiles a new version aside and swaps
// it in.
type Live struct {
	store   *Store
	refresh time.Duration
	log     *slog.Logger
	cur     atomic.Pointer[Policy]

	// mu serialises refreshes (never decisions).
	mu sync.Mutex
	// refused is the last stored version that did not compile here (a
	// policy written by a newer idbridge); it is not tried again.
	refused int
}

// NewLive returns a live policy that starts as initial (used until the
// store answers) and follows store every refresh (<= 0: DefaultRefresh).
func NewLive(store *Store, initial *Policy, refresh time.Duration, log *slog.Logger) *Live {
	if refresh <= 0 {
		refresh = DefaultRefresh
	}
	if log == nil {
		log = slog.Default()
	}
	l := &Live{store: store, refresh: refresh, log: log}
	l.cur.Store(initial)
	return l
}

// Current returns the policy in force. Safe for concurrent use, lock-free.
func (l *Live) Current() *Policy { return l.cur.Load() }

// Store is where the versions live.
func (l *Live) Store() *Store { return l.store }

// Interval is how often Run refreshes.
func (l *Live) Interval() time.Duration { return l.refresh }

// Refresh loads the active version if it is not the one in force. A
// version that does not compile here is logged and skipped: the running
// policy stays. It reports whether the policy changed.
func (l *Live) Refresh(ctx context.Context) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	head, err := l.store.Head(ctx)
	if err != nil {
		return false, err
	}
	cur := l.cur.Load()
	if head == 0 || head == cur.Version || head == l.refused {
		return false, nil
	}
	v, err := l.store.Get(ctx, head)
	if err != nil {
		return false, err
	}
	p, err := l.store.Compile(v)
	if err != nil {
		l.refused = head
		l.log.ErrorContext(ctx, "stored policy version does not compile; keeping the running one",
			slog.Int("version", head), slog.Int("running", cur.Version), slog.String("error", err.Error()))
		return false, nil
	}
	l.cur.Store(p)
	l.log.InfoContext(ctx, "policy version loaded", slog.Int("version", head), slog.Int("previous", cur.Version))
	return true, nil
}

// Run refreshes every interval until ctx ends; errors (an unreachable
// store) are logged and the running policy stays.
func (l *Live) Run(ctx context.Context) {
	t := time.NewTicker(l.refresh)
	defer t.Stop()
	for {
		if _, err := l.Refresh(ctx); err != nil && ctx.Err() == nil {
			l.log.WarnContext(ctx, "policy refresh failed; keeping the running version", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
