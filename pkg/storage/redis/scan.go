package redis

import (
	"bytes"
	"context"
	"strings"
	"sync"

	goredis "github.com/redis/go-redis/v9"

	"github.com/idbridge/idbridge/pkg/storage"
)

var _ storage.Scanner = (*Store)(nil)

// Scan implements storage.Scanner with SCAN over the keys under the
// store's prefix (on every master of a cluster, at once), reading each by
// its type. f is called for one key at a time, as on every backend.
func (s *Store) Scan(ctx context.Context, f func(key string, value []byte) error) error {
	var mu sync.Mutex
	call := func(k string, v []byte) error {
		mu.Lock()
		defer mu.Unlock()
		return f(k, v)
	}
	scan := func(ctx context.Context, c goredis.UniversalClient) error {
		it := c.Scan(ctx, 0, s.prefix+"*", 500).Iterator()
		for it.Next(ctx) {
			k := it.Val()
			v, ok, err := s.render(ctx, c, k)
			if err != nil {
				return wrap(err)
			}
			if ok {
				if err := call(strings.TrimPrefix(k, s.prefix), v); err != nil {
					return err
				}
			}
		}
		return wrap(it.Err())
	}
	if cc, ok := s.client.(*goredis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, c *goredis.Client) error { return scan(ctx, c) })
	}
	return scan(ctx, s.client)
}

// render reads key by its type; ok is false when it vanished meanwhile.
func (s *Store) render(ctx context.Context, c goredis.UniversalClient, key string) ([]byte, bool, error) {
	typ, err := c.Type(ctx, key).Result()
	if err != nil {
		return nil, false, err
	}
	switch typ {
	case "string":
		v, err := c.Get(ctx, key).Bytes()
		if err == goredis.Nil {
			return nil, false, nil
		}
		return v, err == nil, err
	case "set":
		members, err := c.SMembers(ctx, key).Result()
		return []byte(strings.Join(members, "\n")), err == nil, err
	case "zset":
		members, err := c.ZRange(ctx, key, 0, -1).Result()
		return []byte(strings.Join(members, "\n")), err == nil, err
	case "stream":
		msgs, err := c.XRange(ctx, key, "-", "+").Result()
		var b bytes.Buffer
		for _, m := range msgs {
			p, _ := m.Values[payloadField].(string)
			b.WriteString(p)
			b.WriteByte('\n')
		}
		return b.Bytes(), err == nil, err
	case "none":
		return nil, false, nil
	}
	// Other types (hashes of rate limits, ...) are shown by their name only.
	return []byte("(" + typ + ")"), true, nil
}
