// Package idv is the verification port: what idbridge asks of an identity
// verification service (document + selfie + liveness proofing, and LiveID
// biometric step-up) and the normalised results it gets back. The 1Kosmos
// client (idv/onekosmos) and the local simulator (idv/simulator) both
// implement it and both pass the suite in idv/idvtest.
package idv

import (
	"context"
	"errors"
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

// Status is the normalised lifecycle state of a session.
type Status string

// Session states. Completed, Expired, Declined and Abandoned are terminal.
const (
	StatusPending    Status = "pending"
	StatusInProgress Status = "in_progress"
	StatusCompleted  Status = "completed"
	StatusExpired    Status = "expired"
	StatusDeclined   Status = "declined"
	StatusAbandoned  Status = "abandoned"
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

// IDVRequest starts a document proofing session.
type IDVRequest struct {
	// DocumentType is the document to capture; empty means the verifier's
	// default (driver's licence).
	DocumentType DocumentType
	// LivenessMode is "passive" (default), "active" or "none".
	LivenessMode string
	// UserRef is an opaque, non-personal reference for the person (sent as
	// 1Kosmos userUID/did). Never an email or document number.
	UserRef string
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
// Document are set only when Status is completed.
type IDVResult struct {
	SessionID    string
	Status       Status
	Verification Outcome // overall verdict
	Document     *Document
	Person       *Person
	Liveness     Outcome
	FaceMatch    Outcome
	// FaceRef references the selfie captured in this session; it becomes the
	// person's enrolled face for LiveID.
	FaceRef string
	// ProofJWT and CertificateToken are 1Kosmos's signed evidence, kept as
	// received.
	ProofJWT         string
	CertificateToken string
	// Scores are optional: 1Kosmos documents none; the simulator offers them.
	Scores      map[string]float64
	CompletedAt time.Time
	// Reason explains a failed or declined outcome in words safe to show.
	Reason string
}

// LiveIDRequest starts a biometric step-up for an enrolled person.
type LiveIDRequest struct {
	UserRef string
	// FaceRef is the enrolled face to compare against.
	FaceRef string
}

// LiveIDResult is the normalised state of a step-up challenge.
type LiveIDResult struct {
	ChallengeID string
	Status      Status
	Liveness    Outcome
	FaceMatch   Outcome
	// Confidence is between 0 and 1 when the service reports one.
	Confidence  float64
	CompletedAt time.Time
	Reason      string
}

// FaceCheck asks for liveness and a comparison of one captured image with
// the enrolled face (1Kosmos {docuverify}/verify).
type FaceCheck struct {
	Image   []byte
	FaceRef string
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
	// StartLiveID creates a biometric step-up challenge whose hosted page (or
	// authenticator app) captures the face.
	StartLiveID(ctx context.Context, req LiveIDRequest) (Session, error)
	// LiveIDResult fetches the current state of a challenge.
	LiveIDResult(ctx context.Context, challengeID string) (LiveIDResult, error)
	// CheckFace runs liveness and face comparison on an image captured by
	// idbridge's own page.
	CheckFace(ctx context.Context, req FaceCheck) (LiveIDResult, error)
}
