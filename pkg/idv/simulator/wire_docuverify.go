package simulator

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/idbridge/idbridge/pkg/idv"
)

// checkDVCID answers 400 for a missing dvcID and 404 for an unknown one,
// the two errors 1Kosmos documents for create.
func (s *Simulator) checkDVCID(w http.ResponseWriter, dvcID string) bool {
	switch {
	case dvcID == "":
		writeError(w, http.StatusBadRequest, "dvcID is required")
		return false
	case dvcID != s.cfg.DVCID:
		writeError(w, http.StatusNotFound, "dvcID not found")
		return false
	}
	return true
}

// docuverifyCall authenticates a docuverify request, decrypts its data
// into q and checks the dvcID that decoding stored in *dvcID. It writes the
// error answer itself and reports whether the handler may go on.
func (s *Simulator) docuverifyCall(w http.ResponseWriter, r *http.Request, limit int64, q any, dvcID *string) (caller, bool) {
	c, ok := s.authenticate(w, r, s.docuverify)
	if !ok {
		return c, false
	}
	inner, ok := s.openData(w, r, c, limit)
	if !ok {
		return c, false
	}
	if err := json.Unmarshal(inner, q); err != nil {
		writeError(w, http.StatusBadRequest, "data has fields of the wrong type")
		return c, false
	}
	return c, s.checkDVCID(w, *dvcID)
}

// handleCreate answers POST {docuverify}/document_share_session/create with
// plain {"sessionId","url"}.
func (s *Simulator) handleCreate(w http.ResponseWriter, r *http.Request) {
	var q struct {
		DVCID          string `json:"dvcID"`
		SessionRequest *struct {
			TenantDNS     string `json:"tenantDNS"`
			CommunityName string `json:"communityName"`
			DocumentType  string `json:"documentType"`
			UserUID       string `json:"userUID"`
			DID           string `json:"did"`
		} `json:"sessionRequest"`
	}
	_, ok := s.docuverifyCall(w, r, smallBodyLimit, &q, &q.DVCID)
	if !ok {
		return
	}
	sr := q.SessionRequest
	switch {
	case sr == nil:
		writeError(w, http.StatusBadRequest, "sessionRequest is required")
		return
	case sr.TenantDNS != "" && !strings.EqualFold(sr.TenantDNS, s.cfg.TenantDNS):
		writeError(w, http.StatusBadRequest, "unknown tenantDNS")
		return
	case sr.CommunityName != "" && sr.CommunityName != s.cfg.Community:
		writeError(w, http.StatusBadRequest, "unknown communityName")
		return
	case !validDocType(idv.DocumentType(sr.DocumentType)):
		writeError(w, http.StatusBadRequest, "documentType must be one of dl_object, ppt_object, idcard_object")
		return
	}
	user := sr.UserUID
	if user == "" {
		user = sr.DID
	}
	x, err := s.createIDV(idv.DocumentType(sr.DocumentType), user)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "session cannot be created")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"sessionId": x.ID, "url": s.idvPageURL(x.ID)})
}

// handleResult answers POST {docuverify}/document_share_session/result
// (and /v3/...) with {"data": enc(result), "publicKey"}; data is encrypted
// with the request's own key.
func (s *Simulator) handleResult(w http.ResponseWriter, r *http.Request) {
	var q struct {
		DVCID     string `json:"dvcID"`
		SessionID string `json:"sessionId"`
	}
	c, ok := s.docuverifyCall(w, r, smallBodyLimit, &q, &q.DVCID)
	if !ok {
		return
	}
	if q.SessionID == "" {
		writeError(w, http.StatusBadRequest, "sessionId is required")
		return
	}
	x, err := s.idvSnapshot(q.SessionID)
	if err != nil {
		writeError(w, http.StatusNotFound, "session not found")
		return
	}
	s.writeSealed(w, c, s.wireResult(x).fields())
}

// handleVerify answers POST {docuverify}/verify: liveness and comparison of
// document.liveId (base64 image) with document.face (an enrolled FaceRef).
func (s *Simulator) handleVerify(w http.ResponseWriter, r *http.Request) {
	var q struct {
		DVCID         string   `json:"dvcID"`
		Verifications []string `json:"verifications"`
		Document      *struct {
			LiveID string `json:"liveId"`
			Face   string `json:"face"`
		} `json:"document"`
	}
	c, ok := s.docuverifyCall(w, r, imageBodyLimit, &q, &q.DVCID)
	if !ok {
		return
	}
	if q.Document == nil || q.Document.LiveID == "" {
		writeError(w, http.StatusBadRequest, "document.liveId is required")
		return
	}
	if len(q.Verifications) == 0 {
		writeError(w, http.StatusBadRequest, "verifications is required")
		return
	}
	for _, v := range q.Verifications {
		if v != "face_liveness" && v != "face_compare" {
			writeError(w, http.StatusBadRequest, "unsupported verification "+quoteShort(v))
			return
		}
	}
	img, err := base64.StdEncoding.DecodeString(stripDataURL(q.Document.LiveID))
	if err != nil || len(img) == 0 {
		writeError(w, http.StatusBadRequest, "document.liveId must be a base64 image")
		return
	}
	fc := checkFace(img, q.Document.Face)
	out := map[string]any{"faceRef": fc.Ref}
	if slices.Contains(q.Verifications, "face_liveness") {
		out["face_liveness"] = map[string]any{"status": fc.Liveness}
	}
	if slices.Contains(q.Verifications, "face_compare") {
		out["face_compare"] = map[string]any{"status": fc.Compare, "confidence": fc.Confidence}
	}
	if s.cfg.Scores {
		out["scores"] = faceScores(fc)
	}
	s.writeSealed(w, c, out)
}

// writeSealed answers 200 {"data": enc(v), "publicKey": docuverify key}.
func (s *Simulator) writeSealed(w http.ResponseWriter, c caller, v any) {
	data, err := sealJSON(c.key, v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "response cannot be encrypted")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"data": data, "publicKey": s.docuverify.PublicB64()})
}

// stripDataURL accepts "data:image/png;base64,..." as well as bare base64.
func stripDataURL(v string) string {
	if strings.HasPrefix(v, "data:") {
		if i := strings.IndexByte(v, ','); i >= 0 {
			return v[i+1:]
		}
	}
	return v
}

func quoteShort(v string) string {
	if len(v) > 40 {
		v = v[:40] + "..."
	}
	b, _ := json.Marshal(v)
	return string(b)
}
