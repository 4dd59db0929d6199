// Package seal encrypts personal data at rest: AES-256-GCM under a
// configured key with a key id, so keys can rotate (seal with the current
// key, open with any configured one).
package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Errors returned by Open and ParseKey.
var (
	ErrUnknownKey = errors.New("seal: sealed under a key that is not configured")
	ErrCorrupt    = errors.New("seal: sealed data is corrupt or was tampered with")
	ErrBadKey     = errors.New("seal: key must be \"kid:base64-of-32-bytes\"")
)

// Key is one data-encryption key.
type Key struct {
	ID     string
	Secret []byte // 32 bytes
}

// ParseKey reads a configuration string "kid:base64-of-32-bytes".
func ParseKey(s string) (Key, error) {
	id, b64, ok := strings.Cut(s, ":")
	if !ok || id == "" || strings.ContainsAny(id, ". ") {
		return Key{}, ErrBadKey
	}
	secret, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(secret) != 32 {
		return Key{}, ErrBadKey
	}
	return Key{ID: id, Secret: secret}, nil
}

// Sealer seals with its current key and opens with any of its keys. Safe
// for concurrent use.
type Sealer struct {
	current string
	aeads   map[string]cipher.AEAD
}

// New returns a Sealer sealing under current and also opening data sealed
// under old.
func New(current Key, old ...Key) (*Sealer, error) {
	s := &Sealer{current: current.ID, aeads: map[string]cipher.AEAD{}}
	for _, k := range append([]Key{current}, old...) {
		if k.ID == "" || strings.ContainsAny(k.ID, ". ") || len(k.Secret) != 32 {
			return nil, fmt.Errorf("%w (key id %q)", ErrBadKey, k.ID)
		}
		b, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, err
		}
		g, err := cipher.NewGCM(b)
		if err != nil {
			return nil, err
		}
		s.aeads[k.ID] = g
	}
	return s, nil
}

const version = "v1"

// Seal encrypts plaintext bound to aad (for example the record's key, so
// a sealed value cannot be moved to another record). The output is
// "v1.<kid>.<base64url(nonce||ciphertext)>".
func (s *Sealer) Seal(plaintext, aad []byte) ([]byte, error) {
	g := s.aeads[s.current]
	nonce := make([]byte, g.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	ct := g.Seal(nonce, nonce, plaintext, aad)
	out := make([]byte, 0, len(version)+len(s.current)+2+base64.RawURLEncoding.EncodedLen(len(ct)))
	out = append(out, version+"."+s.current+"."...)
	return base64.RawURLEncoding.AppendEncode(out, ct), nil
}

// Open decrypts what Seal produced with the same aad.
func (s *Sealer) Open(sealed, aad []byte) ([]byte, error) {
	parts := bytes.SplitN(sealed, []byte("."), 3)
	if len(parts) != 3 || string(parts[0]) != version {
		return nil, ErrCorrupt
	}
	g, ok := s.aeads[string(parts[1])]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownKey, parts[1])
	}
	raw, err := base64.RawURLEncoding.DecodeString(string(parts[2]))
	if err != nil || len(raw) < g.NonceSize()+g.Overhead() {
		return nil, ErrCorrupt
	}
	pt, err := g.Open(nil, raw[:g.NonceSize()], raw[g.NonceSize():], aad)
	if err != nil {
		return nil, ErrCorrupt
	}
	return pt, nil
}
