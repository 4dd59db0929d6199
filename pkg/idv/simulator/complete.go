package simulator

import (
	"fmt"

	"github.com/idbridge/idbridge/pkg/idv"
)

// CompleteOptions is what the person does on the hosted proofing page
// before pressing approve (simulator-only automation hook).
type CompleteOptions struct {
	// Fixture is the Fixture.Name of the identity presented; empty means
	// the first fixture.
	Fixture string
	// Selfie is the captured selfie; nil means the fixture's sample selfie.
	Selfie []byte
	// DocumentType is the document presented; empty means the session's.
	DocumentType idv.DocumentType
}

// LiveIDOptions is what the person does in the simulated authenticator app
// (simulator-only automation hook).
type LiveIDOptions struct {
	// Selfie is the captured face. When nil, Match chooses a sample: the
	// person's enrolled face (true) or another person's (false).
	Selfie []byte
	Match  bool
}

// Complete finishes a proofing session as if the person approved the
// hosted page with opt. ErrNotFound for an unknown id, ErrFinished when the
// session is no longer Pending or In Progress, ErrUnknownFixture for a bad
// fixture name.
//
// Rules: the selfie must pass liveness (decodable image, not the marked
// spoof); a live selfie is taken to match the document portrait; a document
// past its expiry date fails verification. When verification passes, the
// selfie becomes the enrolled face of the session's userUID.
func (s *Simulator) Complete(sessionID string, opt CompleteOptions) error {
	f, ok := fixtureByName(opt.Fixture)
	if !ok {
		return ErrUnknownFixture
	}
	selfie := opt.Selfie
	if selfie == nil {
		selfie = f.Selfie
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.idv[sessionID]
	if !ok {
		return ErrNotFound
	}
	s.refreshIDV(x)
	if !active(x.Status) {
		return ErrFinished
	}
	now := s.now()
	doc := opt.DocumentType
	if doc == "" {
		doc = x.DocType
	}
	if !validDocType(doc) {
		return fmt.Errorf("%w: document type %q", idv.ErrInvalidInput, doc)
	}
	o := &idvOutcome{Fixture: f, DocType: doc, Face: checkFace(selfie, ""), Verification: wirePassed}
	if o.Face.Liveness == wirePassed {
		o.Face.Compare, o.Face.Confidence = wirePassed, matchConfidence
	}
	switch {
	case o.Face.Liveness != wirePassed:
		o.Verification, o.Reason = wireFailed, "selfie failed the liveness check"
	case f.Expired || f.Document.DateOfExpiry < now.Format("2006-01-02"):
		o.Verification, o.Reason = wireFailed, "document expired"
	}
	o.ProofJWT = s.proof.sign(x.ID, x.UserUID, string(doc), o.Verification, now)
	o.CertToken = "sim-cert." + randomToken()
	x.Outcome = o
	x.Status = wireCompleted
	x.Completed = now
	x.Reason = o.Reason
	if o.Verification == wirePassed {
		if x.UserUID != "" {
			s.enrolled[x.UserUID] = o.Face.Ref
		}
		s.images[o.Face.Ref] = selfie
	}
	return nil
}

// CompleteLiveID finishes a LiveID (authenticator) session as if the person
// presented a face. Same errors as Complete.
func (s *Simulator) CompleteLiveID(sessionID string, opt LiveIDOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.live[sessionID]
	if !ok {
		return ErrNotFound
	}
	s.refreshLive(x)
	if !active(x.Status) {
		return ErrFinished
	}
	var fc faceCheck
	switch {
	case opt.Selfie != nil:
		fc = checkFace(opt.Selfie, x.FaceRef)
	case opt.Match && x.FaceRef != "":
		// The enrolled face itself, presented live.
		fc = faceCheck{Ref: x.FaceRef, Liveness: wirePassed, Compare: wirePassed, Confidence: matchConfidence}
	default:
		fc = checkFace(strangerSelfie, x.FaceRef)
	}
	if fc.Compare == wireNotPerformed {
		fc.Compare = wireFailed // nothing enrolled to compare with
	}
	x.Face = &fc
	x.Status = wireCompleted
	x.Completed = s.now()
	switch {
	case fc.Liveness != wirePassed:
		x.Reason = "face failed the liveness check"
	case fc.Compare != wirePassed:
		x.Reason = "face does not match the enrolled face"
	}
	return nil
}

// Decline marks a proofing or LiveID session Declined, as if the person
// pressed decline. ErrNotFound or ErrFinished as for Complete.
func (s *Simulator) Decline(sessionID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if x, ok := s.idv[sessionID]; ok {
		s.refreshIDV(x)
		if !active(x.Status) {
			return ErrFinished
		}
		x.Status, x.Reason, x.Completed = wireDeclined, "declined by the person", s.now()
		return nil
	}
	if x, ok := s.live[sessionID]; ok {
		s.refreshLive(x)
		if !active(x.Status) {
			return ErrFinished
		}
		x.Status, x.Reason, x.Completed = wireDeclined, "declined by the person", s.now()
		return nil
	}
	return ErrNotFound
}

func validDocType(d idv.DocumentType) bool {
	switch d {
	case idv.DriversLicense, idv.Passport, idv.IDCard:
		return true
	}
	return false
}
