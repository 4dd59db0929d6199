package api

import (
	"context"
	"errors"

	"github.com/idbridge/idbridge/pkg/claims"
	"github.com/idbridge/idbridge/pkg/idv"
)

// hookAction acts on the person an event names, in the identifier
// namespace of the hook owner (api.hooks.owner), and adds what it did to
// out. An error is a fault (the event may be sent again); a person it
// cannot act on is a reason in out.
type hookAction func(s *Server, ctx context.Context, rule HookRule, ev hookEvent, out map[string]any) error

// hookActions are the actions rules may name.
var hookActions = map[string]hookAction{
	"start_idv":    (*Server).hookStartIDV,
	"start_stepup": (*Server).hookStartStepUp,
	"record_login": (*Server).hookRecordLogin,
}

// hookStartIDV starts an identity verification for the person (after
// registration: user.created), unless the rule skips verified people. The
// owner reads its result; a flow that sent the event synchronously sends
// the person to session_url.
func (s *Server) hookStartIDV(ctx context.Context, rule HookRule, ev hookEvent, out map[string]any) error {
	owner := s.cfg.Hooks.Owner
	if rule.UnlessVerified {
		person, err := s.personFor(ctx, owner, ev.UserIdentifier)
		if err != nil {
			return err
		}
		if u := person.User; u != nil && u.IDVStatus == claims.StatusVerified && u.Verified != nil {
			out["reason"] = "already_verified"
			return nil
		}
	}
	ip, _ := origin{IP: ev.IP}.check()
	rec, err := s.startIDV(ctx, idvStart{client: owner, identifier: ev.UserIdentifier, docs: idv.DocumentTypes, mode: idv.LivenessPassive, ip: ip})
	if err != nil {
		return err
	}
	out["action"] = rule.Action
	out["session_id"], out["session_url"], out["expires_at"] = rec.ID, rec.URL, rfc3339(rec.ExpiresAt)
	return nil
}

// hookStartStepUp starts a LiveID face challenge for an enrolled person
// (before login: user.login.started). Someone unknown or not enrolled is
// a reason, not an error: the event is not sent again for them.
func (s *Server) hookStartStepUp(ctx context.Context, rule HookRule, ev hookEvent, out map[string]any) error {
	ip, _ := origin{IP: ev.IP}.check()
	rec, err := s.startChallenge(ctx, s.cfg.Hooks.Owner, ev.UserIdentifier, ip, "")
	switch {
	case errors.Is(err, ErrUnknownUser):
		out["reason"] = "unknown_user"
		return nil
	case errors.Is(err, ErrNotEnrolled):
		out["reason"] = "not_enrolled"
		return nil
	case err != nil:
		return err
	}
	out["action"] = rule.Action
	out["challenge_id"], out["challenge_url"], out["expires_at"] = rec.ID, rec.URL, rfc3339(rec.ExpiresAt)
	return nil
}

// hookRecordLogin records a login Descope reports (user.login.succeeded)
// in the person's history through the journey core, as a login through
// idbridge would be: the network and country of the event's address and
// the time. The risk policy then knows them. Nothing is recorded for an
// unknown person or an event without a valid address.
func (s *Server) hookRecordLogin(ctx context.Context, rule HookRule, ev hookEvent, out map[string]any) error {
	ip, err := origin{IP: ev.IP}.check()
	if err != nil || ip == "" {
		out["reason"] = "the event carries no IP address to record"
		return nil
	}
	person, err := s.personFor(ctx, s.cfg.Hooks.Owner, ev.UserIdentifier)
	if err != nil {
		return err
	}
	if person.User == nil {
		out["reason"] = "unknown_user"
		return nil
	}
	s.journey.Succeeded(ctx, person.User.Subject, s.originOf(session{IP: ip}))
	out["action"] = rule.Action
	return nil
}
