package idvtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
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

// runConcurrent starts, polls and completes sessions from many goroutines
// at once: every result must belong to its own session. Hooks run on the
// test goroutine (they may call t.FailNow); Verifier calls run everywhere.
func runConcurrent(t *testing.T, h Harness) {
	const n = 16
	ctx := context.Background()
	fixtures := []simulator.Fixture{}
	for _, f := range simulator.Fixtures() {
		if plain(f) {
			fixtures = append(fixtures, f)
		}
	}
	sessions := make([]idv.Session, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sessions[i], errs[i] = h.Verifier.StartIDV(ctx, idv.IDVRequest{DocumentType: fixtures[i%len(fixtures)].Document.Type})
		}()
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
	}

	stop := make(chan struct{})
	pollErr := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := h.Verifier.IDVResult(ctx, sessions[i].ID); err != nil {
					pollErr <- err
					return
				}
				time.Sleep(time.Millisecond) // leave the CPU to the completions
			}
		}()
	}
	for i := range n {
		h.Complete(t, sessions[i].ID, simulator.CompleteOptions{Fixture: fixtures[i%len(fixtures)].Name})
	}
	close(stop)
	wg.Wait()
	close(pollErr)
	for err := range pollErr {
		require.NoError(t, err)
	}

	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := h.Verifier.IDVResult(ctx, sessions[i].ID)
			switch {
			case err != nil:
				errs[i] = err
			case r.Person == nil || r.Person.GivenName != fixtures[i%len(fixtures)].Person.GivenName:
				errs[i] = fmt.Errorf("session %d: person %+v, want %s", i, r.Person, fixtures[i%len(fixtures)].Name)
			}
		}()
	}
	wg.Wait()
	for i := range n {
		assert.NoError(t, errs[i])
	}
}
