package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/users"
)

// createChallengeBody is the input of the "1Kosmos LiveID Step-Up" node.
type createChallengeBody struct {
	UserIdentifier string `json:"user_identifier"`
}

// createChallenge serves POST /v1/stepup/challenges: a LiveID face
// step-up against the enrolled face of the person the caller knows by
// user_identifier.
func (s *Server) createChallenge(ctx context.Context, req *request) (int, any, error) {
	var b createChallengeBody
	if err := decodeBody(req.body, &b); err != nil {
		return 0, nil, err
	}
	if err := checkIdentifier(b.UserIdentifier, true); err != nil {
		return 0, nil, err
	}
	u, err := s.users.FindByIdentifier(ctx, b.UserIdentifier)
	if errors.Is(err, users.ErrNotFound) {
		return 0, nil, ErrUnknownUser
	}
	if err != nil {
		return 0, nil, err
	}
	if !u.Enrolled() {
		return 0, nil, ErrNotEnrolled
	}
	up, err := s.verifier.StartLiveID(ctx, idv.LiveIDRequest{UserRef: u.Subject, Account: u.EnrolledAccount(), FaceImage: u.EnrolledFace()})
	if err != nil {
		return 0, nil, err
	}
	rec := session{
		ID: newID("chl_"), Kind: kindStepUp, Client: req.client.ID, UpstreamID: up.ID, URL: up.URL,
		UserIdentifier: b.UserIdentifier, Subject: u.Subject, CreatedAt: s.now(), ExpiresAt: up.ExpiresAt,
		Status: StatusPending, MatchResult: MatchPending,
	}
	if err := s.track(ctx, rec); err != nil {
		return 0, nil, err
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "api step-up challenge started",
		slog.String("client", req.client.ID), slog.String("challenge_id", rec.ID))
	return http.StatusCreated, map[string]any{
		"challenge_id": rec.ID, "challenge_url": rec.URL, "expires_at": rfc3339(rec.ExpiresAt), "status": rec.Status,
	}, nil
}

// getChallenge serves GET /v1/stepup/challenges/{id}.
func (s *Server) getChallenge(ctx context.Context, req *request) (int, any, error) {
	rec, err := s.loadOwn(ctx, req.client.ID, kindStepUp, req.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, challengeView(s.refreshForRead(ctx, rec)), nil
}

// observeChallenge reads the LiveID challenge upstream and moves rec
// along. Only a live face that matches the enrolled one is a match.
func (s *Server) observeChallenge(ctx context.Context, rec *session) error {
	res, err := s.verifier.LiveIDResult(ctx, rec.UpstreamID)
	if errors.Is(err, idv.ErrNotFound) {
		rec.Status, rec.Reason, rec.MatchResult = StatusExpired, "the challenge no longer exists", NoMatch
		return nil
	}
	if err != nil {
		return err
	}
	rec.CompletedAt = res.CompletedAt
	switch res.Status {
	case idv.StatusPending, idv.StatusInProgress:
		if s.overdue(*rec) {
			rec.Status, rec.Reason, rec.MatchResult = StatusExpired, "the challenge expired", NoMatch
		} else if res.Status == idv.StatusInProgress {
			rec.Status = StatusInProgress
		}
	case idv.StatusCompleted:
		rec.Status, rec.Reason = StatusCompleted, res.Reason
		rec.Liveness, rec.Confidence = string(res.Liveness), res.Confidence
		// The 1Kosmos app proves who signed in; a match is the account the
		// person was verified as.
		u, err := s.users.Get(ctx, rec.Subject)
		if err != nil && !errors.Is(err, users.ErrNotFound) {
			return err
		}
		rec.MatchResult = NoMatch
		if idv.SameAccount(res.Account, u.EnrolledAccount()) {
			rec.MatchResult = Match
		}
	case idv.StatusDeclined:
		rec.Status, rec.Reason, rec.MatchResult = StatusDeclined, nonEmpty(res.Reason, "declined by the person"), NoMatch
	default:
		rec.Status, rec.Reason, rec.MatchResult = StatusExpired, nonEmpty(res.Reason, "the challenge expired"), NoMatch
	}
	return nil
}
