package onekosmos

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/idbridge/idbridge/pkg/idv"
)

// verifyRequest is the plaintext of the verify body's "data".
type verifyRequest struct {
	DVCID         string         `json:"dvcID"`
	Verifications []string       `json:"verifications"`
	Document      verifyDocument `json:"document"`
}

type verifyDocument struct {
	LiveID string `json:"liveId"`
	Face   string `json:"face,omitempty"`
}

// CheckFace runs liveness and face comparison on an image captured by
// idbridge's own page: POST {docuverify}/verify with the encrypted
// {dvcID, verifications: [face_liveness, face_compare], document: {liveId:
// <base64 image>, face: <FaceRef>}}. Without a FaceRef only face_liveness
// is asked for. The answer is decrypted with the request key. The result
// is always completed and has no ChallengeID. Not retried: each call is a
// billable biometric check, and the caller can ask the person again.
func (c *Client) CheckFace(ctx context.Context, req idv.FaceCheck) (idv.LiveIDResult, error) {
	const op = "verify"
	if len(req.Image) == 0 {
		return idv.LiveIDResult{}, fmt.Errorf("onekosmos: empty image: %w", idv.ErrInvalidInput)
	}
	q := verifyRequest{
		DVCID:         c.cfg.DVCID,
		Verifications: []string{"face_liveness"},
		Document:      verifyDocument{LiveID: base64.StdEncoding.EncodeToString(req.Image), Face: req.FaceRef},
	}
	if req.FaceRef != "" {
		q.Verifications = append(q.Verifications, "face_compare")
	}
	var res idv.LiveIDResult
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
				if res, err = normalizeFace(plain); err != nil {
					return unavailable(op, err)
				}
				return nil
			},
		})
	})
	if err != nil {
		return idv.LiveIDResult{}, err
	}
	res.CompletedAt = c.cfg.Now().UTC()
	return res, nil
}
