package redis

import (
	"context"
	"fmt"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/idbridge/idbridge/pkg/storage"
)

// px rounds a lifetime up to Redis's millisecond resolution; <= 0 means no
// expiry.
func px(ttl time.Duration) time.Duration {
	switch {
	case ttl <= 0:
		return 0
	case ttl < time.Millisecond:
		return time.Millisecond
	}
	return ttl
}

// Get implements storage.Store.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := s.client.Get(ctx, s.key(key)).Bytes()
	return v, wrap(err)
}

// Set implements storage.Store.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return wrap(s.client.Set(ctx, s.key(key), value, px(ttl)).Err())
}

// Create implements storage.Store with SET NX.
func (s *Store) Create(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	ok, err := s.client.SetNX(ctx, s.key(key), value, px(ttl)).Result()
	if err != nil {
		return wrap(err)
	}
	if !ok {
		return storage.ErrExists
	}
	return nil
}

// Take implements storage.Store with GETDEL.
func (s *Store) Take(ctx context.Context, key string) ([]byte, error) {
	v, err := s.client.GetDel(ctx, s.key(key)).Bytes()
	return v, wrap(err)
}

// casScript replies 0 if the key is absent, 1 if it holds something other
// than ARGV[1], and 2 after storing ARGV[2] with lifetime ARGV[3] ms.
var casScript = goredis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
if v ~= ARGV[1] then return 1 end
if tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
return 2
`)

// CompareAndSwap implements storage.Store.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, newValue []byte, ttl time.Duration) error {
	r, err := casScript.Run(ctx, s.client, []string{s.key(key)}, old, newValue, px(ttl).Milliseconds()).Int()
	switch {
	case err != nil:
		return wrap(err)
	case r == 0:
		return storage.ErrNotFound
	case r == 1:
		return storage.ErrConflict
	}
	return nil
}

// consumeScript moves KEYS[1]'s value to KEYS[2] (lifetime ARGV[1] ms, 0:
// none) and replies {1, value}; with KEYS[1] gone it replies {0, value} from
// KEYS[2], or nil.
var consumeScript = goredis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then
  redis.call('DEL', KEYS[1])
  if tonumber(ARGV[1]) > 0 then
    redis.call('SET', KEYS[2], v, 'PX', ARGV[1])
  else
    redis.call('SET', KEYS[2], v)
  end
  return {1, v}
end
local u = redis.call('GET', KEYS[2])
if u then return {0, u} end
return false
`)

// consumedKey is where key's value goes once consumed: in key's Cluster
// slot (its own hash tag, or the whole key made one).
func consumedKey(full string) string {
	if i := strings.IndexByte(full, '{'); i >= 0 {
		if j := strings.IndexByte(full[i+1:], '}'); j > 0 {
			return full + ":consumed"
		}
	}
	return "{" + full + "}:consumed"
}

// Consume implements storage.Store with a script, one round trip.
func (s *Store) Consume(ctx context.Context, key string, ttl time.Duration) ([]byte, bool, error) {
	full := s.key(key)
	r, err := consumeScript.Run(ctx, s.client, []string{full, consumedKey(full)}, px(ttl).Milliseconds()).Slice()
	if err != nil {
		return nil, false, wrap(err)
	}
	if len(r) != 2 {
		return nil, false, fmt.Errorf("storage/redis: unexpected Consume reply %v", r)
	}
	first, _ := r[0].(int64)
	v, _ := r[1].(string)
	return []byte(v), first == 1, nil
}

// Delete implements storage.Store. Keys go one DEL each in one pipeline,
// which go-redis splits by node on Cluster.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	switch len(keys) {
	case 0:
		return nil
	case 1:
		full := s.key(keys[0])
		return wrap(s.client.Del(ctx, full, consumedKey(full)).Err())
	}
	_, err := s.client.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for _, k := range keys {
			full := s.key(k)
			p.Del(ctx, full, consumedKey(full)) // one slot: consumedKey shares full's
		}
		return nil
	})
	return wrap(err)
}

// incrScript increments KEYS[1] and, when it has no lifetime yet (it was
// just created), gives it ARGV[1] ms.
var incrScript = goredis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if tonumber(ARGV[1]) > 0 and redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
`)

// Incr implements storage.Store.
func (s *Store) Incr(ctx context.Context, key string, window time.Duration) (int64, error) {
	n, err := incrScript.Run(ctx, s.client, []string{s.key(key)}, px(window).Milliseconds()).Int64()
	return n, wrap(err)
}

// Lock implements storage.Store with SET NX PX and a random token.
func (s *Store) Lock(ctx context.Context, key string, ttl time.Duration) (string, error) {
	return storage.CreateLease(ctx, key, ttl, s.Create)
}

// unlockScript deletes KEYS[1] if it holds ARGV[1], replying 1, else 0.
var unlockScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`)

// Unlock implements storage.Store.
func (s *Store) Unlock(ctx context.Context, key, token string) error {
	r, err := unlockScript.Run(ctx, s.client, []string{s.key(key)}, token).Int()
	switch {
	case err != nil:
		return wrap(err)
	case r == 0:
		return storage.ErrConflict
	}
	return nil
}
