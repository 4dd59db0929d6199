package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/users"
)

// createChallengeBody is the input of the "1Kosmos LiveID Step-Up" node.
type createChallengeBody struct {
	UserIdentifier string `json:"user_identifier"`
	origin
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
	ip, err := b.check()
	if err != nil {
		return 0, nil, err
	}
	rec, err := s.startChallenge(ctx, req.client.ID, b.UserIdentifier, ip, b.DeviceID)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{
		"challenge_id": rec.ID, "challenge_url": rec.URL, "expires_at": rfc3339(rec.ExpiresAt), "status": rec.Status,
	}, nil
}

// startChallenge starts a LiveID challenge owned by client for the person
// it names by identifier: ErrUnknownUser or ErrNotEnrolled when there is
// no face to compare with.
func (s *Server) startChallenge(ctx context.Context, client, identifier, ip, device string) (session, error) {
	person, err := s.personFor(ctx, client, identifier)
	if err != nil {
		return session{}, err
	}
	live, err := s.journey.LiveIDRequest(ctx, person)
	switch {
	case errors.Is(err, journey.ErrUnknownPerson):
		return session{}, ErrUnknownUser
	case errors.Is(err, journey.ErrNotEnrolled):
		return session{}, ErrNotEnrolled
	case err != nil:
		return session{}, err
	}
	up, err := s.verifier.StartLiveID(ctx, live)
	if err != nil {
		return session{}, err
	}
	rec := session{
		ID: newID("chl_"), Kind: kindStepUp, Client: client, UpstreamID: up.ID, URL: up.URL,
		UserIdentifier: identifier, Subject: person.Subject(), IP: ip, DeviceID: device,
		CreatedAt: s.now(), ExpiresAt: up.ExpiresAt, Status: StatusPending, MatchResult: MatchPending,
	}
	if err := s.track(ctx, rec); err != nil {
		return session{}, err
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "api step-up challenge started",
		slog.String("client", client), slog.String("challenge_id", rec.ID))
	return rec, nil
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
// along. Whether a finished check is a match is the journey core's
// decision: only a live face matching the face enrolled by a bound
// verification of the person the challenge was started for.
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
		return s.completeChallenge(ctx, rec, journey.FaceResult{Liveness: res.Liveness, Match: res.FaceMatch, Account: res.Account})
	case idv.StatusDeclined:
		rec.Status, rec.Reason, rec.MatchResult = StatusDeclined, nonEmpty(res.Reason, "declined by the person"), NoMatch
	default:
		rec.Status, rec.Reason, rec.MatchResult = StatusExpired, nonEmpty(res.Reason, "the challenge expired"), NoMatch
	}
	return nil
}

// completeChallenge asks the journey core whether a finished face check
// authenticated the challenge's person, and records a match in their
// history.
func (s *Server) completeChallenge(ctx context.Context, rec *session, f journey.FaceResult) error {
	person, err := s.journey.Reload(ctx, rec.Subject, journey.FromCaller, users.Identifier{})
	if err != nil {
		return err
	}
	_, err = s.journey.CompleteFace(ctx, person, f)
	switch {
	case err == nil:
		rec.MatchResult = Match
		s.journey.Succeeded(ctx, rec.Subject, s.originOf(*rec))
	case errors.Is(err, journey.ErrLiveness), errors.Is(err, journey.ErrNoMatch):
		rec.MatchResult = NoMatch
		rec.Reason = nonEmpty(rec.Reason, err.Error())
	case errors.Is(err, journey.ErrUnknownPerson), errors.Is(err, journey.ErrNotEnrolled):
		rec.MatchResult, rec.Reason = NoMatch, "the person was erased or is no longer enrolled"
	default:
		return err
	}
	return nil
}
