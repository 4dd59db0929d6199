package onekosmos

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/idbridge/idbridge/pkg/idv"
)

// documentKeys are v1's document objects (dl_object, ppt_object,
// idcard_object), in the order they are looked for.
var documentKeys = []string{string(idv.DriversLicense), string(idv.Passport), string(idv.IDCard)}

// normalizeResult maps the decrypted document share session result, v1 or
// v3 (FACTS.md sections 1-4), to idv.IDVResult:
//
//   - status from sessionResult, responseStatus or status (statusWord);
//     FAILED is completed with Verification failed, Reason and ReasonCode
//     from errorInfo;
//   - a SUCCESS reports Liveness and FaceMatch passed: the dvcID workflow's
//     selfie step (liveness and the similarity check) must pass for the
//     session to succeed (INFERRED; no result field states them);
//   - the document from v3's document or v1's <documentType>_object, with
//     extractedInfo filling gaps; FaceImage from liveid_object.face, else
//     the document's face; Account from v3's sessionData.user.
//
// Person and Document are set only for a passed session. Unknown fields
// are ignored and fields of unexpected types read as absent; only a body
// that is not a JSON object, or an unknown status word, is an error.
// CompletedAt is the answer's time when it gives one, else now for a
// finished session. It never panics (FuzzNormalizeResult).
func normalizeResult(plain []byte, now time.Time) (idv.IDVResult, error) {
	o, err := parseObj(plain)
	if err != nil {
		return idv.IDVResult{}, err
	}
	docType, doc := o.document()
	st, verdict, err := o.status(doc != nil)
	if err != nil {
		return idv.IDVResult{}, err
	}
	errInfo := o.sub("errorInfo")
	r := idv.IDVResult{
		SessionID:    o.str("sessionId", "id", "sessionID", "session_id"),
		Status:       st,
		Verification: verdict,
		Liveness:     idv.NotPerformed,
		FaceMatch:    idv.NotPerformed,
		Scores:       o.scores("scores"),
		Reason:       o.str("reason", "declineReason", "failureReason"),
		CompletedAt:  o.when("completedAt", "completed_at", "completedTime"),
		Account:      o.account(),
	}
	if errInfo != nil {
		r.Reason = firstOf(errInfo.str("reason", "message"), r.Reason)
		r.ReasonCode = errInfo.str("reason_code", "reasonCode")
		if r.CompletedAt.IsZero() {
			r.CompletedAt = errInfo.when("ts")
		}
	}
	if r.Status == idv.StatusCompleted {
		r.Verification, r.Liveness, r.FaceMatch = o.outcomes(verdict)
	}
	if r.Status.Terminal() && r.CompletedAt.IsZero() {
		r.CompletedAt = now.UTC()
	}
	r.CertificateToken = o.str("token")
	if doc != nil {
		r.ProofJWT = doc.str("proof_jwt", "proofJwt", "proof")
		if r.CertificateToken == "" {
			r.CertificateToken = doc.str("token", "certificate_token", "certificateToken")
		}
	}
	if r.Status == idv.StatusCompleted && r.Verification == idv.Passed && doc != nil {
		info := o.sub("extractedInfo")
		r.Document = doc.documentOf(docType, info)
		r.Person = doc.person(info)
		r.FaceImage = o.face(doc)
	}
	return r, nil
}

// outcomes returns the verdict, liveness and face match of a completed
// session: what the status word implies, refined by the outcome fields of
// older answers when present (a failure in either wins).
func (o obj) outcomes(verdict idv.Outcome) (v, liveness, match idv.Outcome) {
	v = verdict
	if old, ok := o.outcome("verification", "verificationStatus", "verification_status"); ok && (v == idv.NotPerformed || old == idv.Failed) {
		v = old
	}
	implied := idv.NotPerformed
	if v == idv.Passed {
		implied = idv.Passed
	}
	liveness, match = implied, implied
	if l, ok := o.outcome("face_liveness", "liveness", "livenessStatus"); ok {
		liveness = l
	}
	if m, ok := o.outcome("face_compare", "faceMatch", "face_match"); ok {
		match = m
	}
	return v, liveness, match
}

// firstOf returns the first non-empty value.
func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// account reads v3's sessionData.user: uid is the DID the session was
// created for, username the 1Kosmos user id.
func (o obj) account() *idv.Account {
	u := o.sub("sessionData").sub("user")
	a := idv.Account{DID: u.str("uid", "did"), UserID: u.str("username", "userid")}
	if a == (idv.Account{}) {
		return nil
	}
	return &a
}

// face returns the session's face image: v1's liveid_object.face (top
// level, or inside the document in older answers), else the document's
// face.
func (o obj) face(doc obj) []byte {
	for _, live := range []obj{o.sub("liveid_object", "liveidObject", "liveId"), doc.sub("liveid_object", "liveidObject")} {
		if img := image(live.str("face")); img != nil {
			return img
		}
	}
	return image(doc.str("face"))
}

// document returns the document object and its type: v3's document (a
// JSON string in Android's SDK object), else the v1 object named by
// documentType, else the first of documentKeys present.
func (o obj) document() (idv.DocumentType, obj) {
	if d := o.sub("document"); d != nil {
		t := docTypeOf(o.sub("sessionData").str("documentType"))
		if t == "" {
			t = docTypeOf(firstOf(d.str("documentType", "type"), o.sub("extractedInfo").str("documentType")))
		}
		return t, d
	}
	if k := o.str("documentType"); isDocumentKey(k) {
		if d := o.sub(k); d != nil {
			return idv.DocumentType(k), d
		}
	}
	for _, k := range documentKeys {
		if d := o.sub(k); d != nil {
			return idv.DocumentType(k), d
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

// docTypeOf maps the document type words seen in answers (dl_object,
// PASSPORT, RESIDENCE_PERMIT, dl, ppt, ...) to the port's types; "" when
// unknown.
func docTypeOf(w string) idv.DocumentType {
	switch squash(w) {
	case "dlobject", "dl", "driverslicense", "driverlicense", "drivinglicense":
		return idv.DriversLicense
	case "pptobject", "ppt", "passport":
		return idv.Passport
	case "idcardobject", "idcard", "nationalid", "nationalidcard", "residencepermit":
		return idv.IDCard
	}
	return ""
}

// documentOf reads what identifies the document itself; info is v3's
// extractedInfo, which fills fields the document lacks.
func (d obj) documentOf(t idv.DocumentType, info obj) *idv.Document {
	if own := docTypeOf(d.str("documentType", "type")); t == "" {
		t = own
	}
	return &idv.Document{
		Type:           t,
		Number:         firstOf(d.str("documentId", "documentNumber", "document_number", "licenseNumber", "passportNumber"), info.str("documentId")),
		IssuingCountry: normCountry(d.str("issuingCountry", "issuing_country", "countryCode", "country")),
		Issuer:         d.str("issuingState", "issuer", "issuingAuthority", "state"),
		DateOfIssuance: normDate(d.str("doi", "dateOfIssue", "issueDate", "date_of_issue")),
		DateOfExpiry:   normDate(firstOf(d.str("doe", "dateOfExpiry", "expiryDate", "expirationDate", "date_of_expiry"), info.str("doe"))),
	}
}

// person reads the identity attributes printed on the document.
func (d obj) person(info obj) *idv.Person {
	p := &idv.Person{
		GivenName:    firstOf(d.str("firstName", "givenName", "first_name", "given_name"), info.str("firstName")),
		MiddleName:   d.str("middleName", "middle_name"),
		FamilyName:   firstOf(d.str("lastName", "familyName", "surname", "last_name", "family_name"), info.str("lastName")),
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
