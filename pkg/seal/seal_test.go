package seal

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/require"
)

func key(t testing.TB, id string) Key {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	k, err := ParseKey(id + ":" + base64.StdEncoding.EncodeToString(b))
	require.NoError(t, err)
	return k
}

func TestSealOpenAndRotation(t *testing.T) {
	k1, k2 := key(t, "k1"), key(t, "k2")
	old, err := New(k1)
	require.NoError(t, err)
	sealed, err := old.Seal([]byte("Ada Lovelace"), []byte("user:1"))
	require.NoError(t, err)
	require.False(t, bytes.Contains(sealed, []byte("Ada")))
	require.True(t, bytes.HasPrefix(sealed, []byte("v1.k1.")))

	rotated, err := New(k2, k1)
	require.NoError(t, err)
	pt, err := rotated.Open(sealed, []byte("user:1"))
	require.NoError(t, err, "data sealed under the old key opens after rotation")
	require.Equal(t, "Ada Lovelace", string(pt))
	again, err := rotated.Seal(pt, []byte("user:1"))
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(again, []byte("v1.k2.")), "new data uses the current key")

	onlyNew, err := New(k2)
	require.NoError(t, err)
	_, err = onlyNew.Open(sealed, []byte("user:1"))
	require.ErrorIs(t, err, ErrUnknownKey)
}

func TestOpenRejectsTamperingAndWrongAAD(t *testing.T) {
	s, err := New(key(t, "k"))
	require.NoError(t, err)
	sealed, err := s.Seal([]byte("secret"), []byte("a"))
	require.NoError(t, err)
	_, err = s.Open(sealed, []byte("b"))
	require.ErrorIs(t, err, ErrCorrupt, "a value moved to another record does not open")
	tests := map[string][]byte{
		"flipped byte": func() []byte { c := bytes.Clone(sealed); c[len(c)-2] ^= 1; return c }(),
		"truncated":    sealed[:12],
		"no version":   []byte("k.abc"),
		"bad version":  append([]byte("v9"), sealed[2:]...),
		"not base64":   []byte("v1.k.!!!"),
		"empty":        nil,
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := s.Open(in, []byte("a"))
			require.Error(t, err)
		})
	}
}

func TestParseKeyErrors(t *testing.T) {
	for _, in := range []string{"", "nokid", ":" + base64.StdEncoding.EncodeToString(make([]byte, 32)), "k:short", "k.x:" + base64.StdEncoding.EncodeToString(make([]byte, 32))} {
		_, err := ParseKey(in)
		require.ErrorIs(t, err, ErrBadKey, in)
	}
	_, err := New(Key{ID: "k", Secret: []byte("short")})
	require.ErrorIs(t, err, ErrBadKey)
}

func FuzzOpen(f *testing.F) {
	s, err := New(key(f, "k"))
	require.NoError(f, err)
	good, _ := s.Seal([]byte("x"), nil)
	f.Add(good)
	f.Add([]byte("v1.k."))
	f.Fuzz(func(t *testing.T, in []byte) {
		if pt, err := s.Open(in, nil); err == nil {
			require.Equal(t, "x", string(pt), "only genuine seals open")
		}
	})
}
