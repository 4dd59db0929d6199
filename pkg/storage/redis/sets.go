package redis

import (
	"context"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// SetAdd implements storage.Store: SADD and PEXPIRE (or PERSIST for no
// expiry) in one MULTI.
func (s *Store) SetAdd(ctx context.Context, key, member string, ttl time.Duration) error {
	_, err := s.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		s.addToSet(ctx, p, key, member, ttl)
		return nil
	})
	return wrap(err)
}

// addToSet queues SADD and PEXPIRE (or PERSIST for no expiry) on p.
func (s *Store) addToSet(ctx context.Context, p goredis.Pipeliner, key, member string, ttl time.Duration) {
	k := s.key(key)
	p.SAdd(ctx, k, member)
	if ttl := px(ttl); ttl > 0 {
		p.PExpire(ctx, k, ttl)
	} else {
		p.Persist(ctx, k)
	}
}

// SetAndAdd implements storage.Store with one pipeline (SET, SADD, PEXPIRE
// or PERSIST), which go-redis splits by node on Cluster.
func (s *Store) SetAndAdd(ctx context.Context, key string, value []byte, ttl time.Duration, set, member string, setTTL time.Duration) error {
	_, err := s.client.Pipelined(ctx, func(p goredis.Pipeliner) error {
		p.Set(ctx, s.key(key), value, px(ttl))
		s.addToSet(ctx, p, set, member, setTTL)
		return nil
	})
	return wrap(err)
}

// SetMembers implements storage.Store.
func (s *Store) SetMembers(ctx context.Context, key string) ([]string, error) {
	m, err := s.client.SMembers(ctx, s.key(key)).Result()
	return m, wrap(err)
}

// SetRemove implements storage.Store.
func (s *Store) SetRemove(ctx context.Context, key string, members ...string) error {
	if len(members) == 0 {
		return nil
	}
	args := make([]any, len(members))
	for i, m := range members {
		args[i] = m
	}
	return wrap(s.client.SRem(ctx, s.key(key), args...).Err())
}
