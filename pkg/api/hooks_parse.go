package api

import (
	"fmt"
	"strings"
)

// hookEvent is what idbridge reads from an inbound event.
type hookEvent struct {
	// ID identifies the event for replay detection; the SHA-256 of the
	// event's compact JSON when it carries none (Descope's audit records
	// carry none).
	ID string
	// Type is the event type in idbridge's dotted names (user.created,
	// user.login.started, ...); Source is the name the sender used when
	// it differs (Descope's audit action, e.g. "UserCreated").
	Type, Source string
	// UserIdentifier names the person (a Descope login id).
	UserIdentifier string
	// IP is the address the event says the person came from.
	IP string
}

// auditActions maps the Descope audit actions a rule can act on to event
// types (docs.descope.com/audit-trails-and-integrations/audit-events).
// Other actions keep their Descope name as type.
var auditActions = map[string]string{
	"UserCreated":  "user.created",
	"UserModified": "user.modified",
	"UserDeleted":  "user.deleted",
	"LoginStarted": "user.login.started",
	"LoginSucceed": "user.login.succeeded",
	"LoginFailed":  "user.login.failed",
}

// auditSeverities are the values of an audit record's type: its level,
// not its kind (Descope's SDKs create events with info, warn or error).
var auditSeverities = map[string]bool{"info": true, "warn": true, "warning": true, "error": true,
	"information": true}

// Member names tried, in order, for each field of a user event. Descope's
// user object and flow payloads spell them differently.
var (
	hookIDNames   = []string{"id", "eventId", "event_id", "jti", "auditId", "audit_id", "messageId"}
	hookTypeNames = []string{"type", "eventType", "event_type", "event", "action", "actionType", "name"}
	hookUserNames = []string{"user_identifier", "loginId", "login_id", "loginIds", "externalIds", "email", "userId", "user_id"}
	hookIPNames   = []string{"ip", "remoteAddress", "remote_address", "ipAddress"}
)

// parseHook reads one event leniently. A Descope audit record (an action
// with the record's fields: actorId, occurred, projectId, externalIds, or
// a severity as type) is read as the audit webhook sends it; anything else
// as a user event, each field looked up in the object itself, then in
// "data", "data.user", "user" and "event". Numbers become strings, arrays
// give their first string; anything else is ignored.
func parseHook(root map[string]any, compact []byte) hookEvent {
	var ev hookEvent
	if action, ok := auditAction(root); ok {
		ev = hookEvent{
			ID:             first([]map[string]any{root}, hookIDNames),
			Type:           action,
			UserIdentifier: first([]map[string]any{root}, []string{"externalIds", "loginIds", "loginId"}),
			IP:             first([]map[string]any{root}, []string{"remoteAddress"}),
		}
		if t, known := auditActions[action]; known {
			ev.Type, ev.Source = t, action
		}
	} else {
		scopes := []map[string]any{root}
		for _, path := range [][]string{{"data"}, {"data", "user"}, {"user"}, {"event"}, {"data", "event"}} {
			if m := object(root, path...); m != nil {
				scopes = append(scopes, m)
			}
		}
		ev = hookEvent{
			ID:             first(scopes, hookIDNames),
			Type:           first(scopes, hookTypeNames),
			UserIdentifier: first(scopes, hookUserNames),
			IP:             first(scopes, hookIPNames),
		}
		if t, known := auditActions[ev.Type]; known {
			ev.Type, ev.Source = t, ev.Type
		}
	}
	if ev.ID == "" || len(ev.ID) > 256 {
		ev.ID = "sha256:" + hashHex(string(compact))
	}
	if len(ev.Type) > 128 {
		ev.Type = ev.Type[:128]
	}
	return ev
}

// auditAction is the action of a Descope audit record, if root is one.
func auditAction(root map[string]any) (string, bool) {
	action, ok := root["action"].(string)
	if !ok || strings.TrimSpace(action) == "" {
		return "", false
	}
	if typ, ok := root["type"].(string); ok && auditSeverities[strings.ToLower(typ)] {
		return strings.TrimSpace(action), true
	}
	for _, k := range []string{"actorId", "occurred", "projectId", "externalIds"} {
		if _, ok := root[k]; ok {
			return strings.TrimSpace(action), true
		}
	}
	return "", false
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
