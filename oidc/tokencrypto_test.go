package oidc

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTokenCrypto(t *testing.T) {
	var key [32]byte
	key[0] = 7
	c, err := newTokenCrypto(key)
	require.NoError(t, err)
	tok, err := c.Encrypt("token-id:u_subject")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(tok, tokenPrefix))
	require.NotContains(t, tok, "u_subject")
	pt, err := c.Decrypt(tok)
	require.NoError(t, err)
	require.Equal(t, "token-id:u_subject", pt)

	other, _ := newTokenCrypto([32]byte{9})
	for name, in := range map[string]string{
		"other key":  func() string { s, _ := other.Encrypt("x:y"); return s }(),
		"flipped":    flip(tok),
		"no prefix":  strings.TrimPrefix(tok, tokenPrefix),
		"short":      tokenPrefix + "AAAA",
		"not base64": tokenPrefix + "!!!",
		"huge":       tokenPrefix + strings.Repeat("A", 5000),
		"empty":      "",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.Decrypt(in)
			require.ErrorIs(t, err, errBadToken)
		})
	}
}

// flip changes one byte of the sealed token in the middle.
func flip(tok string) string {
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok, tokenPrefix))
	raw[len(raw)/2] ^= 1
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
}
