// Package memory is the embedded storage backend: every primitive of
// storage.Store held in maps in this process, behind one mutex.
//
// It is the default for a single replica and for development. Its state,
// queues included, lives and dies with the process; deployments with more
// than one replica, or that need queued messages to survive a restart, use
// storage/redis.
//
// Expired entries are dropped when they are next touched and by a sweep
// that runs every SweepInterval until Close.
package memory

import (
	"context"
	"sync"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// SweepInterval is how often a Store drops expired entries that nobody
// touched.
const SweepInterval = 30 * time.Second

var _ storage.Store = (*Store)(nil)

// Store is an in-process storage.Store. It is safe for concurrent use.
// After Close every method returns storage.ErrUnavailable.
type Store struct {
	mu      sync.Mutex
	closed  bool
	values  map[string]value
	sets    map[string]set
	indexes map[string]index
	queues  map[string]*queue
	seq     uint64 // last queue message id handed out

	stop chan struct{}
	once sync.Once
	done chan struct{}
}

// value is a stored byte string (values, counters and lock tokens alike).
type value struct {
	data []byte
	exp  time.Time // zero: never
}

// set is a stored set of strings.
type set struct {
	members map[string]struct{}
	exp     time.Time
}

// New returns an empty Store and starts its expiry sweep.
func New() *Store {
	s := &Store{
		values:  make(map[string]value),
		sets:    make(map[string]set),
		indexes: make(map[string]index),
		queues:  make(map[string]*queue),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	go s.sweepLoop()
	return s
}

// Ping reports storage.ErrUnavailable after Close, nil before.
func (s *Store) Ping(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.check(ctx)
}

// Close stops the sweep. It is safe to call more than once.
func (s *Store) Close() error {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.stop)
		<-s.done
	})
	return nil
}

// check returns the error every method reports before touching state: the
// caller's cancelled context, or ErrUnavailable once closed. s.mu is held.
func (s *Store) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed {
		return storage.ErrUnavailable
	}
	return nil
}

func (s *Store) sweepLoop() {
	defer close(s.done)
	t := time.NewTicker(SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case now := <-t.C:
			s.sweep(now)
		}
	}
}

// sweep drops every expired value, set and index member.
func (s *Store) sweep(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.values {
		if expired(v.exp, now) {
			delete(s.values, k)
		}
	}
	for k, st := range s.sets {
		if expired(st.exp, now) {
			delete(s.sets, k)
		}
	}
	for k, x := range s.indexes {
		if !x.live(now) {
			delete(s.indexes, k)
		}
	}
}

func expired(exp, now time.Time) bool {
	return !exp.IsZero() && !now.Before(exp)
}

// deadline turns a ttl into an expiry time; ttl <= 0 never expires.
func deadline(now time.Time, ttl time.Duration) time.Time {
	if ttl <= 0 {
		return time.Time{}
	}
	return now.Add(ttl)
}

func clone(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return append([]byte{}, b...)
}
