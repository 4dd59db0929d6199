package memory

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

var _ storage.Scanner = (*Store)(nil)

// Scan implements storage.Scanner. It copies what is live under the lock
// and calls f without it.
func (s *Store) Scan(ctx context.Context, f func(key string, value []byte) error) error {
	type entry struct {
		key   string
		value []byte
	}
	var all []entry
	s.mu.Lock()
	if err := s.check(ctx); err != nil {
		s.mu.Unlock()
		return err
	}
	now := time.Now()
	for k, v := range s.values {
		if v.exp.IsZero() || now.Before(v.exp) {
			all = append(all, entry{k, clone(v.data)})
		}
	}
	for k, st := range s.sets {
		if st.exp.IsZero() || now.Before(st.exp) {
			members := make([]string, 0, len(st.members))
			for m := range st.members {
				members = append(members, m)
			}
			slices.Sort(members)
			all = append(all, entry{k, []byte(strings.Join(members, "\n"))})
		}
	}
	for k, x := range s.indexes {
		if x.live(now) {
			members := make([]string, 0, len(x.members))
			for m := range x.members {
				members = append(members, m)
			}
			slices.Sort(members)
			all = append(all, entry{k, []byte(strings.Join(members, "\n"))})
		}
	}
	for k, q := range s.queues {
		var b bytes.Buffer
		for _, m := range q.msgs {
			b.Write(m.payload)
			b.WriteByte('\n')
		}
		if len(q.msgs) > 0 {
			all = append(all, entry{k, b.Bytes()})
		}
	}
	s.mu.Unlock()
	for _, e := range all {
		if err := f(e.key, e.value); err != nil {
			return err
		}
	}
	return nil
}
