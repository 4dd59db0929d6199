package storagetest

import (
	"slices"
	"testing"

	"github.com/idbridge/idbridge/pkg/storage"
)

// wantMembers fails the test unless got holds exactly want, in any order.
func wantMembers(t *testing.T, got []string, want ...string) {
	t.Helper()
	got = slices.Clone(got)
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("members = %q, want %q", got, want)
	}
}

func members(t *testing.T, s storage.Store, key string) []string {
	t.Helper()
	m, err := s.SetMembers(t.Context(), key)
	noErr(t, err, "SetMembers")
	return m
}

func testSets(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	wantMembers(t, members(t, s, k("s")))
	noErr(t, s.SetRemove(ctx, k("s"), "x"), "SetRemove on absent set")

	for _, m := range []string{"a", "b", "c", "a"} {
		noErr(t, s.SetAdd(ctx, k("s"), m, 0), "SetAdd "+m)
	}
	wantMembers(t, members(t, s, k("s")), "a", "b", "c")
	wantMembers(t, members(t, s, k("other")))

	noErr(t, s.SetRemove(ctx, k("s"), "b", "absent"), "SetRemove")
	wantMembers(t, members(t, s, k("s")), "a", "c")
	noErr(t, s.SetRemove(ctx, k("s")), "SetRemove of nothing")
	noErr(t, s.SetRemove(ctx, k("s"), "a", "c"), "SetRemove all")
	wantMembers(t, members(t, s, k("s")))

	noErr(t, s.SetAdd(ctx, k("s"), "d", 0), "SetAdd after emptying")
	wantMembers(t, members(t, s, k("s")), "d")
	noErr(t, s.Delete(ctx, k("s")), "Delete set")
	wantMembers(t, members(t, s, k("s")))
}

func testSetExpiry(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	noErr(t, s.SetAdd(ctx, k("s"), "a", shortTTL), "SetAdd")
	noErr(t, s.SetAdd(ctx, k("s"), "b", shortTTL), "SetAdd")
	eventually(t, "set expires", func() (bool, error) {
		m, err := s.SetMembers(ctx, k("s"))
		return len(m) == 0, err
	})
	noErr(t, s.SetAdd(ctx, k("s"), "c", 0), "SetAdd after expiry")
	wantMembers(t, members(t, s, k("s")), "c")
}

// testSetAndAdd writes a record and its index entry together; the two keys
// need not share a Cluster slot, and each gets its own lifetime.
func testSetAndAdd(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	other := keyer(t) // another hash tag: another slot on Cluster
	noErr(t, s.SetAdd(ctx, other("idx"), "old", 0), "SetAdd")
	noErr(t, s.SetAndAdd(ctx, k("rec"), []byte("v"), 0, other("idx"), "rec-1", shortTTL), "SetAndAdd")
	wantValue(t, s, k("rec"), []byte("v"))
	wantMembers(t, members(t, s, other("idx")), "old", "rec-1")
	eventually(t, "the index takes the new lifetime", func() (bool, error) {
		m, err := s.SetMembers(ctx, other("idx"))
		return len(m) == 0, err
	})
	wantValue(t, s, k("rec"), []byte("v"))

	noErr(t, s.SetAndAdd(ctx, k("short"), []byte("w"), shortTTL, other("idx2"), "x", 0), "SetAndAdd")
	gone(t, s, k("short"), "the record takes its own lifetime")
	wantMembers(t, members(t, s, other("idx2")), "x")
}
