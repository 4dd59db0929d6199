package simulator

import (
	"errors"
	"net/http"
)

// livePage is the data of the simulated authenticator page.
type livePage struct {
	SessionID, Status, Action, CSRF, Error, Origin, Purpose string
	// Enrolled and Other preview the two sample faces when known.
	Enrolled, Other *sample
}

func (s *Simulator) livePageData(x liveSession) livePage {
	p := livePage{
		SessionID: x.ID, Status: x.Status, CSRF: x.CSRF, Origin: x.Origin, Purpose: x.Purpose,
		Action: s.pagePath("/liveid/session/" + x.ID),
		Other:  &sample{Label: "Someone else", Src: dataURL(strangerSelfie)},
	}
	s.mu.Lock()
	img, ok := s.images[x.FaceRef]
	s.mu.Unlock()
	if ok {
		p.Enrolled = &sample{Label: "Enrolled face", Src: dataURL(img)}
	}
	return p
}

// handleLivePage serves GET /liveid/session/{id}, the page a LiveID QR code
// points at; opening it moves the session to In Progress.
func (s *Simulator) handleLivePage(w http.ResponseWriter, r *http.Request) {
	x, err := s.openLive(r.PathValue("id"))
	if err != nil {
		plainError(w, http.StatusNotFound, "unknown session")
		return
	}
	if !active(x.Status) {
		s.renderLiveDone(w, x)
		return
	}
	render(w, s.pages.liveid, http.StatusOK, s.livePageData(x))
}

// handleLiveSubmit serves POST /liveid/session/{id}: present the enrolled
// face, another face, an uploaded selfie, or decline; then 303 to done.
func (s *Simulator) handleLiveSubmit(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	x, err := s.liveSnapshot(id)
	if err != nil {
		plainError(w, http.StatusNotFound, "unknown session")
		return
	}
	if !parseForm(w, r, x.CSRF) {
		return
	}
	switch r.PostFormValue("action") {
	case "decline":
		err = s.Decline(id)
	case "match":
		err = s.CompleteLiveID(id, LiveIDOptions{Match: true})
	case "nomatch":
		err = s.CompleteLiveID(id, LiveIDOptions{Match: false})
	case "upload":
		img, ferr := formFile(r, "selfie")
		if ferr != nil || img == nil {
			p := s.livePageData(x)
			p.Error = "Please choose a selfie to upload."
			render(w, s.pages.liveid, http.StatusBadRequest, p)
			return
		}
		err = s.CompleteLiveID(id, LiveIDOptions{Selfie: img})
	default:
		plainError(w, http.StatusBadRequest, "unknown action")
		return
	}
	if err != nil && !errors.Is(err, ErrFinished) {
		plainError(w, http.StatusNotFound, "unknown session")
		return
	}
	http.Redirect(w, r, s.pagePath("/liveid/session/"+id+"/done"), http.StatusSeeOther)
}

// handleLiveDone serves GET /liveid/session/{id}/done.
func (s *Simulator) handleLiveDone(w http.ResponseWriter, r *http.Request) {
	x, err := s.liveSnapshot(r.PathValue("id"))
	if err != nil {
		plainError(w, http.StatusNotFound, "unknown session")
		return
	}
	s.renderLiveDone(w, x)
}

func (s *Simulator) renderLiveDone(w http.ResponseWriter, x liveSession) {
	p := donePage{Heading: doneHeading(x.Status), SessionID: x.ID, Status: x.Status, Reason: x.Reason}
	if x.Face != nil && x.Status == wireCompleted {
		p.Liveness, p.FaceMatch = x.Face.Liveness, x.Face.Compare
	}
	render(w, s.pages.done, http.StatusOK, p)
}
