package simulator

// The plaintext of POST {docuverify}/document_share_session/result, the
// path 1Kosmos's helpers call (FACTS.md sections 1 and 7):
//
//	unfinished:  {"responseStatus": "INPROGRESS", "sessionId"}            INFERRED from v3
//	passed:      {"responseStatus": "SUCCESS", "sessionId", "token",
//	              "<documentType>": {document object, wire_document.go},
//	              "liveid_object": {"id", "type", "category", "proofedBy", "face"}}
//	failed:      {"responseStatus": "FAILED", "sessionId", "errorInfo"}    errorInfo INFERRED from v3
//	expired:     {"responseStatus": "EXPIRED", "sessionId"}
//	abandoned:   {"responseStatus": "ABANDONED", "sessionId"}
//	declined:    {"sessionId", "status": "Declined", "reason"}            NOT PUBLIC: the simulator's earlier word
//
// plus "scores" when Config.Scores is set (simulator-only). SUCCESS for a
// passed session is INFERRED (iOS accepts any word that is not a failure).

// resultV1 builds the v1 plaintext of a session snapshot.
func (s *Simulator) resultV1(x idvSession) map[string]any {
	m := map[string]any{"sessionId": x.ID}
	switch x.State {
	case statePending, stateInProgress:
		m["responseStatus"] = "INPROGRESS"
	case stateSucceeded:
		o := x.Outcome
		m["responseStatus"] = "SUCCESS"
		m["token"] = o.CertToken
		m[string(o.DocType)] = o.document()
		m["liveid_object"] = liveIDObject{ID: x.DID + ".liveid", Type: "liveid", Category: "biometric", ProofedBy: proofedBy, Face: b64(o.Selfie)}
	case stateFailed:
		m["responseStatus"] = "FAILED"
		m["errorInfo"] = s.errorInfo(x)
	case stateExpired:
		m["responseStatus"] = "EXPIRED"
	case stateAbandoned:
		m["responseStatus"] = "ABANDONED"
	case stateDeclined:
		m["status"], m["reason"] = "Declined", x.Reason
	}
	s.addScores(m, x)
	return m
}

// addScores adds the simulator-only scores of a finished presentation.
func (s *Simulator) addScores(m map[string]any, x idvSession) {
	if s.cfg.Scores && x.Outcome != nil && (x.State == stateSucceeded || x.State == stateFailed) {
		m["scores"] = x.scores()
	}
}
