package oidc

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"

	zop "github.com/zitadel/oidc/v3/pkg/op"
)

// tokenCrypto seals the opaque access tokens zitadel issues (token id and
// subject) with AES-256-GCM under the key every replica shares. It replaces
// zitadel's default, which wraps each token in a JWE and falls back to
// unauthenticated AES-CFB when reading.
type tokenCrypto struct{ aead cipher.AEAD }

var _ zop.Crypto = (*tokenCrypto)(nil)

const tokenPrefix = "v1."

var errBadToken = errors.New("oidc: access token is malformed")

func newTokenCrypto(key [32]byte) (*tokenCrypto, error) {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &tokenCrypto{aead: aead}, nil
}

func (c *tokenCrypto) Encrypt(s string) (string, error) {
	buf := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(s)+c.aead.Overhead())
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	sealed := c.aead.Seal(buf, buf, []byte(s), []byte(tokenPrefix))
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(sealed), nil
}

func (c *tokenCrypto) Decrypt(s string) (string, error) {
	rest, ok := strings.CutPrefix(s, tokenPrefix)
	if !ok || len(rest) > 4096 {
		return "", errBadToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(raw) < c.aead.NonceSize()+c.aead.Overhead() {
		return "", errBadToken
	}
	n := c.aead.NonceSize()
	pt, err := c.aead.Open(nil, raw[:n], raw[n:], []byte(tokenPrefix))
	if err != nil {
		return "", errBadToken
	}
	return string(pt), nil
}
