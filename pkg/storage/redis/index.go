package redis

import (
	"context"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// An index is a sorted set whose scores are the members' expiry times in
// Unix milliseconds.

// indexAddScript: KEYS[1] the index; ARGV now, member, expires (ms), max.
// Drops what has expired, adds the member, evicts the earliest beyond max
// and returns them, and makes the key expire with its latest member.
const indexAddScript = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
local evicted = {}
local max = tonumber(ARGV[4])
if max > 0 then
  local n = redis.call('ZCARD', KEYS[1])
  if n > max then
    evicted = redis.call('ZRANGE', KEYS[1], 0, n - max - 1)
    redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - max - 1)
  end
end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] and tonumber(last[2]) > tonumber(ARGV[1]) then
  redis.call('PEXPIREAT', KEYS[1], last[2])
else
  redis.call('DEL', KEYS[1])
end
return evicted
`

var indexAdd = goredis.NewScript(indexAddScript)

func indexArgs(member string, expires time.Time, max int) []any {
	return []any{time.Now().UnixMilli(), member, expires.UnixMilli(), max}
}

func evictedOf(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, m := range list {
		if s, ok := m.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// IndexAdd implements storage.Store with one script.
func (s *Store) IndexAdd(ctx context.Context, key, member string, expires time.Time, max int) ([]string, error) {
	v, err := indexAdd.Run(ctx, s.client, []string{s.key(key)}, indexArgs(member, expires, max)...).Result()
	if err != nil {
		return nil, wrap(err)
	}
	return evictedOf(v), nil
}

// SetAndIndex implements storage.Store with one pipeline (SET and the
// index script), which go-redis splits by node on Cluster.
func (s *Store) SetAndIndex(ctx context.Context, key string, value []byte, ttl time.Duration, index, member string, expires time.Time, max int) ([]string, error) {
	var add *goredis.Cmd
	_, err := s.client.Pipelined(ctx, func(p goredis.Pipeliner) error {
		p.Set(ctx, s.key(key), value, px(ttl))
		add = indexAdd.EvalSha(ctx, p, []string{s.key(index)}, indexArgs(member, expires, max)...)
		return nil
	})
	if goredis.HasErrorPrefix(err, "NOSCRIPT") {
		// The script is not cached on that server yet (first use, or a
		// restart): the SET went through; add to the index the slow way.
		return s.IndexAdd(ctx, index, member, expires, max)
	}
	if err != nil {
		return nil, wrap(err)
	}
	return evictedOf(add.Val()), nil
}

// IndexMembers implements storage.Store.
func (s *Store) IndexMembers(ctx context.Context, key string) ([]string, error) {
	m, err := s.client.ZRangeByScore(ctx, s.key(key), &goredis.ZRangeBy{
		Min: "(" + strconv.FormatInt(time.Now().UnixMilli(), 10), Max: "+inf",
	}).Result()
	return m, wrap(err)
}

// IndexRemove implements storage.Store.
func (s *Store) IndexRemove(ctx context.Context, key string, members ...string) error {
	if len(members) == 0 {
		return nil
	}
	args := make([]any, len(members))
	for i, m := range members {
		args[i] = m
	}
	return wrap(s.client.ZRem(ctx, s.key(key), args...).Err())
}
