package simulator

import (
	"errors"
	"net/http"

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

var docTypeLabels = []option{
	{Value: string(idv.DriversLicense), Label: "Driver's licence"},
	{Value: string(idv.Passport), Label: "Passport"},
	{Value: string(idv.IDCard), Label: "National identity card"},
}

func (s *Simulator) idvPageData(x idvSession, doc idv.DocumentType, fixture string) idvPage {
	p := idvPage{
		SessionID: x.ID, Status: x.Status, CSRF: x.CSRF,
		Action: s.pagePath("/idproofing/session/" + x.ID),
	}
	for _, o := range docTypeLabels {
		o.Selected = o.Value == string(doc)
		p.DocTypes = append(p.DocTypes, o)
	}
	for i, f := range fixtures {
		p.Fixtures = append(p.Fixtures, option{Value: f.Name, Label: f.Label, Selected: f.Name == fixture || (fixture == "" && i == 0)})
		p.Samples = append(p.Samples, sample{Label: f.Person.GivenName, Src: dataURL(f.Selfie)})
	}
	return p
}

// handleIDVPage serves GET /idproofing/session/{id}; opening it moves the
// session from Pending to In Progress.
func (s *Simulator) handleIDVPage(w http.ResponseWriter, r *http.Request) {
	x, err := s.openIDV(r.PathValue("id"))
	if err != nil {
		plainError(w, http.StatusNotFound, "unknown verification session")
		return
	}
	if !active(x.Status) {
		s.renderIDVDone(w, x)
		return
	}
	render(w, s.pages.idproofing, http.StatusOK, s.idvPageData(x, x.DocType, ""))
}

// handleIDVSubmit serves POST /idproofing/session/{id}: approve or decline,
// then 303 to the done page.
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
	if r.PostFormValue("action") == "decline" {
		if err := s.Decline(id); err != nil && !errors.Is(err, ErrFinished) {
			plainError(w, http.StatusNotFound, "unknown verification session")
			return
		}
		http.Redirect(w, r, done, http.StatusSeeOther)
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
	if !validDocType(doc) {
		again("Please choose a document type.")
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
	p := donePage{Heading: doneHeading(x.Status), SessionID: x.ID, Status: x.Status, Reason: x.Reason}
	if o := x.Outcome; o != nil && x.Status == wireCompleted {
		p.Verification, p.Liveness, p.FaceMatch = o.Verification, o.Face.Liveness, o.Face.Compare
	}
	render(w, s.pages.done, http.StatusOK, p)
}
