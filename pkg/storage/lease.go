package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"
)

// CreateLease is Lock for a backend whose leases are plain values: it
// stores a random token under key with the backend's Create (so an
// existing lease is ErrExists) and returns the token.
func CreateLease(ctx context.Context, key string, ttl time.Duration, create func(ctx context.Context, key string, value []byte, ttl time.Duration) error) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := hex.EncodeToString(b[:])
	if err := create(ctx, key, []byte(token), ttl); err != nil {
		return "", err
	}
	return token, nil
}
