package simulator

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
)

// newSessionRequest is the plain body of PUT {sessions}/session/new. The
// real service needs only origin and purpose (its authenticator app knows
// the user); the simulator also needs the face to compare with: faceRef,
// or a userId enrolled by an earlier proofing session, at top level or
// inside metadata (INFERRED extension).
type newSessionRequest struct {
	Origin   json.RawMessage `json:"origin"`
	Purpose  string          `json:"purpose"`
	UserID   string          `json:"userId"`
	FaceRef  string          `json:"faceRef"`
	Metadata json.RawMessage `json:"metadata"`
}

type sessionMetadata struct {
	UserID  string `json:"userId"`
	FaceRef string `json:"faceRef"`
}

// handleSessionNew answers PUT {sessions}/session/new with 201
// {"sessionId","url"}; url is the simulated authenticator page.
func (s *Simulator) handleSessionNew(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authenticate(w, r, s.sessions); !ok {
		return
	}
	body, ok := readBody(w, r, smallBodyLimit)
	if !ok {
		return
	}
	var q newSessionRequest
	if err := json.Unmarshal(body, &q); err != nil {
		writeError(w, http.StatusBadRequest, "request body must be a JSON object")
		return
	}
	var md sessionMetadata
	if len(q.Metadata) > 0 {
		_ = json.Unmarshal(q.Metadata, &md) // metadata is free-form; use it only if it has our fields
	}
	user, ref := first(q.UserID, md.UserID), first(q.FaceRef, md.FaceRef)
	if ref == "" {
		ref = s.enrolledFace(user)
	}
	if ref == "" {
		writeError(w, http.StatusBadRequest, "no enrolled face: send faceRef or the userId of a proofed user")
		return
	}
	x, err := s.createLive(user, ref, first(q.Purpose, "authentication"), originLabel(q.Origin))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "session cannot be created")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"sessionId": x.ID, "url": s.livePageURL(x.ID)})
}

// handleSessionResponse answers GET {sessions}/session/{id}/response. Until
// the authenticator answers: {sessionId, status}. Then data encrypted with
// ECDH(authenticator, requester publickey) and the authenticator's key.
func (s *Simulator) handleSessionResponse(w http.ResponseWriter, r *http.Request) {
	c, ok := s.authenticate(w, r, s.sessions)
	if !ok {
		return
	}
	x, err := s.liveSnapshot(r.PathValue("id"))
	if err != nil {
		writeError(w, http.StatusNotFound, "session not found")
		return
	}
	out := map[string]any{"sessionId": x.ID, "status": x.Status}
	if x.Reason != "" {
		out["reason"] = x.Reason
	}
	if r.Header.Get("addsessioninfo") == "1" {
		out["sessionInfo"] = map[string]any{"purpose": x.Purpose, "createdAt": rfc3339(x.Created), "expiresAt": rfc3339(x.Expires)}
	}
	if x.Status == wireCompleted {
		data, err := sealForPeer(x.auth, c.publicKey, s.wireLive(x))
		if err != nil {
			writeError(w, http.StatusUnauthorized, "invalid publickey")
			return
		}
		out["data"], out["publicKey"] = data, x.auth.PublicB64()
	}
	writeJSON(w, http.StatusOK, out)
}

func sealForPeer(k *envelope.KeyPair, peer string, v any) (string, error) {
	key, err := k.SharedKey(peer)
	if err != nil {
		return "", err
	}
	return sealJSON(key, v)
}

// originLabel reduces the origin (a string, or the helper's object with
// tag/url/communityName) to a short label for the page.
func originLabel(raw json.RawMessage) string {
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return truncate(str, 120)
	}
	var o struct {
		Tag, URL, CommunityName string
	}
	if json.Unmarshal(raw, &o) == nil {
		return truncate(first(o.URL, o.Tag, o.CommunityName), 120)
	}
	return ""
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func truncate(v string, n int) string {
	if len(v) > n {
		v = v[:n]
	}
	return strings.ToValidUTF8(v, "")
}
