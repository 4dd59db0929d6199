package simulator

import (
	"bytes"
	"crypto/sha256"
	"image"
	_ "image/gif"  // selfies may be GIF
	_ "image/jpeg" // or JPEG
	_ "image/png"  // or PNG
)

// Deterministic face-comparison confidences (simulator-only values; the
// real service publishes no numbers).
const (
	matchConfidence   = 0.99
	noMatchConfidence = 0.12
)

// live reports whether img passes the simulated liveness check: it must be
// a decodable PNG, JPEG or GIF and not a marked spoof.
func live(img []byte) bool {
	if len(img) == 0 || spoofs[sha256.Sum256(img)] {
		return false
	}
	_, _, err := image.DecodeConfig(bytes.NewReader(img))
	return err == nil
}

// sameFace is the simulated comparison: the same image bytes are the same
// face, anything else is another face.
func sameFace(a, b []byte) bool { return len(a) > 0 && bytes.Equal(a, b) }

// compareConfidence is the simulator-only confidence of a comparison.
func compareConfidence(same bool) float64 {
	if same {
		return matchConfidence
	}
	return noMatchConfidence
}
