package memory

import (
	"context"
	"time"
)

// index is a stored index: each member with the time it is kept until.
type index struct {
	members map[string]time.Time
}

// live drops the members of x whose time has passed and reports whether
// any remain. s.mu is held.
func (x index) live(now time.Time) bool {
	for m, exp := range x.members {
		if !now.Before(exp) {
			delete(x.members, m)
		}
	}
	return len(x.members) > 0
}

// lookupIndex returns the live index under key. s.mu is held.
func (s *Store) lookupIndex(key string, now time.Time) (index, bool) {
	x, ok := s.indexes[key]
	if ok && !x.live(now) {
		delete(s.indexes, key)
		return index{}, false
	}
	return x, ok
}

// IndexAdd implements storage.Store.
func (s *Store) IndexAdd(ctx context.Context, key, member string, expires time.Time, max int) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	now := time.Now()
	x, ok := s.lookupIndex(key, now)
	if !ok {
		x = index{members: make(map[string]time.Time)}
	}
	x.members[member] = expires
	var evicted []string
	for max > 0 && len(x.members) > max {
		// Usually one over the bound: a linear search for the earliest
		// (ties by member, as Redis orders a sorted set) beats a sort.
		first, at := "", time.Time{}
		for m, exp := range x.members {
			if first == "" || exp.Before(at) || (exp.Equal(at) && m < first) {
				first, at = m, exp
			}
		}
		delete(x.members, first)
		evicted = append(evicted, first)
	}
	if x.live(now) {
		s.indexes[key] = x
	} else {
		delete(s.indexes, key)
	}
	return evicted, nil
}

// SetAndIndex implements storage.Store.
func (s *Store) SetAndIndex(ctx context.Context, key string, val []byte, ttl time.Duration, idx, member string, expires time.Time, max int) ([]string, error) {
	if err := s.Set(ctx, key, val, ttl); err != nil {
		return nil, err
	}
	return s.IndexAdd(ctx, idx, member, expires, max)
}

// IndexMembers implements storage.Store.
func (s *Store) IndexMembers(ctx context.Context, key string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	x, _ := s.lookupIndex(key, time.Now())
	out := make([]string, 0, len(x.members))
	for m := range x.members {
		out = append(out, m)
	}
	return out, nil
}

// IndexRemove implements storage.Store.
func (s *Store) IndexRemove(ctx context.Context, key string, members ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	x, ok := s.lookupIndex(key, time.Now())
	if !ok {
		return nil
	}
	for _, m := range members {
		delete(x.members, m)
	}
	if len(x.members) == 0 {
		delete(s.indexes, key)
	}
	return nil
}
