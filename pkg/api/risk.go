package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/policy"
	"github.com/idbridge/idbridge/pkg/stepup"
)

// ErrInvalidPolicy answers a dry run whose candidate policy does not
// compile; the message lists every problem.
var ErrInvalidPolicy = &Error{Status: 400, Code: "invalid_policy", Message: "the candidate policy does not compile"}

// riskBody is the input of the risk connector node.
type riskBody struct {
	UserIdentifier string `json:"user_identifier"`
	// DryRun answers under the active policy and, when Policy is given,
	// under that candidate too.
	DryRun bool `json:"dry_run"`
	// Policy is a candidate policy document (YAML), only with DryRun.
	Policy *string `json:"policy"`
	origin
}

// evaluateRisk serves POST /v1/risk/evaluate: the journey core's decision
// for the person the caller names, from the same signals a browser login
// uses (enrolment, verification, devices, networks, countries and the last
// sighting, with the configured GeoIP), by the same policy version. The
// caller has already authenticated the person, so the answer is about risk
// alone: allow, liveid, idv or deny, with the policy version and the rule
// that decided. Nothing is recorded: a successful step-up or verification
// started with the same ip and device_id records them. With dry_run the
// decision is not logged either, and a candidate policy is answered beside
// the active one.
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
	var candidate *policy.Policy
	if b.Policy != nil {
		if !b.DryRun {
			return 0, nil, ErrMalformed.With("policy is a candidate to compare: send it with \"dry_run\": true (policies are applied with idbridge policy apply or the admin page)")
		}
		candidate, err = policy.Parse([]byte(*b.Policy), policy.Options{Base: s.journey.Rules()})
		var pe *policy.Error
		if errors.As(err, &pe) {
			return 0, nil, ErrInvalidPolicy.With(pe.Error())
		}
		if err != nil {
			return 0, nil, err
		}
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
	d := journey.Demands{Journey: journey.JourneyAuto, ClientID: req.client.ID}
	if b.DryRun {
		if candidate == nil {
			candidate = s.journey.Policy()
		}
		active, cand := s.journey.Preview(d, person, sess, o, candidate)
		out := riskAnswer(active, person)
		out["dry_run"] = true
		out["active"] = riskAnswer(active, person)
		c := riskAnswer(cand, person)
		if b.Policy != nil {
			delete(c, "policy_version")
		}
		out["candidate"] = c
		return http.StatusOK, out, nil
	}
	plan := s.journey.Decide(d, person, sess, o)
	out := riskAnswer(plan, person)
	s.audit.Event(ctx, "risk.evaluate",
		slog.String("client", req.client.ID), slog.String("decision", string(plan.Risk.Decision)),
		slog.String("risk_level", plan.Risk.RiskLevel), slog.Any("reasons", out["reasons"]), slog.Bool("user_known", person.User != nil),
		slog.Int("policy_version", plan.Policy), slog.String("rule", plan.Rule))
	return http.StatusOK, out, nil
}

// riskAnswer is the flat answer of one decision.
func riskAnswer(plan journey.Plan, person journey.Person) map[string]any {
	res := plan.Risk
	reasons := make([]string, 0, len(res.Reasons))
	for _, r := range res.Reasons {
		reasons = append(reasons, string(r))
	}
	return map[string]any{
		"decision":        string(res.Decision),
		"risk_level":      res.RiskLevel,
		"score":           res.Score,
		"reasons":         reasons,
		"stepup_required": res.Decision != stepup.Allow,
		"user_known":      person.User != nil,
		"policy_version":  plan.Policy,
		"rule":            plan.Rule,
	}
}
