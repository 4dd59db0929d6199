package policy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// Keys of the policy records in the shared store.
const (
	keyHead    = "policy:head"
	keyLock    = "policy:lock"
	keyVersion = "policy:version:"
)

// Keyspaces are the records this package owns. A version names who made
// it, which may be an administrator's subject, so ForgetSubject rewrites
// it.
var Keyspaces = []storage.Keyspace{
	{Prefix: "policy:", Owner: "policy", Personal: true},
}

// Errors of the store.
var (
	// ErrNoVersion: no stored version has that number.
	ErrNoVersion = errors.New("policy: no such version")
	// ErrUnchanged: the policy is the same as the active version; nothing
	// was stored.
	ErrUnchanged = errors.New("policy: the same as the active version; nothing to apply")
	// ErrBusy: another change is being stored; try again.
	ErrBusy = errors.New("policy: another change is being stored; try again in a moment")
)

// Version is one stored version of the policy. Versions are numbered from
// 1 and never change; the highest is the active one. A rollback stores the
// old text as a new version, so the history reads as it happened.
type Version struct {
	Number    int       `json:"version"`
	Source    string    `json:"source"`
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
	// By names who stored it: "configuration", "cli", "token", or an
	// administrator's subject.
	By      string `json:"by"`
	Comment string `json:"comment,omitempty"`
	// RollbackOf is the version whose text this one restores (0: none).
	RollbackOf int `json:"rollback_of,omitempty"`
}

// Store keeps the versions of the policy in the shared store, for every
// replica. It is safe for concurrent use, across processes too: changes
// are serialised by a lease.
type Store struct {
	st   storage.Store
	opts Options
	log  *slog.Logger
	now  func() time.Time
}

// NewStore returns the policy store over st; policies are compiled with
// opts. log receives the audit lines of changes (nil: slog.Default()).
func NewStore(st storage.Store, opts Options, log *slog.Logger) *Store {
	if log == nil {
		log = slog.Default()
	}
	return &Store{st: st, opts: opts, log: log, now: time.Now}
}

// Options are what the store compiles policies with.
func (s *Store) Options() Options { return s.opts }

// Head returns the number of the active version (0: none stored yet).
func (s *Store) Head(ctx context.Context) (int, error) {
	b, err := s.st.Get(ctx, keyHead)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(string(b))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("policy: the stored head %q is not a version number", b)
	}
	return n, nil
}

// Get returns version n, or ErrNoVersion.
func (s *Store) Get(ctx context.Context, n int) (*Version, error) {
	b, err := s.st.Get(ctx, keyVersion+strconv.Itoa(n))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("%w %d", ErrNoVersion, n)
	}
	if err != nil {
		return nil, err
	}
	var v Version
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("policy: version %d is unreadable: %w", n, err)
	}
	return &v, nil
}

// Active returns the active version, or ErrNoVersion when none is stored.
func (s *Store) Active(ctx context.Context) (*Version, error) {
	n, err := s.Head(ctx)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: none is stored yet", ErrNoVersion)
	}
	return s.Get(ctx, n)
}

// List returns up to limit versions, newest first (limit <= 0: all).
func (s *Store) List(ctx context.Context, limit int) ([]Version, error) {
	n, err := s.Head(ctx)
	if err != nil {
		return nil, err
	}
	var out []Version
	for i := n; i >= 1 && (limit <= 0 || len(out) < limit); i-- {
		v, err := s.Get(ctx, i)
		if errors.Is(err, ErrNoVersion) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// Compile compiles version v with the store's options.
func (s *Store) Compile(v *Version) (*Policy, error) {
	p, err := Parse([]byte(v.Source), s.opts)
	if err != nil {
		return nil, err
	}
	return p.WithVersion(v.Number), nil
}

// Seed stores src as version 1 when no version is stored yet (the
// configuration's rules, or its policy file), and returns the active
// version either way. Replicas starting together store it once.
func (s *Store) Seed(ctx context.Context, src []byte) (*Version, error) {
	if v, err := s.Active(ctx); !errors.Is(err, ErrNoVersion) {
		return v, err
	}
	v, err := s.store(ctx, src, "configuration", "initial version from the configuration", 0, true)
	if errors.Is(err, ErrUnchanged) {
		return s.Active(ctx)
	}
	return v, err
}

// Apply validates src and stores it as the new active version, audited
// with who stored it (by), why (comment) and the difference from the
// version it replaces. A policy that does not compile is an *Error and
// nothing is stored; the same text as the active version is ErrUnchanged.
func (s *Store) Apply(ctx context.Context, src []byte, by, comment string) (*Version, error) {
	return s.store(ctx, src, by, comment, 0, false)
}

// Rollback stores the text of version n as the new active version.
func (s *Store) Rollback(ctx context.Context, n int, by string) (*Version, error) {
	old, err := s.Get(ctx, n)
	if err != nil {
		return nil, err
	}
	return s.store(ctx, []byte(old.Source), by, fmt.Sprintf("rollback to version %d", n), n, false)
}

// store compiles src and stores it after the head under the lease. With
// onlyFirst it stores nothing when a version exists (ErrUnchanged).
func (s *Store) store(ctx context.Context, src []byte, by, comment string, rollbackOf int, onlyFirst bool) (*Version, error) {
	if _, err := Parse(src, s.opts); err != nil {
		return nil, err
	}
	token, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = s.st.Unlock(context.WithoutCancel(ctx), keyLock, token) }()
	head, err := s.Head(ctx)
	if err != nil {
		return nil, err
	}
	var prev *Version
	if head > 0 {
		if onlyFirst {
			return nil, ErrUnchanged
		}
		if prev, err = s.Get(ctx, head); err != nil {
			return nil, err
		}
		if prev.Source == string(src) {
			return nil, fmt.Errorf("%w (version %d)", ErrUnchanged, head)
		}
	}
	sum := sha256.Sum256(src)
	v := &Version{Number: head + 1, Source: string(src), SHA256: hex.EncodeToString(sum[:]), CreatedAt: s.now().UTC(), By: by, Comment: comment, RollbackOf: rollbackOf}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	// The version first, then the head: a reader never finds a head
	// without its version. A failure in between leaves an unused record
	// that the next change overwrites.
	if err := s.st.Set(ctx, keyVersion+strconv.Itoa(v.Number), b, 0); err != nil {
		return nil, err
	}
	if err := s.st.Set(ctx, keyHead, []byte(strconv.Itoa(v.Number)), 0); err != nil {
		return nil, err
	}
	old := ""
	if prev != nil {
		old = prev.Source
	}
	what := "policy.apply"
	switch {
	case rollbackOf > 0:
		what = "policy.rollback"
	case onlyFirst:
		what = "policy.seed"
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "audit", slog.String("audit", what), slog.Int("version", v.Number), slog.Int("previous", head),
		slog.String("by", by), slog.String("comment", comment), slog.String("sha256", v.SHA256), slog.String("diff", Diff(old, v.Source)))
	return v, nil
}

// lock takes the change lease, waiting a few seconds for another change.
func (s *Store) lock(ctx context.Context) (string, error) {
	for range 50 {
		token, err := s.st.Lock(ctx, keyLock, 10*time.Second)
		if !errors.Is(err, storage.ErrExists) {
			return token, err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return "", ErrBusy
}

// ForgetSubject replaces sub as the author of versions with "forgotten":
// the policy text names nobody, only who stored it may.
func (s *Store) ForgetSubject(ctx context.Context, sub string) error {
	head, err := s.Head(ctx)
	if err != nil || sub == "" {
		return err
	}
	for i := 1; i <= head; i++ {
		v, err := s.Get(ctx, i)
		if errors.Is(err, ErrNoVersion) {
			continue
		}
		if err != nil {
			return err
		}
		if v.By != sub {
			continue
		}
		v.By = "forgotten"
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := s.st.Set(ctx, keyVersion+strconv.Itoa(i), b, 0); err != nil {
			return err
		}
	}
	return nil
}
