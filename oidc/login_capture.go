package oidc

import (
	"errors"
	"io"
	"net/http"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/journey"
)

// maxSelfie bounds an uploaded selfie.
const maxSelfie = 5 << 20

// captureMarker stands for the verification id of a LiveID done on
// idbridge's own capture page (idv.liveid_mode: capture).
const captureMarker = "capture"

// loginCapture is LiveID in browser capture mode: the page takes a selfie
// (camera or file) and idbridge asks 1Kosmos for liveness and a face
// comparison with the enrolled face. GET shows the page; POST checks.
func (p *Provider) loginCapture(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxSelfie+64<<10)
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			p.errorPage(w, r, http.StatusRequestEntityTooLarge, problemTooLarge, "The selfie could not be read.", "Send one image of at most 5 MB.")
			return
		}
	}
	a, ok := p.boundRequest(w, r)
	if !ok {
		return
	}
	if a.Journey != journeyLiveID || a.VerificationID != captureMarker {
		http.Redirect(w, r, PathLogin+"/wait?id="+a.ID, http.StatusSeeOther)
		return
	}
	page, frame := map[string]any{"ID": a.ID, "MaxMB": maxSelfie >> 20}, p.loginFrame(r, a)
	if r.Method != http.MethodPost {
		p.render(w, r, http.StatusOK, "capture.html", frame, page)
		return
	}
	f, _, err := r.FormFile("selfie")
	if err != nil {
		page["Error"] = "none"
		p.render(w, r, http.StatusBadRequest, "capture.html", frame, page)
		return
	}
	img, err := io.ReadAll(io.LimitReader(f, maxSelfie+1))
	f.Close()
	if err != nil || len(img) == 0 || len(img) > maxSelfie {
		page["Error"] = "size"
		p.render(w, r, http.StatusBadRequest, "capture.html", frame, page)
		return
	}
	person, err := p.person(r.Context(), a)
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	live, err := p.journey.LiveIDRequest(r.Context(), person)
	if err == nil && len(live.FaceImage) == 0 {
		// Enrolled for the authenticator app only: no image to compare.
		err = journey.ErrNotEnrolled
	}
	if err != nil {
		p.journeyFailed(w, r, a, err)
		return
	}
	res, err := p.verifier.CheckFace(r.Context(), idv.FaceCheck{Image: img, Enrolled: live.FaceImage})
	switch {
	case errors.Is(err, idv.ErrInvalidInput):
		page["Error"] = "image"
		p.render(w, r, http.StatusBadRequest, "capture.html", frame, page)
		return
	case err != nil:
		p.verificationFailed(w, r, a, err)
	default:
		p.answerFace(w, r, a, journey.FaceResult{Liveness: res.Liveness, Match: res.FaceMatch})
	}
}
