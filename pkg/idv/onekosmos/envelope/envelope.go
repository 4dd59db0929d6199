// Package envelope implements the 1Kosmos request envelope: ECDH key
// agreement on secp256k1 (or prime256v1), the raw shared X coordinate used
// directly as an AES-256-GCM key, a 16-byte IV, no AAD, and the wire form
// base64std(iv || ciphertext || tag). It is pinned by the known-answer
// vectors that 1Kosmos's own Node and Go helpers produced
// (shared/onekosmos/vectors.json).
package envelope

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Curve names as 1Kosmos's helpers spell them (EC_CURVE_NAME).
const (
	Secp256k1  = "secp256k1"
	Prime256v1 = "prime256v1"
)

const (
	ivSize  = 16
	tagSize = 16
	keySize = 32
)

// Errors. Open never says which part of a message was wrong.
var (
	ErrBadKey     = errors.New("envelope: malformed key")
	ErrBadMessage = errors.New("envelope: message cannot be decrypted")
	ErrCurve      = errors.New("envelope: unsupported curve (want secp256k1 or prime256v1)")
)

// KeyPair is a private key with its public half in 1Kosmos's encodings.
// It is safe for concurrent use.
type KeyPair struct {
	curve string
	k1    *secp256k1.PrivateKey
	p256  *ecdh.PrivateKey

	// shared remembers the keys agreed with recent peers: the same two
	// keys always agree on the same secret, and the peers of a client (its
	// services) and of a service (its clients) rarely change, so one
	// agreement per pair is enough.
	mu     sync.Mutex
	shared map[string][]byte
}

// maxShared bounds the agreements a KeyPair remembers.
const maxShared = 1024

// GenerateKey makes a fresh key pair on curve.
func GenerateKey(curve string) (*KeyPair, error) {
	switch curve {
	case Secp256k1, "":
		k, err := secp256k1.GeneratePrivateKey()
		if err != nil {
			return nil, err
		}
		return &KeyPair{curve: Secp256k1, k1: k}, nil
	case Prime256v1:
		k, err := ecdh.P256().GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return &KeyPair{curve: Prime256v1, p256: k}, nil
	}
	return nil, ErrCurve
}

// ParsePrivateKey reads a private key in the helpers' format: standard
// base64 of the big-endian scalar, possibly shorter than 32 bytes because
// the helpers strip leading zeros.
func ParsePrivateKey(curve, b64 string) (*KeyPair, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) == 0 || len(raw) > keySize {
		return nil, ErrBadKey
	}
	d := make([]byte, keySize)
	copy(d[keySize-len(raw):], raw)
	switch curve {
	case Secp256k1, "":
		var s secp256k1.ModNScalar
		if overflow := s.SetByteSlice(d); overflow || s.IsZero() {
			return nil, ErrBadKey
		}
		return &KeyPair{curve: Secp256k1, k1: secp256k1.NewPrivateKey(&s)}, nil
	case Prime256v1:
		k, err := ecdh.P256().NewPrivateKey(d)
		if err != nil {
			return nil, ErrBadKey
		}
		return &KeyPair{curve: Prime256v1, p256: k}, nil
	}
	return nil, ErrCurve
}

// Curve returns the curve name of the key pair.
func (k *KeyPair) Curve() string { return k.curve }

// PrivateB64 returns the private scalar as 32-byte standard base64 (the
// helpers accept the padded form).
func (k *KeyPair) PrivateB64() string {
	if k.k1 != nil {
		b := k.k1.Key.Bytes()
		return base64.StdEncoding.EncodeToString(b[:])
	}
	return base64.StdEncoding.EncodeToString(k.p256.Bytes())
}

// PublicB64 returns the public key as base64 of the 64-byte X||Y point, the
// form sent in the publickey header.
func (k *KeyPair) PublicB64() string {
	var unc []byte
	if k.k1 != nil {
		unc = k.k1.PubKey().SerializeUncompressed()
	} else {
		unc = k.p256.PublicKey().Bytes()
	}
	return base64.StdEncoding.EncodeToString(unc[1:])
}

// SharedKey derives the AES-256 key shared with the peer whose public key is
// peerB64 (64-byte X||Y, standard base64): the raw 32-byte X coordinate of
// the ECDH point, leading zeros kept, no KDF.
func (k *KeyPair) SharedKey(peerB64 string) ([]byte, error) {
	k.mu.Lock()
	key, ok := k.shared[peerB64]
	k.mu.Unlock()
	if ok {
		return bytes.Clone(key), nil
	}
	key, err := k.agree(peerB64)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	if k.shared == nil || len(k.shared) >= maxShared {
		k.shared = make(map[string][]byte)
	}
	k.shared[peerB64] = bytes.Clone(key)
	k.mu.Unlock()
	return key, nil
}

// agree runs the ECDH agreement with the peer.
func (k *KeyPair) agree(peerB64 string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(peerB64)
	if err != nil || len(raw) != 2*keySize {
		return nil, ErrBadKey
	}
	unc := append([]byte{0x04}, raw...)
	if k.k1 != nil {
		pub, err := secp256k1.ParsePubKey(unc)
		if err != nil {
			return nil, ErrBadKey
		}
		return secp256k1.GenerateSharedSecret(k.k1, pub), nil
	}
	pub, err := ecdh.P256().NewPublicKey(unc)
	if err != nil {
		return nil, ErrBadKey
	}
	return k.p256.ECDH(pub)
}

// Seal encrypts plaintext under key with a fresh random IV and returns the
// wire string.
func Seal(key, plaintext []byte) (string, error) {
	iv := make([]byte, ivSize)
	if _, err := io.ReadFull(rand.Reader, iv); err != nil {
		return "", err
	}
	return SealWithIV(key, iv, plaintext)
}

// SealWithIV is Seal with a caller-chosen IV; only known-answer tests need it.
func SealWithIV(key, iv, plaintext []byte) (string, error) {
	if len(iv) != ivSize {
		return "", fmt.Errorf("envelope: IV must be %d bytes", ivSize)
	}
	aead, err := newGCM(key)
	if err != nil {
		return "", err
	}
	out := make([]byte, 0, ivSize+len(plaintext)+tagSize)
	out = append(out, iv...)
	out = aead.Seal(out, iv, plaintext, nil)
	return base64.StdEncoding.EncodeToString(out), nil
}

// Open decrypts a wire string. Only standard padded base64 is accepted, as
// by 1Kosmos's Go helper; a message that fails authentication, is too short
// or is not base64 yields ErrBadMessage.
func Open(key []byte, wire string) ([]byte, error) {
	raw, err := base64.StdEncoding.Strict().DecodeString(wire)
	if err != nil || len(raw) < ivSize+tagSize {
		return nil, ErrBadMessage
	}
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	pt, err := aead.Open(nil, raw[:ivSize], raw[ivSize:], nil)
	if err != nil {
		return nil, ErrBadMessage
	}
	return pt, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != keySize {
		return nil, ErrBadKey
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, ErrBadKey
	}
	return cipher.NewGCMWithNonceSize(block, ivSize)
}
