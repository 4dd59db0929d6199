package simulator

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
)

// POST {docuverify}/verify with the documents 1Kosmos's apps hand their SDK
// (FACTS.md section 5), one check per call:
//
//	["face_liveness"]: document {"id": "<ref>.liveid", "type": "liveid", "liveId": <base64 image>}
//	["face_compare"]:  document {"id": "<ref>.face_compare", "type": "face_compare",
//	                             "image1": <base64>, "image2": <base64>, "purpose": "doc_enrollment"}
//
// The plaintext of the answer's data follows 1Kosmos's Java wire model
// (docId, docType, certifications); each certification carries verified,
// status (200, or 400 for "no"), token, authority and, when not verified,
// message. Where the certifications sit is Spellings.Certifications.
// Refusing a call that names two checks is the simulator's choice (NOT
// PUBLIC); "confidence" appears only with Config.Scores (simulator-only).

// verifyRequest is the plaintext of verify's data.
type verifyRequest struct {
	DVCID         string          `json:"dvcID"`
	Verifications []string        `json:"verifications"`
	Document      json.RawMessage `json:"document"`
}

// verifyDocument holds the fields of both document shapes.
type verifyDocument struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	LiveID  string `json:"liveId"`
	Image1  string `json:"image1"`
	Image2  string `json:"image2"`
	Purpose string `json:"purpose"`
}

// handleVerify answers POST {docuverify}/verify: liveness of a liveid
// document, or comparison of the two images of a face_compare document.
// Outcomes are deterministic (faces.go): the same image bytes match, a
// marked spoof or an undecodable image fails liveness.
func (s *Simulator) handleVerify(w http.ResponseWriter, r *http.Request) {
	var q verifyRequest
	c, ok := s.docuverifyCall(w, r, imageBodyLimit, &q, &q.DVCID)
	if !ok {
		return
	}
	var d verifyDocument
	switch {
	case len(q.Verifications) == 0:
		writeError(w, http.StatusBadRequest, "verifications is required")
		return
	case len(q.Verifications) > 1:
		writeError(w, http.StatusBadRequest, "verifications must name one check: face_liveness or face_compare")
		return
	case len(q.Document) == 0 || string(q.Document) == "null":
		writeError(w, http.StatusBadRequest, "document is required")
		return
	case json.Unmarshal(q.Document, &d) != nil:
		writeError(w, http.StatusBadRequest, "document must be an object of strings")
		return
	case d.ID == "":
		writeError(w, http.StatusBadRequest, "document.id is required")
		return
	}
	var cert map[string]any
	switch v := q.Verifications[0]; v {
	case "face_liveness":
		if d.Type != "liveid" {
			writeError(w, http.StatusBadRequest, `document.type must be "liveid" for face_liveness`)
			return
		}
		img, err := decodeImage(d.LiveID)
		if err != nil {
			writeError(w, http.StatusBadRequest, "document.liveId must be a base64 image")
			return
		}
		cert = certification(v, live(img), "face failed the liveness check")
	case "face_compare":
		if d.Type != "face_compare" {
			writeError(w, http.StatusBadRequest, `document.type must be "face_compare" for face_compare`)
			return
		}
		img1, err1 := decodeImage(d.Image1)
		img2, err2 := decodeImage(d.Image2)
		if err1 != nil || err2 != nil {
			writeError(w, http.StatusBadRequest, "document.image1 and document.image2 must be base64 images")
			return
		}
		if d.Purpose == "" {
			writeError(w, http.StatusBadRequest, "document.purpose is required")
			return
		}
		same := sameFace(img1, img2)
		cert = certification(v, same, "faces do not match")
		if s.cfg.Scores {
			cert["confidence"] = compareConfidence(same)
		}
	default:
		writeError(w, http.StatusBadRequest, "unsupported verification "+quoteShort(v))
		return
	}
	s.writeSealed(w, c, s.verifyAnswer(d, cert))
}

// certification is one entry of certifications.
func certification(check string, verified bool, no string) map[string]any {
	c := map[string]any{
		"type": check, "verified": verified, "status": http.StatusOK,
		"token": "sim-cert." + randomToken(), "authority": proofedBy,
	}
	if !verified {
		c["status"], c["message"] = http.StatusBadRequest, no
	}
	return c
}

// verifyAnswer places cert where Spellings.Certifications says.
func (s *Simulator) verifyAnswer(d verifyDocument, cert map[string]any) map[string]any {
	certs := map[string]any{"certifications": []any{cert}}
	out := map[string]any{"docId": d.ID, "docType": d.Type}
	switch s.cfg.Spellings.Certifications {
	case CertificationsInResult:
		out["result"] = certs
	case CertificationsResultString:
		b, _ := json.Marshal(certs) // maps of strings, bools and numbers always marshal
		out["result"] = string(b)
	default:
		out["certifications"] = certs["certifications"]
	}
	return out
}

// decodeImage decodes standard base64 (a data: URL prefix is tolerated);
// empty is an error. Whether the bytes are an image is liveness's concern.
func decodeImage(v string) ([]byte, error) {
	img, err := base64.StdEncoding.DecodeString(stripDataURL(v))
	if err == nil && len(img) == 0 {
		err = base64.CorruptInputError(0)
	}
	return img, err
}
