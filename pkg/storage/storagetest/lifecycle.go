package storagetest

import (
	"testing"

	"github.com/idbridge/idbridge/pkg/storage"
)

func testPingAndClose(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	noErr(t, s.Ping(ctx), "Ping")
	noErr(t, s.Close(), "Close")
	isErr(t, s.Ping(ctx), storage.ErrUnavailable, "Ping after Close")
	_, err := s.Get(ctx, k("a"))
	isErr(t, err, storage.ErrUnavailable, "Get after Close")
	isErr(t, s.Set(ctx, k("a"), []byte("v"), 0), storage.ErrUnavailable, "Set after Close")
	noErr(t, s.Close(), "Close twice")
}
