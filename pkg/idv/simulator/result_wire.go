package simulator

// Wire result shapes.
//
// 1Kosmos documents the session and verification statuses, the document
// object names (dl_object, ppt_object, idcard_object), proof_jwt, the
// certificate token and liveid_object{face, proofedBy}, but not the other
// field names. The names below marked INFERRED are our choice; they are
// stable, and the 1Kosmos client (pkg/idv/onekosmos) reads exactly these.
// Country codes are ISO 3166-1 alpha-2; dates are YYYY-MM-DD; times RFC 3339.
//
// POST {docuverify}/document_share_session/result (and /v3/...), plaintext
// of the response's encrypted "data":
//
//	{
//	  "sessionId":      "<uuid>",
//	  "status":         "Pending" | "In Progress" | "Completed" | "Expired" | "Declined",
//	  "verification":   "Passed" | "Failed" | "Not performed",
//	  "documentType":   "dl_object" | "ppt_object" | "idcard_object",
//	  "responseStatus": "SUCCESS",                       // Completed only
//	  "reason":         "document expired",              // INFERRED; failed, declined, expired
//	  "createdAt":      "...", "completedAt": "...",      // INFERRED
//	  "face_liveness":  "Passed" | "Failed",             // Completed only
//	  "face_compare":   "Passed" | "Failed" | "Not performed",
//	  "<documentType>": {                                // Completed only, key = documentType
//	    "documentType": "dl_object", "type": "dl" | "ppt" | "idcard",
//	    "firstName", "middleName", "lastName",            // INFERRED names from here on
//	    "dob", "placeOfBirth",
//	    "documentNumber", "issuingCountry", "issuingState",
//	    "dateOfIssue", "dateOfExpiry",
//	    "street", "city", "state", "zipCode", "country",
//	    "nationality",                                    // alpha-2, first nationality
//	    "proof_jwt":  "<ES256 JWT>",
//	    "token":      "<certificate token>",
//	    "liveid_object": {"face": "<FaceRef: hex SHA-256 of the selfie>", "proofedBy": "1kosmos-simulator"}
//	  },
//	  "liveid_object": {...},                             // the same object at top level, as in the helper captures
//	  "scores": {"document": 0.97, "face_liveness": 0.98, "face_compare": 0.99}  // simulator-only (Config.Scores)
//	}
//
// POST {docuverify}/verify, plaintext of "data":
//
//	{
//	  "face_liveness": {"status": "Passed" | "Failed"},
//	  "face_compare":  {"status": "Passed" | "Failed" | "Not performed", "confidence": 0.99},
//	  "faceRef":       "<FaceRef of the liveId image>"     // INFERRED
//	}
//
// (each key present only when asked for in "verifications"; faceRef always).
//
// GET {sessions}/session/{id}/response (header addsessioninfo: 1):
//
//	{"sessionId", "status", "reason"?}                   // not completed: no data
//	{"sessionId", "status": "Completed", "data": "<enc>", "publicKey": "<authenticator key>"}
//
// with the plaintext of "data" (decrypt with ECDH(client private, publicKey)):
//
//	{
//	  "sessionId", "status": "Completed", "userId", "purpose",
//	  "authtype": "face",
//	  "face_liveness": "Passed" | "Failed",
//	  "face_compare":  "Passed" | "Failed",
//	  "confidence":    0.99,
//	  "faceRef":       "<FaceRef of the presented face>",
//	  "reason":        "...",                             // when failed
//	  "completedAt":   "...",
//	  "scores":        {...}                              // simulator-only
//	}

import (
	"strings"
	"time"

	"github.com/idbridge/idbridge/pkg/idv"
)

const proofedBy = "1kosmos-simulator"

// wireIDVResult is the decrypted result of a document share session.
type wireIDVResult struct {
	SessionID      string             `json:"sessionId"`
	Status         string             `json:"status"`
	Verification   string             `json:"verification"`
	DocumentType   string             `json:"documentType"`
	ResponseStatus string             `json:"responseStatus,omitempty"`
	Reason         string             `json:"reason,omitempty"`
	CreatedAt      string             `json:"createdAt"`
	CompletedAt    string             `json:"completedAt,omitempty"`
	FaceLiveness   string             `json:"face_liveness,omitempty"`
	FaceCompare    string             `json:"face_compare,omitempty"`
	LiveID         *wireLiveIDObject  `json:"liveid_object,omitempty"`
	Scores         map[string]float64 `json:"scores,omitempty"`
	// Document is emitted under the key named by DocumentType.
	Document *wireDocument `json:"-"`
}

type wireLiveIDObject struct {
	Face      string `json:"face"`
	ProofedBy string `json:"proofedBy"`
}

type wireDocument struct {
	DocumentType   string            `json:"documentType"`
	Type           string            `json:"type"`
	FirstName      string            `json:"firstName"`
	MiddleName     string            `json:"middleName,omitempty"`
	LastName       string            `json:"lastName"`
	DOB            string            `json:"dob"`
	PlaceOfBirth   string            `json:"placeOfBirth,omitempty"`
	DocumentNumber string            `json:"documentNumber"`
	IssuingCountry string            `json:"issuingCountry"`
	IssuingState   string            `json:"issuingState,omitempty"`
	DateOfIssue    string            `json:"dateOfIssue,omitempty"`
	DateOfExpiry   string            `json:"dateOfExpiry"`
	Street         string            `json:"street,omitempty"`
	City           string            `json:"city,omitempty"`
	State          string            `json:"state,omitempty"`
	ZipCode        string            `json:"zipCode,omitempty"`
	Country        string            `json:"country,omitempty"`
	Nationality    string            `json:"nationality,omitempty"`
	ProofJWT       string            `json:"proof_jwt"`
	Token          string            `json:"token"`
	LiveID         *wireLiveIDObject `json:"liveid_object,omitempty"`
}

// wireResult builds the wire result of a session snapshot.
func (s *Simulator) wireResult(x idvSession) wireIDVResult {
	r := wireIDVResult{
		SessionID: x.ID, Status: x.Status, Verification: wireNotPerformed,
		DocumentType: string(x.DocType), Reason: x.Reason, CreatedAt: rfc3339(x.Created),
	}
	if !x.Completed.IsZero() {
		r.CompletedAt = rfc3339(x.Completed)
	}
	o := x.Outcome
	if x.Status != wireCompleted || o == nil {
		return r
	}
	r.Verification = o.Verification
	r.DocumentType = string(o.DocType)
	r.ResponseStatus = "SUCCESS"
	r.FaceLiveness, r.FaceCompare = o.Face.Liveness, o.Face.Compare
	r.LiveID = &wireLiveIDObject{Face: o.Face.Ref, ProofedBy: proofedBy}
	p, d := o.Fixture.Person, o.Fixture.Document
	doc := &wireDocument{
		DocumentType: string(o.DocType), Type: strings.TrimSuffix(string(o.DocType), "_object"),
		FirstName: p.GivenName, MiddleName: p.MiddleName, LastName: p.FamilyName,
		DOB: p.BirthDate, PlaceOfBirth: p.PlaceOfBirth,
		DocumentNumber: d.Number, IssuingCountry: d.IssuingCountry, IssuingState: d.Issuer,
		DateOfIssue: d.DateOfIssuance, DateOfExpiry: d.DateOfExpiry,
		ProofJWT: o.ProofJWT, Token: o.CertToken, LiveID: r.LiveID,
	}
	if len(p.Nationalities) > 0 {
		doc.Nationality = p.Nationalities[0]
	}
	if a := p.Address; a != nil {
		doc.Street, doc.City, doc.State, doc.ZipCode, doc.Country = a.StreetAddress, a.Locality, a.Region, a.PostalCode, a.Country
	}
	r.Document = doc
	if s.cfg.Scores {
		r.Scores = idvScores(o)
	}
	return r
}

// fields renders r as a JSON object with the document object under its documentType key.
func (r wireIDVResult) fields() map[string]any {
	m := map[string]any{
		"sessionId": r.SessionID, "status": r.Status, "verification": r.Verification,
		"documentType": r.DocumentType, "createdAt": r.CreatedAt,
	}
	put := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	put("responseStatus", r.ResponseStatus)
	put("reason", r.Reason)
	put("completedAt", r.CompletedAt)
	put("face_liveness", r.FaceLiveness)
	put("face_compare", r.FaceCompare)
	if r.LiveID != nil {
		m["liveid_object"] = r.LiveID
	}
	if r.Scores != nil {
		m["scores"] = r.Scores
	}
	if r.Document != nil {
		m[r.DocumentType] = r.Document
	}
	return m
}

func idvScores(o *idvOutcome) map[string]float64 {
	sc := map[string]float64{"document": 0.97, "face_liveness": 0.98, "face_compare": o.Face.Confidence}
	if o.Verification != wirePassed && o.Reason == "document expired" {
		sc["document"] = 0.21
	}
	if o.Face.Liveness != wirePassed {
		sc["face_liveness"] = 0.03
	}
	return sc
}

func faceScores(fc faceCheck) map[string]float64 {
	sc := map[string]float64{"face_liveness": 0.98, "face_compare": fc.Confidence}
	if fc.Liveness != wirePassed {
		sc["face_liveness"] = 0.03
	}
	return sc
}

// wireLiveResult is the decrypted data of a completed UWL session.
type wireLiveResult struct {
	SessionID    string             `json:"sessionId"`
	Status       string             `json:"status"`
	UserID       string             `json:"userId,omitempty"`
	Purpose      string             `json:"purpose,omitempty"`
	AuthType     string             `json:"authtype"`
	FaceLiveness string             `json:"face_liveness"`
	FaceCompare  string             `json:"face_compare"`
	Confidence   float64            `json:"confidence"`
	FaceRef      string             `json:"faceRef"`
	Reason       string             `json:"reason,omitempty"`
	CompletedAt  string             `json:"completedAt"`
	Scores       map[string]float64 `json:"scores,omitempty"`
}

func (s *Simulator) wireLive(x liveSession) wireLiveResult {
	r := wireLiveResult{
		SessionID: x.ID, Status: x.Status, UserID: x.UserID, Purpose: x.Purpose, AuthType: "face",
		Reason: x.Reason, CompletedAt: rfc3339(x.Completed),
	}
	if x.Face != nil {
		r.FaceLiveness, r.FaceCompare, r.Confidence, r.FaceRef = x.Face.Liveness, x.Face.Compare, x.Face.Confidence, x.Face.Ref
		if s.cfg.Scores {
			r.Scores = faceScores(*x.Face)
		}
	}
	return r
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// normalisation from wire words to pkg/idv values.

func normStatus(s string) idv.Status {
	switch s {
	case wireInProgress:
		return idv.StatusInProgress
	case wireCompleted:
		return idv.StatusCompleted
	case wireExpired:
		return idv.StatusExpired
	case wireDeclined:
		return idv.StatusDeclined
	}
	return idv.StatusPending
}

func normOutcome(s string) idv.Outcome {
	switch s {
	case wirePassed:
		return idv.Passed
	case wireFailed:
		return idv.Failed
	}
	return idv.NotPerformed
}
