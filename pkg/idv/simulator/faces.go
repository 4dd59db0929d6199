package simulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	_ "image/gif"  // selfies may be GIF
	_ "image/jpeg" // or JPEG
	_ "image/png"  // or PNG
)

// Deterministic face-comparison confidences (simulator-only values; the real
// service documents no numbers).
const (
	matchConfidence   = 0.99
	noMatchConfidence = 0.12
)

// faceRef is the stable reference of a face image: hex SHA-256 of its bytes.
func faceRef(img []byte) string {
	sum := sha256.Sum256(img)
	return hex.EncodeToString(sum[:])
}

// live reports whether img passes the simulated liveness check: it must be
// a decodable PNG, JPEG or GIF and not a marked spoof.
func live(img []byte) bool {
	if len(img) == 0 || spoofRefs[faceRef(img)] {
		return false
	}
	_, _, err := image.DecodeConfig(bytes.NewReader(img))
	return err == nil
}

// faceCheck is the outcome of liveness plus comparison with an enrolled
// reference, in wire words ("Passed", "Failed", "Not performed").
type faceCheck struct {
	Ref        string
	Liveness   string
	Compare    string
	Confidence float64
}

// checkFace runs liveness on img and compares it with enrolled (skipped when
// enrolled is empty): the same image bytes match, anything else does not.
func checkFace(img []byte, enrolled string) faceCheck {
	fc := faceCheck{Ref: faceRef(img), Liveness: wireFailed, Compare: wireNotPerformed}
	if live(img) {
		fc.Liveness = wirePassed
	}
	if enrolled != "" {
		fc.Compare, fc.Confidence = compareRefs(fc.Ref, enrolled)
	}
	return fc
}

func compareRefs(captured, enrolled string) (string, float64) {
	if captured == enrolled {
		return wirePassed, matchConfidence
	}
	return wireFailed, noMatchConfidence
}
