package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// rawHook is a received event as stored (sealed), for audits and
// reprocessing.
type rawHook struct {
	ReceivedAt time.Time       `json:"received_at"`
	Body       json.RawMessage `json:"body"`
}

// handleDescopeHook serves POST /v1/hooks/descope: Descope audit webhooks
// and user events a flow sends, signed with x-descope-webhook-s256. The
// body is one event or an array of events. Each event is accepted once
// within the replay window, stored raw and read leniently; the first rule
// matching its type acts on the person it names (hooks_actions.go).
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

// maxHookBatch bounds the events of one request.
const maxHookBatch = 100

func (s *Server) descopeHook(w http.ResponseWriter, r *http.Request) (any, error) {
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
	var one map[string]any
	if err := json.Unmarshal(body, &one); err == nil {
		return s.receiveHook(r.Context(), one, compactJSON(body))
	}
	var batch []json.RawMessage
	if err := json.Unmarshal(body, &batch); err != nil || len(batch) == 0 {
		return nil, ErrMalformed.With("the event is not a JSON object or an array of them")
	}
	if len(batch) > maxHookBatch {
		return nil, ErrMalformed.With("more than 100 events in one request")
	}
	events := make([]map[string]any, len(batch))
	for i, raw := range batch {
		if err := json.Unmarshal(raw, &events[i]); err != nil || events[i] == nil {
			return nil, ErrMalformed.With("every event of the array must be a JSON object")
		}
	}
	answers := make([]any, 0, len(batch))
	for i, ev := range events {
		out, err := s.receiveHook(r.Context(), ev, compactJSON(batch[i]))
		if errors.Is(err, ErrReplayed) {
			out, err = map[string]any{"received": true, "action": "none", "reason": "replayed_event"}, nil
		}
		if err != nil {
			return nil, err
		}
		answers = append(answers, out)
	}
	return map[string]any{"received": true, "events": answers}, nil
}

// receiveHook accepts one event once: ErrReplayed when its id was seen
// within the replay window. An event whose action failed may come again.
func (s *Server) receiveHook(ctx context.Context, root map[string]any, compact []byte) (map[string]any, error) {
	h := s.cfg.Hooks
	ev := parseHook(root, compact)
	seen := "api:hookseen:{" + hashHex(ev.ID) + "}"
	if err := s.st.Create(ctx, seen, []byte("1"), h.ReplayWindow); errors.Is(err, storage.ErrExists) {
		return nil, ErrReplayed
	} else if err != nil {
		return nil, err
	}
	if err := s.putRecord(ctx, "api:hook:{"+hashHex(ev.ID)+"}", rawHook{ReceivedAt: s.now().UTC(), Body: compact}, h.RawTTL); err != nil {
		_ = s.st.Delete(context.WithoutCancel(ctx), seen)
		return nil, err
	}
	out, err := s.actOnHook(ctx, ev)
	if err != nil {
		// Let Descope's retry of this event through.
		_ = s.st.Delete(context.WithoutCancel(ctx), seen)
		return nil, err
	}
	return out, nil
}

// actOnHook runs the first rule matching ev on the person it names.
func (s *Server) actOnHook(ctx context.Context, ev hookEvent) (map[string]any, error) {
	out := map[string]any{"received": true, "event_id": ev.ID, "event_type": ev.Type, "action": "none"}
	if ev.Source != "" {
		out["descope_action"] = ev.Source
	}
	rule, ok := matchRule(s.cfg.Hooks.Rules, ev)
	s.log.LogAttrs(ctx, slog.LevelInfo, "api hook received", slog.String("event_type", ev.Type), slog.Bool("rule", ok))
	if !ok {
		return out, nil
	}
	if ev.UserIdentifier == "" || checkIdentifier(ev.UserIdentifier, true) != nil {
		out["reason"] = "the event names no user"
		return out, nil
	}
	act, known := hookActions[rule.Action]
	if !known {
		return nil, errors.New("api: unknown hook action " + rule.Action)
	}
	return out, act(s, ctx, rule, ev, out)
}

// matchRule returns the first rule for ev: its event names ev's type or
// the sender's own name for it, without case; "*" matches all.
func matchRule(rules []HookRule, ev hookEvent) (HookRule, bool) {
	for _, r := range rules {
		name := strings.TrimSpace(r.Event)
		if name == "*" || (ev.Type != "" && strings.EqualFold(name, ev.Type)) || (ev.Source != "" && strings.EqualFold(name, ev.Source)) {
			return r, true
		}
	}
	return HookRule{}, false
}
