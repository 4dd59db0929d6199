// Package storage defines the state that every idbridge replica shares:
// one small set of primitives (values with lifetimes, atomic take and
// consume, sets, counters, leases and a durable queue) that the provider,
// the connector API and the webhook outbox build their records on.
//
// Two backends implement it: storage/memory (the embedded default) and
// storage/redis (production). Both pass the suite in storage/storagetest.
//
// Keys are plain strings. A part in braces, as in "code:{abc}", is a hash tag:
// on Redis Cluster every key with the same tag lives in the same slot, so a
// caller that must touch several keys together gives them one tag.
package storage

import (
	"context"
	"errors"
	"time"
)

// Errors returned by every Store. Callers compare with errors.Is.
var (
	// ErrNotFound: the key does not exist or has expired.
	ErrNotFound = errors.New("storage: not found")
	// ErrExists: Create or Lock found the key already present.
	ErrExists = errors.New("storage: already exists")
	// ErrConflict: CompareAndSwap found a value other than the expected one.
	ErrConflict = errors.New("storage: value changed concurrently")
	// ErrUnavailable: the backend cannot be reached or did not answer in
	// time. A write that failed before reaching it was not applied; one that
	// timed out waiting for the answer may have been, so callers retry only
	// idempotent steps blindly.
	ErrUnavailable = errors.New("storage: backend unavailable")
)

// Store is the shared state of all replicas. Implementations are safe for
// concurrent use by many goroutines and, for shared backends, by many
// processes. A ttl of 0 means the value does not expire.
type Store interface {
	// Get returns the value under key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key, replacing any previous value and lifetime.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Create stores value only if key is absent; it returns ErrExists
	// otherwise. Atomic.
	Create(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Take returns the value under key and deletes it in one atomic step. Of
	// any number of concurrent callers exactly one gets the value; the others
	// get ErrNotFound. Used for single-use codes and request_uris.
	Take(ctx context.Context, key string) ([]byte, error)
	// Consume returns the value under key and marks it used, in one atomic
	// step. Of any number of concurrent callers exactly one gets
	// first=true; later callers get the same value with first=false until
	// ttl after that first Consume (0: no expiry), then ErrNotFound. An
	// absent or expired key is ErrNotFound. Once consumed, the key reads as
	// absent to Get and Take. Used for single-use codes whose reuse must be
	// recognised (RFC 6749 4.1.2).
	Consume(ctx context.Context, key string, ttl time.Duration) (value []byte, first bool, err error)
	// CompareAndSwap replaces the value under key with newValue only if it is
	// currently equal to old. It returns ErrNotFound if the key is absent and
	// ErrConflict if the value differs. Atomic.
	CompareAndSwap(ctx context.Context, key string, old, newValue []byte, ttl time.Duration) error
	// Delete removes keys (values, sets and indexes), and what Consume
	// remembers of them (so erasing a consumed code leaves nothing of it);
	// absent keys are not an error.
	Delete(ctx context.Context, keys ...string) error

	// Incr adds one to the counter under key and returns the new count. The
	// counter expires window after its first increment (a fixed window, for
	// rate limits). Atomic.
	Incr(ctx context.Context, key string, window time.Duration) (int64, error)

	// SetAdd adds member to the set under key and renews the set's lifetime
	// to ttl (0: no expiry).
	SetAdd(ctx context.Context, key, member string, ttl time.Duration) error
	// SetAndAdd is Set(key, value, ttl) and SetAdd(set, member, setTTL) in
	// one call (one round trip where the backend allows): a record and its
	// entry in an index. Not atomic: after an error either may have been
	// applied.
	SetAndAdd(ctx context.Context, key string, value []byte, ttl time.Duration, set, member string, setTTL time.Duration) error
	// SetMembers returns the members of the set under key in no particular
	// order; an absent set is empty, not an error.
	SetMembers(ctx context.Context, key string) ([]string, error)
	// SetRemove removes members from the set under key.
	SetRemove(ctx context.Context, key string, members ...string) error

	// IndexAdd adds member to the index under key, to be kept until
	// expires, and in the same atomic step removes the members whose time
	// has passed. With max > 0, when more than max members remain the ones
	// expiring first are removed and returned (evicted), so the caller can
	// end what they stand for. The index lives as long as its latest
	// member. Adding a member again sets its new time. Used for the
	// per-person indexes of sessions and grants: they stay as small as
	// what is live.
	IndexAdd(ctx context.Context, key, member string, expires time.Time, max int) (evicted []string, err error)
	// SetAndIndex is Set(key, value, ttl) and IndexAdd(index, member,
	// expires, max) in one call (one round trip where the backend allows):
	// a record and its entry in an index. Not atomic: after an error
	// either may have been applied.
	SetAndIndex(ctx context.Context, key string, value []byte, ttl time.Duration, index, member string, expires time.Time, max int) (evicted []string, err error)
	// IndexMembers returns the members of the index under key whose time
	// has not passed, in no particular order; an absent index is empty.
	IndexMembers(ctx context.Context, key string) ([]string, error)
	// IndexRemove removes members from the index under key.
	IndexRemove(ctx context.Context, key string, members ...string) error

	// Lock takes a lease on key for ttl and returns its token, or ErrExists
	// while another holder's lease is live. Atomic.
	Lock(ctx context.Context, key string, ttl time.Duration) (token string, err error)
	// Unlock releases the lease if token still holds it; a lease that expired
	// or was taken over is left alone and ErrConflict is returned.
	Unlock(ctx context.Context, key, token string) error

	// Enqueue appends a message to the durable queue. On Redis, messages
	// survive a restart of the process (and of Redis with persistence);
	// storage/memory keeps them only for the life of the process.
	Enqueue(ctx context.Context, queue string, payload []byte) (id string, err error)
	// Claim hands up to n messages of queue to consumer, each leased for
	// lease: new messages first, then messages whose lease expired without
	// an Ack (at-least-once delivery). A handed-out message counts as
	// expired once it has gone unacknowledged for longer than the lease of
	// the Claim that finds it (Redis Streams measure a pending entry's idle
	// time the same way), so all consumers of one queue use one lease. n <= 0
	// claims nothing; lease must be positive.
	Claim(ctx context.Context, queue, consumer string, n int, lease time.Duration) ([]Message, error)
	// Ack removes a delivered message from the queue for good.
	Ack(ctx context.Context, queue string, ids ...string) error
	// Pending lists the messages of queue that are not yet acknowledged,
	// oldest first, at most n.
	Pending(ctx context.Context, queue string, n int) ([]Message, error)

	// Ping reports whether the backend is reachable (ErrUnavailable if not).
	Ping(ctx context.Context) error
	// Close releases the backend's resources.
	Close() error
}

// Message is one entry of a durable queue.
type Message struct {
	// ID is assigned by Enqueue and identifies the message for Ack.
	ID string
	// Payload is what was enqueued, unchanged.
	Payload []byte
	// Deliveries counts how often Claim has handed the message out,
	// including this time.
	Deliveries int
}

// Scanner is implemented by stores that can list what they hold: for
// operators' inspection and for tests that prove what is (and is not)
// stored. It walks the whole store; never call it on a request path.
type Scanner interface {
	// Scan calls f for every live key with a readable rendering of its
	// value: a value's bytes, a set's members or a queue's payloads, one
	// per line. Keys are as the caller wrote them (without a backend's key
	// prefix). An error from f stops the scan and is returned.
	Scan(ctx context.Context, f func(key string, value []byte) error) error
}
