// Package ratelimit counts requests per key in fixed time windows on the
// shared storage.Store, so every replica behind a load balancer draws on
// the same budget when the store is Redis.
//
// Windows are aligned to the Unix epoch (window index = now / window), so
// replicas agree on where a window starts as long as their clocks agree to
// within a small fraction of the window. As with every fixed window, a
// client can spend up to twice the limit across a window boundary.
//
// When the store fails the limiter fails open: the request is allowed and
// the failure is logged (at most once every few seconds per limiter). A
// rate limit protects capacity; refusing every login because the limiter's
// own store is down would turn a storage fault into a full outage, and
// /readyz already reports that storage is unavailable. After a failure the
// limiter does not touch the store for a cooldown, so a dead or hung Redis
// costs one request at most the store timeout, not every request the
// client's retries and backoff.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// Defaults of the options.
const (
	defaultTimeout  = time.Second
	defaultCooldown = 5 * time.Second
	failLogEvery    = 10 * time.Second
)

// maxPlainKey is the longest caller key used as is in the store key;
// longer keys (and keys with characters outside a safe set) are hashed.
const maxPlainKey = 64

// ErrNotEnforced is matched (errors.Is) by every error Allow returns: the
// store failed, or failed recently, and the event was allowed unchecked.
// The store's own error (such as storage.ErrUnavailable) is wrapped too.
var ErrNotEnforced = errors.New("ratelimit: store failing, limit not enforced")

// Limiter allows at most limit events per key in each window. It is safe
// for concurrent use.
type Limiter struct {
	st       storage.Store
	prefix   string
	limit    int
	window   time.Duration
	timeout  time.Duration
	cooldown time.Duration
	now      func() time.Time
	log      *slog.Logger

	failing    atomic.Bool // the last store call failed
	mu         sync.Mutex
	failedAt   time.Time // start of the current failure episode
	retryAt    time.Time // no store call before this
	lastErr    error
	lastLog    time.Time
	suppressed int
}

// Option configures a Limiter.
type Option func(*Limiter)

// WithLogger sets where store failures are logged (default slog.Default()).
func WithLogger(log *slog.Logger) Option {
	return func(l *Limiter) { l.log = log }
}

// WithClock sets the clock that picks the window (default time.Now); tests
// use a fixed clock so no window boundary falls inside them.
func WithClock(now func() time.Time) Option {
	return func(l *Limiter) { l.now = now }
}

// WithTimeout bounds each store call (default 1s).
func WithTimeout(d time.Duration) Option {
	return func(l *Limiter) { l.timeout = d }
}

// WithCooldown sets how long after a store failure events are allowed
// without asking the store (default 5s).
func WithCooldown(d time.Duration) Option {
	return func(l *Limiter) { l.cooldown = d }
}

// New returns a Limiter allowing limit events per key per window, counted
// in st under keys beginning "ratelimit:"+prefix+":". Limiters sharing a
// prefix share their counters. New panics if limit < 1 or window < 1ms:
// those are programming errors, to be caught by configuration validation.
func New(st storage.Store, prefix string, limit int, window time.Duration, opts ...Option) *Limiter {
	if limit < 1 || window < time.Millisecond {
		panic("ratelimit: limit must be >= 1 and window >= 1ms")
	}
	l := &Limiter{
		st: st, prefix: prefix, limit: limit, window: window,
		timeout: defaultTimeout, cooldown: defaultCooldown, now: time.Now, log: slog.Default(),
	}
	for _, o := range opts {
		o(l)
	}
	return l
}

// Limit is the number of events allowed per key in one window.
func (l *Limiter) Limit() int { return l.limit }

// Window is the length of one counting window.
func (l *Limiter) Window() time.Duration { return l.window }

// Allow counts one event for key and reports whether it is within the
// limit. When it is not, retryAfter is the time left until the current
// window ends. Allow is atomic across replicas sharing the store: of any
// number of concurrent callers in one window exactly limit are allowed.
//
// If the store fails, or failed less than the cooldown ago, Allow returns
// ok = true (fail open) and an error matching ErrNotEnforced, which it has
// already logged; callers need not log it again. If ctx ends first, Allow
// returns ok = true and the context's error.
func (l *Limiter) Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration, err error) {
	if err := l.bypass(); err != nil {
		return true, 0, err
	}
	now := l.now()
	idx := now.UnixNano() / int64(l.window)
	sctx, cancel := context.WithTimeout(ctx, l.timeout)
	n, err := l.st.Incr(sctx, l.storeKey(key, idx), l.window)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return true, 0, ctx.Err() // the caller left; not the store's fault
		}
		err = fmt.Errorf("%w: %w", ErrNotEnforced, err)
		l.fail(err)
		return true, 0, err
	}
	if l.failing.Load() {
		l.recover()
	}
	if n <= int64(l.limit) {
		return true, 0, nil
	}
	end := time.Unix(0, (idx+1)*int64(l.window))
	return false, end.Sub(now), nil
}

// Blocked reports, without counting an event, whether key has used up its
// limit in the current window, and how long until the window ends. Use it
// with Allow counting only failures: once a key has failed limit times,
// Blocked refuses it before it is checked again. If the store fails,
// Blocked reports false (fail open), like Allow.
func (l *Limiter) Blocked(ctx context.Context, key string) (blocked bool, retryAfter time.Duration) {
	if l.bypass() != nil {
		return false, 0
	}
	now := l.now()
	idx := now.UnixNano() / int64(l.window)
	sctx, cancel := context.WithTimeout(ctx, l.timeout)
	raw, err := l.st.Get(sctx, l.storeKey(key, idx))
	cancel()
	if err != nil {
		if !errors.Is(err, storage.ErrNotFound) && ctx.Err() == nil {
			l.fail(fmt.Errorf("%w: %w", ErrNotEnforced, err))
		}
		return false, 0
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || n < int64(l.limit) {
		return false, 0
	}
	return true, time.Unix(0, (idx+1)*int64(l.window)).Sub(now)
}

// storeKey names the counter of key in window idx. Keys that are long or
// contain characters with a meaning to the store (such as braces, Redis
// Cluster hash tags) are replaced by their SHA-256, so callers may pass
// anything, including values a client chose.
func (l *Limiter) storeKey(key string, idx int64) string {
	if !plain(key) {
		sum := sha256.Sum256([]byte(key))
		key = "h." + hex.EncodeToString(sum[:16])
	}
	return "ratelimit:" + l.prefix + ":" + key + ":" + strconv.FormatInt(idx, 10)
}

func plain(key string) bool {
	if len(key) > maxPlainKey {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_' || c == '/') {
			// ':' is excluded too, so "a:1" cannot collide with a key "a" in window 1.
			return false
		}
	}
	return true
}

// bypass returns the last store error while the cooldown after it runs.
func (l *Limiter) bypass() error {
	if !l.failing.Load() {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if time.Now().Before(l.retryAt) {
		return l.lastErr
	}
	return nil
}

// fail records a store failure and logs it, at most once per failLogEvery,
// with the number of failures not logged since the last line.
func (l *Limiter) fail(err error) {
	now := time.Now()
	l.mu.Lock()
	if !l.failing.Load() {
		l.failedAt = now
	}
	l.failing.Store(true)
	l.retryAt, l.lastErr = now.Add(l.cooldown), err
	if !l.lastLog.IsZero() && now.Sub(l.lastLog) < failLogEvery {
		l.suppressed++
		l.mu.Unlock()
		return
	}
	suppressed := l.suppressed
	l.lastLog, l.suppressed = now, 0
	l.mu.Unlock()
	l.log.LogAttrs(context.Background(), slog.LevelWarn, "rate limit store failed: allowing requests (fail open)",
		slog.String("limiter", l.prefix), slog.String("error", err.Error()),
		slog.Duration("cooldown", l.cooldown), slog.Int("failures_not_logged", suppressed))
}

// recover ends a failure episode after a store call succeeded.
func (l *Limiter) recover() {
	l.mu.Lock()
	if !l.failing.Load() {
		l.mu.Unlock()
		return
	}
	l.failing.Store(false)
	down := time.Since(l.failedAt)
	l.mu.Unlock()
	l.log.LogAttrs(context.Background(), slog.LevelInfo, "rate limit store recovered: enforcing limits again",
		slog.String("limiter", l.prefix), slog.Duration("failing_for", down))
}
