package envelope

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

type vectorKey struct {
	PrivateKeyB64 string `json:"private_key_b64"`
	PublicKeyB64  string `json:"public_key_b64"`
}

type sample struct {
	Plaintext     string `json:"plaintext"`
	CiphertextB64 string `json:"ciphertext_b64"`
	IVHex         string `json:"iv_hex"`
	KeyB64        string `json:"key_b64"`
	ID            string `json:"id"`
}

type vectors struct {
	Keys         map[string]vectorKey `json:"keys"`
	SharedSecret struct {
		B64 string `json:"b64"`
	} `json:"shared_secret"`
	Encryptions []sample `json:"encryptions"`
	Negatives   []sample `json:"negatives"`
	Base64      []struct {
		Variant       string `json:"variant"`
		CiphertextB64 string `json:"ciphertext_b64"`
		Plaintext     string `json:"plaintext"`
		KeyB64        string `json:"key_b64"`
		GoDecryptOK   bool   `json:"go_decrypt_ok"`
	} `json:"base64_variants"`
	EdgeCases struct {
		ShortPrivateKey struct {
			KeyC            vectorKey `json:"key_C"`
			SharedSecretB64 string    `json:"shared_secret_b64"`
			Sample          sample    `json:"sample"`
		} `json:"short_private_key"`
		LeadingZero struct {
			KeyD            vectorKey `json:"key_D"`
			SharedSecretB64 string    `json:"shared_secret_b64"`
			Sample          sample    `json:"sample"`
		} `json:"shared_secret_leading_zero"`
	} `json:"edge_cases"`
}

// VectorsPath locates shared/onekosmos/vectors.json beside the checkout.
func vectorsPath(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	require.NoError(t, err)
	for d := dir; d != "/"; d = filepath.Dir(d) {
		p := filepath.Join(d, "..", "shared", "onekosmos", "vectors.json")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatalf("shared/onekosmos/vectors.json not found beside the checkout of %s", dir)
	return ""
}

func loadVectors(t testing.TB) vectors {
	raw, err := os.ReadFile(vectorsPath(t))
	require.NoError(t, err)
	var v vectors
	require.NoError(t, json.Unmarshal(raw, &v))
	require.NotEmpty(t, v.Encryptions)
	return v
}

func b64(t *testing.T, s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}

func TestSharedSecretBothDirections(t *testing.T) {
	v := loadVectors(t)
	a, err := ParsePrivateKey(Secp256k1, v.Keys["A"].PrivateKeyB64)
	require.NoError(t, err)
	b, err := ParsePrivateKey(Secp256k1, v.Keys["B"].PrivateKeyB64)
	require.NoError(t, err)
	require.Equal(t, v.Keys["A"].PublicKeyB64, a.PublicB64())
	require.Equal(t, v.Keys["B"].PublicKeyB64, b.PublicB64())

	ab, err := a.SharedKey(v.Keys["B"].PublicKeyB64)
	require.NoError(t, err)
	ba, err := b.SharedKey(v.Keys["A"].PublicKeyB64)
	require.NoError(t, err)
	require.Equal(t, v.SharedSecret.B64, base64.StdEncoding.EncodeToString(ab))
	require.Equal(t, ab, ba)
}

func TestEncryptionsKnownAnswers(t *testing.T) {
	v := loadVectors(t)
	for _, e := range v.Encryptions {
		t.Run(e.ID, func(t *testing.T) {
			key := b64(t, e.KeyB64)
			pt, err := Open(key, e.CiphertextB64)
			require.NoError(t, err)
			require.Equal(t, e.Plaintext, string(pt))

			iv, err := hex.DecodeString(e.IVHex)
			require.NoError(t, err)
			wire, err := SealWithIV(key, iv, []byte(e.Plaintext))
			require.NoError(t, err)
			require.Equal(t, e.CiphertextB64, wire)
		})
	}
}

func TestNegativesRejected(t *testing.T) {
	v := loadVectors(t)
	require.NotEmpty(t, v.Negatives)
	for _, n := range v.Negatives {
		t.Run(n.ID, func(t *testing.T) {
			_, err := Open(b64(t, n.KeyB64), n.CiphertextB64)
			require.ErrorIs(t, err, ErrBadMessage)
		})
	}
}

func TestBase64VariantsLikeGoHelper(t *testing.T) {
	v := loadVectors(t)
	require.NotEmpty(t, v.Base64)
	for _, bv := range v.Base64 {
		t.Run(bv.Variant, func(t *testing.T) {
			pt, err := Open(b64(t, bv.KeyB64), bv.CiphertextB64)
			if bv.GoDecryptOK {
				require.NoError(t, err)
				require.Equal(t, bv.Plaintext, string(pt))
			} else {
				require.ErrorIs(t, err, ErrBadMessage)
			}
		})
	}
}

func TestShortPrivateKeyAndLeadingZeroSecret(t *testing.T) {
	v := loadVectors(t)
	c := v.EdgeCases.ShortPrivateKey
	require.Len(t, b64(t, c.KeyC.PrivateKeyB64), 31)
	kc, err := ParsePrivateKey(Secp256k1, c.KeyC.PrivateKeyB64)
	require.NoError(t, err)
	require.Equal(t, c.KeyC.PublicKeyB64, kc.PublicB64())
	sk, err := kc.SharedKey(v.Keys["A"].PublicKeyB64)
	require.NoError(t, err)
	require.Equal(t, c.SharedSecretB64, base64.StdEncoding.EncodeToString(sk))
	pt, err := Open(sk, c.Sample.CiphertextB64)
	require.NoError(t, err)
	require.Equal(t, c.Sample.Plaintext, string(pt))

	d := v.EdgeCases.LeadingZero
	kd, err := ParsePrivateKey(Secp256k1, d.KeyD.PrivateKeyB64)
	require.NoError(t, err)
	sd, err := kd.SharedKey(v.Keys["B"].PublicKeyB64)
	require.NoError(t, err)
	require.Len(t, sd, 32)
	require.Equal(t, byte(0), sd[0])
	require.Equal(t, d.SharedSecretB64, base64.StdEncoding.EncodeToString(sd))
	pt, err = Open(sd, d.Sample.CiphertextB64)
	require.NoError(t, err)
	require.Equal(t, d.Sample.Plaintext, string(pt))
}

func TestRoundTripBothCurves(t *testing.T) {
	for _, curve := range []string{Secp256k1, Prime256v1} {
		t.Run(curve, func(t *testing.T) {
			a, err := GenerateKey(curve)
			require.NoError(t, err)
			b, err := GenerateKey(curve)
			require.NoError(t, err)
			ka, err := a.SharedKey(b.PublicB64())
			require.NoError(t, err)
			kb, err := b.SharedKey(a.PublicB64())
			require.NoError(t, err)
			require.Equal(t, ka, kb)
			wire, err := Seal(ka, []byte(`{"ts":1}`))
			require.NoError(t, err)
			pt, err := Open(kb, wire)
			require.NoError(t, err)
			require.Equal(t, `{"ts":1}`, string(pt))

			again, err := ParsePrivateKey(curve, a.PrivateB64())
			require.NoError(t, err)
			require.Equal(t, a.PublicB64(), again.PublicB64())
		})
	}
}

func TestMalformedKeysRejected(t *testing.T) {
	a, err := GenerateKey(Secp256k1)
	require.NoError(t, err)
	for name, in := range map[string]string{
		"not base64":   "%%%",
		"short point":  base64.StdEncoding.EncodeToString(make([]byte, 63)),
		"off curve":    base64.StdEncoding.EncodeToString(make([]byte, 64)),
		"empty string": "",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := a.SharedKey(in)
			require.ErrorIs(t, err, ErrBadKey)
		})
	}
	_, err = ParsePrivateKey(Secp256k1, base64.StdEncoding.EncodeToString(make([]byte, 32)))
	require.ErrorIs(t, err, ErrBadKey)
	_, err = ParsePrivateKey("brainpool", "AQ==")
	require.ErrorIs(t, err, ErrCurve)
}

func FuzzOpen(f *testing.F) {
	key := make([]byte, 32)
	good, _ := SealWithIV(key, make([]byte, 16), []byte("seed"))
	f.Add(good)
	f.Add("")
	f.Add("AAAA")
	f.Fuzz(func(t *testing.T, wire string) {
		pt, err := Open(key, wire)
		if err == nil {
			again, err := SealWithIV(key, mustIV(t, wire), pt)
			require.NoError(t, err)
			require.Equal(t, wire, again)
		}
	})
}

func mustIV(t *testing.T, wire string) []byte {
	raw, err := base64.StdEncoding.DecodeString(wire)
	require.NoError(t, err)
	return raw[:16]
}

// SharedKey remembers agreements: the same key again, never a shared
// buffer a caller could change.
func TestSharedKeyIsRememberedSafely(t *testing.T) {
	for _, curve := range []string{Secp256k1, Prime256v1} {
		a, err := GenerateKey(curve)
		if err != nil {
			t.Fatal(err)
		}
		b, err := GenerateKey(curve)
		if err != nil {
			t.Fatal(err)
		}
		first, err := a.SharedKey(b.PublicB64())
		if err != nil {
			t.Fatal(err)
		}
		want := bytes.Clone(first)
		first[0] ^= 0xff
		again, err := a.SharedKey(b.PublicB64())
		if err != nil || !bytes.Equal(again, want) {
			t.Fatalf("%s: second agreement %x, %v; want %x", curve, again, err, want)
		}
		other, err := b.SharedKey(a.PublicB64())
		if err != nil || !bytes.Equal(other, want) {
			t.Fatalf("%s: the peer agrees on %x, %v; want %x", curve, other, err, want)
		}
		if _, err := a.SharedKey("not-a-key"); err == nil {
			t.Fatalf("%s: a malformed peer key is refused, remembered or not", curve)
		}
	}
}

func BenchmarkSharedKey(b *testing.B) {
	a, _ := GenerateKey(Secp256k1)
	peer, _ := GenerateKey(Secp256k1)
	pub := peer.PublicB64()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := a.SharedKey(pub); err != nil {
			b.Fatal(err)
		}
	}
}
