package simulator

// The plaintext of POST {docuverify}/v3/document_share_session/result, as
// 1Kosmos's public Postman collection shows it (FACTS.md section 2):
//
//	unfinished:  exactly {"responseStatus": "INPROGRESS", "id"}
//	passed:      {"sessionResult": "SUCCESS", "sessionId",
//	              "sessionData": {"user": {"firstname", "lastname", "username", "uid"}, "documentType"},
//	              "extractedInfo": {"documentType", "documentId", "firstName", "lastName", "doe"},
//	              "document": {document object, wire_document.go}}
//	failed:      {"sessionResult": "FAILED", "sessionId", "sessionData", "extractedInfo": {},
//	              "errorInfo": {"status": 400, "message", "reason", "reason_code"}}
//	             or, with Spellings.ReasonCodeCamel, errorInfo {"status", "message", "reason",
//	              "reasonCode", "type", "docType", "docId", "ts"} as in the second public sample
//	expired:     {"sessionResult": "EXPIRED", "sessionId"}     INFERRED from Android's SDK object
//	abandoned:   {"sessionResult": "ABANDONED", "sessionId"}   INFERRED from Android's SDK object
//	declined:    {"sessionId", "status": "Declined", "reason"} NOT PUBLIC: the simulator's earlier word
//
// plus "scores" when Config.Scores is set (simulator-only). sessionData's
// user is the account the simulator plays for the session's did: uid is
// that DID, username its first user id (simulator-only naming).

// resultV3 builds the v3 plaintext of a session snapshot.
func (s *Simulator) resultV3(x idvSession) map[string]any {
	m := map[string]any{"sessionId": x.ID}
	switch x.State {
	case statePending, stateInProgress:
		return map[string]any{"responseStatus": "INPROGRESS", "id": x.ID}
	case stateSucceeded:
		o := x.Outcome
		doc := o.document()
		m["sessionResult"] = "SUCCESS"
		m["sessionData"] = s.sessionData(x)
		m["extractedInfo"] = map[string]any{
			"documentType": doc.DocumentType, "documentId": doc.DocumentID,
			"firstName": doc.FirstName, "lastName": doc.LastName, "doe": doc.DOE,
		}
		m["document"] = doc
	case stateFailed:
		m["sessionResult"] = "FAILED"
		m["sessionData"] = s.sessionData(x)
		m["extractedInfo"] = map[string]any{}
		m["errorInfo"] = s.errorInfo(x)
	case stateExpired:
		m["sessionResult"] = "EXPIRED"
	case stateAbandoned:
		m["sessionResult"] = "ABANDONED"
	case stateDeclined:
		m["status"], m["reason"] = "Declined", x.Reason
	}
	s.addScores(m, x)
	return m
}

// sessionData is v3's sessionData: whose session it was and the document
// type it was for.
func (s *Simulator) sessionData(x idvSession) map[string]any {
	doc := x.DocTypes[0]
	if x.Outcome != nil {
		doc = x.Outcome.DocType
	}
	user := map[string]any{"uid": x.DID}
	s.mu.Lock()
	if a := s.lookupLocked(x.DID); a != nil {
		user["username"], user["firstname"], user["lastname"] = a.UserIDs[0], a.FirstName, a.LastName
	}
	s.mu.Unlock()
	return map[string]any{"user": user, "documentType": string(doc)}
}

// errorInfo is a FAILED session's errorInfo in the configured spelling.
func (s *Simulator) errorInfo(x idvSession) map[string]any {
	f := x.Failure
	m := map[string]any{"status": 400, "message": f.Message, "reason": f.Reason}
	if !s.cfg.Spellings.ReasonCodeCamel {
		m["reason_code"] = f.Code
		return m
	}
	m["reasonCode"] = f.Code
	m["type"] = "document_verification"
	m["docType"], m["docId"] = string(x.DocTypes[0]), ""
	if o := x.Outcome; o != nil {
		m["docType"], m["docId"] = string(o.DocType), o.Fixture.Document.Number
	}
	m["ts"] = x.Completed.UnixMilli()
	return m
}
