// Package storagetest is the conformance suite for storage.Store: every
// backend's tests call RunTests, so memory and Redis (standalone and
// Cluster) are held to the same contract.
//
// The tests are parallel and each uses its own random key names, so a
// backend's newStore may hand every test a client of one shared server.
// Keys carry hash tags ("name:{tag}") so the suite also runs on Redis
// Cluster. Lifetimes are short (about 1.5s) and waited for by polling with
// generous deadlines, so the suite stays reliable on a loaded machine.
package storagetest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// shortTTL is the lifetime used by expiry tests; a quick step right after a
// write asserts liveness only if it ran well inside it (see soon).
const shortTTL = 1500 * time.Millisecond

// waitFor bounds every poll for an expiry; far longer than any lifetime used.
const waitFor = 15 * time.Second

// RunTests runs the conformance suite against the stores newStore returns.
// newStore is called once per test and should register the store's Close
// with t.Cleanup; the suite closes some stores itself, so Close must be
// safe to call twice.
func RunTests(t *testing.T, newStore func(t *testing.T) storage.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s storage.Store)
	}{
		{"GetSetDelete", testGetSetDelete},
		{"ValuesAreCopied", testValuesAreCopied},
		{"Create", testCreate},
		{"Take", testTake},
		{"Consume", testConsume},
		{"ConsumeExpiry", testConsumeExpiry},
		{"CompareAndSwap", testCompareAndSwap},
		{"ValueExpiry", testValueExpiry},
		{"ZeroTTLReplacesLifetime", testZeroTTLReplacesLifetime},
		{"CompareAndSwapExpiry", testCompareAndSwapExpiry},
		{"TakeContention", testTakeContention},
		{"ConsumeContention", testConsumeContention},
		{"CreateContention", testCreateContention},
		{"CompareAndSwapContention", testCompareAndSwapContention},
		{"Incr", testIncr},
		{"IncrWindow", testIncrWindow},
		{"IncrContention", testIncrContention},
		{"Sets", testSets},
		{"SetExpiry", testSetExpiry},
		{"SetAndAdd", testSetAndAdd},
		{"Lock", testLock},
		{"LockExpiry", testLockExpiry},
		{"LockContention", testLockContention},
		{"Queue", testQueue},
		{"QueueRedelivery", testQueueRedelivery},
		{"QueueNewBeforeExpired", testQueueNewBeforeExpired},
		{"QueueConcurrentClaim", testQueueConcurrentClaim},
		{"QueuesAreSeparate", testQueuesAreSeparate},
		{"Index", testIndex},
		{"Scan", testScan},
		{"PingAndClose", testPingAndClose},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

// keyer returns a function naming keys of one test: "name:{tag}" with a
// random tag, so every key of the test shares one Cluster slot and no two
// tests (or runs against one server) share a key.
func keyer(t *testing.T) func(name string) string {
	t.Helper()
	tag := randomTag(t)
	return func(name string) string { return name + ":{" + tag + "}" }
}

func randomTag(t *testing.T) string {
	t.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// soon reports whether less than half of shortTTL passed since start, so a
// check that something is still alive cannot fail because the machine
// paused. Callers skip such checks when it returns false.
func soon(start time.Time) bool {
	return time.Since(start) < shortTTL/2
}

// eventually calls cond every 50ms until it reports true, failing the test
// if it returns an error or waitFor passes first.
func eventually(t *testing.T, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, waitFor)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// isErr fails the test unless errors.Is(err, want).
func isErr(t *testing.T, err, want error, what string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

// noErr fails the test on any error.
func noErr(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
