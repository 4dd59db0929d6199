package journey

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/netid"
	"github.com/idbridge/idbridge/pkg/storage/memory"
	"github.com/idbridge/idbridge/pkg/users"
)

type gcm struct{ aead cipher.AEAD }

func (g gcm) Seal(pt, aad []byte) ([]byte, error) {
	n := make([]byte, g.aead.NonceSize())
	_, _ = rand.Read(n)
	return g.aead.Seal(n, n, pt, aad), nil
}

func (g gcm) Open(ct, aad []byte) ([]byte, error) {
	if len(ct) < g.aead.NonceSize() {
		return nil, errors.New("short")
	}
	return g.aead.Open(nil, ct[:g.aead.NonceSize()], ct[g.aead.NonceSize():], aad)
}

// world is a core over a memory store with a settable clock.
type world struct {
	t    *testing.T
	core *Core
	repo *users.Repo
	now  time.Time
}

func newWorld(t *testing.T) *world {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	b, err := aes.NewCipher(key)
	require.NoError(t, err)
	a, err := cipher.NewGCM(b)
	require.NoError(t, err)
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	w := &world{t: t, now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return w.now }
	w.repo = users.New(st, gcm{a}, users.Options{HashKey: []byte("journey-test-key"), Now: clock})
	geo := netid.GeoFunc(func(ip netip.Addr) (string, float64, float64, bool) {
		if ip.Is4() && ip.As4()[0] == 203 {
			return "US", 40.7, -74, true
		}
		return "", 0, 0, false
	})
	resolver, err := netid.New(netid.Config{GeoIP: geo})
	require.NoError(t, err)
	w.core, err = New(Options{Users: w.repo, Now: clock, Locate: resolver.Locate})
	require.NoError(t, err)
	return w
}

func ident(ns, v string) users.Identifier {
	id, err := users.NewIdentifier(ns, v)
	if err != nil {
		panic(err)
	}
	return id
}

func doc(number string) *idv.Document {
	return &idv.Document{Type: idv.Passport, Number: number, IssuingCountry: "GB", DateOfExpiry: "2030-01-01"}
}

func passedWith(number, family string) idv.IDVResult {
	return idv.IDVResult{
		SessionID: "s-" + number, Status: idv.StatusCompleted, Verification: idv.Passed, Liveness: idv.Passed, FaceMatch: idv.Passed,
		FaceRef: "face-" + number, Person: &idv.Person{GivenName: "G", FamilyName: family, BirthDate: "1990-01-01"}, Document: doc(number),
	}
}

// verified makes a person verified with document number, known to caller
// namespace ns by identifier (when given).
func (w *world) verified(number, family, ns, identifier string) *users.User {
	w.t.Helper()
	ctx := context.Background()
	p := Person{}
	if identifier != "" {
		p.Assert = ident(ns, identifier)
	}
	u, err := w.core.CompleteIDV(ctx, p, passedWith(number, family))
	require.NoError(w.t, err)
	return u
}

func (w *world) get(sub string) *users.User {
	u, err := w.repo.Get(context.Background(), sub)
	require.NoError(w.t, err)
	return u
}

func TestCompleteIDV(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		// run returns the person the verification was for and its result.
		run func(w *world) (Person, idv.IDVResult)
		// want: the error, or nil and then check.
		want  error
		check func(t *testing.T, w *world, p Person, got *users.User)
	}{
		{
			name: "nobody known: a new person, enrolled by the document",
			run:  func(w *world) (Person, idv.IDVResult) { return Person{}, passedWith("N1", "New") },
			check: func(t *testing.T, w *world, _ Person, got *users.User) {
				require.Equal(t, "document", got.EnrolledBy)
				require.True(t, got.Enrolled())
			},
		},
		{
			name: "a login_hint never receives someone else's verification",
			run: func(w *world) (Person, idv.IDVResult) {
				victim := w.verified("V1", "Victim", "descope", "ceo@corp.example")
				p, err := w.core.Identify(ctx, Claims{Identifier: ident("descope", "ceo@corp.example"), IdentifierFrom: FromHint})
				require.NoError(w.t, err)
				require.Equal(w.t, victim.Subject, p.Subject(), "the hint names the victim")
				return p, passedWith("A1", "Attacker")
			},
			check: func(t *testing.T, w *world, p Person, got *users.User) {
				require.NotEqual(t, p.Subject(), got.Subject, "the attacker's document makes the attacker's own person")
				require.Equal(t, "Victim", w.get(p.Subject()).Verified.Person.FamilyName)
				owner, err := w.repo.FindByIdentifier(ctx, ident("descope", "ceo@corp.example"))
				require.NoError(t, err)
				require.Equal(t, p.Subject(), owner.Subject, "the identifier stays with its owner")
			},
		},
		{
			name: "a hint for an unknown identifier links nothing",
			run: func(w *world) (Person, idv.IDVResult) {
				p, err := w.core.Identify(ctx, Claims{Identifier: ident("descope", "ceo@corp.example"), IdentifierFrom: FromHint})
				require.NoError(w.t, err)
				require.True(w.t, p.Assert.IsZero())
				return p, passedWith("A2", "Attacker")
			},
			check: func(t *testing.T, w *world, _ Person, _ *users.User) {
				_, err := w.repo.FindByIdentifier(ctx, ident("descope", "ceo@corp.example"))
				require.ErrorIs(t, err, users.ErrNotFound)
			},
		},
		{
			name: "a named person's own document lands on them",
			run: func(w *world) (Person, idv.IDVResult) {
				w.verified("O1", "Owner", "descope", "o@example.com")
				p, _ := w.core.Identify(ctx, Claims{Identifier: ident("descope", "o@example.com"), IdentifierFrom: FromTyped})
				return p, passedWith("O1", "Owner")
			},
			check: func(t *testing.T, w *world, p Person, got *users.User) {
				require.Equal(t, p.Subject(), got.Subject)
			},
		},
		{
			name: "a caller's identifier naming nobody is linked to whoever verifies",
			run: func(w *world) (Person, idv.IDVResult) {
				p, _ := w.core.Identify(ctx, Claims{Identifier: ident("descope", "new@example.com"), IdentifierFrom: FromCaller})
				return p, passedWith("C1", "Caller")
			},
			check: func(t *testing.T, w *world, _ Person, got *users.User) {
				owner, err := w.repo.FindByIdentifier(ctx, ident("descope", "NEW@example.com"))
				require.NoError(t, err)
				require.Equal(t, got.Subject, owner.Subject)
			},
		},
		{
			name: "a caller cannot replace a verified person's document",
			run: func(w *world) (Person, idv.IDVResult) {
				w.verified("R1", "Real", "descope", "r@example.com")
				p, _ := w.core.Identify(ctx, Claims{Identifier: ident("descope", "r@example.com"), IdentifierFrom: FromCaller})
				return p, passedWith("R2", "Other")
			},
			want: ErrOtherDocument,
			check: func(t *testing.T, w *world, p Person, _ *users.User) {
				require.Equal(t, "Real", w.get(p.Subject()).Verified.Person.FamilyName)
			},
		},
		{
			name: "the same person re-verifies with the same document through a caller",
			run: func(w *world) (Person, idv.IDVResult) {
				w.verified("S1", "Same", "descope", "s@example.com")
				p, _ := w.core.Identify(ctx, Claims{Identifier: ident("descope", "s@example.com"), IdentifierFrom: FromCaller})
				return p, passedWith("S1", "Same")
			},
			check: func(t *testing.T, w *world, p Person, got *users.User) {
				require.Equal(t, p.Subject(), got.Subject)
				require.Equal(t, "caller", got.EnrolledBy)
			},
		},
		{
			name: "in their own session a person changes document",
			run: func(w *world) (Person, idv.IDVResult) {
				u := w.verified("P1", "Renewed", "", "")
				p, _ := w.core.Identify(ctx, Claims{SessionSubject: u.Subject})
				return p, passedWith("P2", "Renewed")
			},
			check: func(t *testing.T, w *world, p Person, got *users.User) {
				require.Equal(t, p.Subject(), got.Subject)
				require.Equal(t, "P2", got.Verified.Document.Number)
			},
		},
		{
			name: "a session cannot take another person's document",
			run: func(w *world) (Person, idv.IDVResult) {
				w.verified("T1", "Owner", "", "")
				u := w.verified("T2", "Other", "", "")
				p, _ := w.core.Identify(ctx, Claims{SessionSubject: u.Subject})
				return p, passedWith("T1", "Owner")
			},
			want: ErrDocumentTaken,
		},
		{
			name: "a caller's new identifier goes to the document's owner",
			run: func(w *world) (Person, idv.IDVResult) {
				w.verified("U1", "Owner", "", "")
				p, _ := w.core.Identify(ctx, Claims{Identifier: ident("api", "fresh@example.com"), IdentifierFrom: FromCaller})
				require.Nil(w.t, p.User)
				// The caller's identifier names nobody: the document's
				// owner verified, and the identifier is linked to them.
				return p, passedWith("U1", "Owner")
			},
			check: func(t *testing.T, w *world, _ Person, got *users.User) {
				owner, err := w.repo.FindByIdentifier(ctx, ident("api", "fresh@example.com"))
				require.NoError(t, err)
				require.Equal(t, got.Subject, owner.Subject)
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			p, res := tt.run(w)
			got, err := w.core.CompleteIDV(ctx, p, res)
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
				require.Nil(t, got)
			} else {
				require.NoError(t, err)
				require.NotNil(t, got)
			}
			if tt.check != nil {
				tt.check(t, w, p, got)
			}
		})
	}
}

func TestFailedVerificationIsRecordedOnlyOnABoundPerson(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	named := w.verified("F1", "Named", "ns", "named@example.com")
	bound := w.verified("F2", "Bound", "ns", "bound@example.com")
	failed := passedWith("F3", "X")
	failed.Liveness, failed.Reason = idv.Failed, "no live person"

	p, _ := w.core.Identify(ctx, Claims{Identifier: ident("ns", "named@example.com"), IdentifierFrom: FromHint})
	_, err := w.core.CompleteIDV(ctx, p, failed)
	require.ErrorIs(t, err, ErrVerificationFailed)
	require.ErrorContains(t, err, "no live person")
	require.Equal(t, "verified", w.get(named.Subject).IDVStatus, "a name cannot mark someone failed")

	p, _ = w.core.Identify(ctx, Claims{Identifier: ident("ns", "bound@example.com"), IdentifierFrom: FromCaller})
	_, err = w.core.CompleteIDV(ctx, p, failed)
	require.ErrorIs(t, err, ErrVerificationFailed)
	require.Equal(t, "failed", w.get(bound.Subject).IDVStatus)

	_, err = w.core.CompleteIDV(ctx, Person{}, failed)
	require.ErrorIs(t, err, ErrVerificationFailed)
	_, err = w.repo.FindByDocument(ctx, doc("F3"))
	require.ErrorIs(t, err, users.ErrNotFound, "nobody is created for a failed verification")
}

func TestCompleteFace(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	u := w.verified("L1", "Live", "ns", "live@example.com")
	p, err := w.core.Identify(ctx, Claims{Identifier: ident("ns", "live@example.com"), IdentifierFrom: FromTyped})
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		p    Person
		f    FaceResult
		want error
	}{
		{"nobody", Person{}, FaceResult{idv.Passed, idv.Passed}, ErrUnknownPerson},
		{"no live person", p, FaceResult{idv.Failed, idv.Passed}, ErrLiveness},
		{"liveness not performed", p, FaceResult{idv.NotPerformed, idv.Passed}, ErrLiveness},
		{"another face", p, FaceResult{idv.Passed, idv.Failed}, ErrNoMatch},
		{"the enrolled face", p, FaceResult{idv.Passed, idv.Passed}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := w.core.CompleteFace(ctx, tt.p, tt.f)
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
				return
			}
			require.NoError(t, err)
			require.Equal(t, u.Subject, got.Subject)
		})
	}

	unbound, err := w.repo.Create(ctx)
	require.NoError(t, err)
	require.NoError(t, w.repo.RecordVerification(ctx, unbound.Subject, passedWith("L2", "Unbound"), ""))
	got, err := w.core.Reload(ctx, unbound.Subject, FromCaller, users.Identifier{})
	require.NoError(t, err)
	_, err = w.core.CompleteFace(ctx, got, FaceResult{idv.Passed, idv.Passed})
	require.ErrorIs(t, err, ErrNotEnrolled, "a face without a recorded binding is never compared")
}

func TestDecide(t *testing.T) {
	ctx := context.Background()
	zero := time.Duration(0)
	hour := time.Hour
	home := Origin{Where: netid.Client{Network: "203.0.113.0/24", Country: "US"}, Device: "dev-1"}
	for _, tt := range []struct {
		name    string
		d       Demands
		person  func(w *world) Person
		session bool
		o       Origin
		silent  bool
		check   Check
	}{
		{name: "unknown person, auto: IDV", d: Demands{Journey: JourneyAuto}, person: func(*world) Person { return Person{} }, o: home, check: CheckIDV},
		{name: "typed identifier of an enrolled person: LiveID", d: Demands{Journey: JourneyLiveID},
			person: func(w *world) Person {
				w.verified("D1", "Typed", "ns", "t@example.com")
				p, _ := w.core.Identify(ctx, Claims{Identifier: ident("ns", "t@example.com"), IdentifierFrom: FromTyped})
				return p
			}, o: home, check: CheckLiveID},
		{name: "session on the known device and network: silent", d: Demands{Journey: JourneyAuto}, session: true,
			person: sessionPerson, o: home, silent: true, check: CheckLiveID},
		{name: "LiveID client: the session's face check is too old", d: Demands{Journey: JourneyLiveID, FaceMaxAge: &zero}, session: true,
			person: sessionPerson, o: home, check: CheckLiveID},
		{name: "client face max age not reached: silent", d: Demands{Journey: JourneyLiveID, FaceMaxAge: &hour}, session: true,
			person: sessionPerson, o: home, silent: true, check: CheckLiveID},
		{name: "new device: LiveID", d: Demands{Journey: JourneyAuto}, session: true,
			person: sessionPerson, o: Origin{Where: home.Where, Device: "other"}, check: CheckLiveID},
		{name: "IDV client: IDV", d: Demands{Journey: JourneyIDV, RequiredIAL: 2}, session: true,
			person: sessionPerson, o: Origin{Where: home.Where, Device: "other"}, check: CheckIDV},
		{name: "verified_claims for an unverified person: IDV", d: Demands{Journey: JourneyAuto, RequiredIAL: 2},
			person: func(w *world) Person {
				u, _ := w.repo.Create(ctx)
				return Person{User: u, Via: FromSession}
			}, o: home, check: CheckIDV},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			p := tt.person(w)
			var s *Session
			if tt.session {
				s = &Session{Subject: p.Subject(), AuthTime: w.now.Add(-time.Minute)}
			}
			plan := w.core.Decide(tt.d, p, s, tt.o)
			require.Equal(t, tt.silent, plan.Silent, "reasons: %v", plan.Risk.Reasons)
			require.Equal(t, tt.check, plan.Check, "reasons: %v", plan.Risk.Reasons)
		})
	}
}

// sessionPerson is an enrolled person whose history knows dev-1 on
// 203.0.113.0/24 in the US.
func sessionPerson(w *world) Person {
	u := w.verified("H1", "Home", "", "")
	w.core.Succeeded(context.Background(), u.Subject, Origin{Where: w.core.Locate(netip.MustParseAddr("203.0.113.9")), Device: "dev-1"})
	p, err := w.core.Identify(context.Background(), Claims{SessionSubject: u.Subject})
	require.NoError(w.t, err)
	return p
}

// The history a successful check records is what the next decision reads:
// the same device and network are then familiar.
func TestSucceededFeedsTheNextDecision(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	u := w.verified("S9", "Seen", "ns", "seen@example.com")
	p, _ := w.core.Identify(ctx, Claims{Identifier: ident("ns", "seen@example.com"), IdentifierFrom: FromCaller})
	o := Origin{Where: w.core.Locate(netip.MustParseAddr("203.0.113.77")), Device: "phone-1"}
	require.Equal(t, "US", o.Where.Country, "GeoIP from the core's configuration")
	s := &Session{Subject: u.Subject, AuthTime: w.now}
	before := w.core.Decide(Demands{Journey: JourneyAuto}, p, s, o)
	require.Equal(t, CheckLiveID, before.Check)
	require.True(t, before.Risk.Has("new_device"), "%v", before.Risk.Reasons)
	require.False(t, before.Silent)

	w.core.Succeeded(ctx, u.Subject, o)
	p, _ = w.core.Identify(ctx, Claims{Identifier: ident("ns", "seen@example.com"), IdentifierFrom: FromCaller})
	after := w.core.Decide(Demands{Journey: JourneyAuto}, p, s, o)
	require.True(t, after.Silent, "%v", after.Risk.Reasons)
}

func TestIdentify(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	a := w.verified("I1", "A", "ns", "a@example.com")
	b := w.verified("I2", "B", "ns", "b@example.com")
	for _, tt := range []struct {
		name   string
		c      Claims
		sub    string
		via    Source
		assert bool
	}{
		{"nothing", Claims{}, "", "", false},
		{"session", Claims{SessionSubject: a.Subject}, a.Subject, FromSession, false},
		{"id_token_hint with its session authenticates", Claims{SessionSubject: a.Subject, IDTokenSubject: a.Subject}, a.Subject, FromSession, false},
		{"id_token_hint alone only names", Claims{IDTokenSubject: a.Subject}, a.Subject, FromIDToken, false},
		{"a hint for someone else names them", Claims{SessionSubject: a.Subject, Identifier: ident("ns", "b@example.com"), IdentifierFrom: FromHint}, b.Subject, FromHint, false},
		{"a hint for the session's person keeps the session", Claims{SessionSubject: a.Subject, Identifier: ident("ns", "a@example.com"), IdentifierFrom: FromHint}, a.Subject, FromSession, false},
		{"another namespace knows nobody", Claims{Identifier: ident("other", "a@example.com"), IdentifierFrom: FromCaller}, "", "", true},
		{"a client's assertion", Claims{Identifier: ident("ns", "b@example.com"), IdentifierFrom: FromClient}, b.Subject, FromClient, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := w.core.Identify(ctx, tt.c)
			require.NoError(t, err)
			require.Equal(t, tt.sub, p.Subject())
			require.Equal(t, tt.via, p.Via)
			require.Equal(t, tt.assert, !p.Assert.IsZero())
		})
	}
}

type recordingEraser struct {
	subs []string
	err  error
}

func (r *recordingEraser) ForgetSubject(_ context.Context, sub string) error {
	r.subs = append(r.subs, sub)
	return r.err
}

func TestForgetReachesEveryOwner(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	u := w.verified("G1", "Gone", "ns", "gone@example.com")
	one, two := &recordingEraser{}, &recordingEraser{}
	w.core.Register("one", one)
	w.core.Register("two", two)
	require.NoError(t, w.core.Forget(ctx, u.Subject, "test"))
	require.Equal(t, []string{u.Subject}, one.subs)
	require.Equal(t, []string{u.Subject}, two.subs)
	_, err := w.repo.Get(ctx, u.Subject)
	require.ErrorIs(t, err, users.ErrNotFound)
	_, err = w.repo.FindByIdentifier(ctx, ident("ns", "gone@example.com"))
	require.ErrorIs(t, err, users.ErrNotFound)
	_, err = w.repo.FindByDocument(ctx, doc("G1"))
	require.ErrorIs(t, err, users.ErrNotFound)
	require.NoError(t, w.core.Forget(ctx, u.Subject, "test"), "forgetting again is harmless")

	v := w.verified("G2", "Kept", "", "")
	two.err = errors.New("store down")
	require.Error(t, w.core.Forget(ctx, v.Subject, "test"))
	_, err = w.repo.Get(ctx, v.Subject)
	require.NoError(t, err, "a failed owner stops the erasure before the person record, so it can run again")
}
