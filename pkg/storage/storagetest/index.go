package storagetest

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/storage"
)

// testIndex: members live until their own time, the earliest are evicted
// beyond max, and what expired is dropped on the next write.
func testIndex(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	now := time.Now()
	members := func() []string {
		t.Helper()
		m, err := s.IndexMembers(ctx, k("i"))
		require.NoError(t, err)
		slices.Sort(m)
		return m
	}
	require.Empty(t, members(), "an absent index is empty")
	for i, m := range []string{"c", "a", "b"} {
		ev, err := s.IndexAdd(ctx, k("i"), m, now.Add(time.Duration(i+1)*time.Hour), 0)
		require.NoError(t, err)
		require.Empty(t, ev)
	}
	require.Equal(t, []string{"a", "b", "c"}, members())

	// Beyond max, the earliest (c, then a) are evicted and returned.
	ev, err := s.IndexAdd(ctx, k("i"), "d", now.Add(4*time.Hour), 2)
	require.NoError(t, err)
	require.Equal(t, []string{"c", "a"}, ev)
	require.Equal(t, []string{"b", "d"}, members())

	// Adding again sets the new time: b now expires last, d is evicted.
	ev, err = s.IndexAdd(ctx, k("i"), "b", now.Add(5*time.Hour), 1)
	require.NoError(t, err)
	require.Equal(t, []string{"d"}, ev)
	require.Equal(t, []string{"b"}, members())

	require.NoError(t, s.IndexRemove(ctx, k("i"), "b", "absent"))
	require.Empty(t, members())

	// An expired member is not listed, and the next write drops it.
	_, err = s.IndexAdd(ctx, k("j"), "short", time.Now().Add(shortTTL), 0)
	require.NoError(t, err)
	_, err = s.IndexAdd(ctx, k("j"), "long", time.Now().Add(time.Hour), 0)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		m, err := s.IndexMembers(ctx, k("j"))
		return err == nil && slices.Equal(m, []string{"long"})
	}, waitFor, 10*time.Millisecond)
	require.NoError(t, s.Delete(ctx, k("j")))
	m, err := s.IndexMembers(ctx, k("j"))
	require.NoError(t, err)
	require.Empty(t, m, "Delete removes an index")

	// The index lives as long as its latest member.
	_, err = s.IndexAdd(ctx, k("gone"), "x", time.Now().Add(shortTTL), 0)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		m, err := s.IndexMembers(ctx, k("gone"))
		return err == nil && len(m) == 0
	}, waitFor, 10*time.Millisecond)
	if sc, ok := s.(storage.Scanner); ok {
		require.Eventually(t, func() bool {
			found := false
			_ = sc.Scan(ctx, func(key string, _ []byte) error {
				found = found || key == k("gone")
				return nil
			})
			return !found
		}, waitFor, 20*time.Millisecond, "the index itself expires")
	}

	// SetAndIndex writes both.
	ev, err = s.SetAndIndex(ctx, k("rec"), []byte("v"), time.Hour, k("i"), "rec", now.Add(time.Hour), 0)
	require.NoError(t, err)
	require.Empty(t, ev)
	wantValue(t, s, k("rec"), []byte("v"))
	require.Equal(t, []string{"rec"}, members())
}
