package onekosmos

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/idbridge/idbridge/pkg/idv"
)

// sessionRequest is the create sessionRequest, in the helper's field
// order. DocumentTypes and LivenessMode are ours: 1Kosmos documents
// neither.
type sessionRequest struct {
	TenantDNS     string `json:"tenantDNS"`
	CommunityName string `json:"communityName"`
	// DocumentType is the document the session starts with (documented).
	DocumentType string `json:"documentType"`
	// DocumentTypes lists every document the person may present, sent
	// only when there are several: NOT PUBLIC whether a real tenant reads
	// it (the dvcID workflow decides what its hosted page accepts); the
	// simulator offers exactly these.
	DocumentTypes []string `json:"documentTypes,omitempty"`
	UserUID       string   `json:"userUID"`
	DID           string   `json:"did"`
	// LivenessMode is sent only with Config.RecordLivenessMode.
	LivenessMode string `json:"livenessMode,omitempty"`
}

// createBody is the plaintext of the create body's "data".
type createBody struct {
	DVCID          string         `json:"dvcID,omitempty"`
	SessionRequest sessionRequest `json:"sessionRequest"`
}

// createAnswer is the plain create answer.
type createAnswer struct {
	SessionID string `json:"sessionId"`
	URL       string `json:"url"`
}

// createRequest builds the create plaintext for req: every document type
// known (driver's licence when none), the liveness mode one 1Kosmos can
// honour.
func (c *Client) createRequest(req idv.IDVRequest) (createBody, error) {
	var docs []string
	for _, d := range req.DocumentTypes {
		if !d.Known() {
			return createBody{}, fmt.Errorf("onekosmos: unknown document type %q: %w", d, idv.ErrInvalidInput)
		}
		if !slices.Contains(docs, string(d)) {
			docs = append(docs, string(d))
		}
	}
	if len(docs) == 0 {
		docs = []string{string(idv.DriversLicense)}
	}
	if req.LivenessMode != "" && !slices.Contains(idv.LivenessModes, req.LivenessMode) {
		return createBody{}, fmt.Errorf("onekosmos: liveness mode %q cannot be asked of 1Kosmos (it honours %s): %w",
			req.LivenessMode, strings.Join(idv.LivenessModes, ", "), idv.ErrInvalidInput)
	}
	user := strings.TrimSpace(req.UserRef)
	if user == "" {
		user = c.newUUID()
	}
	sr := sessionRequest{
		TenantDNS:     c.cfg.TenantDNS,
		CommunityName: c.cfg.Community,
		DocumentType:  docs[0],
		UserUID:       user,
		DID:           user,
	}
	if len(docs) > 1 {
		sr.DocumentTypes = docs
	}
	if c.cfg.RecordLivenessMode {
		sr.LivenessMode = req.LivenessMode
	}
	return createBody{DVCID: c.cfg.DVCID, SessionRequest: sr}, nil
}

// StartIDV creates a docuverify document share session:
// POST {docuverify}/document_share_session/create with the encrypted
// {dvcID, sessionRequest}; the plain answer is {sessionId, url}. It is
// never retried (a retried create makes a second session), except once
// after a 401 caused by a rotated service key. ExpiresAt is now +
// Config.SessionTTL: 1Kosmos documents no lifetime.
func (c *Client) StartIDV(ctx context.Context, req idv.IDVRequest) (idv.Session, error) {
	const op = "create"
	body, err := c.createRequest(req)
	if err != nil {
		return idv.Session{}, err
	}
	var ans createAnswer
	err = c.signedCall(ctx, needDocuverify, func(t *tenant) error {
		return c.do(ctx, exchange{
			op: op,
			build: func(ctx context.Context) (*http.Request, error) {
				return t.dv.request(ctx, http.MethodPost, t.docuverify+c.cfg.Paths.CreateSession, body)
			},
			handle: func(status int, raw []byte) error {
				if err := c.decodeAnswer(op, status, raw, &ans); err != nil {
					return err
				}
				if ans.SessionID == "" {
					return unavailable(op, errGarbage)
				}
				return nil
			},
		})
	})
	if err != nil {
		return idv.Session{}, err
	}
	return idv.Session{
		ID:        ans.SessionID,
		URL:       ans.URL,
		ExpiresAt: c.cfg.Now().Add(c.cfg.SessionTTL),
	}, nil
}
