package idvtest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// fixture returns the simulator fixture with the given property.
func fixture(t *testing.T, pick func(simulator.Fixture) bool) simulator.Fixture {
	t.Helper()
	for _, f := range simulator.Fixtures() {
		if pick(f) {
			return f
		}
	}
	t.Fatal("no such fixture")
	return simulator.Fixture{}
}

func plain(f simulator.Fixture) bool   { return !f.Expired && !f.Spoof }
func expired(f simulator.Fixture) bool { return f.Expired }
func spoof(f simulator.Fixture) bool   { return f.Spoof }

func startIDV(t *testing.T, h Harness, docs ...idv.DocumentType) (idv.Session, string) {
	t.Helper()
	user := uuid.NewString()
	s, err := h.Verifier.StartIDV(context.Background(), idv.IDVRequest{DocumentTypes: docs, UserRef: user})
	require.NoError(t, err)
	require.NotEmpty(t, s.ID)
	require.NotEmpty(t, s.URL)
	return s, user
}

func idvResult(t *testing.T, h Harness, id string) idv.IDVResult {
	t.Helper()
	r, err := h.Verifier.IDVResult(context.Background(), id)
	require.NoError(t, err)
	require.Equal(t, id, r.SessionID)
	return r
}

// enrolled is a person after a passed proofing.
type enrolled struct {
	user    string
	account idv.Account
	selfie  []byte
}

// enroll runs a passed proofing for a fresh person.
func enroll(t *testing.T, h Harness) enrolled {
	t.Helper()
	f := fixture(t, plain)
	s, user := startIDV(t, h, idv.DriversLicense)
	h.Complete(t, s.ID, simulator.CompleteOptions{Fixture: f.Name})
	r := idvResult(t, h, s.ID)
	require.Equal(t, idv.Passed, r.Verification, r.Reason)
	require.Equal(t, f.Selfie, r.FaceImage)
	e := enrolled{user: user, selfie: r.FaceImage}
	switch {
	case r.Account != nil:
		e.account = *r.Account
	case h.Account != nil:
		e.account = h.Account(t, user)
	}
	return e
}

// unfinished is the status of a session nobody finished: pending, or in
// progress for a verifier that cannot tell them apart.
func unfinished(t *testing.T, h Harness, st idv.Status) {
	t.Helper()
	if h.TellsPending {
		assert.Equal(t, idv.StatusPending, st)
	} else {
		assert.Contains(t, []idv.Status{idv.StatusPending, idv.StatusInProgress}, st)
	}
}

func runIDV(t *testing.T, h Harness) {
	ctx := context.Background()

	t.Run("start is unfinished", func(t *testing.T) {
		before := time.Now()
		s, _ := startIDV(t, h, idv.DriversLicense)
		assert.True(t, s.ExpiresAt.After(before), "ExpiresAt %v", s.ExpiresAt)
		r := idvResult(t, h, s.ID)
		unfinished(t, h, r.Status)
		assert.Equal(t, idv.NotPerformed, r.Verification)
		assert.Nil(t, r.Person)
		assert.Nil(t, r.Document)
		assert.Nil(t, r.FaceImage)
		assert.True(t, r.CompletedAt.IsZero())
	})

	t.Run("no document type means driver's licence", func(t *testing.T) {
		s, _ := startIDV(t, h)
		h.Complete(t, s.ID, simulator.CompleteOptions{Fixture: fixture(t, plain).Name})
		r := idvResult(t, h, s.ID)
		require.NotNil(t, r.Document)
		assert.Equal(t, idv.DriversLicense, r.Document.Type)
	})

	t.Run("unknown document type is invalid input", func(t *testing.T) {
		_, err := h.Verifier.StartIDV(ctx, idv.IDVRequest{DocumentTypes: []idv.DocumentType{idv.Passport, "selfie_object"}})
		require.ErrorIs(t, err, idv.ErrInvalidInput)
	})

	for _, tc := range []struct {
		mode string
		ok   bool
	}{{"", true}, {idv.LivenessPassive, true}, {"active", false}, {"none", false}, {"PASSIVE", false}} {
		t.Run("liveness mode "+tc.mode, func(t *testing.T) {
			_, err := h.Verifier.StartIDV(ctx, idv.IDVRequest{LivenessMode: tc.mode})
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, idv.ErrInvalidInput, "1Kosmos cannot honour %q; it must be refused, not ignored", tc.mode)
			}
		})
	}

	t.Run("every requested document type can be presented", func(t *testing.T) {
		for _, doc := range []idv.DocumentType{idv.Passport, idv.IDCard} {
			s, _ := startIDV(t, h, idv.Passport, idv.IDCard)
			h.Complete(t, s.ID, simulator.CompleteOptions{Fixture: fixture(t, plain).Name, DocumentType: doc})
			r := idvResult(t, h, s.ID)
			require.Equal(t, idv.Passed, r.Verification, r.Reason)
			assert.Equal(t, doc, r.Document.Type)
		}
	})

	t.Run("opening the page is in progress", func(t *testing.T) {
		if h.OpenPage == nil {
			t.Skip("harness cannot open pages")
		}
		s, _ := startIDV(t, h, idv.Passport)
		h.OpenPage(t, s.URL)
		assert.Equal(t, idv.StatusInProgress, idvResult(t, h, s.ID).Status)
	})

	for _, doc := range idv.DocumentTypes {
		t.Run("complete passes "+string(doc), func(t *testing.T) {
			f := fixture(t, plain)
			s, user := startIDV(t, h, doc)
			h.Complete(t, s.ID, simulator.CompleteOptions{Fixture: f.Name})
			r := idvResult(t, h, s.ID)
			require.Equal(t, idv.StatusCompleted, r.Status)
			assert.Equal(t, idv.Passed, r.Verification, r.Reason)
			assert.Equal(t, idv.Passed, r.Liveness)
			assert.Equal(t, idv.Passed, r.FaceMatch)
			assert.Empty(t, r.ReasonCode)
			require.NotNil(t, r.Person)
			assert.Equal(t, f.Person.GivenName, r.Person.GivenName)
			assert.Equal(t, f.Person.MiddleName, r.Person.MiddleName)
			assert.Equal(t, f.Person.FamilyName, r.Person.FamilyName)
			assert.Equal(t, f.Person.BirthDate, r.Person.BirthDate)
			assert.Equal(t, f.Person.PlaceOfBirth, r.Person.PlaceOfBirth)
			assert.Empty(t, r.Person.Nationalities, "1Kosmos's document objects carry no nationality")
			require.NotNil(t, r.Person.Address)
			assert.Equal(t, f.Person.Address.StreetAddress, r.Person.Address.StreetAddress)
			assert.Equal(t, f.Person.Address.Locality, r.Person.Address.Locality)
			assert.Equal(t, f.Person.Address.PostalCode, r.Person.Address.PostalCode)
			require.NotNil(t, r.Document)
			assert.Equal(t, doc, r.Document.Type)
			assert.Equal(t, f.Document.Number, r.Document.Number)
			assert.Equal(t, f.Document.IssuingCountry, r.Document.IssuingCountry)
			assert.Equal(t, f.Document.DateOfIssuance, r.Document.DateOfIssuance)
			assert.Equal(t, f.Document.DateOfExpiry, r.Document.DateOfExpiry)
			assert.Equal(t, f.Selfie, r.FaceImage, "the live selfie's image bytes")
			assertProofJWT(t, r.ProofJWT)
			assert.Equal(t, h.CertificateToken, r.CertificateToken != "", "certificate token %q", r.CertificateToken)
			assert.False(t, r.CompletedAt.IsZero())
			if h.NamesNoAccount {
				assert.Nil(t, r.Account)
			} else if assert.NotNil(t, r.Account, "v3's sessionData.user") {
				assert.Equal(t, user, r.Account.DID, "the did the session was created for")
				assert.NotEmpty(t, r.Account.UserID)
				if h.Account != nil {
					assert.Equal(t, h.Account(t, user), *r.Account)
				}
			}
			if h.Scores {
				assert.NotEmpty(t, r.Scores)
			} else {
				assert.Empty(t, r.Scores)
			}
		})
	}

	t.Run("every plain fixture passes", func(t *testing.T) {
		for _, f := range simulator.Fixtures() {
			if !plain(f) {
				continue
			}
			s, _ := startIDV(t, h, f.Document.Type)
			h.Complete(t, s.ID, simulator.CompleteOptions{Fixture: f.Name})
			r := idvResult(t, h, s.ID)
			assert.Equal(t, idv.Passed, r.Verification, "%s: %s", f.Name, r.Reason)
			if assert.NotNil(t, r.Person, f.Name) {
				assert.Equal(t, f.Person.FamilyName, r.Person.FamilyName, f.Name)
			}
		}
	})

	t.Run("uploaded selfie becomes the face image", func(t *testing.T) {
		selfie := NewFace(t)
		s, _ := startIDV(t, h, idv.DriversLicense)
		h.Complete(t, s.ID, simulator.CompleteOptions{Fixture: fixture(t, plain).Name, Selfie: selfie})
		r := idvResult(t, h, s.ID)
		assert.Equal(t, idv.Passed, r.Verification, r.Reason)
		assert.Equal(t, selfie, r.FaceImage)
	})

	t.Run("unknown id is not found", func(t *testing.T) {
		_, err := h.Verifier.IDVResult(ctx, uuid.NewString())
		require.ErrorIs(t, err, idv.ErrNotFound)
	})

	t.Run("session expires", func(t *testing.T) {
		if h.Advance == nil {
			t.Skip("harness cannot move time")
		}
		s, _ := startIDV(t, h, idv.DriversLicense)
		done, _ := startIDV(t, h, idv.DriversLicense)
		h.Complete(t, done.ID, simulator.CompleteOptions{})
		h.Advance(t, h.SessionTTL+time.Second)
		r := idvResult(t, h, s.ID)
		assert.Equal(t, idv.StatusExpired, r.Status)
		assert.False(t, r.CompletedAt.IsZero())
		assert.Equal(t, idv.StatusCompleted, idvResult(t, h, done.ID).Status, "a finished session does not expire")
	})
}

// assertProofJWT checks the proof_jwt has the form of the public samples:
// a compact JWS with header {alg: HS256, typ: JWT}.
func assertProofJWT(t *testing.T, jwt string) {
	t.Helper()
	parts := strings.Split(jwt, ".")
	require.Len(t, parts, 3, "compact JWS")
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	var header map[string]string
	require.NoError(t, json.Unmarshal(raw, &header))
	assert.Equal(t, map[string]string{"alg": "HS256", "typ": "JWT"}, header)
}

// runIDVStatuses ends sessions in every way 1Kosmos reports: FAILED with
// a reason code (expired document, spoofed selfie, a document that cannot
// be verified), ABANDONED, EXPIRED, and the simulator's decline. A failure
// is a completed session with a failed verdict, never an error.
func runIDVStatuses(t *testing.T, h Harness) {
	tests := []struct {
		name    string
		end     func(t *testing.T, id string)
		status  idv.Status
		verdict idv.Outcome
		code    string
		reason  string
	}{
		{name: "FAILED: expired document", end: func(t *testing.T, id string) {
			h.Complete(t, id, simulator.CompleteOptions{Fixture: fixture(t, expired).Name})
		}, status: idv.StatusCompleted, verdict: idv.Failed, code: simulator.CodeDocumentExpired, reason: "expired"},
		{name: "FAILED: spoofed selfie", end: func(t *testing.T, id string) {
			h.Complete(t, id, simulator.CompleteOptions{Fixture: fixture(t, spoof).Name})
		}, status: idv.StatusCompleted, verdict: idv.Failed, code: simulator.CodeLiveness, reason: "liveness"},
		{name: "FAILED: not verified", end: h.Fail, status: idv.StatusCompleted, verdict: idv.Failed, code: simulator.CodeNotVerified, reason: "not be verified"},
		{name: "ABANDONED", end: h.Abandon, status: idv.StatusAbandoned, verdict: idv.NotPerformed},
		{name: "EXPIRED", end: h.Expire, status: idv.StatusExpired, verdict: idv.NotPerformed},
		{name: "declined", end: h.Decline, status: idv.StatusDeclined, verdict: idv.NotPerformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.end == nil {
				t.Skip("harness cannot end a session this way")
			}
			s, _ := startIDV(t, h, idv.DriversLicense)
			tt.end(t, s.ID)
			r := idvResult(t, h, s.ID)
			assert.Equal(t, tt.status, r.Status)
			assert.Equal(t, tt.verdict, r.Verification)
			assert.Equal(t, tt.code, r.ReasonCode)
			if tt.reason != "" {
				assert.Contains(t, r.Reason, tt.reason)
			}
			assert.NotEqual(t, idv.Passed, r.Liveness, "a failed session reports no passed liveness")
			assert.Nil(t, r.Person, "nothing about the person from a session that did not pass")
			assert.Nil(t, r.Document)
			assert.Nil(t, r.FaceImage)
			assert.False(t, r.CompletedAt.IsZero())
			assert.True(t, r.Status.Terminal())
		})
	}
}
