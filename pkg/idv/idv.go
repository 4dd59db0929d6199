// Package idv is the verification port: what idbridge asks of an identity
// verification service (document + selfie + liveness proofing, and LiveID
// biometric step-up) and the normalised results it gets back. The 1Kosmos
// client (idv/onekosmos) and the local simulator (idv/simulator) both
// implement it and both pass the suite in idv/idvtest.
package idv

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Errors returned by verifiers. Callers compare with errors.Is; the provider
// maps them to OAuth errors (ErrUnavailable -> temporarily_unavailable).
var (
	// ErrNotFound: the session or challenge id is unknown upstream.
	ErrNotFound = errors.New("idv: session not found")
	// ErrUnavailable: the service could not be reached, timed out, answered
	// 5xx or garbage; nothing about the session can be concluded.
	ErrUnavailable = errors.New("idv: verification service unavailable")
	// ErrRejected: the service refused the request (4xx: bad license key,
	// missing field, unknown dvcID). Retrying the same request will not help.
	ErrRejected = errors.New("idv: request rejected by verification service")
	// ErrInvalidInput: the caller passed something the port cannot send
	// (unknown document type, empty image).
	ErrInvalidInput = errors.New("idv: invalid input")
)

// DocumentType names the document a proofing session captures, with
// 1Kosmos's own identifiers.
type DocumentType string

// Document types 1Kosmos documents for document share sessions.
const (
	DriversLicense DocumentType = "dl_object"
	Passport       DocumentType = "ppt_object"
	IDCard         DocumentType = "idcard_object"
)

// Known reports whether d is one of DocumentTypes.
func (d DocumentType) Known() bool {
	switch d {
	case DriversLicense, Passport, IDCard:
		return true
	}
	return false
}

// Status is the normalised lifecycle state of a session.
type Status string

// Session states, with the 1Kosmos status words they stand for (the
// README's status table maps each to the OIDC error and the connector API
// status). Completed, Expired, Declined and Abandoned are terminal.
const (
	// StatusPending: created, not yet opened. 1Kosmos reports an unfinished
	// session as INPROGRESS either way, so only the simulator's in-process
	// verifier tells pending from in progress.
	StatusPending Status = "pending"
	// StatusInProgress: 1Kosmos INPROGRESS.
	StatusInProgress Status = "in_progress"
	// StatusCompleted: 1Kosmos SUCCESS or FAILED; Verification says which.
	StatusCompleted Status = "completed"
	// StatusExpired: 1Kosmos EXPIRED (the session timed out).
	StatusExpired Status = "expired"
	// StatusDeclined: the person refused. 1Kosmos publishes no word for
	// it; the simulator's decline button gives it.
	StatusDeclined Status = "declined"
	// StatusAbandoned: 1Kosmos ABANDONED (scanning stopped before the end).
	StatusAbandoned Status = "abandoned"
)

// Terminal reports whether no further change of s is expected.
func (s Status) Terminal() bool {
	switch s {
	case StatusCompleted, StatusExpired, StatusDeclined, StatusAbandoned:
		return true
	}
	return false
}

// Outcome is the normalised result of a check.
type Outcome string

// Check outcomes.
const (
	Passed       Outcome = "passed"
	Failed       Outcome = "failed"
	NotPerformed Outcome = "not_performed"
)

// Liveness modes of IDVRequest.LivenessMode.
const (
	// LivenessPassive is the selfie liveness check of 1Kosmos's dvcID
	// workflow: the person takes a selfie, nothing more is asked of them.
	// It is the only mode 1Kosmos can honour per session: liveness is part
	// of the workflow configured for the dvcID, and no public field of the
	// create call asks for another (see LivenessModes).
	LivenessPassive = "passive"
)

// LivenessModes lists the IDVRequest.LivenessMode values a Verifier
// honours; "" means LivenessPassive. "active" (a challenge such as turning
// the head) and "none" (no selfie) cannot be asked of 1Kosmos per session,
// so they are refused rather than silently ignored.
var LivenessModes = []string{LivenessPassive}

// DocumentTypes lists every document type, in the order a hosted page
// offers them when a request names none.
var DocumentTypes = []DocumentType{DriversLicense, Passport, IDCard}

// IDVRequest starts a document proofing session.
type IDVRequest struct {
	// DocumentTypes are the documents the person may present; the first is
	// the one the session starts with. Empty means driver's licence only.
	// 1Kosmos's create call takes one documentType (the first); how the
	// others reach 1Kosmos is the verifier's to say (the 1Kosmos client
	// documents it on its create request).
	DocumentTypes []DocumentType
	// LivenessMode is one of LivenessModes; "" means LivenessPassive.
	LivenessMode string
	// UserRef is an opaque, non-personal reference for the person (sent as
	// 1Kosmos userUID/did). Never an email or document number.
	UserRef string
}

// Account is a 1Kosmos user as 1Kosmos names them: the DID of their
// BlockID identity and the user id (user name) within the community
// (1Kosmos's user_data.did and userid). Either may be empty when 1Kosmos
// did not state it.
type Account struct {
	DID    string `json:"did,omitempty"`
	UserID string `json:"userid,omitempty"`
}

// SameAccount reports whether a and b name the same 1Kosmos user. Nil
// accounts, and accounts that share no non-empty field, are never the
// same. When both name a DID, the DIDs decide (compared exactly): the DID
// is the person's BlockID identity, and the user ids 1Kosmos lists for
// it (userIdList) are all theirs. Otherwise the user ids decide, compared
// case-insensitively as 1Kosmos's Java helper compares them.
func SameAccount(a, b *Account) bool {
	switch {
	case a == nil || b == nil:
		return false
	case a.DID != "" && b.DID != "":
		return a.DID == b.DID
	}
	return a.UserID != "" && b.UserID != "" && strings.EqualFold(a.UserID, b.UserID)
}

// Session is a started verification: the hosted page the person opens.
type Session struct {
	ID        string
	URL       string
	ExpiresAt time.Time
}

// Person holds the identity attributes read from a document.
type Person struct {
	GivenName     string   `json:"given_name,omitempty"`
	MiddleName    string   `json:"middle_name,omitempty"`
	FamilyName    string   `json:"family_name,omitempty"`
	BirthDate     string   `json:"birthdate,omitempty"` // YYYY-MM-DD
	PlaceOfBirth  string   `json:"place_of_birth,omitempty"`
	Nationalities []string `json:"nationalities,omitempty"` // ISO 3166-1 alpha-2/3
	Address       *Address `json:"address,omitempty"`
}

// Address follows the OpenID Connect Core address claim.
type Address struct {
	Formatted     string `json:"formatted,omitempty"`
	StreetAddress string `json:"street_address,omitempty"`
	Locality      string `json:"locality,omitempty"`
	Region        string `json:"region,omitempty"`
	PostalCode    string `json:"postal_code,omitempty"`
	Country       string `json:"country,omitempty"`
}

// Document describes the document that was checked.
type Document struct {
	Type           DocumentType `json:"type"`
	Number         string       `json:"number,omitempty"`
	IssuingCountry string       `json:"issuing_country,omitempty"` // ISO 3166-1 alpha-2
	Issuer         string       `json:"issuer,omitempty"`
	DateOfIssuance string       `json:"date_of_issuance,omitempty"` // YYYY-MM-DD
	DateOfExpiry   string       `json:"date_of_expiry,omitempty"`   // YYYY-MM-DD
}

// IDVResult is the normalised state of a proofing session. Person and
// Document are set only when Status is completed and the verification
// passed.
//
// A session that 1Kosmos finished with a failure (FAILED) is Status
// completed with Verification failed, Reason and ReasonCode: a verdict
// about the person, never ErrUnavailable.
type IDVResult struct {
	SessionID    string
	Status       Status
	Verification Outcome // overall verdict
	Document     *Document
	Person       *Person
	Liveness     Outcome
	FaceMatch    Outcome
	// FaceImage is the face captured in this session (image bytes, JPEG
	// or PNG): 1Kosmos's liveid_object.face, else the document object's
	// face. It becomes the person's enrolled face. Personal data.
	FaceImage []byte
	// Account is the 1Kosmos user whose session it was, when 1Kosmos
	// states it (v3 sessionData.user); nil otherwise.
	Account *Account
	// ProofJWT and CertificateToken are 1Kosmos's signed evidence, kept as
	// received.
	ProofJWT         string
	CertificateToken string
	// Scores are optional: 1Kosmos documents none; the simulator offers them.
	Scores      map[string]float64
	CompletedAt time.Time
	// Reason explains a failed or declined outcome in words safe to show.
	Reason string
	// ReasonCode is 1Kosmos's code for a failure (errorInfo.reason_code,
	// e.g. "IDV1234"), when given.
	ReasonCode string
}

// LiveIDRequest starts a biometric step-up for an enrolled person.
type LiveIDRequest struct {
	// UserRef is the opaque reference of IDVRequest.UserRef.
	UserRef string
	// Account is the 1Kosmos user the person is bound to. 1Kosmos is not
	// told who should answer an authenticator session; a verifier may pass
	// it along as a hint (the 1Kosmos client puts its DID in the session's
	// free-form metadata, which the simulator reads to play that user).
	Account *Account
	// FaceImage is the enrolled face, for verifiers that compare faces
	// themselves (the simulator's hosted page shows it). Personal data.
	FaceImage []byte
}

// LiveIDResult is the normalised state of a step-up challenge.
//
// In authenticator-app mode the verifier does not decide whether the
// right person answered: it reports who authenticated (Account, from the
// authenticator's user_data) and the caller compares that with the
// person's bound account (SameAccount). Account is nil when nobody
// authenticated or 1Kosmos's own rule refuses the answer ("Unauthorized
// user": no DID, or a user id that is not the DID's); Reason then says
// why. Liveness and FaceMatch are what the answer states, else
// not_performed: the authenticator app runs its own biometric and reports
// no face outcome.
type LiveIDResult struct {
	ChallengeID string
	Status      Status
	// Account is the 1Kosmos user who authenticated (app mode).
	Account   *Account
	Liveness  Outcome
	FaceMatch Outcome
	// Confidence is a match confidence between 0 and 1, or nil: 1Kosmos
	// publishes no such figure. Only the simulator's scores option
	// (simulator-only) invents one.
	Confidence  *float64
	CompletedAt time.Time
	Reason      string
}

// FaceCheck asks for liveness of Image and, when Enrolled is set, a
// comparison of Image with the enrolled face (1Kosmos {docuverify}/verify).
// Both are image bytes; personal data.
type FaceCheck struct {
	Image    []byte
	Enrolled []byte
}

// Canceller is a Verifier that can end a session before the person
// finishes it, so its hosted page stops accepting input. It is optional:
// 1Kosmos documents no cancel call for document share sessions or
// authenticator sessions (shared/onekosmos/FACTS.md, section 8), so the
// 1Kosmos client does not implement it and a cancelled session expires
// upstream by itself. Cancelling a session that already ended does
// nothing; ErrNotFound for an unknown id.
type Canceller interface {
	CancelIDV(ctx context.Context, sessionID string) error
	CancelLiveID(ctx context.Context, challengeID string) error
}

// Cancel cancels the challenge (liveID) or proofing session id at v when v
// is a Canceller, and reports whether it is. ErrNotFound counts as done:
// there is nothing left to cancel.
func Cancel(ctx context.Context, v Verifier, liveID bool, id string) (bool, error) {
	c, ok := v.(Canceller)
	if !ok {
		return false, nil
	}
	var err error
	if liveID {
		err = c.CancelLiveID(ctx, id)
	} else {
		err = c.CancelIDV(ctx, id)
	}
	if errors.Is(err, ErrNotFound) {
		err = nil
	}
	return true, err
}

// Verifier is an identity verification service. Implementations are safe
// for concurrent use.
type Verifier interface {
	// StartIDV creates a document proofing session. A failed call creates
	// nothing that the caller must clean up; it is not retried internally
	// because a retried create makes a second session.
	StartIDV(ctx context.Context, req IDVRequest) (Session, error)
	// IDVResult fetches the current state of a session. ErrNotFound if the
	// id is unknown.
	IDVResult(ctx context.Context, sessionID string) (IDVResult, error)
	// StartLiveID creates an authenticator-app session in which the person
	// signs in with their 1Kosmos app (a QR code or link to Session.URL).
	StartLiveID(ctx context.Context, req LiveIDRequest) (Session, error)
	// LiveIDResult fetches the current state of a challenge and, once
	// answered, who authenticated. ErrNotFound if the id is unknown.
	LiveIDResult(ctx context.Context, challengeID string) (LiveIDResult, error)
	// CheckFace runs liveness on an image captured by idbridge's own page
	// and, when it passed and req.Enrolled is set, compares it with the
	// enrolled face (FaceMatch not_performed otherwise). The result is
	// completed and has no ChallengeID or Account. ErrInvalidInput for an
	// empty image.
	CheckFace(ctx context.Context, req FaceCheck) (LiveIDResult, error)
}
