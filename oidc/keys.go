package oidc

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	zop "github.com/zitadel/oidc/v3/pkg/op"

	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/users"
)

// Key states in the ring.
const (
	KeyNext     = "next"     // published in JWKS, not yet signing
	KeyCurrent  = "current"  // signing
	KeyPrevious = "previous" // published until every token it signed expired
)

// KeyInfo describes one signing key (never the private part).
type KeyInfo struct {
	ID          string    `json:"kid"`
	Algorithm   string    `json:"alg"`
	State       string    `json:"state"`
	CreatedAt   time.Time `json:"created_at"`
	ActivatesAt time.Time `json:"activates_at"`
	RetiredAt   time.Time `json:"retired_at,omitempty"`
}

// storedKey is a key as kept in the shared store; the private key is
// sealed like personal data.
type storedKey struct {
	KeyInfo
	Sealed []byte `json:"sealed"`
}

type ringRecord struct {
	Keys []storedKey `json:"keys"`
}

// signingKey is a loaded key.
type signingKey struct {
	info   KeyInfo
	alg    jose.SignatureAlgorithm
	priv   crypto.Signer
	header string // the encoded JWS header of its tokens
	// cert is the key's self-signed certificate, made on first use
	// (keys_x509.go); guarded by the ring's lock.
	cert *x509.Certificate
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return k.alg }
func (k *signingKey) Key() any                                    { return k.priv }
func (k *signingKey) ID() string                                  { return k.info.ID }

type publicKey struct{ k *signingKey }

func (p publicKey) ID() string                         { return p.k.info.ID }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return p.k.alg }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return p.k.priv.Public() }

const ringKey = "signing-keys:{ring}"

// keyRing holds the signing keys shared by all replicas through the store:
// per algorithm a current key, the next key (published before it signs)
// and previous keys (published until the tokens they signed expired).
// Replicas reload the ring every minute; one replica at a time rotates it
// under a lease.
type keyRing struct {
	st        storage.Store
	seal      users.Sealer
	now       func() time.Time
	period    time.Duration // how long a key signs
	retention time.Duration // how long a retired key stays published

	mu     sync.RWMutex
	keys   []*signingKey
	jwks   []byte // the published key set, encoded once per load
	loaded time.Time
}

var algorithms = []jose.SignatureAlgorithm{jose.RS256, jose.ES256}

func newKeyRing(st storage.Store, seal users.Sealer, now func() time.Time, period, retention time.Duration) *keyRing {
	return &keyRing{st: st, seal: seal, now: now, period: period, retention: retention}
}

// ensure loads the ring when it is older than a minute, creating the keys
// of a new deployment.
func (r *keyRing) ensure(ctx context.Context) error {
	r.mu.RLock()
	fresh := len(r.keys) > 0 && r.now().Sub(r.loaded) < time.Minute
	r.mu.RUnlock()
	if fresh {
		return nil
	}
	rec, err := r.load(ctx)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && r.missingCurrent(rec)) {
		rec, err = r.update(ctx, false)
	}
	if err != nil {
		return err
	}
	return r.install(rec)
}

func (r *keyRing) missingCurrent(rec *ringRecord) bool {
	for _, alg := range algorithms {
		if !slices.ContainsFunc(rec.Keys, func(k storedKey) bool { return k.Algorithm == string(alg) && k.State == KeyCurrent }) {
			return true
		}
	}
	return false
}

func (r *keyRing) load(ctx context.Context) (*ringRecord, error) {
	raw, err := r.st.Get(ctx, ringKey)
	if err != nil {
		return nil, err
	}
	var rec ringRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("oidc: corrupt signing key ring: %w", err)
	}
	return &rec, nil
}

func (r *keyRing) install(rec *ringRecord) error {
	keys := make([]*signingKey, 0, len(rec.Keys))
	for _, sk := range rec.Keys {
		k, err := r.decode(sk)
		if err != nil {
			return err
		}
		keys = append(keys, k)
	}
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(keys))}
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.info.ID, Algorithm: string(k.alg), Use: "sig"})
	}
	encoded, err := json.Marshal(set)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.keys, r.jwks, r.loaded = keys, encoded, r.now()
	r.mu.Unlock()
	return nil
}

// published returns the encoded JWKS.
func (r *keyRing) published(ctx context.Context) ([]byte, error) {
	if err := r.ensure(ctx); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.jwks, nil
}

// Rotate advances the ring: due next keys start signing (all of them when
// force is set), retired keys past their retention leave, and every
// algorithm gets a fresh next key. Safe to run on many replicas at once:
// the ring is replaced with compare-and-swap.
func (r *keyRing) Rotate(ctx context.Context, force bool) ([]KeyInfo, error) {
	rec, err := r.update(ctx, force)
	if err != nil {
		return nil, err
	}
	if err := r.install(rec); err != nil {
		return nil, err
	}
	return infos(rec), nil
}

// List returns the ring as stored.
func (r *keyRing) List(ctx context.Context) ([]KeyInfo, error) {
	rec, err := r.load(ctx)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return infos(rec), nil
}

func infos(rec *ringRecord) []KeyInfo {
	out := make([]KeyInfo, 0, len(rec.Keys))
	for _, k := range rec.Keys {
		out = append(out, k.KeyInfo)
	}
	return out
}

// update applies one rotation step with compare-and-swap, retrying when
// another replica changed the ring meanwhile.
func (r *keyRing) update(ctx context.Context, force bool) (*ringRecord, error) {
	for range 5 {
		old, err := r.st.Get(ctx, ringKey)
		var rec ringRecord
		switch {
		case errors.Is(err, storage.ErrNotFound):
			old = nil
		case err != nil:
			return nil, err
		default:
			if err := json.Unmarshal(old, &rec); err != nil {
				return nil, fmt.Errorf("oidc: corrupt signing key ring: %w", err)
			}
		}
		changed, err := r.step(&rec, force)
		if err != nil {
			return nil, err
		}
		if !changed {
			return &rec, nil
		}
		raw, err := json.Marshal(rec)
		if err != nil {
			return nil, err
		}
		if old == nil {
			err = r.st.Create(ctx, ringKey, raw, 0)
		} else {
			err = r.st.CompareAndSwap(ctx, ringKey, old, raw, 0)
		}
		if errors.Is(err, storage.ErrExists) || errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &rec, nil
	}
	return nil, errors.New("oidc: signing key ring kept changing concurrently; try again")
}

// step computes one rotation of rec in place.
func (r *keyRing) step(rec *ringRecord, force bool) (bool, error) {
	now := r.now()
	changed := false
	for _, alg := range algorithms {
		a := string(alg)
		idx := func(state string) int {
			return slices.IndexFunc(rec.Keys, func(k storedKey) bool { return k.Algorithm == a && k.State == state })
		}
		if idx(KeyCurrent) < 0 {
			k, err := r.generate(alg, KeyCurrent, now)
			if err != nil {
				return false, err
			}
			rec.Keys = append(rec.Keys, k)
			changed = true
		}
		if n := idx(KeyNext); n >= 0 && (force || !now.Before(rec.Keys[n].ActivatesAt)) {
			c := idx(KeyCurrent)
			rec.Keys[c].State, rec.Keys[c].RetiredAt = KeyPrevious, now
			rec.Keys[n].State, rec.Keys[n].ActivatesAt = KeyCurrent, now
			changed = true
		}
		if idx(KeyNext) < 0 {
			k, err := r.generate(alg, KeyNext, now.Add(r.period))
			if err != nil {
				return false, err
			}
			rec.Keys = append(rec.Keys, k)
			changed = true
		}
	}
	kept := rec.Keys[:0]
	for _, k := range rec.Keys {
		if k.State == KeyPrevious && now.Sub(k.RetiredAt) > r.retention {
			changed = true
			continue
		}
		kept = append(kept, k)
	}
	rec.Keys = kept
	return changed, nil
}

func (r *keyRing) generate(alg jose.SignatureAlgorithm, state string, activates time.Time) (storedKey, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case jose.RS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case jose.ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return storedKey{}, fmt.Errorf("oidc: unsupported signing algorithm %s", alg)
	}
	if err != nil {
		return storedKey{}, err
	}
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	info := KeyInfo{ID: base64.RawURLEncoding.EncodeToString(id), Algorithm: string(alg), State: state, CreatedAt: r.now(), ActivatesAt: activates}
	jwk := jose.JSONWebKey{Key: priv, KeyID: info.ID, Algorithm: string(alg), Use: "sig"}
	pj, err := jwk.MarshalJSON()
	if err != nil {
		return storedKey{}, err
	}
	sealed, err := r.seal.Seal(pj, []byte("signing-key:"+info.ID))
	if err != nil {
		return storedKey{}, err
	}
	return storedKey{KeyInfo: info, Sealed: sealed}, nil
}

func (r *keyRing) decode(sk storedKey) (*signingKey, error) {
	pj, err := r.seal.Open(sk.Sealed, []byte("signing-key:"+sk.ID))
	if err != nil {
		return nil, fmt.Errorf("oidc: cannot open signing key %s (were personal_data.keys changed?): %w", sk.ID, err)
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(pj); err != nil {
		return nil, err
	}
	signer, ok := jwk.Key.(crypto.Signer)
	if !ok {
		return nil, errors.New("oidc: stored signing key is not a private key")
	}
	if k, ok := signer.(*rsa.PrivateKey); ok {
		// Without the precomputed values every signature checks the key
		// and computes them again (a sixth of an RS256 signature's cost).
		k.Precompute()
	}
	alg := jose.SignatureAlgorithm(sk.Algorithm)
	return &signingKey{info: sk.KeyInfo, alg: alg, priv: signer, header: jwsHeader(alg, sk.ID)}, nil
}

func (r *keyRing) current(ctx context.Context, alg jose.SignatureAlgorithm) (*signingKey, error) {
	if err := r.ensure(ctx); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, k := range r.keys {
		if k.alg == alg && k.info.State == KeyCurrent {
			return k, nil
		}
	}
	return nil, fmt.Errorf("oidc: no current signing key for %s", alg)
}

// public lists every published key: next, current and previous.
func (r *keyRing) public(ctx context.Context) ([]zop.Key, error) {
	if err := r.ensure(ctx); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]zop.Key, 0, len(r.keys))
	for _, k := range r.keys {
		out = append(out, publicKey{k})
	}
	return out, nil
}

// rotationLoop rotates when due, on one replica at a time, until ctx ends.
func (r *keyRing) rotationLoop(ctx context.Context, every time.Duration, onError func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		token, err := r.st.Lock(ctx, "signing-keys-rotation:{ring}", every)
		if errors.Is(err, storage.ErrExists) {
			continue
		}
		if err != nil {
			onError(err)
			continue
		}
		if _, err := r.Rotate(ctx, false); err != nil {
			onError(err)
		}
		_ = r.st.Unlock(context.WithoutCancel(ctx), "signing-keys-rotation:{ring}", token)
	}
}
