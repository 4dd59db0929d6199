package simulator

import (
	"errors"
	"fmt"
	"slices"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
)

// ErrNoAccount: an authenticator session names no account to sign in as
// (its metadata named no DID the simulator knows).
var ErrNoAccount = errors.New("simulator: the session names no 1Kosmos account to sign in as")

// Failure reason codes (simulator-only values: 1Kosmos publishes the form,
// "IDV" and four digits, but not the codes).
const (
	CodeLiveness        = "IDV1001" // the selfie failed the liveness check
	CodeDocumentExpired = "IDV1002" // the document is past its expiry date
	CodeNotVerified     = "IDV1003" // the document could not be verified
)

// CompleteOptions is what the person does on the hosted proofing page
// before pressing approve (simulator-only automation hook).
type CompleteOptions struct {
	// Fixture is the Fixture.Name of the identity presented; empty means
	// the first fixture.
	Fixture string
	// Selfie is the captured selfie; nil means the fixture's sample selfie.
	Selfie []byte
	// DocumentType is the document presented; empty means the one the
	// session started with. It must be one the session requested.
	DocumentType idv.DocumentType
}

// LiveIDOptions is what the person does in the simulated authenticator app
// (simulator-only automation hook).
type LiveIDOptions struct {
	// Match signs in as the session's expected account (true) or as
	// Stranger(), another 1Kosmos user (false).
	Match bool
	// As, when set, is exactly who the authenticator says signed in: its
	// DID and UserID become user_data's did and userid, each left out when
	// empty (an answer without did is what 1Kosmos's helpers refuse as
	// "Unauthorized user").
	As *idv.Account
}

// Complete finishes a proofing session as if the person approved the
// hosted page with opt. ErrNotFound for an unknown id, ErrFinished when the
// session is no longer pending or in progress, ErrUnknownFixture for a bad
// fixture name, idv.ErrInvalidInput for a document type the session did
// not request.
//
// Rules: the selfie must pass liveness (a decodable image, not the marked
// spoof), else FAILED with CodeLiveness; a live selfie is taken to match
// the document portrait; a document past its expiry date is FAILED with
// CodeDocumentExpired. A SUCCESS makes the selfie the enrolled face of the
// session's account.
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
	x, err := s.activeIDVLocked(sessionID)
	if err != nil {
		return err
	}
	now := s.now()
	doc := opt.DocumentType
	if doc == "" {
		doc = x.DocTypes[0]
	}
	if !slices.Contains(x.DocTypes, doc) {
		return fmt.Errorf("%w: document type %q was not requested for this session", idv.ErrInvalidInput, doc)
	}
	o := &idvOutcome{Fixture: f, DocType: doc, Selfie: selfie}
	x.Outcome, x.Completed, x.State = o, now, stateSucceeded
	switch {
	case !live(selfie):
		x.fail(CodeLiveness, "selfie failed the liveness check")
	case f.Expired || f.Document.DateOfExpiry < now.Format("2006-01-02"):
		x.fail(CodeDocumentExpired, "document expired")
	}
	result := "SUCCESS"
	if x.State == stateFailed {
		result = "FAILED"
	}
	o.ProofJWT = s.proof.sign(doc, result, now)
	o.CertToken = "sim-cert." + randomToken()
	a := s.accountLocked(x.DID)
	a.FirstName, a.LastName = f.Person.GivenName, f.Person.FamilyName
	if x.State == stateSucceeded {
		a.Face = selfie
	}
	return nil
}

// fail marks x FAILED with a reason code.
func (x *idvSession) fail(code, reason string) {
	x.State, x.Reason = stateFailed, reason
	x.Failure = &failure{Code: code, Message: "Document verification failed", Reason: reason}
}

// activeIDVLocked returns the session if it may still change. Caller holds
// s.mu.
func (s *Simulator) activeIDVLocked(id string) (*idvSession, error) {
	x, ok := s.idv[id]
	if !ok {
		return nil, ErrNotFound
	}
	s.refreshIDV(x)
	if !x.State.active() {
		return nil, ErrFinished
	}
	return x, nil
}

// Fail ends a proofing session FAILED with CodeNotVerified, as if 1Kosmos
// could not verify the document (simulator-only hook; the page's "fail"
// button). Errors as for Complete.
func (s *Simulator) Fail(sessionID string) error {
	return s.endIDV(sessionID, func(x *idvSession) { x.fail(CodeNotVerified, "document could not be verified") })
}

// Abandon ends a proofing session ABANDONED, as if the person stopped
// scanning (the page's "abandon" button). Errors as for Complete.
func (s *Simulator) Abandon(sessionID string) error {
	return s.endIDV(sessionID, func(x *idvSession) { x.State, x.Reason = stateAbandoned, "scanning was stopped before the end" })
}

// Expire ends a proofing or authenticator session EXPIRED at once, as if
// its lifetime had passed (the pages' "expire" button). Errors as for
// Complete.
func (s *Simulator) Expire(sessionID string) error {
	return s.endAny(sessionID, stateExpired, "session expired")
}

// Decline marks a proofing or authenticator session declined, as if the
// person pressed decline. ErrNotFound or ErrFinished as for Complete.
func (s *Simulator) Decline(sessionID string) error {
	return s.endAny(sessionID, stateDeclined, "declined by the person")
}

// endAny ends the active proofing or authenticator session id in st.
func (s *Simulator) endAny(id string, st state, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if x, ok := s.live[id]; ok {
		s.refreshLive(x)
		if !x.State.active() {
			return ErrFinished
		}
		x.State, x.Reason, x.Completed = st, reason, s.now()
		return nil
	}
	x, err := s.activeIDVLocked(id)
	if err != nil {
		return err
	}
	x.State, x.Reason, x.Completed = st, reason, s.now()
	return nil
}

// endIDV applies end to an active proofing session and stamps its end.
func (s *Simulator) endIDV(sessionID string, end func(*idvSession)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, err := s.activeIDVLocked(sessionID)
	if err != nil {
		return err
	}
	end(x)
	x.Completed = s.now()
	return nil
}

// CompleteLiveID answers an authenticator session as if the person signed
// in with their 1Kosmos app: the answer names the user per opt, sealed for
// the requester's key as a real authenticator seals it. Same errors as
// Complete, and ErrNoAccount when opt.Match asks for the expected account
// and the session names none.
func (s *Simulator) CompleteLiveID(sessionID string, opt LiveIDOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.live[sessionID]
	if !ok {
		return ErrNotFound
	}
	s.refreshLive(x)
	if !x.State.active() {
		return ErrFinished
	}
	who := opt.As
	switch {
	case who != nil:
	case !opt.Match:
		who = &stranger
	case x.Expected == nil:
		return ErrNoAccount
	default:
		who = x.Expected
	}
	user := map[string]any{}
	if who.DID != "" {
		user["did"] = who.DID
	}
	if who.UserID != "" {
		user["userid"] = who.UserID
	}
	ans := &liveAnswer{User: user}
	if x.RequesterKey != "" {
		auth, err := envelope.GenerateKey(s.cfg.Curve)
		if err != nil {
			return err
		}
		if ans.Data, err = sealForPeer(auth, x.RequesterKey, user); err != nil {
			return fmt.Errorf("simulator: the requester's key cannot be used: %w", err)
		}
		ans.PublicKey = auth.PublicB64()
	}
	x.Answer, x.State, x.Completed = ans, stateSucceeded, s.now()
	return nil
}
