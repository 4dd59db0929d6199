package onekosmos

import (
	"encoding/json"
	"strings"

	"github.com/idbridge/idbridge/pkg/idv"
)

// documentKeys are the document objects 1Kosmos documents, in the order
// they are looked for when documentType names none.
var documentKeys = []string{string(idv.DriversLicense), string(idv.Passport), string(idv.IDCard)}

// normalizeResult maps the decrypted document share session result to
// idv.IDVResult. Person and Document are set only for a completed session.
// Unknown fields are ignored and fields of unexpected types read as
// absent; only a body that is not a JSON object, or an unknown status
// word, is an error. It never panics (FuzzNormalizeResult).
func normalizeResult(plain []byte) (idv.IDVResult, error) {
	o, err := parseObj(plain)
	if err != nil {
		return idv.IDVResult{}, err
	}
	docKey, doc := o.document()
	st, err := o.status(doc != nil)
	if err != nil {
		return idv.IDVResult{}, err
	}
	r := idv.IDVResult{
		SessionID:    o.str("sessionId", "sessionID", "session_id"),
		Status:       st,
		Verification: o.outcome("verification", "verificationStatus", "verification_status"),
		Liveness:     o.outcome("face_liveness", "liveness", "livenessStatus"),
		FaceMatch:    o.outcome("face_compare", "faceMatch", "face_match"),
		Scores:       o.scores("scores"),
		CompletedAt:  o.when("completedAt", "completed_at", "completedTime"),
		Reason:       o.str("reason", "declineReason", "failureReason"),
	}
	if r.Status == idv.StatusCompleted && r.CompletedAt.IsZero() {
		r.CompletedAt = o.when("updatedAt", "updated_at")
	}
	live := o.sub("liveid_object", "liveidObject")
	if live == nil && doc != nil {
		live = doc.sub("liveid_object", "liveidObject")
	}
	if live != nil {
		r.FaceRef = live.str("faceRef", "face")
	}
	if r.FaceRef == "" {
		r.FaceRef = o.str("faceRef")
	}
	if doc != nil {
		r.ProofJWT = doc.str("proof_jwt", "proofJwt", "proof")
		r.CertificateToken = doc.str("token", "certificate_token", "certificateToken")
	}
	if r.ProofJWT == "" {
		r.ProofJWT = o.str("proof_jwt")
	}
	if r.CertificateToken == "" {
		r.CertificateToken = o.str("token")
	}
	if r.Status == idv.StatusCompleted && doc != nil {
		r.Document = doc.documentOf(idv.DocumentType(docKey))
		r.Person = doc.person()
	}
	return r, nil
}

// document returns the document object: the one documentType names, else
// the first of documentKeys present.
func (o obj) document() (string, obj) {
	if k := o.str("documentType"); k != "" {
		if d := o.sub(k); d != nil && isDocumentKey(k) {
			return k, d
		}
	}
	for _, k := range documentKeys {
		if d := o.sub(k); d != nil {
			return k, d
		}
	}
	return "", nil
}

func isDocumentKey(k string) bool {
	for _, d := range documentKeys {
		if k == d {
			return true
		}
	}
	return false
}

// documentOf reads what identifies the document itself.
func (d obj) documentOf(t idv.DocumentType) *idv.Document {
	if dt := idv.DocumentType(d.str("documentType")); isDocumentKey(string(dt)) {
		t = dt
	}
	return &idv.Document{
		Type:           t,
		Number:         d.str("documentNumber", "documentId", "document_number", "licenseNumber", "passportNumber"),
		IssuingCountry: normCountry(d.str("issuingCountry", "issuing_country", "countryCode", "country")),
		Issuer:         d.str("issuingState", "issuer", "issuingAuthority", "state"),
		DateOfIssuance: normDate(d.str("dateOfIssue", "doi", "issueDate", "date_of_issue")),
		DateOfExpiry:   normDate(d.str("dateOfExpiry", "doe", "expiryDate", "expirationDate", "date_of_expiry")),
	}
}

// person reads the identity attributes printed on the document.
func (d obj) person() *idv.Person {
	p := &idv.Person{
		GivenName:    d.str("firstName", "givenName", "first_name", "given_name"),
		MiddleName:   d.str("middleName", "middle_name"),
		FamilyName:   d.str("lastName", "familyName", "surname", "last_name", "family_name"),
		BirthDate:    normDate(d.str("dob", "dateOfBirth", "birthDate", "date_of_birth")),
		PlaceOfBirth: d.str("placeOfBirth", "place_of_birth"),
	}
	if n := normCountry(d.str("nationality")); n != "" {
		p.Nationalities = []string{n}
	} else if raw, ok := d["nationalities"]; ok {
		var ns []string
		if json.Unmarshal(raw, &ns) == nil {
			for _, n := range ns {
				if n = normCountry(n); n != "" {
					p.Nationalities = append(p.Nationalities, n)
				}
			}
		}
	}
	a := &idv.Address{
		StreetAddress: d.str("street", "streetAddress", "address1", "street_address"),
		Locality:      d.str("city", "locality"),
		Region:        d.str("state", "region", "province"),
		PostalCode:    d.str("zipCode", "postalCode", "zip", "postal_code"),
		Country:       normCountry(d.str("country", "addressCountry")),
	}
	if line2 := d.str("address2"); line2 != "" && a.StreetAddress != "" {
		a.StreetAddress += "\n" + line2
	}
	if *a != (idv.Address{}) {
		p.Address = a
	}
	p.GivenName, p.FamilyName = strings.TrimSpace(p.GivenName), strings.TrimSpace(p.FamilyName)
	return p
}
