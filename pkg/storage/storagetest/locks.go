package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

func testLock(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	tok, err := s.Lock(ctx, k("l"), time.Hour)
	noErr(t, err, "Lock")
	if tok == "" {
		t.Fatal("Lock returned an empty token")
	}
	_, err = s.Lock(ctx, k("l"), time.Hour)
	isErr(t, err, storage.ErrExists, "Lock while held")

	isErr(t, s.Unlock(ctx, k("l"), tok+"x"), storage.ErrConflict, "Unlock with a wrong token")
	_, err = s.Lock(ctx, k("l"), time.Hour)
	isErr(t, err, storage.ErrExists, "Lock after a wrong Unlock")

	noErr(t, s.Unlock(ctx, k("l"), tok), "Unlock")
	isErr(t, s.Unlock(ctx, k("l"), tok), storage.ErrConflict, "Unlock twice")
	isErr(t, s.Unlock(ctx, k("never"), tok), storage.ErrConflict, "Unlock of a key never locked")

	tok2, err := s.Lock(ctx, k("l"), time.Hour)
	noErr(t, err, "Lock after Unlock")
	if tok2 == tok {
		t.Fatal("Lock handed out the same token twice")
	}
}

func testLockExpiry(t *testing.T, s storage.Store) {
	ctx, k := t.Context(), keyer(t)
	start := time.Now()
	old, err := s.Lock(ctx, k("l"), shortTTL)
	noErr(t, err, "Lock")
	if soon(start) {
		_, err = s.Lock(ctx, k("l"), shortTTL)
		isErr(t, err, storage.ErrExists, "Lock while the lease is live")
	}
	var cur string
	eventually(t, "lease expires and can be taken again", func() (bool, error) {
		tok, err := s.Lock(ctx, k("l"), time.Hour)
		if errors.Is(err, storage.ErrExists) {
			return false, nil
		}
		cur = tok
		return err == nil, err
	})
	isErr(t, s.Unlock(ctx, k("l"), old), storage.ErrConflict, "Unlock with the expired token")
	_, err = s.Lock(ctx, k("l"), time.Hour)
	isErr(t, err, storage.ErrExists, "new holder kept the lease")
	noErr(t, s.Unlock(ctx, k("l"), cur), "Unlock by the new holder")
}
