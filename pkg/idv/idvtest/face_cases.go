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

func runCheckFace(t *testing.T, h Harness) {
	_, ref, selfie := enroll(t, h)
	tests := []struct {
		name     string
		image    []byte
		ref      string
		liveness idv.Outcome
		match    idv.Outcome
	}{
		{name: "same face", image: selfie, ref: ref, liveness: idv.Passed, match: idv.Passed},
		{name: "other face", image: NewFace(t), ref: ref, liveness: idv.Passed, match: idv.Failed},
		{name: "spoof", image: fixture(t, spoof).Selfie, ref: ref, liveness: idv.Failed, match: idv.Failed},
		{name: "not an image", image: []byte("definitely not a picture"), ref: ref, liveness: idv.Failed, match: idv.Failed},
		{name: "liveness only", image: selfie, liveness: idv.Passed, match: idv.NotPerformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := h.Verifier.CheckFace(context.Background(), idv.FaceCheck{Image: tt.image, FaceRef: tt.ref})
			require.NoError(t, err)
			assert.Equal(t, idv.StatusCompleted, r.Status)
			assert.Equal(t, tt.liveness, r.Liveness)
			assert.Equal(t, tt.match, r.FaceMatch)
			if tt.match == idv.Passed {
				assert.Greater(t, r.Confidence, 0.5)
			} else {
				assert.Less(t, r.Confidence, 0.5)
			}
		})
	}
	t.Run("empty image is invalid input", func(t *testing.T) {
		_, err := h.Verifier.CheckFace(context.Background(), idv.FaceCheck{FaceRef: ref})
		require.ErrorIs(t, err, idv.ErrInvalidInput)
	})
}
