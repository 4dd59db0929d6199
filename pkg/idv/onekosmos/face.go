package onekosmos

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/idbridge/idbridge/pkg/idv"
)

// verifyRequest is the plaintext of the verify body's "data": one check
// on one document, as 1Kosmos's apps hand their SDK (FACTS.md section 5).
type verifyRequest struct {
	DVCID         string   `json:"dvcID"`
	Verifications []string `json:"verifications"`
	Document      any      `json:"document"`
}

// livenessDocument is the document of a face_liveness check.
type livenessDocument struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	LiveID string `json:"liveId"`
}

// compareDocument is the document of a face_compare check.
type compareDocument struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Image1  string `json:"image1"`
	Image2  string `json:"image2"`
	Purpose string `json:"purpose"`
}

// CheckFace runs liveness on an image captured by idbridge's own page and
// compares it with the enrolled face: POST {docuverify}/verify with
// ["face_liveness"] and {id: "<ref>.liveid", type: "liveid", liveId}, then,
// when that passed and req.Enrolled is set, ["face_compare"] and {id,
// type: "face_compare", image1: the capture, image2: the enrolled face,
// purpose}. <ref> is a random reference per check (1Kosmos's apps use the
// user's DID; idbridge sends nothing personal). Each answer is decrypted
// with the request key and read for its certification (normalizeCheck).
// Not retried: each call is a billable biometric check, and the caller
// can ask the person again.
func (c *Client) CheckFace(ctx context.Context, req idv.FaceCheck) (idv.LiveIDResult, error) {
	if len(req.Image) == 0 {
		return idv.LiveIDResult{}, fmt.Errorf("onekosmos: empty image: %w", idv.ErrInvalidInput)
	}
	ref := c.newUUID()
	img := base64.StdEncoding.EncodeToString(req.Image)
	res := idv.LiveIDResult{Status: idv.StatusCompleted, FaceMatch: idv.NotPerformed}
	live, err := c.verify(ctx, "face_liveness", livenessDocument{ID: ref + ".liveid", Type: "liveid", LiveID: img})
	if err != nil {
		return idv.LiveIDResult{}, err
	}
	res.Liveness, res.Reason = live.outcome, live.reason
	if live.outcome == idv.Passed && len(req.Enrolled) > 0 {
		cmp, err := c.verify(ctx, "face_compare", compareDocument{
			ID: ref + ".face_compare", Type: "face_compare", Image1: img,
			Image2: base64.StdEncoding.EncodeToString(req.Enrolled), Purpose: c.cfg.FacePurpose,
		})
		if err != nil {
			return idv.LiveIDResult{}, err
		}
		res.FaceMatch, res.Reason, res.Confidence = cmp.outcome, cmp.reason, cmp.confidence
	}
	res.CompletedAt = c.cfg.Now().UTC()
	return res, nil
}

// verify makes one /verify call for check on doc.
func (c *Client) verify(ctx context.Context, check string, doc any) (checkResult, error) {
	const op = "verify"
	q := verifyRequest{DVCID: c.cfg.DVCID, Verifications: []string{check}, Document: doc}
	var res checkResult
	err := c.signedCall(ctx, needDocuverify, func(t *tenant) error {
		return c.do(ctx, exchange{
			op: op,
			build: func(ctx context.Context) (*http.Request, error) {
				return t.dv.request(ctx, http.MethodPost, t.docuverify+c.cfg.Paths.Verify, q)
			},
			handle: func(status int, raw []byte) error {
				if status/100 != 2 {
					return c.serviceError(op, status, raw)
				}
				plain, err := openAnswer(t.dv, raw)
				if err != nil {
					return unavailable(op, err)
				}
				if res, err = normalizeCheck(plain, check); err != nil {
					return unavailable(op, err)
				}
				return nil
			},
		})
	})
	return res, err
}
