package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// Storage keys. Every key has one hash tag, so each is a single-slot
// operation on Redis Cluster.
const (
	pendingSet  = "api:pending"
	outboxQueue = "api:outbox"
	deadSet     = "api:dead"
	pollerLease = "api:lock:poller"
)

func sessionKey(id string) string     { return "api:session:{" + id + "}" }
func sessionLockKey(id string) string { return "api:lock:session:{" + id + "}" }

// subjectIndexKey indexes the records that name a person, each until it
// expires.
func subjectIndexKey(sub string) string { return "api:person:{" + sub + "}" }

// legacySubjectKey is the set earlier versions kept that index in.
func legacySubjectKey(sub string) string { return "api:subject:{" + sub + "}" }

// sealedPrefix marks a record encrypted with Deps.Sealer.
var sealedPrefix = []byte("s1:")

// errNoRecord: the record is absent or expired.
var errNoRecord = errors.New("api: no such record")

// putRecord stores v as JSON under key, sealed (with key as associated
// data) when a Sealer is configured.
func (s *Server) putRecord(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := s.encodeRecord(key, v)
	if err != nil {
		return err
	}
	return s.st.Set(ctx, key, raw, ttl)
}

func (s *Server) encodeRecord(key string, v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if s.sealer == nil {
		return raw, nil
	}
	sealed, err := s.sealer.Seal(raw, []byte(key))
	if err != nil {
		return nil, err
	}
	return append(bytes.Clone(sealedPrefix), sealed...), nil
}

// getRecord loads the record under key into v; errNoRecord if absent.
func (s *Server) getRecord(ctx context.Context, key string, v any) error {
	raw, err := s.st.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return errNoRecord
	}
	if err != nil {
		return err
	}
	return s.decodeRecord(key, raw, v)
}

func (s *Server) decodeRecord(key string, raw []byte, v any) error {
	if sealed, ok := bytes.CutPrefix(raw, sealedPrefix); ok {
		if s.sealer == nil {
			return fmt.Errorf("api: record %s is sealed and no sealer is configured", key)
		}
		var err error
		if raw, err = s.sealer.Open(sealed, []byte(key)); err != nil {
			return fmt.Errorf("api: cannot open record: %w", err)
		}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("api: corrupt record: %w", err)
	}
	return nil
}

// indexSubject remembers that key holds data about sub, for erasure, as
// long as the record can live.
func (s *Server) indexSubject(ctx context.Context, sub, key string) error {
	if sub == "" {
		return nil
	}
	_, err := s.st.IndexAdd(ctx, subjectIndexKey(sub), key, s.now().Add(s.cfg.Webhooks.EventTTL+s.cfg.RecordTTL), 0)
	return err
}

// newID returns prefix + 24 random base64url characters.
func newID(prefix string) string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// hashHex is a short hex SHA-256 used to turn caller-chosen values into
// safe key parts.
func hashHex(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
