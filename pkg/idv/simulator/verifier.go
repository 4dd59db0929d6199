package simulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/idbridge/idbridge/pkg/idv"
)

// The in-process verifier reports what the 1Kosmos client reads from the
// simulator's v3 answers (the shared suite in idv/idvtest holds both to the
// same results), with one precision the wire cannot carry: pending and in
// progress are told apart (1Kosmos says INPROGRESS for both).

// StartIDV creates a proofing session in memory, as
// document_share_session/create does; its did is req.UserRef.
// ErrInvalidInput for an unknown document type or a liveness mode 1Kosmos
// cannot honour.
func (s *Simulator) StartIDV(ctx context.Context, req idv.IDVRequest) (idv.Session, error) {
	docs, err := requestedTypes(req)
	if err != nil {
		return idv.Session{}, err
	}
	x, err := s.createIDV(docs, req.UserRef)
	if err != nil {
		return idv.Session{}, err
	}
	return idv.Session{ID: x.ID, URL: s.idvPageURL(x.ID), ExpiresAt: x.Expires}, nil
}

// requestedTypes checks a request's document types and liveness mode and
// returns the types, driver's licence when none.
func requestedTypes(req idv.IDVRequest) ([]idv.DocumentType, error) {
	if req.LivenessMode != "" && !slices.Contains(idv.LivenessModes, req.LivenessMode) {
		return nil, fmt.Errorf("%w: liveness mode %q (1Kosmos honours %v)", idv.ErrInvalidInput, req.LivenessMode, idv.LivenessModes)
	}
	var docs []idv.DocumentType
	for _, d := range req.DocumentTypes {
		if !d.Known() {
			return nil, fmt.Errorf("%w: document type %q", idv.ErrInvalidInput, d)
		}
		if !slices.Contains(docs, d) {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		docs = []idv.DocumentType{idv.DriversLicense}
	}
	return docs, nil
}

// IDVResult returns the normalised state of a proofing session.
// idv.ErrNotFound for an unknown id.
func (s *Simulator) IDVResult(ctx context.Context, sessionID string) (idv.IDVResult, error) {
	x, err := s.idvSnapshot(sessionID)
	if err != nil {
		return idv.IDVResult{}, notFound(err)
	}
	r := idv.IDVResult{
		SessionID: x.ID, Status: x.State.status(), Verification: idv.NotPerformed,
		Liveness: idv.NotPerformed, FaceMatch: idv.NotPerformed, Reason: x.Reason, CompletedAt: x.Completed,
	}
	if x.State == stateFailed || x.State == stateSucceeded {
		r.Account = s.sessionAccount(x)
		if s.cfg.Scores && x.Outcome != nil {
			r.Scores = x.scores()
		}
	}
	if x.State == stateFailed {
		r.Verification, r.ReasonCode = idv.Failed, x.Failure.Code
		return r, nil
	}
	if x.State != stateSucceeded {
		return r, nil
	}
	o := x.Outcome
	r.Verification, r.Liveness, r.FaceMatch = idv.Passed, idv.Passed, idv.Passed
	r.FaceImage = bytes.Clone(o.Selfie)
	r.ProofJWT = o.ProofJWT // v3 answers carry no certificate token
	p, d := o.Fixture.Person, o.Fixture.Document
	r.Person = &idv.Person{GivenName: p.GivenName, MiddleName: p.MiddleName, FamilyName: p.FamilyName, BirthDate: p.BirthDate, PlaceOfBirth: p.PlaceOfBirth}
	r.Document = &idv.Document{Type: o.DocType, Number: d.Number, IssuingCountry: d.IssuingCountry, DateOfIssuance: d.DateOfIssuance, DateOfExpiry: d.DateOfExpiry}
	if a := p.Address; a != nil {
		r.Person.Address = &idv.Address{StreetAddress: a.StreetAddress, Locality: a.Locality, Region: a.Region, PostalCode: a.PostalCode, Country: d.IssuingCountry}
		r.Document.Issuer = a.Region
	}
	return r, nil
}

// sessionAccount is v3's sessionData.user of a finished session.
func (s *Simulator) sessionAccount(x idvSession) *idv.Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.lookupLocked(x.DID); a != nil {
		return a.idv()
	}
	return &idv.Account{DID: x.DID}
}

// StartLiveID creates an authenticator session, as PUT session/new does.
// The account it expects is req.Account, else the account of the proofing
// session req.UserRef was the did of; ErrInvalidInput when neither names
// an account the simulator knows.
func (s *Simulator) StartLiveID(ctx context.Context, req idv.LiveIDRequest) (idv.Session, error) {
	md := map[string]any{"purpose": "authentication"}
	if req.Account != nil && req.Account.DID != "" {
		md["did"] = req.Account.DID
	}
	if req.UserRef != "" {
		md["userRef"] = req.UserRef
	}
	expected := s.expectedAccount(md)
	if expected == nil {
		return idv.Session{}, fmt.Errorf("%w: no 1Kosmos account is bound to this person", idv.ErrInvalidInput)
	}
	x, err := s.createLive(liveParams{Expected: expected, Purpose: "authentication", Metadata: md, AuthType: "none",
		Origin: sessionOrigin{Tag: tenantTag, URL: s.url("/adminconsole"), CommunityName: s.cfg.Community, CommunityID: s.communityID(), AuthPage: "blockid://authenticate"}})
	if err != nil {
		return idv.Session{}, err
	}
	return idv.Session{ID: x.ID, URL: s.livePageURL(x.ID), ExpiresAt: x.Expires}, nil
}

// LiveIDResult returns the normalised state of an authenticator session:
// once answered, the account that signed in, by 1Kosmos's helpers' rules
// (a did is required; the userid must be one the account lookup lists,
// else the first listed). idv.ErrNotFound for an unknown id.
func (s *Simulator) LiveIDResult(ctx context.Context, challengeID string) (idv.LiveIDResult, error) {
	x, err := s.liveSnapshot(challengeID)
	if err != nil {
		return idv.LiveIDResult{}, notFound(err)
	}
	r := idv.LiveIDResult{
		ChallengeID: x.ID, Status: x.State.status(), Liveness: idv.NotPerformed, FaceMatch: idv.NotPerformed,
		Reason: x.Reason, CompletedAt: x.Completed,
	}
	if a := x.Answer; a != nil {
		if a.User == nil {
			r.Reason = "the authenticator's answer is sealed for another requester"
			return r, nil
		}
		did, _ := a.User["did"].(string)
		userID, _ := a.User["userid"].(string)
		r.Account, r.Reason = s.signedIn(did, userID)
	}
	return r, nil
}

// signedIn applies 1Kosmos's helpers' rule to an authenticator's user_data.
func (s *Simulator) signedIn(did, userID string) (*idv.Account, string) {
	if did == "" {
		return nil, "Unauthorized user: the authenticator's answer names no DID"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookupLocked(did)
	switch {
	case a == nil:
		return nil, "Unauthorized user: 1Kosmos knows no account for the DID"
	case userID == "":
		return &idv.Account{DID: did, UserID: a.UserIDs[0]}, ""
	case !a.hasUserID(userID):
		return nil, "Unauthorized user: the user id is not one of the DID's"
	}
	return &idv.Account{DID: did, UserID: userID}, ""
}

// CheckFace runs liveness on req.Image and, when it passed and
// req.Enrolled is set, compares the two, as the two POST {docuverify}/verify
// calls of the 1Kosmos client do. ErrInvalidInput for an empty image.
func (s *Simulator) CheckFace(ctx context.Context, req idv.FaceCheck) (idv.LiveIDResult, error) {
	if len(req.Image) == 0 {
		return idv.LiveIDResult{}, fmt.Errorf("%w: empty image", idv.ErrInvalidInput)
	}
	r := idv.LiveIDResult{Status: idv.StatusCompleted, Liveness: idv.Failed, FaceMatch: idv.NotPerformed, CompletedAt: s.now()}
	switch {
	case !live(req.Image):
		r.Reason = "face failed the liveness check"
		return r, nil
	case len(req.Enrolled) == 0:
		r.Liveness = idv.Passed
		return r, nil
	}
	r.Liveness, r.FaceMatch = idv.Passed, idv.Passed
	same := sameFace(req.Image, req.Enrolled)
	if !same {
		r.FaceMatch, r.Reason = idv.Failed, "faces do not match"
	}
	if s.cfg.Scores {
		c := compareConfidence(same)
		r.Confidence = &c
	}
	return r, nil
}

func notFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %w", idv.ErrNotFound, err)
	}
	return err
}
