package seal

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func mustKey(t testing.TB, id string) Key {
	t.Helper()
	k, err := GenerateKey(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustNew(t testing.TB, cur Key, old ...Key) *Sealer {
	t.Helper()
	s, err := New(cur, old...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealOpen(t *testing.T) {
	s := mustNew(t, mustKey(t, "k1"))
	tests := []struct {
		name      string
		plaintext []byte
		aad       []byte
	}{
		{"name and aad", []byte("Ada Lovelace"), []byte("user:1")},
		{"empty plaintext", nil, []byte("user:2")},
		{"no aad", []byte("1815-12-10"), nil},
		{"binary", []byte{0, 1, 2, '.', 0xff}, []byte{0}},
		{"large", bytes.Repeat([]byte("x"), 1<<16), []byte("doc")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := s.Seal(tt.plaintext, tt.aad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(sealed, []byte("v1.k1.")) {
				t.Fatalf("sealed value %.20q lacks the v1.k1. header", sealed)
			}
			if len(tt.plaintext) > 3 && bytes.Contains(sealed, tt.plaintext) {
				t.Fatal("plaintext visible in the sealed value")
			}
			again, _ := s.Seal(tt.plaintext, tt.aad)
			if bytes.Equal(sealed, again) {
				t.Fatal("two seals of the same data are identical: nonce reused")
			}
			pt, err := s.Open(sealed, tt.aad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(pt, tt.plaintext) {
				t.Fatalf("Open = %q, want %q", pt, tt.plaintext)
			}
		})
	}
}

func TestRotation(t *testing.T) {
	k1, k2 := mustKey(t, "k1"), mustKey(t, "k2")
	sealed, err := mustNew(t, k1).Seal([]byte("Ada"), []byte("user:1"))
	if err != nil {
		t.Fatal(err)
	}
	rotated := mustNew(t, k2, k1)
	if pt, err := rotated.Open(sealed, []byte("user:1")); err != nil || string(pt) != "Ada" {
		t.Fatalf("value sealed under the old key after rotation: %q, %v", pt, err)
	}
	fresh, _ := rotated.Seal([]byte("Ada"), []byte("user:1"))
	if !bytes.HasPrefix(fresh, []byte("v1.k2.")) || rotated.CurrentKeyID() != "k2" {
		t.Fatalf("new values must use the current key, got %.8q", fresh)
	}
	_, err = mustNew(t, k2).Open(sealed, []byte("user:1"))
	if !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("old key retired: %v, want ErrUnknownKey", err)
	}
	// Same id, other secret: a mixed-up configuration must not open data.
	_, err = mustNew(t, mustKey(t, "k1")).Open(sealed, []byte("user:1"))
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("wrong secret under the right id: %v, want ErrCorrupt", err)
	}
}

func TestOpenRejects(t *testing.T) {
	s := mustNew(t, mustKey(t, "k"))
	sealed, err := s.Seal([]byte("secret"), []byte("a"))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 0x01
		return c
	}
	body := sealed[len("v1.k."):]
	tests := []struct {
		name string
		in   []byte
		aad  []byte
		want error
	}{
		{"wrong aad", sealed, []byte("b"), ErrCorrupt},
		{"missing aad", sealed, nil, ErrCorrupt},
		{"flipped last byte", flip(len(sealed) - 2), []byte("a"), ErrCorrupt},
		{"flipped nonce byte", flip(len("v1.k.") + 1), []byte("a"), ErrCorrupt},
		{"truncated", sealed[:len(sealed)-4], []byte("a"), ErrCorrupt},
		{"too short for a tag", []byte("v1.k.AAAA"), []byte("a"), ErrCorrupt},
		{"no version", append([]byte("k."), body...), []byte("a"), ErrCorrupt},
		{"other version", append([]byte("v2.k."), body...), []byte("a"), ErrCorrupt},
		{"not base64", []byte("v1.k.!!!!"), []byte("a"), ErrCorrupt},
		{"padded base64", append(bytes.Clone(sealed), '='), []byte("a"), ErrCorrupt},
		{"non-canonical base64", nonCanonical(t, s), []byte("a"), ErrCorrupt},
		{"empty", nil, nil, ErrCorrupt},
		{"unknown key", append([]byte("v1.other."), body...), []byte("a"), ErrUnknownKey},
		{"malformed key id", append([]byte("v1.k k."), body...), []byte("a"), ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt, err := s.Open(tt.in, tt.aad)
			if !errors.Is(err, tt.want) || pt != nil {
				t.Fatalf("Open = %q, %v; want %v", pt, err, tt.want)
			}
		})
	}
}

// nonCanonical seals a 1-byte plaintext (29 bytes encoded: the last
// base64 character carries 2 unused bits) and sets one of those bits.
func nonCanonical(t *testing.T, s *Sealer) []byte {
	t.Helper()
	sealed, err := s.Seal([]byte("z"), []byte("a"))
	if err != nil {
		t.Fatal(err)
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, sealed[len(sealed)-1])
	sealed[len(sealed)-1] = alphabet[last|1]
	return sealed
}

func TestParseKey(t *testing.T) {
	secret := bytes.Repeat([]byte{0xfb}, KeySize)
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"standard base64", "k1:" + base64.StdEncoding.EncodeToString(secret), true},
		{"url base64 unpadded", "k1:" + base64.RawURLEncoding.EncodeToString(secret), true},
		{"surrounding space", " 2024-01_a:" + base64.StdEncoding.EncodeToString(secret) + "\n", true},
		{"empty", "", false},
		{"no id", ":" + base64.StdEncoding.EncodeToString(secret), false},
		{"no colon", "k1", false},
		{"dot in id", "k.1:" + base64.StdEncoding.EncodeToString(secret), false},
		{"id too long", strings.Repeat("k", 65) + ":" + base64.StdEncoding.EncodeToString(secret), false},
		{"short secret", "k:" + base64.StdEncoding.EncodeToString(secret[:16]), false},
		{"not base64", "k:%%%%", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKey(tt.in)
			if !tt.ok {
				if !errors.Is(err, ErrBadKey) {
					t.Fatalf("ParseKey = %v, want ErrBadKey", err)
				}
				return
			}
			if err != nil || !bytes.Equal(k.Secret, secret) {
				t.Fatalf("ParseKey = %v, %v", k, err)
			}
			back, err := ParseKey(k.Encode())
			if err != nil || back.ID != k.ID || !bytes.Equal(back.Secret, k.Secret) {
				t.Fatalf("Encode does not round-trip: %v", err)
			}
		})
	}
}

func TestNewRejectsBadKeys(t *testing.T) {
	good := mustKey(t, "k")
	tests := []struct {
		name string
		cur  Key
		old  []Key
	}{
		{"short secret", Key{ID: "k", Secret: []byte("short")}, nil},
		{"empty id", Key{Secret: good.Secret}, nil},
		{"duplicate id", good, []Key{mustKey(t, "k")}},
		{"bad old key", good, []Key{{ID: "o", Secret: nil}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cur, tt.old...); !errors.Is(err, ErrBadKey) {
				t.Fatalf("New = %v, want ErrBadKey", err)
			}
		})
	}
}

func TestKeyNeverPrintsSecret(t *testing.T) {
	k := mustKey(t, "k")
	k.Secret = []byte("SECRETSECRETSECRETSECRETSECRET12")
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("key", "key", k)
	for _, out := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k), logged.String()} {
		if strings.Contains(out, "SECRET") || strings.Contains(out, base64.StdEncoding.EncodeToString(k.Secret)) {
			t.Fatalf("secret printed: %s", out)
		}
		if !strings.Contains(out, "k") {
			t.Fatalf("key id missing from %q", out)
		}
	}
}

// FuzzOpen checks that arbitrary input never panics, fails only with this
// package's errors, and opens only when it is a seal this Sealer made.
func FuzzOpen(f *testing.F) {
	s := mustNew(f, mustKey(f, "k"), mustKey(f, "old"))
	genuine := map[string]string{}
	for _, pt := range []string{"x", "", "Ada Lovelace"} {
		sealed, err := s.Seal([]byte(pt), []byte("aad"))
		if err != nil {
			f.Fatal(err)
		}
		genuine[string(sealed)] = pt
		f.Add(sealed)
		f.Add(sealed[:len(sealed)-1])
	}
	for _, seed := range []string{"", "v1", "v1.k.", "v1.k..", "v1.old.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "v1.nope.AAAA", "v2.k.AAAA"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		pt, err := s.Open(in, []byte("aad"))
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("Open failed with %v, not ErrCorrupt or ErrUnknownKey", err)
			}
			return
		}
		want, ok := genuine[string(in)]
		if !ok || string(pt) != want {
			t.Fatalf("Open accepted %q, which this Sealer never made", in)
		}
	})
}
