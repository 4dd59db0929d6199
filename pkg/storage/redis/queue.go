package redis

import (
	"context"
	"slices"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/idbridge/idbridge/pkg/storage"
)

// payloadField is the stream entry field holding a message's payload.
const payloadField = "p"

// maxReclaimScans bounds the XAUTOCLAIM rounds of one Claim; each round
// looks at up to ten times the wanted count of pending entries.
const maxReclaimScans = 8

func isNoGroup(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOGROUP")
}

// ensureGroup creates the queue's consumer group (and the stream) unless
// this Store already knows it exists. The group starts at the beginning,
// so messages enqueued before any consumer came are delivered too.
func (s *Store) ensureGroup(ctx context.Context, stream string, force bool) error {
	if _, ok := s.groups.Load(stream); ok && !force {
		return nil
	}
	err := s.client.XGroupCreateMkStream(ctx, stream, group, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return err
	}
	s.groups.Store(stream, struct{}{})
	return nil
}

// Enqueue implements storage.Store with XADD.
func (s *Store) Enqueue(ctx context.Context, queue string, payload []byte) (string, error) {
	id, err := s.client.XAdd(ctx, &goredis.XAddArgs{
		Stream: s.key(queue),
		Values: []any{payloadField, payload},
	}).Result()
	return id, wrap(err)
}

// Claim implements storage.Store: XREADGROUP for new messages, then
// XAUTOCLAIM for entries idle longer than lease, whose delivery counts come
// from XPENDING.
func (s *Store) Claim(ctx context.Context, queue, consumer string, n int, lease time.Duration) ([]storage.Message, error) {
	if n <= 0 {
		return nil, nil
	}
	stream := s.key(queue)
	if err := s.ensureGroup(ctx, stream, false); err != nil {
		return nil, wrap(err)
	}
	fresh, err := s.readNew(ctx, stream, consumer, n)
	if isNoGroup(err) {
		// The stream was deleted and recreated (or Redis lost it).
		if err = s.ensureGroup(ctx, stream, true); err == nil {
			fresh, err = s.readNew(ctx, stream, consumer, n)
		}
	}
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]storage.Message, 0, n)
	for _, m := range fresh {
		out = append(out, message(m, 1))
	}
	if len(out) == n {
		return out, nil
	}
	old, err := s.reclaim(ctx, stream, consumer, n-len(out), px(lease), out)
	if err != nil {
		return nil, wrap(err)
	}
	return append(out, old...), nil
}

func (s *Store) readNew(ctx context.Context, stream, consumer string, n int) ([]goredis.XMessage, error) {
	res, err := s.client.XReadGroup(ctx, &goredis.XReadGroupArgs{
		Group:    group,
		Consumer: consumer,
		Streams:  []string{stream, ">"},
		Count:    int64(n),
		Block:    -1, // no BLOCK: return at once
	}).Result()
	if err == goredis.Nil {
		return nil, nil
	}
	if err != nil || len(res) == 0 {
		return nil, err
	}
	return res[0].Messages, nil
}

// reclaim moves up to n expired entries to consumer, skipping those in
// have, and reads their delivery counts.
func (s *Store) reclaim(ctx context.Context, stream, consumer string, n int, lease time.Duration, have []storage.Message) ([]storage.Message, error) {
	var got []goredis.XMessage
	cursor := "0-0"
	for range maxReclaimScans {
		msgs, next, err := s.client.XAutoClaim(ctx, &goredis.XAutoClaimArgs{
			Stream:   stream,
			Group:    group,
			Consumer: consumer,
			MinIdle:  lease,
			Start:    cursor,
			Count:    int64(n - len(got)),
		}).Result()
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if !slices.ContainsFunc(have, func(h storage.Message) bool { return h.ID == m.ID }) {
				got = append(got, m)
			}
		}
		cursor = next
		if len(got) >= n || cursor == "0-0" {
			break
		}
	}
	if len(got) == 0 {
		return nil, nil
	}
	counts, err := s.deliveries(ctx, stream, got, consumer)
	if err != nil {
		return nil, err
	}
	out := make([]storage.Message, 0, len(got))
	for _, m := range got {
		// Missing means another consumer reclaimed it in the meantime.
		if c, ok := counts[m.ID]; ok {
			out = append(out, message(m, c))
		}
	}
	return out, nil
}

// deliveries reads the delivery count of each message from the pending
// entries list, restricted to consumer when it is not empty.
func (s *Store) deliveries(ctx context.Context, stream string, msgs []goredis.XMessage, consumer string) (map[string]int, error) {
	cmds := make([]*goredis.XPendingExtCmd, len(msgs))
	_, err := s.client.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, m := range msgs {
			cmds[i] = p.XPendingExt(ctx, &goredis.XPendingExtArgs{
				Stream: stream, Group: group, Start: m.ID, End: m.ID, Count: 1, Consumer: consumer,
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	counts := make(map[string]int, len(msgs))
	for _, c := range cmds {
		for _, p := range c.Val() {
			counts[p.ID] = int(p.RetryCount)
		}
	}
	return counts, nil
}

// Ack implements storage.Store: XACK and XDEL in one MULTI, so the stream
// only ever holds unacknowledged messages.
func (s *Store) Ack(ctx context.Context, queue string, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	stream := s.key(queue)
	var ack *goredis.IntCmd
	var del *goredis.IntCmd
	_, err := s.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		ack = p.XAck(ctx, stream, group, ids...)
		del = p.XDel(ctx, stream, ids...)
		return nil
	})
	if err != nil && ack != nil && isNoGroup(ack.Err()) && del.Err() == nil {
		// Nobody ever claimed from this queue; deleting is all there is.
		err = nil
	}
	return wrap(err)
}

// Pending implements storage.Store: XRANGE for the entries, XPENDING for
// how often each was delivered.
func (s *Store) Pending(ctx context.Context, queue string, n int) ([]storage.Message, error) {
	if n <= 0 {
		return nil, nil
	}
	stream := s.key(queue)
	msgs, err := s.client.XRangeN(ctx, stream, "-", "+", int64(n)).Result()
	if err != nil {
		return nil, wrap(err)
	}
	if len(msgs) == 0 {
		return nil, nil
	}
	counts := map[string]int{}
	pend, err := s.client.XPendingExt(ctx, &goredis.XPendingExtArgs{
		Stream: stream, Group: group, Start: msgs[0].ID, End: msgs[len(msgs)-1].ID, Count: int64(n),
	}).Result()
	switch {
	case isNoGroup(err):
		// Never claimed: every count is zero.
	case err != nil:
		return nil, wrap(err)
	default:
		for _, p := range pend {
			counts[p.ID] = int(p.RetryCount)
		}
	}
	out := make([]storage.Message, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, message(m, counts[m.ID]))
	}
	return out, nil
}

func message(m goredis.XMessage, deliveries int) storage.Message {
	p, _ := m.Values[payloadField].(string)
	return storage.Message{ID: m.ID, Payload: []byte(p), Deliveries: deliveries}
}
