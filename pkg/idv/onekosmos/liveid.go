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

// appSessionRequest is the plain body of PUT {sessions}/session/new, as
// 1Kosmos's helpers send it: origin, scopes, authtype and free-form
// metadata (FACTS.md section 6).
type appSessionRequest struct {
	Origin   appOrigin   `json:"origin"`
	Scopes   string      `json:"scopes"`
	AuthType string      `json:"authtype"`
	Metadata appMetadata `json:"metadata"`
}

type appOrigin struct {
	Tag           string `json:"tag"`
	URL           string `json:"url"`
	CommunityName string `json:"communityName"`
	CommunityID   string `json:"communityId"`
	AuthPage      string `json:"authPage"`
}

// appMetadata is the session's metadata. Purpose is 1Kosmos's (its helpers
// read sessionInfo.metadata.purpose). DID and UserRef are ours: the DID of
// the 1Kosmos user expected to answer and the opaque reference the person
// was proofed under (the did of their proofing session). The real service
// stores metadata as it is and does not act on them; the simulator reads
// them to play that user. Nothing personal is sent: anyone holding the
// session URL can read the session object.
type appMetadata struct {
	Purpose string `json:"purpose"`
	DID     string `json:"did,omitempty"`
	UserRef string `json:"userRef,omitempty"`
}

// StartLiveID creates an authenticator-app session: PUT
// {sessions}/session/new with a plain JSON body and headers encrypted
// with the sessions service key; success is 201 {sessionId}. The session
// URL is Config.AppSessionURL filled in, {sessions}/session/{id} by
// default: the answer's url is not used, as 1Kosmos's helpers replace it.
// Never retried.
func (c *Client) StartLiveID(ctx context.Context, req idv.LiveIDRequest) (idv.Session, error) {
	const op = "session_new"
	md := appMetadata{Purpose: "authentication", UserRef: req.UserRef}
	if req.Account != nil {
		md.DID = req.Account.DID
	}
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
			Metadata: md,
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
	u := strings.NewReplacer("{sessions}", sessions, "{id}", url.PathEscape(ans.SessionID)).Replace(c.cfg.AppSessionURL)
	return idv.Session{ID: ans.SessionID, URL: u, ExpiresAt: c.cfg.Now().Add(c.cfg.SessionTTL)}, nil
}

// LiveIDResult polls an authenticator-app session: GET
// {sessions}/session/{id}/response with "addsessioninfo: 1". A 200
// without data means nobody has answered (its status word, when it has
// one, is read leniently; a session object past its expiryTS is expired).
// With data, the authenticator's user_data is decrypted with ECDH(client
// private, the answer's publicKey) and the user who signed in is checked
// as 1Kosmos's helpers check it (authenticatedAccount). ErrNotFound for an
// unknown session. Idempotent and retried.
func (c *Client) LiveIDResult(ctx context.Context, challengeID string) (idv.LiveIDResult, error) {
	const op = "session_response"
	if strings.TrimSpace(challengeID) == "" {
		return idv.LiveIDResult{}, fmt.Errorf("onekosmos: empty challenge id: %w", idv.ErrInvalidInput)
	}
	path := strings.ReplaceAll(c.cfg.Paths.AppSessionResponse, "{id}", url.PathEscape(challengeID))
	var ans appAnswer
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
				if ans, err = c.openAppAnswer(raw); err != nil {
					return unavailable(op, err)
				}
				return nil
			},
		})
	})
	if err != nil {
		return idv.LiveIDResult{}, err
	}
	res := ans.result(c.cfg.Now())
	if ans.user != nil {
		res.Account, res.Reason, err = c.authenticatedAccount(ctx, ans.user)
		if err != nil {
			return idv.LiveIDResult{}, err
		}
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

// openAppAnswer reads a session response and, when it carries data,
// decrypts the authenticator's user_data.
func (c *Client) openAppAnswer(raw []byte) (appAnswer, error) {
	o, err := parseObj(raw)
	if err != nil {
		return appAnswer{}, err
	}
	a := appAnswer{outer: o}
	data := o.str("data")
	if data == "" {
		return a, nil
	}
	peer := o.str("publicKey")
	if peer == "" {
		return appAnswer{}, errUndecrypt
	}
	s, err := c.signerFor(peer, c.cfg.AppID)
	if err != nil {
		return appAnswer{}, errUndecrypt
	}
	plain, err := s.open(data)
	if err != nil {
		return appAnswer{}, errUndecrypt
	}
	if a.user, err = parseObj(plain); err != nil {
		return appAnswer{}, err
	}
	return a, nil
}
