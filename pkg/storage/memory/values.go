package memory

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// errNotCounter is returned by Incr when the key holds something other than
// a decimal count.
var errNotCounter = errors.New("storage/memory: value is not a counter")

// lookup returns the live value under key, dropping it if it expired.
// s.mu is held.
func (s *Store) lookup(key string, now time.Time) (value, bool) {
	v, ok := s.values[key]
	if ok && expired(v.exp, now) {
		delete(s.values, key)
		return value{}, false
	}
	return v, ok
}

// Get implements storage.Store.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	v, ok := s.lookup(key, time.Now())
	if !ok {
		return nil, storage.ErrNotFound
	}
	return clone(v.data), nil
}

// Set implements storage.Store.
func (s *Store) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	s.values[key] = value{data: clone(val), exp: deadline(time.Now(), ttl)}
	return nil
}

// Create implements storage.Store.
func (s *Store) Create(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	now := time.Now()
	if _, ok := s.lookup(key, now); ok {
		return storage.ErrExists
	}
	s.values[key] = value{data: clone(val), exp: deadline(now, ttl)}
	return nil
}

// Take implements storage.Store.
func (s *Store) Take(ctx context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	v, ok := s.lookup(key, time.Now())
	if !ok {
		return nil, storage.ErrNotFound
	}
	delete(s.values, key)
	return v.data, nil
}

// consumedKey holds a consumed value, apart from the key's own namespace.
func consumedKey(key string) string { return key + "\x00consumed" }

// Consume implements storage.Store.
func (s *Store) Consume(ctx context.Context, key string, ttl time.Duration) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return nil, false, err
	}
	now := time.Now()
	if v, ok := s.lookup(key, now); ok {
		delete(s.values, key)
		s.values[consumedKey(key)] = value{data: v.data, exp: deadline(now, ttl)}
		return clone(v.data), true, nil
	}
	if v, ok := s.lookup(consumedKey(key), now); ok {
		return clone(v.data), false, nil
	}
	return nil, false, storage.ErrNotFound
}

// CompareAndSwap implements storage.Store.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, newValue []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	now := time.Now()
	v, ok := s.lookup(key, now)
	if !ok {
		return storage.ErrNotFound
	}
	if !bytes.Equal(v.data, old) {
		return storage.ErrConflict
	}
	s.values[key] = value{data: clone(newValue), exp: deadline(now, ttl)}
	return nil
}

// Delete implements storage.Store. It removes values, sets and what
// Consume remembers of a key alike.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	for _, k := range keys {
		delete(s.values, k)
		delete(s.values, consumedKey(k))
		delete(s.sets, k)
		delete(s.indexes, k)
	}
	return nil
}

// Incr implements storage.Store. The count is kept as a decimal string, so
// Get on a counter returns its digits, as on Redis.
func (s *Store) Incr(ctx context.Context, key string, window time.Duration) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	now := time.Now()
	v, ok := s.lookup(key, now)
	if !ok {
		s.values[key] = value{data: []byte("1"), exp: deadline(now, window)}
		return 1, nil
	}
	n, err := strconv.ParseInt(string(v.data), 10, 64)
	if err != nil {
		return 0, errNotCounter
	}
	n++
	v.data = strconv.AppendInt(nil, n, 10)
	if v.exp.IsZero() {
		v.exp = deadline(now, window)
	}
	s.values[key] = v
	return n, nil
}

// Lock implements storage.Store. The lease is an ordinary value holding the
// token, so Get on a locked key returns the token, as on Redis.
func (s *Store) Lock(ctx context.Context, key string, ttl time.Duration) (string, error) {
	return storage.CreateLease(ctx, key, ttl, s.Create)
}

// Unlock implements storage.Store.
func (s *Store) Unlock(ctx context.Context, key, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	v, ok := s.lookup(key, time.Now())
	if !ok || string(v.data) != token {
		return storage.ErrConflict
	}
	delete(s.values, key)
	return nil
}
