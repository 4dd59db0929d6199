// Package redis is the production storage backend: storage.Store on Redis
// 7 (standalone, Sentinel or Cluster) through go-redis.
//
// Values, counters and leases are strings, sets are sets, and each queue is
// a Redis Stream read through one consumer group, so unacknowledged
// messages survive a restart of idbridge and, with AOF enabled, of Redis.
// Read-modify-write steps run as Lua scripts (EVALSHA, loaded on first
// use), so they are atomic on every topology. Every command touches one
// key, except Delete, which splits its keys by slot; so hash tags in keys
// are only needed by callers that want related keys on one Cluster node.
//
// Connection failures, timeouts and a closed Store are reported as
// storage.ErrUnavailable, wrapped around the go-redis error.
package redis

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/idbridge/idbridge/pkg/storage"
)

// group is the consumer group every replica reads queues through.
const group = "idbridge"

var _ storage.Store = (*Store)(nil)

// Config says where Redis is and how to talk to it.
//
// One address with no MasterName is a standalone server; MasterName selects
// Sentinel, with Addrs listing the sentinels; several addresses are Cluster
// seed nodes.
type Config struct {
	// Addrs are "host:port" addresses; at least one.
	Addrs []string
	// Username and Password authenticate with AUTH (ACL user or the
	// default user's password).
	Username, Password string
	// DB selects the database on a standalone or Sentinel deployment;
	// Cluster has only database 0.
	DB int
	// MasterName is the Sentinel master set name.
	MasterName string
	// KeyPrefix is prepended to every key, for sharing one Redis among
	// deployments. It may not contain braces, so the hash tags of keys
	// still decide their Cluster slot.
	KeyPrefix string
	// TLS connects with TLS 1.2 or later, verifying the server against the
	// system roots and its address's host name.
	TLS bool
	// DialTimeout, ReadTimeout and WriteTimeout bound each network step;
	// zero keeps go-redis's defaults (5s, 3s, 3s).
	DialTimeout, ReadTimeout, WriteTimeout time.Duration
	// MaxRetries is how often a failed command is retried; 0 keeps
	// go-redis's default (3), -1 disables retries.
	MaxRetries int
}

// Store is a storage.Store on Redis. It is safe for concurrent use, and
// any number of Stores (in any number of processes) may share one Redis.
type Store struct {
	client goredis.UniversalClient
	prefix string
	groups sync.Map // stream key -> struct{}: consumer group known to exist
	once   sync.Once
}

// New returns a Store for cfg. It does not contact Redis; use Ping to check
// that it is reachable.
func New(cfg Config) (*Store, error) {
	if len(cfg.Addrs) == 0 {
		return nil, errors.New("storage/redis: no address configured")
	}
	if strings.ContainsAny(cfg.KeyPrefix, "{}") {
		return nil, fmt.Errorf("storage/redis: key prefix %q contains a brace, which would change the keys' cluster slots", cfg.KeyPrefix)
	}
	opts := &goredis.UniversalOptions{
		Addrs:           cfg.Addrs,
		Username:        cfg.Username,
		Password:        cfg.Password,
		DB:              cfg.DB,
		MasterName:      cfg.MasterName,
		DialTimeout:     cfg.DialTimeout,
		ReadTimeout:     cfg.ReadTimeout,
		WriteTimeout:    cfg.WriteTimeout,
		MaxRetries:      cfg.MaxRetries,
		DisableIdentity: true,
	}
	if cfg.MasterName != "" {
		// Sentinels take the same credentials as the data nodes.
		opts.SentinelUsername, opts.SentinelPassword = cfg.Username, cfg.Password
	}
	if cfg.TLS {
		opts.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return &Store{client: goredis.NewUniversalClient(opts), prefix: cfg.KeyPrefix}, nil
}

// Client returns the underlying go-redis client, for health checks and
// metrics. Keys written through it bypass KeyPrefix.
func (s *Store) Client() goredis.UniversalClient { return s.client }

// Ping implements storage.Store.
func (s *Store) Ping(ctx context.Context) error {
	return wrap(s.client.Ping(ctx).Err())
}

// Close implements storage.Store. It is safe to call more than once; after
// it every method returns storage.ErrUnavailable.
func (s *Store) Close() error {
	var err error
	s.once.Do(func() { err = s.client.Close() })
	return err
}

func (s *Store) key(k string) string { return s.prefix + k }
