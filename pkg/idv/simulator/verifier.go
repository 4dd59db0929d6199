package simulator

import (
	"context"
	"errors"
	"fmt"

	"github.com/idbridge/idbridge/pkg/idv"
)

// StartIDV creates a proofing session in memory, as
// document_share_session/create does. ErrInvalidInput for an unknown
// document type.
func (s *Simulator) StartIDV(ctx context.Context, req idv.IDVRequest) (idv.Session, error) {
	doc := req.DocumentType
	if doc == "" {
		doc = idv.DriversLicense
	}
	if !validDocType(doc) {
		return idv.Session{}, fmt.Errorf("%w: document type %q", idv.ErrInvalidInput, doc)
	}
	x, err := s.createIDV(doc, req.UserRef)
	if err != nil {
		return idv.Session{}, err
	}
	return idv.Session{ID: x.ID, URL: s.idvPageURL(x.ID), ExpiresAt: x.Expires}, nil
}

// IDVResult returns the normalised state of a proofing session.
// idv.ErrNotFound for an unknown id.
func (s *Simulator) IDVResult(ctx context.Context, sessionID string) (idv.IDVResult, error) {
	x, err := s.idvSnapshot(sessionID)
	if err != nil {
		return idv.IDVResult{}, notFound(err)
	}
	return s.normIDV(x), nil
}

// normIDV maps a session snapshot to the port's result, going through the
// wire shape so that the in-process and HTTP paths cannot drift apart.
func (s *Simulator) normIDV(x idvSession) idv.IDVResult {
	w := s.wireResult(x)
	r := idv.IDVResult{
		SessionID: w.SessionID, Status: normStatus(w.Status), Verification: normOutcome(w.Verification),
		Liveness: idv.NotPerformed, FaceMatch: idv.NotPerformed, Reason: w.Reason, Scores: w.Scores,
	}
	if !x.Completed.IsZero() {
		r.CompletedAt = x.Completed
	}
	d := w.Document
	if r.Status != idv.StatusCompleted || d == nil {
		return r
	}
	r.Liveness, r.FaceMatch = normOutcome(w.FaceLiveness), normOutcome(w.FaceCompare)
	r.FaceRef = d.LiveID.Face
	r.ProofJWT, r.CertificateToken = d.ProofJWT, d.Token
	r.Person = &idv.Person{GivenName: d.FirstName, MiddleName: d.MiddleName, FamilyName: d.LastName, BirthDate: d.DOB, PlaceOfBirth: d.PlaceOfBirth}
	if d.Nationality != "" {
		r.Person.Nationalities = []string{d.Nationality}
	}
	if d.Street != "" || d.City != "" || d.Country != "" {
		r.Person.Address = &idv.Address{StreetAddress: d.Street, Locality: d.City, Region: d.State, PostalCode: d.ZipCode, Country: d.Country}
	}
	r.Document = &idv.Document{
		Type: idv.DocumentType(d.DocumentType), Number: d.DocumentNumber, IssuingCountry: d.IssuingCountry,
		Issuer: d.IssuingState, DateOfIssuance: d.DateOfIssue, DateOfExpiry: d.DateOfExpiry,
	}
	return r
}

// StartLiveID creates an authenticator session, as PUT session/new does.
// ErrInvalidInput when neither FaceRef nor an enrolled UserRef names a face.
func (s *Simulator) StartLiveID(ctx context.Context, req idv.LiveIDRequest) (idv.Session, error) {
	ref := req.FaceRef
	if ref == "" {
		ref = s.enrolledFace(req.UserRef)
	}
	if ref == "" {
		return idv.Session{}, fmt.Errorf("%w: no enrolled face for this person", idv.ErrInvalidInput)
	}
	x, err := s.createLive(req.UserRef, ref, "authentication", "")
	if err != nil {
		return idv.Session{}, err
	}
	return idv.Session{ID: x.ID, URL: s.livePageURL(x.ID), ExpiresAt: x.Expires}, nil
}

// LiveIDResult returns the normalised state of a LiveID session.
// idv.ErrNotFound for an unknown id.
func (s *Simulator) LiveIDResult(ctx context.Context, challengeID string) (idv.LiveIDResult, error) {
	x, err := s.liveSnapshot(challengeID)
	if err != nil {
		return idv.LiveIDResult{}, notFound(err)
	}
	return normLive(s.wireLive(x), x), nil
}

func normLive(w wireLiveResult, x liveSession) idv.LiveIDResult {
	r := idv.LiveIDResult{
		ChallengeID: w.SessionID, Status: normStatus(w.Status),
		Liveness: idv.NotPerformed, FaceMatch: idv.NotPerformed, Reason: w.Reason,
	}
	if !x.Completed.IsZero() {
		r.CompletedAt = x.Completed
	}
	if r.Status == idv.StatusCompleted {
		r.Liveness, r.FaceMatch, r.Confidence = normOutcome(w.FaceLiveness), normOutcome(w.FaceCompare), w.Confidence
	}
	return r
}

// CheckFace runs liveness on req.Image and compares it with req.FaceRef,
// as POST {docuverify}/verify does. ErrInvalidInput for an empty image.
// The result has status completed and no challenge id.
func (s *Simulator) CheckFace(ctx context.Context, req idv.FaceCheck) (idv.LiveIDResult, error) {
	if len(req.Image) == 0 {
		return idv.LiveIDResult{}, fmt.Errorf("%w: empty image", idv.ErrInvalidInput)
	}
	fc := checkFace(req.Image, req.FaceRef)
	r := idv.LiveIDResult{
		Status: idv.StatusCompleted, Liveness: normOutcome(fc.Liveness), FaceMatch: normOutcome(fc.Compare),
		Confidence: fc.Confidence, CompletedAt: s.now(),
	}
	switch {
	case r.Liveness != idv.Passed:
		r.Reason = "face failed the liveness check"
	case r.FaceMatch == idv.Failed:
		r.Reason = "face does not match the enrolled face"
	}
	return r, nil
}

// enrolledFace returns the FaceRef enrolled for userUID by a passed
// proofing session, or "".
func (s *Simulator) enrolledFace(userUID string) string {
	if userUID == "" {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enrolled[userUID]
}

func notFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %w", idv.ErrNotFound, err)
	}
	return err
}
