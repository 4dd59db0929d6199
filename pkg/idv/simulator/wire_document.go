package simulator

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/idbridge/idbridge/pkg/idv"
)

// proofedBy is the 128-hex-character proofedBy of the simulator's
// documents (the length of the public v3 samples'; the value is ours).
var proofedBy = func() string {
	sum := sha512.Sum512([]byte("1kosmos-simulator"))
	return hex.EncodeToString(sum[:])
}()

// wireDocument is a document object (dl_object, ppt_object,
// idcard_object in v1 answers; document in v3) with the field names of
// 1Kosmos's BIDDLObjectData and the public v3 samples (FACTS.md section 3):
// dates YYYYMMDD, images standard base64 without a data: prefix, and the
// required proof_jwt. Values are the fixture's (made up).
type wireDocument struct {
	Category     string `json:"category"`
	ProofedBy    string `json:"proofedBy"`
	DocumentType string `json:"documentType"`
	Type         string `json:"type"`
	Country      string `json:"country"`
	// State is the address state, which on a US licence is the issuer.
	State      string `json:"state,omitempty"`
	Image      string `json:"image"`
	Face       string `json:"face"`
	DocumentID string `json:"documentId"`
	ID         string `json:"id"`
	FirstName  string `json:"firstName"`
	MiddleName string `json:"middleName,omitempty"`
	LastName   string `json:"lastName"`
	FamilyName string `json:"familyName"`
	FullName   string `json:"fullName"`
	DOB        string `json:"dob"`
	DOE        string `json:"doe"`
	DOI        string `json:"doi,omitempty"`
	// PlaceOfBirth, Street, City and ZipCode are BIDDLObjectData names the
	// public samples do not show filled in.
	PlaceOfBirth string `json:"placeOfBirth,omitempty"`
	Street       string `json:"street,omitempty"`
	City         string `json:"city,omitempty"`
	ZipCode      string `json:"zipCode,omitempty"`
	ProofJWT     string `json:"proof_jwt"`
}

// Document type words of a document object's documentType. PASSPORT is in
// the public samples; the licence and ID card words are INFERRED.
var docTypeWords = map[idv.DocumentType]string{
	idv.DriversLicense: "DL",
	idv.Passport:       "PASSPORT",
	idv.IDCard:         "ID_CARD",
}

// yyyymmdd turns a fixture's YYYY-MM-DD into the wire's YYYYMMDD.
func yyyymmdd(d string) string { return strings.ReplaceAll(d, "-", "") }

// document builds the document object of an outcome. The simulator's
// documents have no portrait of their own: face is the selfie, which the
// simulator takes to match the document (simulator-only simplification).
func (o *idvOutcome) document() *wireDocument {
	p, d := o.Fixture.Person, o.Fixture.Document
	doc := &wireDocument{
		Category: "identity_document", ProofedBy: proofedBy,
		DocumentType: docTypeWords[o.DocType], Type: strings.TrimSuffix(string(o.DocType), "_object"),
		Country: d.IssuingCountry, Image: b64(o.Fixture.DocumentImage), Face: b64(o.Selfie),
		DocumentID: d.Number, ID: d.Number,
		FirstName: p.GivenName, MiddleName: p.MiddleName, LastName: p.FamilyName, FamilyName: p.FamilyName,
		FullName: strings.Join(strings.Fields(p.GivenName+" "+p.MiddleName+" "+p.FamilyName), " "),
		DOB:      yyyymmdd(p.BirthDate), DOE: yyyymmdd(d.DateOfExpiry), DOI: yyyymmdd(d.DateOfIssuance),
		PlaceOfBirth: p.PlaceOfBirth, ProofJWT: o.ProofJWT,
	}
	if a := p.Address; a != nil {
		doc.State, doc.Street, doc.City, doc.ZipCode = a.Region, a.StreetAddress, a.Locality, a.PostalCode
	}
	return doc
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// liveIDObject is v1's liveid_object (1Kosmos's BIDLiveIdObjectData,
// FACTS.md section 4): face is the live selfie as base64 image bytes.
type liveIDObject struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	Category  string `json:"category"`
	ProofedBy string `json:"proofedBy"`
	Face      string `json:"face"`
}

// scores are the simulator's invented scores of an outcome
// (simulator-only, Config.Scores).
func (x idvSession) scores() map[string]float64 {
	sc := map[string]float64{"document": 0.97, "face_liveness": 0.98, "face_compare": matchConfidence}
	if x.Failure != nil {
		switch x.Failure.Code {
		case CodeLiveness:
			sc["face_liveness"], sc["face_compare"] = 0.03, noMatchConfidence
		default:
			sc["document"] = 0.21
		}
	}
	return sc
}
