package simulator

import (
	"errors"
	"net/http"

	"github.com/idbridge/idbridge/pkg/idv"
)

// livePage is the data of the simulated authenticator page.
type livePage struct {
	SessionID, Status, Action, CSRF, Error, Origin, Purpose string
	// Expected is the account "my account" signs in as (empty when the
	// session names none); Stranger is "someone else".
	Expected, Stranger string
	// Enrolled previews the expected account's enrolled face when known.
	Enrolled *sample
}

func (s *Simulator) livePageData(x liveSession) livePage {
	p := livePage{
		SessionID: x.ID, Status: x.State.label(), CSRF: x.CSRF, Origin: truncate(first(x.Origin.URL, x.Origin.Tag, x.Origin.CommunityName), 120),
		Purpose: truncate(x.Purpose, 60), Action: s.pagePath("/liveid/session/" + x.ID), Stranger: stranger.UserID,
	}
	if e := x.Expected; e != nil {
		p.Expected = e.UserID
		s.mu.Lock()
		if a := s.lookupLocked(e.DID); a != nil && a.Face != nil {
			p.Enrolled = &sample{Label: "Enrolled face", Src: dataURL(a.Face)}
		}
		s.mu.Unlock()
	}
	return p
}

// handleLivePage serves GET /liveid/session/{id} to a browser: the page a
// LiveID QR code points at; opening it moves the session to in progress.
func (s *Simulator) handleLivePage(w http.ResponseWriter, r *http.Request) {
	x, err := s.openLive(r.PathValue("id"))
	if err != nil {
		plainError(w, http.StatusNotFound, "unknown session")
		return
	}
	if !x.State.active() {
		s.renderLiveDone(w, x)
		return
	}
	render(w, s.pages.liveid, http.StatusOK, s.livePageData(x))
}

// liveActions are the authenticator page's buttons: sign in as the
// expected account or as someone else, answer without a DID
// (simulator-only), decline, or let the session expire (simulator-only).
var liveActions = map[string]func(*Simulator, string) error{
	"match":   func(s *Simulator, id string) error { return s.CompleteLiveID(id, LiveIDOptions{Match: true}) },
	"nomatch": func(s *Simulator, id string) error { return s.CompleteLiveID(id, LiveIDOptions{Match: false}) },
	"nodid": func(s *Simulator, id string) error {
		return s.CompleteLiveID(id, LiveIDOptions{As: &idv.Account{UserID: stranger.UserID}})
	},
	"decline": (*Simulator).Decline,
	"expire":  (*Simulator).Expire,
}

// handleLiveSubmit serves POST /liveid/session/{id}: one of liveActions,
// then 303 to done.
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
	act, ok := liveActions[r.PostFormValue("action")]
	if !ok {
		plainError(w, http.StatusBadRequest, "unknown action")
		return
	}
	err = act(s, id)
	if errors.Is(err, ErrNoAccount) {
		p := s.livePageData(x)
		p.Error = "This session names no enrolled account; sign in as someone else or decline."
		render(w, s.pages.liveid, http.StatusBadRequest, p)
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
	p := donePage{Heading: doneHeading(x.State), SessionID: x.ID, Status: x.State.label(), Reason: x.Reason}
	if a := x.Answer; a != nil && a.User != nil {
		p.SignedInAs, _ = a.User["userid"].(string)
		if _, ok := a.User["did"]; !ok {
			p.SignedInAs = "an answer without a DID"
		}
	}
	render(w, s.pages.done, http.StatusOK, p)
}
