package onekosmos

import (
	"time"

	"github.com/idbridge/idbridge/pkg/idv"
)

// appAnswer is a session response: the plain answer and, once an
// authenticator answered, its decrypted user_data.
type appAnswer struct {
	outer obj
	user  obj
}

// result maps the answer to idv.LiveIDResult, except Account (see
// authenticatedAccount). Answered: completed, with the face outcomes and
// confidence only if the answer states them (1Kosmos's authenticator
// reports none; older answers did). Not answered: what the answer's
// status word says, read leniently because 1Kosmos does not publish what
// it sends then (an unknown word is pending); a session whose
// sessionInfo.expiryTS has passed is expired.
func (a appAnswer) result(now time.Time) idv.LiveIDResult {
	o := a.outer
	r := idv.LiveIDResult{
		ChallengeID: o.str("sessionId", "sessionID", "session_id"),
		Status:      idv.StatusPending,
		Liveness:    idv.NotPerformed,
		FaceMatch:   idv.NotPerformed,
		Reason:      o.str("reason", "message"),
	}
	if u := a.user; u != nil {
		r.Status = idv.StatusCompleted
		r.Liveness, _ = u.outcome("face_liveness", "liveness")
		r.FaceMatch, _ = u.outcome("face_compare", "faceMatch", "face_match")
		r.Confidence = u.confidence("confidence")
		r.CompletedAt = u.when("completedAt", "completed_at")
		if r.CompletedAt.IsZero() {
			r.CompletedAt = now.UTC()
		}
		return r
	}
	if st, _, ok := statusWord(o.str("status")); ok && st != idv.StatusCompleted {
		r.Status = st
	}
	if exp := o.sub("sessionInfo").when("expiryTS"); !r.Status.Terminal() && !exp.IsZero() && !now.Before(exp) {
		r.Status = idv.StatusExpired
	}
	if r.Status.Terminal() {
		r.CompletedAt = now.UTC()
	}
	return r
}
