package onekosmos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/idbridge/idbridge/pkg/idv"
)

// errPathMissing marks a 404 that is not a 1Kosmos answer about the
// session (no JSON body with "code": 404): the path itself is unknown.
var errPathMissing = errors.New("onekosmos: path not found")

// resultQuery is the plaintext of the result body's "data".
type resultQuery struct {
	DVCID     string `json:"dvcID"`
	SessionID string `json:"sessionId"`
}

// IDVResult polls a document share session: POST
// {docuverify}/v3/document_share_session/result with the encrypted
// {dvcID, sessionId}. The answer's "data" is decrypted with the request key
// (the returned publicKey is ignored, as by 1Kosmos's helpers).
//
// Newer path first: a 404 that is not a 1Kosmos JSON error (an HTML or
// empty "no such route" page) means the service predates it, so the call
// is repeated on Paths.ResultFallback, which is then used until the next
// bootstrap refresh. A 404 answered as {"code":404,...} is ErrNotFound.
// The call is idempotent and retried on ErrUnavailable outcomes.
func (c *Client) IDVResult(ctx context.Context, sessionID string) (idv.IDVResult, error) {
	if strings.TrimSpace(sessionID) == "" {
		return idv.IDVResult{}, fmt.Errorf("onekosmos: empty session id: %w", idv.ErrInvalidInput)
	}
	q := resultQuery{DVCID: c.cfg.DVCID, SessionID: sessionID}
	var plain []byte
	err := c.signedCall(ctx, needDocuverify, func(t *tenant) error {
		fallback := c.resultFallback.Load() || c.cfg.Paths.Result == c.cfg.Paths.ResultFallback
		path := c.cfg.Paths.Result
		if fallback {
			path = c.cfg.Paths.ResultFallback
		}
		var err error
		plain, err = c.fetchResult(ctx, t, path, q)
		if errors.Is(err, errPathMissing) && !fallback {
			c.resultFallback.Store(true)
			c.log.InfoContext(ctx, "1kosmos result path not found; using the fallback path")
			plain, err = c.fetchResult(ctx, t, c.cfg.Paths.ResultFallback, q)
		}
		if errors.Is(err, errPathMissing) {
			return rejected("result", "result path not found on docuverify (check Paths.Result and Paths.ResultFallback)")
		}
		return err
	})
	if err != nil {
		return idv.IDVResult{}, err
	}
	res, err := normalizeResult(plain, c.cfg.Now())
	if err != nil {
		return idv.IDVResult{}, unavailable("result", err)
	}
	switch res.SessionID {
	case "":
		res.SessionID = sessionID
	case sessionID:
	default:
		// Never hand one person's result to another's session.
		return idv.IDVResult{}, unavailable("result", errOtherSession)
	}
	return res, nil
}

// fetchResult makes one (retried) result call on path and returns the
// decrypted result JSON.
func (c *Client) fetchResult(ctx context.Context, t *tenant, path string, q resultQuery) ([]byte, error) {
	const op = "result"
	var plain []byte
	err := c.do(ctx, exchange{
		op: op, idempotent: true,
		build: func(ctx context.Context) (*http.Request, error) {
			return t.dv.request(ctx, http.MethodPost, t.docuverify+path, q)
		},
		handle: func(status int, raw []byte) error {
			if status == http.StatusNotFound {
				return c.notFound(op, raw)
			}
			if status/100 != 2 {
				return c.serviceError(op, status, raw)
			}
			var err error
			plain, err = openAnswer(t.dv, raw)
			if err != nil {
				return unavailable(op, err)
			}
			return nil
		},
	})
	return plain, err
}

// notFound classifies a 404. Only a 1Kosmos JSON error ({"code":404}) is
// about the session; one that names the dvcID is a setup problem; any
// other 404 says the path does not exist.
func (c *Client) notFound(op string, raw []byte) error {
	code, msg, ok := parseErrorBody(raw)
	if !ok || code != http.StatusNotFound {
		return errPathMissing
	}
	e := c.serviceError(op, http.StatusNotFound, raw)
	if !strings.Contains(strings.ToLower(msg), "dvcid") {
		e.kind = idv.ErrNotFound
	}
	return e
}

// openAnswer returns the result JSON of an answer {"data", "publicKey"}:
// data decrypted with s when it is a string, data itself when it is an
// object (as in 1Kosmos's Postman examples), the whole answer when there
// is no data.
func openAnswer(s *signer, raw []byte) ([]byte, error) {
	var outer struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &outer); err != nil {
		return nil, errGarbage
	}
	d := []byte(strings.TrimSpace(string(outer.Data)))
	switch {
	case len(d) == 0 || string(d) == "null":
		return raw, nil
	case d[0] == '{':
		return d, nil
	case d[0] != '"':
		return nil, errGarbage
	}
	var wire string
	if err := json.Unmarshal(d, &wire); err != nil {
		return nil, errGarbage
	}
	plain, err := s.open(wire)
	if err != nil {
		return nil, errUndecrypt
	}
	if !json.Valid(plain) {
		return nil, errGarbage
	}
	return plain, nil
}
