package users

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/storage/memory"
)

type gcmSealer struct{ aead cipher.AEAD }

func (s gcmSealer) Seal(pt, aad []byte) ([]byte, error) {
	n := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(n)
	return s.aead.Seal(n, n, pt, aad), nil
}

func (s gcmSealer) Open(ct, aad []byte) ([]byte, error) {
	if len(ct) < s.aead.NonceSize() {
		return nil, errors.New("short")
	}
	return s.aead.Open(nil, ct[:s.aead.NonceSize()], ct[s.aead.NonceSize():], aad)
}

func newRepo(t testing.TB, now func() time.Time, retention time.Duration) (*Repo, *memory.Store) {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	b, err := aes.NewCipher(key)
	require.NoError(t, err)
	g, err := cipher.NewGCM(b)
	require.NoError(t, err)
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	return New(st, gcmSealer{g}, Options{HashKey: []byte("k"), Now: now, Retention: retention}), st
}

func passed(number string) idv.IDVResult {
	return idv.IDVResult{
		SessionID: "sess-1", Status: idv.StatusCompleted, Verification: idv.Passed,
		Liveness: idv.Passed, FaceMatch: idv.Passed, FaceRef: "face-ref-1",
		Person:   &idv.Person{GivenName: "Ada", FamilyName: "Lovelace", BirthDate: "1815-12-10"},
		Document: &idv.Document{Type: idv.Passport, Number: number, IssuingCountry: "GB"},
	}
}

func TestVerificationIsSealedAndFindable(t *testing.T) {
	ctx := context.Background()
	r, st := newRepo(t, time.Now, 0)
	u, err := r.Create(ctx)
	require.NoError(t, err)
	require.Regexp(t, `^u_[A-Za-z0-9_-]{22}$`, u.Subject)
	require.NoError(t, r.RecordVerification(ctx, u.Subject, passed("P123456"), "session"))
	require.NoError(t, r.AddIdentifier(ctx, u.Subject, ident("ada@example.com")))

	raw, err := st.Get(ctx, userKey(u.Subject))
	require.NoError(t, err)
	for _, secret := range []string{"Lovelace", "P123456", "1815-12-10", "ada@example.com"} {
		require.False(t, bytes.Contains(raw, []byte(secret)), "%q stored in clear", secret)
	}

	got, err := r.Get(ctx, u.Subject)
	require.NoError(t, err)
	require.True(t, got.Enrolled())
	require.Equal(t, "Lovelace", got.Verified.Person.FamilyName)
	require.Equal(t, "verified", got.IDVStatus)

	byID, err := r.FindByIdentifier(ctx, ident("ada@example.com"))
	require.NoError(t, err)
	require.Equal(t, u.Subject, byID.Subject)
	byDoc, err := r.FindByDocument(ctx, &idv.Document{Type: idv.Passport, Number: " p123456 ", IssuingCountry: "gb"})
	require.NoError(t, err)
	require.Equal(t, u.Subject, byDoc.Subject)
}

func TestOneDocumentCannotBecomeTwoPeople(t *testing.T) {
	ctx := context.Background()
	r, _ := newRepo(t, time.Now, 0)
	a, _ := r.Create(ctx)
	b, _ := r.Create(ctx)
	require.NoError(t, r.RecordVerification(ctx, a.Subject, passed("X1"), "session"))
	require.ErrorIs(t, r.RecordVerification(ctx, b.Subject, passed("X1"), "session"), ErrDocumentTaken)
	require.NoError(t, r.RecordVerification(ctx, a.Subject, passed("X1"), "session"), "the owner re-verifies")
}

func TestRetentionDropsVerifiedData(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	clock := func() time.Time { return now }
	r, _ := newRepo(t, clock, 24*time.Hour)
	u, _ := r.Create(ctx)
	res := passed("R1")
	res.CompletedAt = now
	require.NoError(t, r.RecordVerification(ctx, u.Subject, res, "session"))
	now = now.Add(25 * time.Hour)
	got, err := r.Get(ctx, u.Subject)
	require.NoError(t, err)
	require.Nil(t, got.Verified)
	require.False(t, got.Enrolled())
	status, v, err := r.Identity(ctx, u.Subject)
	require.NoError(t, err)
	require.Equal(t, "verified", status)
	require.Nil(t, v, "Identity applies retention like Get")
}

func TestIdentityAgreesWithGet(t *testing.T) {
	ctx := context.Background()
	r, st := newRepo(t, time.Now, 0)
	u, _ := r.Create(ctx)
	status, v, err := r.Identity(ctx, u.Subject)
	require.NoError(t, err)
	require.Equal(t, "none", status)
	require.Nil(t, v)

	require.NoError(t, r.RecordVerification(ctx, u.Subject, passed("I1"), "session"))
	require.NoError(t, r.RecordLogin(ctx, u.Subject, Sighting{At: time.Now(), Network: "192.0.2.0/24", DeviceID: "d1"}))
	full, err := r.Get(ctx, u.Subject)
	require.NoError(t, err)
	status, v, err = r.Identity(ctx, u.Subject)
	require.NoError(t, err)
	require.Equal(t, full.IDVStatus, status)
	require.Equal(t, full.Verified, v)

	_, _, err = r.Identity(ctx, "u_nobody")
	require.ErrorIs(t, err, ErrNotFound)
	require.NoError(t, st.Set(ctx, userKey(u.Subject), []byte(`{"sub":`), 0))
	_, _, err = r.Identity(ctx, u.Subject)
	require.ErrorContains(t, err, "corrupt record")
}

// BenchmarkLoad compares reading a whole verified user with reading only
// what tokens state.
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	r, _ := newRepo(b, time.Now, 0)
	u, _ := r.Create(ctx)
	if err := r.RecordVerification(ctx, u.Subject, passed("B1"), "session"); err != nil {
		b.Fatal(err)
	}
	if err := r.RecordLogin(ctx, u.Subject, Sighting{At: time.Now(), Network: "192.0.2.0/24", DeviceID: "d1"}); err != nil {
		b.Fatal(err)
	}
	b.Run("Get", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.Get(ctx, u.Subject); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Identity", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := r.Identity(ctx, u.Subject); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestForgetErasesEverything(t *testing.T) {
	ctx := context.Background()
	r, _ := newRepo(t, time.Now, 0)
	u, _ := r.Create(ctx)
	require.NoError(t, r.RecordVerification(ctx, u.Subject, passed("F1"), "session"))
	require.NoError(t, r.AddIdentifier(ctx, u.Subject, ident("f@example.com")))
	require.NoError(t, r.Forget(ctx, u.Subject))
	_, err := r.Get(ctx, u.Subject)
	require.ErrorIs(t, err, ErrNotFound)
	_, err = r.FindByIdentifier(ctx, ident("f@example.com"))
	require.ErrorIs(t, err, ErrNotFound)
	_, err = r.FindByDocument(ctx, passed("F1").Document)
	require.ErrorIs(t, err, ErrNotFound)
	other, _ := r.Create(ctx)
	require.NoError(t, r.RecordVerification(ctx, other.Subject, passed("F1"), "session"), "a forgotten document is free again")
}

func TestFailedVerificationKeepsEarlierIdentity(t *testing.T) {
	ctx := context.Background()
	r, _ := newRepo(t, time.Now, 0)
	u, _ := r.Create(ctx)
	require.NoError(t, r.RecordVerification(ctx, u.Subject, passed("K1"), "session"))
	fail := passed("K2")
	fail.Verification = idv.Failed
	require.NoError(t, r.RecordVerification(ctx, u.Subject, fail, "session"))
	got, _ := r.Get(ctx, u.Subject)
	require.Equal(t, "failed", got.IDVStatus)
	require.Equal(t, "K1", got.Verified.Document.Number)
}

func TestRecordLoginBoundsHistory(t *testing.T) {
	ctx := context.Background()
	r, _ := newRepo(t, time.Now, 0)
	u, _ := r.Create(ctx)
	for i := range 30 {
		require.NoError(t, r.RecordLogin(ctx, u.Subject, Sighting{DeviceID: string(rune('a' + i)), Network: "10.0." + string(rune('0'+i%10)) + ".0/24"}))
	}
	got, _ := r.Get(ctx, u.Subject)
	require.Len(t, got.Devices, 20)
	require.LessOrEqual(t, len(got.Networks), 20)
	require.NotNil(t, got.Last)
	_, err := r.Get(ctx, "u_missing")
	require.ErrorIs(t, err, ErrNotFound)
}

func TestIdentifierStaysWithItsOwner(t *testing.T) {
	ctx := context.Background()
	r, _ := newRepo(t, time.Now, 0)
	a, _ := r.Create(ctx)
	b, _ := r.Create(ctx)
	require.NoError(t, r.AddIdentifier(ctx, a.Subject, ident("a@example.com")))
	require.NoError(t, r.AddIdentifier(ctx, a.Subject, ident("a@example.com")), "adding it again is fine")
	require.ErrorIs(t, r.AddIdentifier(ctx, b.Subject, ident("a@example.com")), ErrIdentifierTaken)
	owner, err := r.FindByIdentifier(ctx, ident("a@example.com"))
	require.NoError(t, err)
	require.Equal(t, a.Subject, owner.Subject)
	require.NoError(t, r.Forget(ctx, a.Subject))
	require.NoError(t, r.AddIdentifier(ctx, b.Subject, ident("a@example.com")), "a forgotten identifier is free")
}

// TestIdentityCacheNeverServesStaleData: a cached identity is served only
// while the stored record is byte for byte the one it was decoded from, so
// a write by another replica (here: another Repo on the same store), an
// erasure or retention is seen at once.
func TestIdentityCacheNeverServesStaleData(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	clock := func() time.Time { return now }
	a, st := newRepo(t, clock, 48*time.Hour)
	b := New(st, a.seal, Options{HashKey: []byte("k"), Now: clock, Retention: 48 * time.Hour})
	u, _ := a.Create(ctx)
	res := passed("C1")
	res.CompletedAt = now
	require.NoError(t, a.RecordVerification(ctx, u.Subject, res, "session"))

	_, v, err := a.Identity(ctx, u.Subject)
	require.NoError(t, err)
	require.Equal(t, "Lovelace", v.Person.FamilyName)
	v.Person.FamilyName = "Changed by the caller"
	v.Document.Number = "changed"
	_, again, err := a.Identity(ctx, u.Subject)
	require.NoError(t, err)
	require.Equal(t, "Lovelace", again.Person.FamilyName, "callers get copies")
	require.Equal(t, "C1", again.Document.Number)

	renamed := passed("C1")
	renamed.Person.FamilyName = "King"
	renamed.CompletedAt = now
	require.NoError(t, b.RecordVerification(ctx, u.Subject, renamed, "session"), "another replica re-verifies")
	_, v, err = a.Identity(ctx, u.Subject)
	require.NoError(t, err)
	require.Equal(t, "King", v.Person.FamilyName)

	now = now.Add(49 * time.Hour)
	status, v, err := a.Identity(ctx, u.Subject)
	require.NoError(t, err)
	require.Equal(t, "verified", status)
	require.Nil(t, v, "retention applies to cached identities too")

	require.NoError(t, b.Forget(ctx, u.Subject))
	_, _, err = a.Identity(ctx, u.Subject)
	require.ErrorIs(t, err, ErrNotFound, "an erasure on another replica is seen at once")
}

func TestIdentityCacheIsBounded(t *testing.T) {
	c := newIdentityCache(3, time.Minute)
	now := time.Now()
	for _, sub := range []string{"a", "b", "c", "d", "e"} {
		c.put(sub, []byte(sub), "verified", nil, now)
	}
	require.Len(t, c.entries, 3)
	_, _, ok := c.get("e", []byte("e"), now)
	require.True(t, ok, "the newest entry is kept")
	_, _, ok = c.get("e", []byte("e"), now.Add(2*time.Minute))
	require.False(t, ok, "entries expire")
	_, _, ok = c.get("e", []byte("other bytes"), now)
	require.False(t, ok, "a changed record misses")
}

// docRace is a store on which the first read of a document index misses
// and the document is registered to someone else right after: another
// verification of the same document finishing at the same moment.
type docRace struct {
	storage.Store
	once     sync.Once
	register func()
}

func (d *docRace) Get(ctx context.Context, key string) ([]byte, error) {
	if strings.HasPrefix(key, "doc:{") {
		first := false
		d.once.Do(func() { d.register(); first = true })
		if first {
			return nil, storage.ErrNotFound
		}
	}
	return d.Store.Get(ctx, key)
}

// TestFirstVerificationsOfOneDocumentAtOnce: the verification that loses
// the race ends on the document's owner, and the person it created is
// removed.
func TestFirstVerificationsOfOneDocumentAtOnce(t *testing.T) {
	ctx := context.Background()
	plain, st := newRepo(t, time.Now, 0)
	var owner string
	race := &docRace{Store: st, register: func() {
		u, err := plain.Create(ctx)
		require.NoError(t, err)
		owner = u.Subject
		require.NoError(t, plain.RecordVerification(ctx, u.Subject, passed("R1"), "session"))
	}}
	r := New(race, plain.seal, Options{HashKey: []byte("k")})

	u, created, err := r.PersonFor(ctx, passed("R1").Document)
	require.NoError(t, err)
	require.True(t, created, "the lookup missed, so a person was created")
	got, err := r.RecordVerificationOn(ctx, u, created, passed("R1"), "document")
	require.NoError(t, err)
	require.Equal(t, owner, got.Subject)
	_, err = r.Get(ctx, u.Subject)
	require.ErrorIs(t, err, ErrNotFound, "the created person is removed")

	// A person the caller chose is not swapped for the owner.
	other, _ := r.Create(ctx)
	_, err = r.RecordVerificationOn(ctx, other, false, passed("R1"), "document")
	require.ErrorIs(t, err, ErrDocumentTaken)
}

func ident(v string) Identifier {
	id, err := NewIdentifier("test", v)
	if err != nil {
		panic(err)
	}
	return id
}

func TestIdentifiersAreNormalisedAndNamespaced(t *testing.T) {
	for _, tt := range []struct {
		name, raw, want string
		bad             bool
	}{
		{name: "e-mail is case-insensitive", raw: "  Ada.Lovelace@Example.COM\t", want: "ada.lovelace@example.com"},
		{name: "user names keep their case", raw: " AdaL ", want: "AdaL"},
		{name: "empty", raw: "   ", bad: true},
		{name: "control characters", raw: "ada\x00@example.com", bad: true},
		{name: "too long", raw: strings.Repeat("a", 257), bad: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id, err := NewIdentifier("ns", tt.raw)
			if tt.bad {
				require.ErrorIs(t, err, ErrBadIdentifier)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, id.Value)
		})
	}
	_, err := NewIdentifier("", "a@example.com")
	require.ErrorIs(t, err, ErrBadIdentifier, "a namespace is required")

	ctx := context.Background()
	r, _ := newRepo(t, time.Now, 0)
	a, _ := r.Create(ctx)
	b, _ := r.Create(ctx)
	one, _ := NewIdentifier("caller-1", "Same@Example.com")
	two, _ := NewIdentifier("caller-2", "same@example.com")
	require.NoError(t, r.AddIdentifier(ctx, a.Subject, one))
	require.NoError(t, r.AddIdentifier(ctx, b.Subject, two), "another namespace may use the same identifier for someone else")
	upper, _ := NewIdentifier("caller-1", "SAME@example.com")
	got, err := r.FindByIdentifier(ctx, upper)
	require.NoError(t, err)
	require.Equal(t, a.Subject, got.Subject)
	got, err = r.FindByIdentifier(ctx, two)
	require.NoError(t, err)
	require.Equal(t, b.Subject, got.Subject)
}

func TestFaceWithoutRecordedBindingIsNotEnrolled(t *testing.T) {
	ctx := context.Background()
	r, _ := newRepo(t, time.Now, 0)
	u, _ := r.Create(ctx)
	require.NoError(t, r.RecordVerification(ctx, u.Subject, passed("E1"), ""))
	got, _ := r.Get(ctx, u.Subject)
	require.False(t, got.Enrolled(), "a face whose binding is not recorded is not used for LiveID")
	require.NoError(t, r.RecordVerification(ctx, u.Subject, passed("E1"), "caller"))
	got, _ = r.Get(ctx, u.Subject)
	require.True(t, got.Enrolled())
	require.Equal(t, "caller", got.EnrolledBy)
}
