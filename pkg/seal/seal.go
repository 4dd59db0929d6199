// Package seal encrypts personal data at rest: AES-256-GCM under a
// configured key whose id travels with every sealed value, so keys can
// rotate (seal with the current key, open with any configured one).
//
// A sealed value is "v1.<kid>.<base64url(nonce || ciphertext || tag)>"
// with a random 12-byte nonce. The caller's additional data (for example
// the record's key) is authenticated, so a value copied to another record
// does not open.
package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// Errors returned by this package. Callers compare with errors.Is.
var (
	// ErrUnknownKey: the value was sealed under a key id that is not
	// configured (a key was retired too early, or the data is foreign).
	ErrUnknownKey = errors.New("seal: sealed under a key that is not configured")
	// ErrCorrupt: the value is malformed, was altered, or is opened with
	// other additional data than it was sealed with.
	ErrCorrupt = errors.New("seal: sealed data is corrupt or was tampered with")
	// ErrBadKey: a key or key string is malformed (id charset, secret size)
	// or two keys share an id.
	ErrBadKey = errors.New("seal: key must be \"kid:base64-of-32-bytes\"")
)

// version prefixes every sealed value; a new format gets a new version.
const version = "v1"

// Sealer seals with its current key and opens with any of its keys. It is
// safe for concurrent use.
type Sealer struct {
	current string
	aeads   map[string]cipher.AEAD
}

// New returns a Sealer sealing under current and opening data sealed under
// current or any of old. It returns ErrBadKey for a malformed key or a
// repeated id.
func New(current Key, old ...Key) (*Sealer, error) {
	s := &Sealer{current: current.ID, aeads: map[string]cipher.AEAD{}}
	for _, k := range append([]Key{current}, old...) {
		if !validID(k.ID) || len(k.Secret) != KeySize {
			return nil, fmt.Errorf("%w (key id %q)", ErrBadKey, k.ID)
		}
		if _, dup := s.aeads[k.ID]; dup {
			return nil, fmt.Errorf("%w: key id %q configured twice", ErrBadKey, k.ID)
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

// CurrentKeyID is the id Seal writes into new values.
func (s *Sealer) CurrentKeyID() string { return s.current }

// Seal encrypts plaintext under the current key, bound to aad.
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

// Open decrypts what Seal produced with the same aad. It returns
// ErrUnknownKey if the value names a key this Sealer lacks and ErrCorrupt
// for anything else that does not verify.
func (s *Sealer) Open(sealed, aad []byte) ([]byte, error) {
	parts := bytes.SplitN(sealed, []byte("."), 3)
	if len(parts) != 3 || string(parts[0]) != version {
		return nil, ErrCorrupt
	}
	g, ok := s.aeads[string(parts[1])]
	if !ok {
		if !validID(string(parts[1])) {
			return nil, ErrCorrupt
		}
		return nil, fmt.Errorf("%w: %q", ErrUnknownKey, parts[1])
	}
	// Strict: only the canonical encoding opens, so one sealed value has
	// exactly one spelling.
	raw, err := base64.RawURLEncoding.Strict().DecodeString(string(parts[2]))
	if err != nil || len(raw) < g.NonceSize()+g.Overhead() {
		return nil, ErrCorrupt
	}
	pt, err := g.Open(nil, raw[:g.NonceSize()], raw[g.NonceSize():], aad)
	if err != nil {
		return nil, ErrCorrupt
	}
	return pt, nil
}
