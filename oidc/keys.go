package oidc

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	zop "github.com/zitadel/oidc/v3/pkg/op"

	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/users"
)

// storedKey is a signing key as kept in the shared store: the private key
// is sealed like personal data.
type storedKey struct {
	ID        string    `json:"kid"`
	Algorithm string    `json:"alg"`
	Sealed    []byte    `json:"sealed"`
	CreatedAt time.Time `json:"created_at"`
}

// signingKey is a loaded key.
type signingKey struct {
	id   string
	alg  jose.SignatureAlgorithm
	priv crypto.Signer
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return k.alg }
func (k *signingKey) Key() any                                    { return k.priv }
func (k *signingKey) ID() string                                  { return k.id }

type publicKey struct{ k *signingKey }

func (p publicKey) ID() string                         { return p.k.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return p.k.alg }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return p.k.priv.Public() }

// keyRing holds the signing keys, one current key per algorithm, shared by
// all replicas through the store. The first replica to start creates them;
// the others load the same keys.
type keyRing struct {
	st   storage.Store
	seal users.Sealer
	now  func() time.Time

	mu     sync.RWMutex
	keys   map[jose.SignatureAlgorithm]*signingKey
	loaded time.Time
}

var algorithms = []jose.SignatureAlgorithm{jose.RS256, jose.ES256}

func newKeyRing(st storage.Store, seal users.Sealer, now func() time.Time) *keyRing {
	return &keyRing{st: st, seal: seal, now: now, keys: map[jose.SignatureAlgorithm]*signingKey{}}
}

func keyStoreKey(alg jose.SignatureAlgorithm) string { return "signing-key:{" + string(alg) + "}" }

// ensure loads every algorithm's key, creating a missing one atomically.
func (r *keyRing) ensure(ctx context.Context) error {
	r.mu.RLock()
	fresh := len(r.keys) == len(algorithms) && r.now().Sub(r.loaded) < time.Minute
	r.mu.RUnlock()
	if fresh {
		return nil
	}
	loaded := map[jose.SignatureAlgorithm]*signingKey{}
	for _, alg := range algorithms {
		k, err := r.loadOrCreate(ctx, alg)
		if err != nil {
			return err
		}
		loaded[alg] = k
	}
	r.mu.Lock()
	r.keys, r.loaded = loaded, r.now()
	r.mu.Unlock()
	return nil
}

func (r *keyRing) loadOrCreate(ctx context.Context, alg jose.SignatureAlgorithm) (*signingKey, error) {
	raw, err := r.st.Get(ctx, keyStoreKey(alg))
	if errors.Is(err, storage.ErrNotFound) {
		created, cerr := r.generate(alg)
		if cerr != nil {
			return nil, cerr
		}
		if raw, err = r.encode(created); err != nil {
			return nil, err
		}
		if err = r.st.Create(ctx, keyStoreKey(alg), raw, 0); errors.Is(err, storage.ErrExists) {
			raw, err = r.st.Get(ctx, keyStoreKey(alg))
		}
	}
	if err != nil {
		return nil, err
	}
	return r.decode(raw)
}

func (r *keyRing) generate(alg jose.SignatureAlgorithm) (*signingKey, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case jose.RS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case jose.ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return nil, fmt.Errorf("oidc: unsupported signing algorithm %s", alg)
	}
	if err != nil {
		return nil, err
	}
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	return &signingKey{id: base64.RawURLEncoding.EncodeToString(id), alg: alg, priv: priv}, nil
}

func (r *keyRing) encode(k *signingKey) ([]byte, error) {
	jwk := jose.JSONWebKey{Key: k.priv, KeyID: k.id, Algorithm: string(k.alg), Use: "sig"}
	pj, err := jwk.MarshalJSON()
	if err != nil {
		return nil, err
	}
	sealed, err := r.seal.Seal(pj, []byte("signing-key:"+k.id))
	if err != nil {
		return nil, err
	}
	return json.Marshal(storedKey{ID: k.id, Algorithm: string(k.alg), Sealed: sealed, CreatedAt: r.now()})
}

func (r *keyRing) decode(raw []byte) (*signingKey, error) {
	var sk storedKey
	if err := json.Unmarshal(raw, &sk); err != nil {
		return nil, fmt.Errorf("oidc: corrupt signing key record: %w", err)
	}
	pj, err := r.seal.Open(sk.Sealed, []byte("signing-key:"+sk.ID))
	if err != nil {
		return nil, fmt.Errorf("oidc: cannot open signing key %s (personal_data.keys changed?): %w", sk.ID, err)
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(pj); err != nil {
		return nil, err
	}
	signer, ok := jwk.Key.(crypto.Signer)
	if !ok {
		return nil, errors.New("oidc: stored signing key is not a private key")
	}
	return &signingKey{id: sk.ID, alg: jose.SignatureAlgorithm(sk.Algorithm), priv: signer}, nil
}

func (r *keyRing) current(ctx context.Context, alg jose.SignatureAlgorithm) (*signingKey, error) {
	if err := r.ensure(ctx); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	k, ok := r.keys[alg]
	if !ok {
		return nil, fmt.Errorf("oidc: no signing key for %s", alg)
	}
	return k, nil
}

func (r *keyRing) public(ctx context.Context) ([]zop.Key, error) {
	if err := r.ensure(ctx); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]zop.Key, 0, len(algorithms))
	for _, alg := range algorithms {
		out = append(out, publicKey{r.keys[alg]})
	}
	return out, nil
}
