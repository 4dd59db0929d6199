package storagetest

import (
	"testing"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

func incr(t *testing.T, s storage.Store, key string, window time.Duration, want int64) {
	t.Helper()
	got, err := s.Incr(t.Context(), key, window)
	noErr(t, err, "Incr")
	if got != want {
		t.Fatalf("Incr %s = %d, want %d", key, got, want)
	}
}

func testIncr(t *testing.T, s storage.Store) {
	k := keyer(t)
	for i := int64(1); i <= 5; i++ {
		incr(t, s, k("a"), 0, i)
	}
	incr(t, s, k("b"), time.Hour, 1)
	incr(t, s, k("a"), time.Hour, 6)
	noErr(t, s.Delete(t.Context(), k("a")), "Delete")
	incr(t, s, k("a"), time.Hour, 1)
}

func testIncrWindow(t *testing.T, s storage.Store) {
	k := keyer(t)
	start := time.Now()
	incr(t, s, k("w"), shortTTL, 1)
	c, err := s.Incr(t.Context(), k("w"), shortTTL)
	noErr(t, err, "Incr")
	if soon(start) && c != 2 {
		t.Fatalf("second Incr inside the window = %d, want 2", c)
	}
	// Increments keep coming every 50ms: a fixed window still resets, where
	// one renewed by each increment never would.
	eventually(t, "window resets", func() (bool, error) {
		c, err := s.Incr(t.Context(), k("w"), shortTTL)
		return c == 1, err
	})
}
