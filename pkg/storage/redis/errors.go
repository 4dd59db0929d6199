package redis

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	goredis "github.com/redis/go-redis/v9"

	"github.com/idbridge/idbridge/pkg/storage"
)

// wrap translates a go-redis error: redis.Nil becomes storage.ErrNotFound,
// anything that means "Redis cannot be reached or cannot serve right now"
// becomes storage.ErrUnavailable wrapped around the cause, and the rest is
// wrapped with the package name. The caller's own context errors stay
// visible to errors.Is.
func wrap(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, goredis.Nil):
		return storage.ErrNotFound
	case unavailable(err):
		return fmt.Errorf("%w: %w", storage.ErrUnavailable, err)
	default:
		return fmt.Errorf("storage/redis: %w", err)
	}
}

func unavailable(err error) bool {
	var netErr net.Error
	switch {
	case errors.As(err, &netErr),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE),
		errors.Is(err, goredis.ErrClosed),
		errors.Is(err, goredis.ErrPoolTimeout),
		errors.Is(err, goredis.ErrPoolExhausted):
		return true
	}
	// Replies of a server that is starting, failing over or resharding.
	return goredis.IsLoadingError(err) ||
		goredis.IsReadOnlyError(err) ||
		goredis.IsClusterDownError(err) ||
		goredis.IsTryAgainError(err) ||
		goredis.IsMasterDownError(err)
}
