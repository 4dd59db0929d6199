package storagetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/storage"
)

// testScan: a Scanner lists every live value, set and queue, and nothing
// expired or deleted.
func testScan(t *testing.T, s storage.Store) {
	sc, ok := s.(storage.Scanner)
	if !ok {
		t.Skip("the store is not a Scanner")
	}
	ctx := context.Background()
	k := keyer(t)
	require.NoError(t, s.Set(ctx, k("value"), []byte("v1"), 0))
	require.NoError(t, s.Set(ctx, k("gone"), []byte("v2"), 0))
	require.NoError(t, s.Delete(ctx, k("gone")))
	require.NoError(t, s.Set(ctx, k("short"), []byte("v3"), 50*time.Millisecond))
	require.NoError(t, s.SetAdd(ctx, k("set"), "m1", 0))
	require.NoError(t, s.SetAdd(ctx, k("set"), "m2", 0))
	_, err := s.Enqueue(ctx, k("queue"), []byte("payload"))
	require.NoError(t, err)
	tag := k("")[1:] // ":{tag}", shared by every key of this test
	require.Eventually(t, func() bool {
		_, err := s.Get(ctx, k("short"))
		return err != nil
	}, waitFor, 10*time.Millisecond)

	got := map[string]string{}
	require.NoError(t, sc.Scan(ctx, func(key string, value []byte) error {
		if strings.Contains(key, tag) {
			got[key] = string(value)
		}
		return nil
	}))
	require.Equal(t, "v1", got[k("value")])
	require.ElementsMatch(t, []string{"m1", "m2"}, strings.Split(got[k("set")], "\n"))
	require.Contains(t, got[k("queue")], "payload")
	require.NotContains(t, got, k("gone"))
	require.NotContains(t, got, k("short"))
}
