package storagetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// msg is what the queue tests compare: a message without its opaque id.
type msg struct {
	Payload    string
	Deliveries int
}

func strip(ms []storage.Message) []msg {
	out := make([]msg, 0, len(ms))
	for _, m := range ms {
		out = append(out, msg{string(m.Payload), m.Deliveries})
	}
	return out
}

func wantMsgs(t *testing.T, what string, got []storage.Message, want ...msg) {
	t.Helper()
	if g := strip(got); !slices.Equal(g, want) {
		t.Fatalf("%s = %+v, want %+v", what, g, want)
	}
}

func claim(t *testing.T, s storage.Store, q, consumer string, n int, lease time.Duration) []storage.Message {
	t.Helper()
	ms, err := s.Claim(t.Context(), q, consumer, n, lease)
	noErr(t, err, "Claim by "+consumer)
	return ms
}

func pending(t *testing.T, s storage.Store, q string, n int) []storage.Message {
	t.Helper()
	ms, err := s.Pending(t.Context(), q, n)
	noErr(t, err, "Pending")
	return ms
}

func enqueue(t *testing.T, s storage.Store, q string, payloads ...string) []string {
	t.Helper()
	var ids []string
	for _, p := range payloads {
		id, err := s.Enqueue(t.Context(), q, []byte(p))
		noErr(t, err, "Enqueue")
		if id == "" || slices.Contains(ids, id) {
			t.Fatalf("Enqueue returned id %q, empty or already used in %q", id, ids)
		}
		ids = append(ids, id)
	}
	return ids
}

func testQueue(t *testing.T, s storage.Store) {
	ctx, q := t.Context(), keyer(t)("q")
	wantMsgs(t, "Pending of an unknown queue", pending(t, s, q, 10))
	wantMsgs(t, "Claim of an unknown queue", claim(t, s, q, "a", 10, time.Minute))

	ids := enqueue(t, s, q, "m1", "m2", "m3")
	wantMsgs(t, "Pending", pending(t, s, q, 10), msg{"m1", 0}, msg{"m2", 0}, msg{"m3", 0})
	wantMsgs(t, "Pending, at most 2", pending(t, s, q, 2), msg{"m1", 0}, msg{"m2", 0})

	got := claim(t, s, q, "a", 2, time.Minute)
	wantMsgs(t, "Claim by a", got, msg{"m1", 1}, msg{"m2", 1})
	if got[0].ID != ids[0] || got[1].ID != ids[1] {
		t.Fatalf("Claim ids = %s %s, want %s %s", got[0].ID, got[1].ID, ids[0], ids[1])
	}
	wantMsgs(t, "Pending after Claim", pending(t, s, q, 10), msg{"m1", 1}, msg{"m2", 1}, msg{"m3", 0})
	wantMsgs(t, "Claim by b", claim(t, s, q, "b", 5, time.Minute), msg{"m3", 1})
	wantMsgs(t, "Claim by c with everything leased", claim(t, s, q, "c", 5, time.Minute))

	noErr(t, s.Ack(ctx, q, ids[0], ids[1], "0-1"), "Ack with an unknown id")
	wantMsgs(t, "Pending after Ack", pending(t, s, q, 10), msg{"m3", 1})
	noErr(t, s.Ack(ctx, q, ids[2]), "Ack")
	noErr(t, s.Ack(ctx, q, ids[2]), "Ack twice")
	wantMsgs(t, "Pending after the last Ack", pending(t, s, q, 10))

	enqueue(t, s, q, "m4")
	wantMsgs(t, "Claim after draining", claim(t, s, q, "a", 5, time.Minute), msg{"m4", 1})
}

func testQueueRedelivery(t *testing.T, s storage.Store) {
	ctx, q := t.Context(), keyer(t)("q")
	ids := enqueue(t, s, q, "hook")
	start := time.Now()
	wantMsgs(t, "Claim by a", claim(t, s, q, "a", 1, shortTTL), msg{"hook", 1})
	if soon(start) {
		wantMsgs(t, "Claim by b while a holds the lease", claim(t, s, q, "b", 1, shortTTL))
	}
	var got []storage.Message
	eventually(t, "unacknowledged message comes back", func() (bool, error) {
		var err error
		got, err = s.Claim(ctx, q, "b", 1, shortTTL)
		return len(got) > 0, err
	})
	wantMsgs(t, "Claim by b after a's lease", got, msg{"hook", 2})
	if got[0].ID != ids[0] {
		t.Fatalf("re-delivered id %s, want %s", got[0].ID, ids[0])
	}
	noErr(t, s.Ack(ctx, q, ids[0]), "Ack")
	wantMsgs(t, "Pending after Ack", pending(t, s, q, 10))
	// Past any lease, an acknowledged message stays gone.
	time.Sleep(shortTTL + 500*time.Millisecond)
	wantMsgs(t, "Claim after Ack and lease", claim(t, s, q, "c", 5, shortTTL))
}

func testQueueNewBeforeExpired(t *testing.T, s storage.Store) {
	q := keyer(t)("q")
	const lease = 200 * time.Millisecond
	enqueue(t, s, q, "old")
	wantMsgs(t, "Claim by a", claim(t, s, q, "a", 1, lease), msg{"old", 1})
	enqueue(t, s, q, "new")
	time.Sleep(3 * lease)
	wantMsgs(t, "Claim prefers new messages", claim(t, s, q, "b", 1, lease), msg{"new", 1})
	wantMsgs(t, "then expired ones", claim(t, s, q, "b", 1, lease), msg{"old", 2})
}

func testQueueConcurrentClaim(t *testing.T, s storage.Store) {
	q := keyer(t)("q")
	const total, consumers = 60, 4
	var want []string
	for i := range total {
		want = append(want, fmt.Sprintf("m%02d", i))
	}
	enqueue(t, s, q, want...)

	var mu sync.Mutex
	seen := make(map[string]int)
	errs := race(consumers, func(i int) error {
		for {
			ms, err := s.Claim(t.Context(), q, fmt.Sprintf("c%d", i), 5, time.Minute)
			if err != nil || len(ms) == 0 {
				return err
			}
			mu.Lock()
			for _, m := range ms {
				seen[string(m.Payload)]++
			}
			mu.Unlock()
		}
	})
	for _, err := range errs {
		noErr(t, err, "Claim")
	}
	for _, p := range want {
		if seen[p] != 1 {
			t.Fatalf("message %s handed out %d times, want once", p, seen[p])
		}
	}
	if len(seen) != total {
		t.Fatalf("%d distinct messages handed out, want %d", len(seen), total)
	}
}

func testQueuesAreSeparate(t *testing.T, s storage.Store) {
	k := keyer(t)
	enqueue(t, s, k("q1"), "one")
	enqueue(t, s, k("q2"), "two")
	wantMsgs(t, "Claim q1", claim(t, s, k("q1"), "a", 5, time.Minute), msg{"one", 1})
	wantMsgs(t, "Pending q2", pending(t, s, k("q2"), 5), msg{"two", 0})
	wantMsgs(t, "Pending q3", pending(t, s, k("q3"), 5))
}
