package api

import (
	"fmt"
	"strings"
)

// hookEvent is what idbridge reads from an inbound event.
type hookEvent struct {
	// ID identifies the event for replay detection; the SHA-256 of the
	// body when the event carries none.
	ID             string
	Type           string
	UserIdentifier string
}

// Member names tried, in order, for each field. Descope's event hooks,
// audit webhooks and connector bodies spell them differently.
var (
	hookIDNames   = []string{"id", "eventId", "event_id", "jti", "auditId", "audit_id", "messageId"}
	hookTypeNames = []string{"type", "eventType", "event_type", "event", "action", "actionType", "name"}
	hookUserNames = []string{"user_identifier", "loginId", "login_id", "loginIds", "externalId", "email", "userId", "user_id"}
)

// parseHook reads an event leniently: each field is looked up in the
// object itself, then in "data", "data.user", "user" and "event"; numbers
// become strings, arrays give their first string; anything else is
// ignored.
func parseHook(root map[string]any, body []byte) hookEvent {
	scopes := []map[string]any{root}
	for _, path := range [][]string{{"data"}, {"data", "user"}, {"user"}, {"event"}, {"data", "event"}} {
		if m := object(root, path...); m != nil {
			scopes = append(scopes, m)
		}
	}
	ev := hookEvent{
		ID:             first(scopes, hookIDNames),
		Type:           first(scopes, hookTypeNames),
		UserIdentifier: first(scopes, hookUserNames),
	}
	if ev.ID == "" || len(ev.ID) > 256 {
		ev.ID = "sha256:" + hashHex(string(body))
	}
	if len(ev.Type) > 128 {
		ev.Type = ev.Type[:128]
	}
	return ev
}

func object(m map[string]any, path ...string) map[string]any {
	for _, k := range path {
		next, ok := m[k].(map[string]any)
		if !ok {
			return nil
		}
		m = next
	}
	return m
}

func first(scopes []map[string]any, names []string) string {
	for _, m := range scopes {
		for _, n := range names {
			if v := scalar(m[n]); v != "" {
				return v
			}
		}
	}
	return ""
}

func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case float64:
		return fmt.Sprintf("%.0f", x)
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
	}
	return ""
}
