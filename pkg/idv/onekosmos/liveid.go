package onekosmos

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/idbridge/idbridge/pkg/idv"
)

// appSessionRequest is the plain body of PUT {sessions}/session/new: the
// helper's origin, scopes and authtype, plus purpose and metadata naming
// the person and the enrolled face (fields 1Kosmos does not document; the
// simulator reads them, the real service ignores what it does not know).
type appSessionRequest struct {
	Origin   appOrigin   `json:"origin"`
	Scopes   string      `json:"scopes"`
	AuthType string      `json:"authtype"`
	Purpose  string      `json:"purpose"`
	Metadata appMetadata `json:"metadata"`
}

type appOrigin struct {
	Tag           string `json:"tag"`
	URL           string `json:"url"`
	CommunityName string `json:"communityName"`
	CommunityID   string `json:"communityId"`
	AuthPage      string `json:"authPage"`
}

type appMetadata struct {
	UserID  string `json:"userId,omitempty"`
	FaceRef string `json:"faceRef,omitempty"`
}

// StartLiveID creates an authenticator-app session: PUT
// {sessions}/session/new with a plain JSON body and headers encrypted
// with the sessions service key; success is 201 {sessionId, url?}. The
// session URL is the answer's url, else Config.AppSessionURL filled in.
// Never retried.
func (c *Client) StartLiveID(ctx context.Context, req idv.LiveIDRequest) (idv.Session, error) {
	const op = "session_new"
	var ans createAnswer
	var sessions string
	err := c.signedCall(ctx, needSessions, func(t *tenant) error {
		sessions = t.sessions
		body, err := json.Marshal(appSessionRequest{
			Origin: appOrigin{
				Tag: t.tenantTag, URL: t.adminconsole, CommunityName: t.communityName,
				CommunityID: t.communityID, AuthPage: "blockid://authenticate",
			},
			AuthType: "none",
			Purpose:  "authentication",
			Metadata: appMetadata{UserID: req.UserRef, FaceRef: req.FaceRef},
		})
		if err != nil {
			return err
		}
		return c.do(ctx, exchange{
			op: op,
			build: func(ctx context.Context) (*http.Request, error) {
				h, err := t.sess.headers()
				if err != nil {
					return nil, err
				}
				return newRequest(ctx, http.MethodPut, t.sessions+c.cfg.Paths.AppSessionNew, h, body)
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
	u := ans.URL
	if u == "" {
		u = strings.NewReplacer("{sessions}", sessions, "{id}", url.PathEscape(ans.SessionID)).Replace(c.cfg.AppSessionURL)
	}
	return idv.Session{ID: ans.SessionID, URL: u, ExpiresAt: c.cfg.Now().Add(c.cfg.SessionTTL)}, nil
}

// LiveIDResult polls an authenticator-app session: GET
// {sessions}/session/{id}/response with "addsessioninfo: 1". Its data is
// encrypted by the authenticator, so it is decrypted with ECDH(client
// private, the answer's publicKey), not with the service key. Until the
// person answers there is no data and the plain status is reported.
// ErrNotFound for an unknown session. Idempotent and retried.
func (c *Client) LiveIDResult(ctx context.Context, challengeID string) (idv.LiveIDResult, error) {
	const op = "session_response"
	if strings.TrimSpace(challengeID) == "" {
		return idv.LiveIDResult{}, fmt.Errorf("onekosmos: empty challenge id: %w", idv.ErrInvalidInput)
	}
	path := strings.ReplaceAll(c.cfg.Paths.AppSessionResponse, "{id}", url.PathEscape(challengeID))
	var res idv.LiveIDResult
	err := c.signedCall(ctx, needSessions, func(t *tenant) error {
		return c.do(ctx, exchange{
			op: op, idempotent: true,
			build: func(ctx context.Context) (*http.Request, error) {
				h, err := t.sess.headers()
				if err != nil {
					return nil, err
				}
				h["addsessioninfo"] = []string{"1"}
				return newRequest(ctx, http.MethodGet, t.sessions+path, h, nil)
			},
			handle: func(status int, raw []byte) error {
				if status == http.StatusNotFound {
					if err := c.notFound(op, raw); err != errPathMissing {
						return err
					}
					return rejected(op, "session response path not found on sessions (check Paths.AppSessionResponse)")
				}
				if status/100 != 2 {
					return c.serviceError(op, status, raw)
				}
				var err error
				res, err = c.openAppAnswer(raw)
				if err != nil {
					return unavailable(op, err)
				}
				return nil
			},
		})
	})
	if err != nil {
		return idv.LiveIDResult{}, err
	}
	switch res.ChallengeID {
	case "":
		res.ChallengeID = challengeID
	case challengeID:
	default:
		return idv.LiveIDResult{}, unavailable(op, errOtherSession)
	}
	return res, nil
}

// openAppAnswer decrypts and normalises a session response.
func (c *Client) openAppAnswer(raw []byte) (idv.LiveIDResult, error) {
	o, err := parseObj(raw)
	if err != nil {
		return idv.LiveIDResult{}, err
	}
	data := o.str("data")
	if data == "" {
		return normalizeLive(raw, false)
	}
	peer := o.str("publicKey")
	if peer == "" {
		return idv.LiveIDResult{}, errUndecrypt
	}
	s, err := c.signerFor(peer, c.cfg.AppID)
	if err != nil {
		return idv.LiveIDResult{}, errUndecrypt
	}
	plain, err := s.open(data)
	if err != nil {
		return idv.LiveIDResult{}, errUndecrypt
	}
	res, err := normalizeLive(plain, true)
	if err != nil {
		return idv.LiveIDResult{}, err
	}
	if res.ChallengeID == "" {
		res.ChallengeID = o.str("sessionId")
	}
	return res, nil
}
