package memory

import (
	"context"
	"time"
)

// lookupSet returns the live set under key, dropping it if it expired.
// s.mu is held.
func (s *Store) lookupSet(key string, now time.Time) (set, bool) {
	st, ok := s.sets[key]
	if ok && expired(st.exp, now) {
		delete(s.sets, key)
		return set{}, false
	}
	return st, ok
}

// SetAdd implements storage.Store.
func (s *Store) SetAdd(ctx context.Context, key, member string, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	now := time.Now()
	st, ok := s.lookupSet(key, now)
	if !ok {
		st = set{members: make(map[string]struct{})}
	}
	st.members[member] = struct{}{}
	st.exp = deadline(now, ttl)
	s.sets[key] = st
	return nil
}

// SetAndAdd implements storage.Store.
func (s *Store) SetAndAdd(ctx context.Context, key string, val []byte, ttl time.Duration, set, member string, setTTL time.Duration) error {
	if err := s.Set(ctx, key, val, ttl); err != nil {
		return err
	}
	return s.SetAdd(ctx, set, member, setTTL)
}

// SetMembers implements storage.Store.
func (s *Store) SetMembers(ctx context.Context, key string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	st, _ := s.lookupSet(key, time.Now())
	out := make([]string, 0, len(st.members))
	for m := range st.members {
		out = append(out, m)
	}
	return out, nil
}

// SetRemove implements storage.Store. A set left empty is deleted, as on
// Redis.
func (s *Store) SetRemove(ctx context.Context, key string, members ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	st, ok := s.lookupSet(key, time.Now())
	if !ok {
		return nil
	}
	for _, m := range members {
		delete(st.members, m)
	}
	if len(st.members) == 0 {
		delete(s.sets, key)
	}
	return nil
}
