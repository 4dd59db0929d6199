package onekosmos

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/idbridge/idbridge/pkg/idv"
)

// sessionRequest is the create sessionRequest, in the helper's field
// order. LivenessMode has no documented wire field; it is sent only when
// Config.RecordLivenessMode is set.
type sessionRequest struct {
	TenantDNS     string `json:"tenantDNS"`
	CommunityName string `json:"communityName"`
	DocumentType  string `json:"documentType"`
	UserUID       string `json:"userUID"`
	DID           string `json:"did"`
	LivenessMode  string `json:"livenessMode,omitempty"`
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

// validDocumentType maps the port's document type to the wire value.
func validDocumentType(d idv.DocumentType) (string, error) {
	switch d {
	case "":
		return string(idv.DriversLicense), nil
	case idv.DriversLicense, idv.Passport, idv.IDCard:
		return string(d), nil
	}
	return "", fmt.Errorf("onekosmos: unknown document type %q: %w", d, idv.ErrInvalidInput)
}

// createRequest builds the create plaintext for req.
func (c *Client) createRequest(req idv.IDVRequest) (createBody, error) {
	doc, err := validDocumentType(req.DocumentType)
	if err != nil {
		return createBody{}, err
	}
	switch req.LivenessMode {
	case "", "passive", "active", "none":
	default:
		return createBody{}, fmt.Errorf("onekosmos: unknown liveness mode %q: %w", req.LivenessMode, idv.ErrInvalidInput)
	}
	user := strings.TrimSpace(req.UserRef)
	if user == "" {
		user = c.newUUID()
	}
	sr := sessionRequest{
		TenantDNS:     c.cfg.TenantDNS,
		CommunityName: c.cfg.Community,
		DocumentType:  doc,
		UserUID:       user,
		DID:           user,
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
