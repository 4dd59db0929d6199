package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/idbridge/idbridge/pkg/claims"
	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/storage"
)

// rawHook is a received event as stored (sealed), for audits and
// reprocessing.
type rawHook struct {
	ReceivedAt time.Time       `json:"received_at"`
	Body       json.RawMessage `json:"body"`
}

// handleDescopeHook serves POST /v1/hooks/descope: Descope event hooks and
// audit webhooks, signed with x-descope-webhook-s256. Each event id is
// accepted once within the replay window. The body is stored raw and read
// leniently; when a rule maps the event type to start_idv and the event
// names a user, an IDV session starts and its session_url is returned.
func (s *Server) handleDescopeHook(w http.ResponseWriter, r *http.Request) {
	if s.authBlocked(w, r) {
		return
	}
	v, err := s.descopeHook(w, r)
	if isAuthFailure(err) {
		s.authFailed(w, r, err)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) descopeHook(w http.ResponseWriter, r *http.Request) (map[string]any, error) {
	h := s.cfg.Hooks
	if h.Secret == "" {
		return nil, ErrNotFound.With("event hooks are not configured (api.hooks.secret)")
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return nil, err
	}
	if r.Header.Get(SignatureHeader) == "" {
		return nil, ErrUnauthorized.With("the x-descope-webhook-s256 header is required")
	}
	if !checkSignature(h.Secret, body, r.Header.Get(SignatureHeader)) {
		return nil, ErrBadSignature
	}
	var root map[string]any
	if err := json.Unmarshal(body, &root); err != nil {
		return nil, ErrMalformed.With("the event is not a JSON object")
	}
	ev := parseHook(root, body)
	ctx := r.Context()
	seen := "api:hookseen:{" + hashHex(ev.ID) + "}"
	if err := s.st.Create(ctx, seen, []byte("1"), h.ReplayWindow); errors.Is(err, storage.ErrExists) {
		return nil, ErrReplayed
	} else if err != nil {
		return nil, err
	}
	out, err := s.actOnHook(ctx, ev, body)
	if err != nil {
		// Let Descope's retry of this event through.
		_ = s.st.Delete(context.WithoutCancel(ctx), seen)
		return nil, err
	}
	return out, nil
}

func (s *Server) actOnHook(ctx context.Context, ev hookEvent, body []byte) (map[string]any, error) {
	h := s.cfg.Hooks
	if err := s.putRecord(ctx, "api:hook:{"+hashHex(ev.ID)+"}", rawHook{ReceivedAt: s.now().UTC(), Body: body}, h.RawTTL); err != nil {
		return nil, err
	}
	out := map[string]any{"received": true, "event_id": ev.ID, "event_type": ev.Type, "action": "none"}
	rule, ok := matchRule(h.Rules, ev.Type)
	s.log.LogAttrs(ctx, slog.LevelInfo, "api hook received", slog.String("event_type", ev.Type), slog.Bool("rule", ok))
	if !ok {
		return out, nil
	}
	if ev.UserIdentifier == "" || checkIdentifier(ev.UserIdentifier, true) != nil {
		out["reason"] = "the event names no user"
		return out, nil
	}
	if rule.UnlessVerified {
		person, err := s.personFor(ctx, h.Owner, ev.UserIdentifier)
		if err != nil {
			return nil, err
		}
		if u := person.User; u != nil && u.IDVStatus == claims.StatusVerified && u.Verified != nil {
			out["reason"] = "already_verified"
			return out, nil
		}
	}
	rec, err := s.startIDV(ctx, idvStart{client: h.Owner, identifier: ev.UserIdentifier, docs: idv.DocumentTypes, mode: idv.LivenessPassive})
	if err != nil {
		return nil, err
	}
	out["action"] = rule.Action
	out["session_id"], out["session_url"], out["expires_at"] = rec.ID, rec.URL, rfc3339(rec.ExpiresAt)
	return out, nil
}

// matchRule returns the first rule for typ ("*" matches all).
func matchRule(rules []config.HookRule, typ string) (config.HookRule, bool) {
	for _, r := range rules {
		if r.Event == "*" || (typ != "" && strings.EqualFold(strings.TrimSpace(r.Event), typ)) {
			return r, true
		}
	}
	return config.HookRule{}, false
}
