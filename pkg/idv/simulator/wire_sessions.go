package simulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
)

// UWL 2.0 authenticator sessions, {sessions} of the service map (FACTS.md
// section 6). The simulator serves them under {BaseURL}/liveid, so the URL
// a QR code carries, {sessions}/session/{id}, is also the simulated
// authenticator page a browser opens.
//
//	PUT  {sessions}/session/new                  plain body, signed headers; 201 {sessionId, url}
//	GET  {sessions}/session/{id}                 the session object the app scans (no auth);
//	                                             a browser asking for HTML gets the simulated app
//	POST {sessions}/session/{id}/authenticate    the authenticator's answer {data, publicKey, did, appid}
//	GET  {sessions}/session/{id}/response        signed; 200 {data, publicKey, sessionInfo} once answered
//
// NOT PUBLIC, the simulator's earlier choices kept: the url of the 201
// answer (1Kosmos's helpers replace it anyway); what /response answers
// before an answer: 200 {sessionId, status: "Pending" | "In Progress" |
// "Declined" | "Expired", reason?} without data; the answer to
// /authenticate; error bodies {code, message}. INFERRED: the session
// object's createdTS and expiryTS are unix milliseconds.

// newSessionRequest is the plain body of PUT {sessions}/session/new.
// metadata is free-form; besides 1Kosmos's purpose the simulator reads
// two fields idbridge's client adds: did, the 1Kosmos user expected to
// answer, and userRef, the did of the proofing session that bound them
// (simulator-only: the real service is not told who should answer). Older
// helpers sent metadata inside origin; it is read there too.
type newSessionRequest struct {
	Origin   json.RawMessage `json:"origin"`
	Scopes   string          `json:"scopes"`
	AuthType string          `json:"authtype"`
	Metadata map[string]any  `json:"metadata"`
}

// handleSessionNew answers PUT {sessions}/session/new with 201
// {"sessionId","url"}.
func (s *Simulator) handleSessionNew(w http.ResponseWriter, r *http.Request) {
	c, ok := s.authenticate(w, r, s.sessions)
	if !ok {
		return
	}
	body, ok := readBody(w, r, smallBodyLimit)
	if !ok {
		return
	}
	var q newSessionRequest
	if err := json.Unmarshal(body, &q); err != nil {
		writeError(w, http.StatusBadRequest, "request body must be a JSON object with origin, scopes, authtype and metadata")
		return
	}
	var origin struct {
		sessionOrigin
		Metadata map[string]any `json:"metadata"`
	}
	if len(q.Origin) == 0 || json.Unmarshal(q.Origin, &origin) != nil {
		writeError(w, http.StatusBadRequest, "origin is required: {tag, url, communityName, communityId, authPage}")
		return
	}
	md := q.Metadata
	if md == nil {
		md = origin.Metadata
	}
	purpose, _ := md["purpose"].(string)
	x, err := s.createLive(liveParams{
		Expected: s.expectedAccount(md), Purpose: purpose, Metadata: md, Origin: origin.sessionOrigin,
		Scopes: q.Scopes, AuthType: first(q.AuthType, "none"), RequesterKey: c.publicKey,
	})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "session cannot be created")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"sessionId": x.ID, "url": s.livePageURL(x.ID)})
}

// expectedAccount is the account metadata names (its did, else the
// account of its userRef), nil when none is known.
func (s *Simulator) expectedAccount(md map[string]any) *idv.Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range []string{"did", "userRef"} {
		if v, _ := md[k].(string); v != "" {
			if a := s.lookupLocked(v); a != nil {
				return a.idv()
			}
		}
	}
	return nil
}

// sessionObject is what GET {sessions}/session/{id} answers: the fields
// the iOS app decodes (AuthenticationPayloadV2). publicKey is the
// requester's key, which the authenticator encrypts its answer for.
func (x liveSession) sessionObject() map[string]any {
	md := x.Metadata
	if md == nil {
		md = map[string]any{}
	}
	return map[string]any{
		"_id": x.ID, "sessionId": x.ID, "scopes": x.Scopes, "authtype": x.AuthType, "origin": x.Origin,
		"publicKey": x.RequesterKey, "createdTS": x.Created.UnixMilli(), "expiryTS": x.Expires.UnixMilli(),
		"expiresDate": rfc3339(x.Expires), "__v": 0, "metadata": md,
	}
}

// handleSessionObject answers GET {sessions}/session/{id} with the session
// object, without authentication, as the authenticator app reads it.
func (s *Simulator) handleSessionObject(w http.ResponseWriter, r *http.Request) {
	x, err := s.liveSnapshot(r.PathValue("id"))
	if err != nil {
		writeError(w, http.StatusNotFound, "session not found")
		return
	}
	writeJSON(w, http.StatusOK, x.sessionObject())
}

// wantsHTML reports whether a request for a session URL comes from a
// browser (the QR code's URL opened as a link).
func wantsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// authenticateBody is what an authenticator posts to
// {sessions}/session/{id}/authenticate.
type authenticateBody struct {
	Data      string `json:"data"`
	PublicKey string `json:"publicKey"`
	DID       string `json:"did"`
	AppID     string `json:"appid"`
}

// handleSessionAuthenticate answers POST {sessions}/session/{id}/authenticate:
// an authenticator's answer, user_data already sealed for the requester.
// The simulator cannot read it (nor can 1Kosmos); it stores it for
// /response.
func (s *Simulator) handleSessionAuthenticate(w http.ResponseWriter, r *http.Request) {
	if !s.authenticateApp(w, r) {
		return
	}
	body, ok := readBody(w, r, smallBodyLimit)
	if !ok {
		return
	}
	var q authenticateBody
	switch {
	case json.Unmarshal(body, &q) != nil:
		writeError(w, http.StatusBadRequest, "request body must be a JSON object with data, publicKey, did and appid")
		return
	case q.Data == "":
		writeError(w, http.StatusBadRequest, "data is required")
		return
	case q.PublicKey == "":
		writeError(w, http.StatusBadRequest, "publicKey is required")
		return
	}
	if _, err := s.sessions.SharedKey(q.PublicKey); err != nil {
		writeError(w, http.StatusBadRequest, "publicKey is not a public key on "+s.cfg.Curve)
		return
	}
	s.mu.Lock()
	x, found := s.live[r.PathValue("id")]
	if found {
		s.refreshLive(x)
	}
	answered := found && x.State.active()
	if answered {
		x.Answer, x.State, x.Completed = &liveAnswer{Data: q.Data, PublicKey: q.PublicKey}, stateSucceeded, s.now()
	}
	s.mu.Unlock()
	switch {
	case !found:
		writeError(w, http.StatusNotFound, "session not found")
	case !answered:
		writeError(w, http.StatusBadRequest, "session is no longer waiting for an answer")
	default:
		writeJSON(w, http.StatusOK, map[string]string{"message": "session authenticated"})
	}
}

// handleSessionResponse answers GET {sessions}/session/{id}/response.
// Once answered: {data, publicKey} as the authenticator posted them, data
// decryptable only with ECDH(requester private, publicKey). Before:
// {sessionId, status} without data. With "addsessioninfo: 1", sessionInfo
// is the session object (metadata with its purpose included).
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
	out := map[string]any{"sessionId": x.ID}
	if r.Header.Get("addsessioninfo") == "1" {
		out["sessionInfo"] = x.sessionObject()
	}
	if a := x.Answer; a != nil {
		data, pub := a.Data, a.PublicKey
		if data == "" {
			// Played in-process, polled over the wire: seal for the poller.
			auth, err := envelope.GenerateKey(s.cfg.Curve)
			if err == nil {
				data, err = sealForPeer(auth, c.publicKey, a.User)
			}
			if err != nil {
				writeError(w, http.StatusInternalServerError, "answer cannot be encrypted")
				return
			}
			pub = auth.PublicB64()
		}
		out["data"], out["publicKey"] = data, pub
		writeJSON(w, http.StatusOK, out)
		return
	}
	out["status"] = x.State.label()
	if x.State == stateInProgress {
		out["status"] = "In Progress"
	}
	if x.Reason != "" {
		out["reason"] = x.Reason
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

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }
