package idvtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
)

// NewFace returns a small PNG no one has seen before: a live face that
// matches nothing enrolled.
func NewFace(t testing.TB) []byte {
	t.Helper()
	seed := make([]byte, 3*16)
	_, _ = rand.Read(seed)
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range 16 {
		img.Set(i%4, i/4, color.RGBA{seed[3*i], seed[3*i+1], seed[3*i+2], 255})
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

// runCheckFace is capture mode: idbridge's own page takes the selfie and
// the verifier checks liveness, then compares it with the enrolled face.
func runCheckFace(t *testing.T, h Harness) {
	e := enroll(t, h)
	tests := []struct {
		name     string
		image    []byte
		enrolled []byte
		liveness idv.Outcome
		match    idv.Outcome
	}{
		{name: "same face", image: e.selfie, enrolled: e.selfie, liveness: idv.Passed, match: idv.Passed},
		{name: "other face", image: NewFace(t), enrolled: e.selfie, liveness: idv.Passed, match: idv.Failed},
		{name: "spoof fails liveness, nothing compared", image: fixture(t, spoof).Selfie, enrolled: e.selfie, liveness: idv.Failed, match: idv.NotPerformed},
		{name: "not an image", image: []byte("definitely not a picture"), enrolled: e.selfie, liveness: idv.Failed, match: idv.NotPerformed},
		{name: "liveness only", image: e.selfie, liveness: idv.Passed, match: idv.NotPerformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := h.Verifier.CheckFace(context.Background(), idv.FaceCheck{Image: tt.image, Enrolled: tt.enrolled})
			require.NoError(t, err)
			assert.Equal(t, idv.StatusCompleted, r.Status)
			assert.Empty(t, r.ChallengeID)
			assert.Nil(t, r.Account)
			assert.Equal(t, tt.liveness, r.Liveness)
			assert.Equal(t, tt.match, r.FaceMatch)
			assert.Equal(t, tt.liveness == idv.Failed || tt.match == idv.Failed, r.Reason != "", "reason %q", r.Reason)
			assert.False(t, r.CompletedAt.IsZero())
			switch {
			case !h.Scores || tt.match == idv.NotPerformed:
				assert.Nil(t, r.Confidence, "1Kosmos gives no figure")
			case tt.match == idv.Passed:
				require.NotNil(t, r.Confidence)
				assert.Greater(t, *r.Confidence, 0.5)
			default:
				require.NotNil(t, r.Confidence)
				assert.Less(t, *r.Confidence, 0.5)
			}
		})
	}
	t.Run("empty image is invalid input", func(t *testing.T) {
		_, err := h.Verifier.CheckFace(context.Background(), idv.FaceCheck{Enrolled: e.selfie})
		require.ErrorIs(t, err, idv.ErrInvalidInput)
	})
}
