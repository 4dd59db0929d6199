package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// gone polls until key is absent.
func gone(t *testing.T, s storage.Store, key, what string) {
	t.Helper()
	eventually(t, what, func() (bool, error) {
		_, err := s.Get(t.Context(), key)
		if errors.Is(err, storage.ErrNotFound) {
			return true, nil
		}
		return false, err
	})
}

func testValueExpiry(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	start := time.Now()
	noErr(t, s.Set(ctx, k("set"), []byte("v"), shortTTL), "Set")
	noErr(t, s.Create(ctx, k("created"), []byte("v"), shortTTL), "Create")
	noErr(t, s.Set(ctx, k("forever"), []byte("v"), 0), "Set without ttl")
	if soon(start) {
		wantValue(t, s, k("set"), []byte("v"))
		isErr(t, s.Create(ctx, k("created"), []byte("w"), 0), storage.ErrExists, "Create while live")
	}
	gone(t, s, k("set"), "Set value expires")
	gone(t, s, k("created"), "Created value expires")
	_, err := s.Take(ctx, k("set"))
	isErr(t, err, storage.ErrNotFound, "Take expired")
	isErr(t, s.CompareAndSwap(ctx, k("set"), []byte("v"), []byte("w"), 0), storage.ErrNotFound, "CAS expired")
	noErr(t, s.Create(ctx, k("created"), []byte("again"), 0), "Create after expiry")
	wantValue(t, s, k("created"), []byte("again"))
	wantValue(t, s, k("forever"), []byte("v"))
}

func testZeroTTLReplacesLifetime(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	noErr(t, s.Set(ctx, k("a"), []byte("short"), shortTTL), "Set with ttl")
	noErr(t, s.Set(ctx, k("a"), []byte("long"), 0), "Set without ttl")
	noErr(t, s.SetAdd(ctx, k("s"), "m", shortTTL), "SetAdd with ttl")
	noErr(t, s.SetAdd(ctx, k("s"), "n", 0), "SetAdd without ttl")
	// Waiting longer only makes the check stricter.
	time.Sleep(shortTTL + 500*time.Millisecond)
	wantValue(t, s, k("a"), []byte("long"))
	members, err := s.SetMembers(ctx, k("s"))
	noErr(t, err, "SetMembers")
	wantMembers(t, members, "m", "n")
}

func testCompareAndSwapExpiry(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	noErr(t, s.Set(ctx, k("a"), []byte("v1"), 0), "Set")
	noErr(t, s.CompareAndSwap(ctx, k("a"), []byte("v1"), []byte("v2"), shortTTL), "CAS with ttl")
	gone(t, s, k("a"), "value swapped in with a ttl expires")
}

func testConsumeExpiry(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	noErr(t, s.Set(ctx, k("a"), []byte("code"), time.Hour), "Set")
	start := time.Now()
	if _, first, err := s.Consume(ctx, k("a"), shortTTL); err != nil || !first {
		t.Fatalf("Consume: first %v, %v", first, err)
	}
	if soon(start) {
		if _, first, err := s.Consume(ctx, k("a"), shortTTL); err != nil || first {
			t.Fatalf("Consume while remembered: first %v, %v", first, err)
		}
	}
	eventually(t, "a consumed key is forgotten after its ttl", func() (bool, error) {
		_, _, err := s.Consume(ctx, k("a"), shortTTL)
		if errors.Is(err, storage.ErrNotFound) {
			return true, nil
		}
		return false, err
	})
}
