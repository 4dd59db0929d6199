package redis

import (
	"context"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// SetAdd implements storage.Store: SADD and PEXPIRE (or PERSIST for no
// expiry) in one MULTI.
func (s *Store) SetAdd(ctx context.Context, key, member string, ttl time.Duration) error {
	k := s.key(key)
	_, err := s.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.SAdd(ctx, k, member)
		if ttl := px(ttl); ttl > 0 {
			p.PExpire(ctx, k, ttl)
		} else {
			p.Persist(ctx, k)
		}
		return nil
	})
	return wrap(err)
}

// SetAndAdd implements storage.Store with one pipeline (SET, SADD, PEXPIRE
// or PERSIST), which go-redis splits by node on Cluster.
func (s *Store) SetAndAdd(ctx context.Context, key string, value []byte, ttl time.Duration, set, member string, setTTL time.Duration) error {
	k := s.key(set)
	_, err := s.client.Pipelined(ctx, func(p goredis.Pipeliner) error {
		p.Set(ctx, s.key(key), value, px(ttl))
		p.SAdd(ctx, k, member)
		if ttl := px(setTTL); ttl > 0 {
			p.PExpire(ctx, k, ttl)
		} else {
			p.Persist(ctx, k)
		}
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
