package onekosmos

import (
	"time"

	"github.com/idbridge/idbridge/pkg/idv"
)

// normalizeLive maps the decrypted data of an authenticator session
// response (or, with no data, the plain answer) to idv.LiveIDResult.
// Field names follow the simulator's result_wire.go: status,
// face_liveness, face_compare, confidence, reason, completedAt.
// hasData says the answer carried authenticator data: the person answered,
// so a missing status reads as completed.
func normalizeLive(plain []byte, hasData bool) (idv.LiveIDResult, error) {
	o, err := parseObj(plain)
	if err != nil {
		return idv.LiveIDResult{}, err
	}
	st, err := o.status(hasData)
	if err != nil {
		return idv.LiveIDResult{}, err
	}
	r := idv.LiveIDResult{
		ChallengeID: o.str("sessionId", "sessionID", "session_id"),
		Status:      st,
		Liveness:    o.outcome("face_liveness", "liveness"),
		FaceMatch:   o.outcome("face_compare", "faceMatch", "face_match"),
		Confidence:  o.confidence(),
		CompletedAt: o.when("completedAt", "completed_at"),
		Reason:      o.str("reason", "message"),
	}
	if !r.Status.Terminal() {
		r.CompletedAt = time.Time{}
	}
	return r, nil
}

// normalizeFace maps the decrypted answer of {docuverify}/verify:
// face_liveness {status}, face_compare {status, confidence}. A face check
// is synchronous, so the result is always completed.
func normalizeFace(plain []byte) (idv.LiveIDResult, error) {
	o, err := parseObj(plain)
	if err != nil {
		return idv.LiveIDResult{}, err
	}
	return idv.LiveIDResult{
		Status:     idv.StatusCompleted,
		Liveness:   o.outcome("face_liveness", "liveness"),
		FaceMatch:  o.outcome("face_compare", "faceMatch"),
		Confidence: o.confidence(),
		Reason:     o.str("reason", "message"),
	}, nil
}

// confidence reads a match confidence in [0, 1] from face_compare or the
// top level; a percentage is scaled down; anything else reads as 0.
func (o obj) confidence() float64 {
	f, ok := o.num("confidence")
	if fc := o.sub("face_compare"); fc != nil {
		if v, has := fc.num("confidence"); has {
			f, ok = v, true
		}
	}
	if !ok || f != f || f < 0 {
		return 0
	}
	if f > 1 && f <= 100 {
		f /= 100
	}
	if f > 1 {
		return 0
	}
	return f
}
