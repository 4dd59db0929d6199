package seal

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
)

// KeySize is the length of a Key's Secret: AES-256.
const KeySize = 32

// maxIDLen bounds key ids, which every sealed value repeats.
const maxIDLen = 64

// Key is one data-encryption key. Its String, GoString and LogValue hide
// the secret, so a Key printed or logged by mistake leaks only its id.
type Key struct {
	// ID names the key inside every value sealed with it: 1 to 64 of
	// A-Z a-z 0-9 _ -.
	ID string
	// Secret is the AES-256 key, KeySize random bytes.
	Secret []byte
}

// ParseKey reads a configuration string "kid:secret", the secret being
// KeySize bytes in standard or URL-safe base64, padded or not. It returns
// ErrBadKey (without echoing the input) if the string is malformed.
func ParseKey(s string) (Key, error) {
	id, b64, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || !validID(id) {
		return Key{}, ErrBadKey
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		if secret, err := enc.DecodeString(b64); err == nil && len(secret) == KeySize {
			return Key{ID: id, Secret: secret}, nil
		}
	}
	return Key{}, ErrBadKey
}

// GenerateKey returns a new random Key named id.
func GenerateKey(id string) (Key, error) {
	if !validID(id) {
		return Key{}, fmt.Errorf("%w: invalid key id %q", ErrBadKey, id)
	}
	k := Key{ID: id, Secret: make([]byte, KeySize)}
	if _, err := rand.Read(k.Secret); err != nil {
		return Key{}, err
	}
	return k, nil
}

// Encode returns the configuration string ParseKey reads, secret included.
func (k Key) Encode() string {
	return k.ID + ":" + base64.StdEncoding.EncodeToString(k.Secret)
}

// String shows the key id only.
func (k Key) String() string { return "seal.Key{ID: " + k.ID + ", Secret: <hidden>}" }

// GoString shows the key id only, for %#v.
func (k Key) GoString() string { return k.String() }

// LogValue logs the key id only.
func (k Key) LogValue() slog.Value { return slog.StringValue(k.String()) }

func validID(id string) bool {
	if id == "" || len(id) > maxIDLen {
		return false
	}
	for _, c := range id {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}
