package memory

import (
	"context"
	"strconv"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// queue holds the unacknowledged messages of one queue, oldest first.
type queue struct {
	msgs []*message
}

type message struct {
	id         string
	payload    []byte
	deliveries int
	last       time.Time // when Claim last handed it out
}

func (m *message) export() storage.Message {
	return storage.Message{ID: m.id, Payload: clone(m.payload), Deliveries: m.deliveries}
}

// Enqueue implements storage.Store. Ids are decimal and increase with
// every message of the Store.
func (s *Store) Enqueue(ctx context.Context, name string, payload []byte) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return "", err
	}
	q := s.queues[name]
	if q == nil {
		q = &queue{}
		s.queues[name] = q
	}
	s.seq++
	id := strconv.FormatUint(s.seq, 10)
	q.msgs = append(q.msgs, &message{id: id, payload: clone(payload)})
	return id, nil
}

// Claim implements storage.Store. A message counts as expired once it went
// unacknowledged for lease since it was last handed out, which is how the
// Redis backend measures it too.
func (s *Store) Claim(ctx context.Context, name, consumer string, n int, lease time.Duration) ([]storage.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	q := s.queues[name]
	if q == nil || n <= 0 {
		return nil, nil
	}
	now := time.Now()
	var out []storage.Message
	take := func(m *message) {
		m.deliveries++
		m.last = now
		out = append(out, m.export())
	}
	for _, m := range q.msgs {
		if len(out) == n {
			return out, nil
		}
		if m.deliveries == 0 {
			take(m)
		}
	}
	for _, m := range q.msgs {
		if len(out) == n {
			break
		}
		if m.deliveries > 0 && now.Sub(m.last) >= lease && !contains(out, m.id) {
			take(m)
		}
	}
	return out, nil
}

func contains(msgs []storage.Message, id string) bool {
	for _, m := range msgs {
		if m.ID == id {
			return true
		}
	}
	return false
}

// Ack implements storage.Store. Unknown ids are ignored.
func (s *Store) Ack(ctx context.Context, name string, ids ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	q := s.queues[name]
	if q == nil {
		return nil
	}
	drop := make(map[string]bool, len(ids))
	for _, id := range ids {
		drop[id] = true
	}
	kept := q.msgs[:0]
	for _, m := range q.msgs {
		if !drop[m.id] {
			kept = append(kept, m)
		}
	}
	clear(q.msgs[len(kept):])
	q.msgs = kept
	if len(q.msgs) == 0 {
		delete(s.queues, name)
	}
	return nil
}

// Pending implements storage.Store.
func (s *Store) Pending(ctx context.Context, name string, n int) ([]storage.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	q := s.queues[name]
	if q == nil || n <= 0 {
		return nil, nil
	}
	out := make([]storage.Message, 0, min(n, len(q.msgs)))
	for _, m := range q.msgs[:min(n, len(q.msgs))] {
		out = append(out, m.export())
	}
	return out, nil
}
