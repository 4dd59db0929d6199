package simulator

import (
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

// createRequest is the plaintext of create's data: {dvcID, sessionRequest}
// as 1Kosmos's helpers send it, plus documentTypes, idbridge's way of
// offering several documents (NOT PUBLIC whether a real tenant reads it;
// its dvcID workflow decides what its hosted page accepts).
type createRequest struct {
	DVCID          string `json:"dvcID"`
	SessionRequest *struct {
		TenantDNS     string   `json:"tenantDNS"`
		CommunityName string   `json:"communityName"`
		DocumentType  string   `json:"documentType"`
		DocumentTypes []string `json:"documentTypes"`
		UserUID       string   `json:"userUID"`
		DID           string   `json:"did"`
	} `json:"sessionRequest"`
}

// handleCreate answers POST {docuverify}/document_share_session/create with
// plain {"sessionId","url"}.
func (s *Simulator) handleCreate(w http.ResponseWriter, r *http.Request) {
	var q createRequest
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
	}
	docs, msg := documentTypes(sr.DocumentType, sr.DocumentTypes)
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	x, err := s.createIDV(docs, first(sr.DID, sr.UserUID))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "session cannot be created")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"sessionId": x.ID, "url": s.idvPageURL(x.ID)})
}

// documentTypes returns the session's documents: documentType first, then
// the others of documentTypes; or why they are refused.
func documentTypes(first string, more []string) ([]idv.DocumentType, string) {
	const known = "must be one of dl_object, ppt_object, idcard_object"
	d := idv.DocumentType(first)
	if !d.Known() {
		return nil, "documentType " + known
	}
	docs := []idv.DocumentType{d}
	if len(more) > len(idv.DocumentTypes) {
		return nil, "documentTypes lists more than the three document types"
	}
	for _, m := range more {
		md := idv.DocumentType(m)
		if !md.Known() {
			return nil, "documentTypes entries " + known
		}
		if !slices.Contains(docs, md) {
			docs = append(docs, md)
		}
	}
	return docs, ""
}

// handleResult answers POST {docuverify}/document_share_session/result
// (the v1 shapes of result_v1.go) and /v3/... (result_v3.go) with
// {"data": enc(result), "publicKey"}; data is encrypted with the request's
// own key.
func (s *Simulator) handleResult(v3 bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
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
		if v3 {
			s.writeSealed(w, c, s.resultV3(x))
		} else {
			s.writeSealed(w, c, s.resultV1(x))
		}
	}
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
