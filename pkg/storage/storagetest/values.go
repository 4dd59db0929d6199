package storagetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// wantValue fails the test unless key holds want.
func wantValue(t *testing.T, s storage.Store, key string, want []byte) {
	t.Helper()
	got, err := s.Get(t.Context(), key)
	noErr(t, err, "Get "+key)
	if !bytes.Equal(got, want) {
		t.Fatalf("Get %s = %q, want %q", key, got, want)
	}
}

// wantGone fails the test unless key is absent.
func wantGone(t *testing.T, s storage.Store, key string) {
	t.Helper()
	_, err := s.Get(t.Context(), key)
	isErr(t, err, storage.ErrNotFound, "Get "+key)
}

func testGetSetDelete(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	wantGone(t, s, k("a"))

	noErr(t, s.Set(ctx, k("a"), []byte("one"), 0), "Set")
	wantValue(t, s, k("a"), []byte("one"))
	noErr(t, s.Set(ctx, k("a"), []byte("two"), time.Hour), "Set again")
	wantValue(t, s, k("a"), []byte("two"))

	binary := []byte{0, 1, 2, 0xff, '\n', 0}
	noErr(t, s.Set(ctx, k("bin"), binary, 0), "Set binary")
	wantValue(t, s, k("bin"), binary)
	noErr(t, s.Set(ctx, k("empty"), nil, 0), "Set empty")
	wantValue(t, s, k("empty"), []byte{})

	// Keys with other hash tags may live in other Cluster slots; Delete
	// must still take them all, and ignore absent keys.
	other := keyer(t)("b")
	noErr(t, s.Set(ctx, other, []byte("x"), 0), "Set other tag")
	noErr(t, s.Delete(ctx, k("a"), other, k("absent")), "Delete")
	wantGone(t, s, k("a"))
	wantGone(t, s, other)
	wantValue(t, s, k("bin"), binary)
	noErr(t, s.Delete(ctx), "Delete of nothing")
}

func testValuesAreCopied(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	in := []byte("abc")
	noErr(t, s.Set(ctx, k("a"), in, 0), "Set")
	in[0] = 'X'
	out, err := s.Get(ctx, k("a"))
	noErr(t, err, "Get")
	out[1] = 'Y'
	wantValue(t, s, k("a"), []byte("abc"))
}

func testCreate(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	noErr(t, s.Create(ctx, k("a"), []byte("first"), time.Hour), "Create")
	isErr(t, s.Create(ctx, k("a"), []byte("second"), time.Hour), storage.ErrExists, "Create again")
	wantValue(t, s, k("a"), []byte("first"))

	noErr(t, s.Set(ctx, k("b"), []byte("set"), 0), "Set")
	isErr(t, s.Create(ctx, k("b"), []byte("created"), 0), storage.ErrExists, "Create over Set")

	noErr(t, s.Delete(ctx, k("a")), "Delete")
	noErr(t, s.Create(ctx, k("a"), []byte("third"), 0), "Create after Delete")
	wantValue(t, s, k("a"), []byte("third"))
}

func testTake(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	_, err := s.Take(ctx, k("a"))
	isErr(t, err, storage.ErrNotFound, "Take absent")

	noErr(t, s.Set(ctx, k("a"), []byte("code"), time.Hour), "Set")
	got, err := s.Take(ctx, k("a"))
	noErr(t, err, "Take")
	if string(got) != "code" {
		t.Fatalf("Take = %q, want %q", got, "code")
	}
	_, err = s.Take(ctx, k("a"))
	isErr(t, err, storage.ErrNotFound, "Take twice")
	wantGone(t, s, k("a"))
}

func testConsume(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	_, _, err := s.Consume(ctx, k("a"), time.Hour)
	isErr(t, err, storage.ErrNotFound, "Consume absent")

	noErr(t, s.Set(ctx, k("a"), []byte("code"), time.Hour), "Set")
	for i, wantFirst := range []bool{true, false, false} {
		got, first, err := s.Consume(ctx, k("a"), time.Hour)
		noErr(t, err, "Consume")
		if string(got) != "code" || first != wantFirst {
			t.Fatalf("Consume #%d = %q, first %v; want %q, first %v", i+1, got, first, "code", wantFirst)
		}
	}
	wantGone(t, s, k("a"))
	_, err = s.Take(ctx, k("a"))
	isErr(t, err, storage.ErrNotFound, "Take after Consume")

	// A key without a hash tag works too (its consumed copy must share
	// its Cluster slot).
	untagged := "consume-untagged-" + randomTag(t)
	noErr(t, s.Set(ctx, untagged, []byte("x"), time.Hour), "Set untagged")
	t.Cleanup(func() { _ = s.Delete(context.WithoutCancel(ctx), untagged) })
	if _, first, err := s.Consume(ctx, untagged, time.Hour); err != nil || !first {
		t.Fatalf("Consume untagged: first %v, %v", first, err)
	}
	if _, first, err := s.Consume(ctx, untagged, time.Hour); err != nil || first {
		t.Fatalf("Consume untagged again: first %v, %v", first, err)
	}

	// Delete forgets a consumed key entirely (erasure of a used code).
	noErr(t, s.Delete(ctx, k("a"), untagged), "Delete consumed")
	_, _, err = s.Consume(ctx, k("a"), time.Hour)
	isErr(t, err, storage.ErrNotFound, "Consume after Delete")
	_, _, err = s.Consume(ctx, untagged, time.Hour)
	isErr(t, err, storage.ErrNotFound, "Consume untagged after Delete")
}

func testCompareAndSwap(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	isErr(t, s.CompareAndSwap(ctx, k("a"), []byte("x"), []byte("y"), 0), storage.ErrNotFound, "CAS absent")
	wantGone(t, s, k("a"))

	noErr(t, s.Set(ctx, k("a"), []byte("v1"), 0), "Set")
	isErr(t, s.CompareAndSwap(ctx, k("a"), []byte("v0"), []byte("v2"), 0), storage.ErrConflict, "CAS wrong old")
	wantValue(t, s, k("a"), []byte("v1"))
	noErr(t, s.CompareAndSwap(ctx, k("a"), []byte("v1"), []byte("v2"), 0), "CAS")
	wantValue(t, s, k("a"), []byte("v2"))
	isErr(t, s.CompareAndSwap(ctx, k("a"), []byte("v1"), []byte("v3"), 0), storage.ErrConflict, "CAS stale old")
	wantValue(t, s, k("a"), []byte("v2"))

	// Empty values compare like any other.
	noErr(t, s.CompareAndSwap(ctx, k("a"), []byte("v2"), nil, 0), "CAS to empty")
	noErr(t, s.CompareAndSwap(ctx, k("a"), []byte{}, []byte("v4"), 0), "CAS from empty")
	wantValue(t, s, k("a"), []byte("v4"))
}
