package simulator

import (
	"errors"
	"net/http"
	"slices"

	"github.com/idbridge/idbridge/pkg/idv"
)

type option struct {
	Value, Label string
	Selected     bool
}

// idvPage is the data of the hosted proofing page.
type idvPage struct {
	SessionID, Status, Action, CSRF, Error string
	Consent                                bool
	DocTypes, Fixtures                     []option
	Samples                                []sample
}

var docTypeLabels = map[idv.DocumentType]string{
	idv.DriversLicense: "Driver's licence",
	idv.Passport:       "Passport",
	idv.IDCard:         "National identity card",
}

// idvPageData offers the session's requested document types only.
func (s *Simulator) idvPageData(x idvSession, doc idv.DocumentType, fixture string) idvPage {
	p := idvPage{
		SessionID: x.ID, Status: x.State.label(), CSRF: x.CSRF,
		Action: s.pagePath("/idproofing/session/" + x.ID),
	}
	for _, d := range x.DocTypes {
		p.DocTypes = append(p.DocTypes, option{Value: string(d), Label: docTypeLabels[d], Selected: d == doc})
	}
	for i, f := range fixtures {
		p.Fixtures = append(p.Fixtures, option{Value: f.Name, Label: f.Label, Selected: f.Name == fixture || (fixture == "" && i == 0)})
		p.Samples = append(p.Samples, sample{Label: f.Person.GivenName, Src: dataURL(f.Selfie)})
	}
	return p
}

// handleIDVPage serves GET /idproofing/session/{id}; opening it moves the
// session from pending to in progress.
func (s *Simulator) handleIDVPage(w http.ResponseWriter, r *http.Request) {
	x, err := s.openIDV(r.PathValue("id"))
	if err != nil {
		plainError(w, http.StatusNotFound, "unknown verification session")
		return
	}
	if !x.State.active() {
		s.renderIDVDone(w, x)
		return
	}
	render(w, s.pages.idproofing, http.StatusOK, s.idvPageData(x, x.DocTypes[0], ""))
}

// idvEndings are the page's buttons that end a session without a
// presentation: decline, and the simulator-only fail, abandon and expire.
var idvEndings = map[string]func(*Simulator, string) error{
	"decline": (*Simulator).Decline,
	"fail":    (*Simulator).Fail,
	"abandon": (*Simulator).Abandon,
	"expire":  (*Simulator).Expire,
}

// handleIDVSubmit serves POST /idproofing/session/{id}: approve, or one of
// idvEndings, then 303 to the done page.
func (s *Simulator) handleIDVSubmit(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	x, err := s.idvSnapshot(id)
	if err != nil {
		plainError(w, http.StatusNotFound, "unknown verification session")
		return
	}
	if !parseForm(w, r, x.CSRF) {
		return
	}
	done := s.pagePath("/idproofing/session/" + id + "/done")
	action := r.PostFormValue("action")
	if end, ok := idvEndings[action]; ok {
		if err := end(s, id); err != nil && !errors.Is(err, ErrFinished) {
			plainError(w, http.StatusNotFound, "unknown verification session")
			return
		}
		http.Redirect(w, r, done, http.StatusSeeOther)
		return
	}
	if action != "approve" && action != "" {
		plainError(w, http.StatusBadRequest, "unknown action")
		return
	}
	doc := idv.DocumentType(r.PostFormValue("document_type"))
	fixture := r.PostFormValue("identity")
	again := func(msg string) {
		p := s.idvPageData(x, doc, fixture)
		p.Error, p.Consent = msg, r.PostFormValue("consent") == "yes"
		render(w, s.pages.idproofing, http.StatusBadRequest, p)
	}
	if r.PostFormValue("consent") != "yes" {
		again("Please agree to the verification first.")
		return
	}
	if !slices.Contains(x.DocTypes, doc) {
		again("Please choose one of the document types offered.")
		return
	}
	if _, ok := fixtureByName(fixture); !ok || fixture == "" {
		again("Please choose an identity.")
		return
	}
	var selfie []byte
	for _, part := range []struct{ source, field, label string }{
		{"document_source", "document", "document image"},
		{"selfie_source", "selfie", "selfie"},
	} {
		if r.PostFormValue(part.source) != "upload" {
			continue
		}
		img, err := formFile(r, part.field)
		if err != nil || img == nil {
			again("Please choose a " + part.label + " to upload, or use the sample.")
			return
		}
		if part.field == "selfie" {
			selfie = img
		}
	}
	err = s.Complete(id, CompleteOptions{Fixture: fixture, Selfie: selfie, DocumentType: doc})
	if err != nil && !errors.Is(err, ErrFinished) {
		again("The verification could not be completed.")
		return
	}
	http.Redirect(w, r, done, http.StatusSeeOther)
}

// handleIDVDone serves GET /idproofing/session/{id}/done.
func (s *Simulator) handleIDVDone(w http.ResponseWriter, r *http.Request) {
	x, err := s.idvSnapshot(r.PathValue("id"))
	if err != nil {
		plainError(w, http.StatusNotFound, "unknown verification session")
		return
	}
	s.renderIDVDone(w, x)
}

func (s *Simulator) renderIDVDone(w http.ResponseWriter, x idvSession) {
	p := donePage{Heading: doneHeading(x.State), SessionID: x.ID, Status: x.State.label(), Reason: x.Reason}
	if x.Failure != nil {
		p.ReasonCode = x.Failure.Code
	}
	if o := x.Outcome; o != nil && (x.State == stateSucceeded || x.State == stateFailed) {
		p.Verification, p.Liveness, p.FaceMatch = "Passed", "Passed", "Passed"
		if x.State == stateFailed {
			p.Verification = "Failed"
		}
		if !live(o.Selfie) {
			p.Liveness, p.FaceMatch = "Failed", "Not performed"
		}
	}
	render(w, s.pages.done, http.StatusOK, p)
}
