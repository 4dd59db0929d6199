package idvtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// FaceRef is the simulator's reference of a face image.
func FaceRef(img []byte) string {
	sum := sha256.Sum256(img)
	return hex.EncodeToString(sum[:])
}

func startIDV(t *testing.T, h Harness, doc idv.DocumentType) (idv.Session, string) {
	t.Helper()
	user := uuid.NewString()
	s, err := h.Verifier.StartIDV(context.Background(), idv.IDVRequest{DocumentType: doc, UserRef: user})
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

// enroll runs a passed proofing for a fresh person and returns their
// user reference, FaceRef and selfie.
func enroll(t *testing.T, h Harness) (user, ref string, selfie []byte) {
	t.Helper()
	f := fixture(t, plain)
	s, user := startIDV(t, h, idv.DriversLicense)
	h.Complete(t, s.ID, simulator.CompleteOptions{Fixture: f.Name})
	r := idvResult(t, h, s.ID)
	require.Equal(t, idv.Passed, r.Verification, r.Reason)
	require.Equal(t, FaceRef(f.Selfie), r.FaceRef)
	return user, r.FaceRef, f.Selfie
}

func runIDV(t *testing.T, h Harness) {
	ctx := context.Background()

	t.Run("start is pending", func(t *testing.T) {
		before := time.Now()
		s, _ := startIDV(t, h, idv.DriversLicense)
		assert.True(t, s.ExpiresAt.After(before), "ExpiresAt %v", s.ExpiresAt)
		r := idvResult(t, h, s.ID)
		assert.Equal(t, idv.StatusPending, r.Status)
		assert.Equal(t, idv.NotPerformed, r.Verification)
		assert.Nil(t, r.Person)
		assert.Nil(t, r.Document)
	})

	t.Run("default document type is accepted", func(t *testing.T) {
		s, _ := startIDV(t, h, "")
		assert.Equal(t, idv.StatusPending, idvResult(t, h, s.ID).Status)
	})

	t.Run("unknown document type is invalid input", func(t *testing.T) {
		_, err := h.Verifier.StartIDV(ctx, idv.IDVRequest{DocumentType: "selfie_object"})
		require.ErrorIs(t, err, idv.ErrInvalidInput)
	})

	t.Run("opening the page is in progress", func(t *testing.T) {
		if h.OpenPage == nil {
			t.Skip("harness cannot open pages")
		}
		s, _ := startIDV(t, h, idv.Passport)
		h.OpenPage(t, s.URL)
		assert.Equal(t, idv.StatusInProgress, idvResult(t, h, s.ID).Status)
	})

	for _, doc := range []idv.DocumentType{idv.DriversLicense, idv.Passport, idv.IDCard} {
		t.Run("complete passes "+string(doc), func(t *testing.T) {
			f := fixture(t, plain)
			s, _ := startIDV(t, h, doc)
			h.Complete(t, s.ID, simulator.CompleteOptions{Fixture: f.Name})
			r := idvResult(t, h, s.ID)
			require.Equal(t, idv.StatusCompleted, r.Status)
			assert.Equal(t, idv.Passed, r.Verification, r.Reason)
			assert.Equal(t, idv.Passed, r.Liveness)
			assert.Equal(t, idv.Passed, r.FaceMatch)
			require.NotNil(t, r.Person)
			assert.Equal(t, f.Person.GivenName, r.Person.GivenName)
			assert.Equal(t, f.Person.FamilyName, r.Person.FamilyName)
			assert.Equal(t, f.Person.BirthDate, r.Person.BirthDate)
			require.NotNil(t, r.Document)
			assert.Equal(t, doc, r.Document.Type)
			assert.Equal(t, f.Document.Number, r.Document.Number)
			assert.Equal(t, f.Document.IssuingCountry, r.Document.IssuingCountry)
			assert.Equal(t, f.Document.DateOfExpiry, r.Document.DateOfExpiry)
			assert.Equal(t, FaceRef(f.Selfie), r.FaceRef)
			assert.NotEmpty(t, r.ProofJWT)
			assert.NotEmpty(t, r.CertificateToken)
			assert.False(t, r.CompletedAt.IsZero())
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
				assert.Equal(t, f.Person.Nationalities, r.Person.Nationalities, f.Name)
			}
		}
	})

	t.Run("uploaded selfie becomes the face reference", func(t *testing.T) {
		selfie := NewFace(t)
		s, _ := startIDV(t, h, idv.DriversLicense)
		h.Complete(t, s.ID, simulator.CompleteOptions{Fixture: fixture(t, plain).Name, Selfie: selfie})
		r := idvResult(t, h, s.ID)
		assert.Equal(t, idv.Passed, r.Verification, r.Reason)
		assert.Equal(t, FaceRef(selfie), r.FaceRef)
	})

	t.Run("decline", func(t *testing.T) {
		s, _ := startIDV(t, h, idv.DriversLicense)
		h.Decline(t, s.ID)
		r := idvResult(t, h, s.ID)
		assert.Equal(t, idv.StatusDeclined, r.Status)
		assert.NotEqual(t, idv.Passed, r.Verification)
		assert.Nil(t, r.Person)
	})

	t.Run("expired document fails", func(t *testing.T) {
		f := fixture(t, expired)
		s, _ := startIDV(t, h, f.Document.Type)
		h.Complete(t, s.ID, simulator.CompleteOptions{Fixture: f.Name})
		r := idvResult(t, h, s.ID)
		assert.Equal(t, idv.StatusCompleted, r.Status)
		assert.Equal(t, idv.Failed, r.Verification)
		assert.Contains(t, r.Reason, "expired")
		assert.Equal(t, idv.Passed, r.Liveness)
	})

	t.Run("spoof selfie fails liveness", func(t *testing.T) {
		f := fixture(t, spoof)
		s, _ := startIDV(t, h, f.Document.Type)
		h.Complete(t, s.ID, simulator.CompleteOptions{Fixture: f.Name})
		r := idvResult(t, h, s.ID)
		assert.Equal(t, idv.StatusCompleted, r.Status)
		assert.Equal(t, idv.Failed, r.Verification)
		assert.Equal(t, idv.Failed, r.Liveness)
		assert.NotEmpty(t, r.Reason)
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
		assert.Equal(t, idv.StatusExpired, idvResult(t, h, s.ID).Status)
		assert.Equal(t, idv.StatusCompleted, idvResult(t, h, done.ID).Status, "a finished session does not expire")
	})
}
