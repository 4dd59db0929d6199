package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/stepup"
)

// riskBody is the input of the risk connector node.
type riskBody struct {
	UserIdentifier string `json:"user_identifier"`
	origin
}

// evaluateRisk serves POST /v1/risk/evaluate: the journey core's decision
// for the person the caller names, from the same signals a browser login
// uses (enrolment, verification, devices, networks, countries and the last
// sighting, with the configured GeoIP). The caller has already
// authenticated the person, so the answer is about risk alone: allow,
// liveid, idv or deny. Nothing is recorded: a successful step-up or
// verification started with the same ip and device_id records them.
func (s *Server) evaluateRisk(ctx context.Context, req *request) (int, any, error) {
	var b riskBody
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
	person, err := s.personFor(ctx, req.client.ID, b.UserIdentifier)
	if err != nil {
		return 0, nil, err
	}
	o := s.originOf(session{IP: ip, DeviceID: b.DeviceID})
	var sess *journey.Session
	if person.User != nil {
		sess = &journey.Session{Subject: person.User.Subject, AuthTime: s.now()}
	}
	plan := s.journey.Decide(journey.Demands{Journey: journey.JourneyAuto}, person, sess, o)
	res := plan.Risk
	reasons := make([]string, 0, len(res.Reasons))
	for _, r := range res.Reasons {
		reasons = append(reasons, string(r))
	}
	s.audit.Event(ctx, "risk.evaluate",
		slog.String("client", req.client.ID), slog.String("decision", string(res.Decision)),
		slog.String("risk_level", res.RiskLevel), slog.Any("reasons", reasons), slog.Bool("user_known", person.User != nil))
	return http.StatusOK, map[string]any{
		"decision":        string(res.Decision),
		"risk_level":      res.RiskLevel,
		"score":           res.Score,
		"reasons":         reasons,
		"stepup_required": res.Decision != stepup.Allow,
		"user_known":      person.User != nil,
	}, nil
}
