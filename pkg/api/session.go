package api

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/idbridge/idbridge/pkg/journey"
)

// Kinds of session records.
const (
	kindIDV    = "idv"
	kindStepUp = "stepup"
)

// Status values of sessions and challenges, the same in every answer and
// event. completed, failed, declined, expired and cancelled are terminal.
const (
	StatusPending    = "pending"
	StatusInProgress = "in_progress"
	StatusCompleted  = "completed"
	StatusFailed     = "failed"
	StatusDeclined   = "declined"
	StatusExpired    = "expired"
	// StatusCancelled: the caller cancelled the session (the person left
	// the flow) before it ended.
	StatusCancelled = "cancelled"
)

// Match results of step-up challenges.
const (
	MatchPending = "pending"
	Match        = "match"
	NoMatch      = "no_match"
)

func terminal(status string) bool {
	switch status {
	case StatusCompleted, StatusFailed, StatusDeclined, StatusExpired, StatusCancelled:
		return true
	}
	return false
}

// session is the API's record of one IDV session or LiveID challenge. It
// is sealed at rest: UserIdentifier is the relying party's id for the
// person.
type session struct {
	ID             string `json:"id"`
	Kind           string `json:"kind"`
	Client         string `json:"client"`
	UpstreamID     string `json:"upstream_id"`
	URL            string `json:"url"`
	UserIdentifier string `json:"user_identifier,omitempty"`
	Subject        string `json:"sub,omitempty"`
	DocumentType   string `json:"document_type,omitempty"`
	LivenessMode   string `json:"liveness_mode,omitempty"`
	ReturnURL      string `json:"return_url,omitempty"`
	// IP and DeviceID are where the caller says the person is; a
	// successful check records them in the person's history.
	IP           string    `json:"ip,omitempty"`
	DeviceID     string    `json:"device_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	ExpiresAt    time.Time `json:"expires_at"`
	Status       string    `json:"status"`
	Reason       string    `json:"reason,omitempty"`
	CompletedAt  time.Time `json:"completed_at,omitzero"`
	Verification string    `json:"verification,omitempty"`
	MatchResult  string    `json:"match_result,omitempty"`
	Liveness     string    `json:"liveness,omitempty"`
	Confidence   *float64  `json:"confidence,omitempty"` // nil: 1Kosmos gave no figure
	EventID      string    `json:"event_id,omitempty"`
	Notified     bool      `json:"notified,omitempty"`
}

// saveSession stores rec for what remains of its record lifetime.
func (s *Server) saveSession(ctx context.Context, rec session) error {
	ttl := rec.CreatedAt.Add(s.cfg.RecordTTL).Sub(s.now())
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.putRecord(ctx, sessionKey(rec.ID), rec, ttl)
}

// loadOwn returns the caller's record of kind with id. Records of other
// callers answer ErrNotFound exactly like absent ones, so ids cannot be
// probed.
func (s *Server) loadOwn(ctx context.Context, client, kind, id string) (session, error) {
	var rec session
	notFound := ErrNotFound.With("no " + map[string]string{kindIDV: "IDV session", kindStepUp: "step-up challenge"}[kind] + " with this id")
	if id == "" || len(id) > 128 || strings.ContainsAny(id, "{}") {
		return rec, notFound
	}
	err := s.getRecord(ctx, sessionKey(id), &rec)
	if errors.Is(err, errNoRecord) || (err == nil && (rec.Client == "" || rec.Client != client || rec.Kind != kind)) {
		return session{}, notFound
	}
	return rec, err
}

// decodeBody reads a JSON object body into v; an empty body is {}.
// Unknown members are ignored: connectors send what their flow has.
func decodeBody(body []byte, v any) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return ErrMalformed.With(te.Field + " has the wrong type (" + te.Value + ")")
		}
		return ErrMalformed.With("the request body is not a valid JSON object")
	}
	return nil
}

// flexStrings reads a JSON string ("a" or "a,b") or array of strings.
type flexStrings []string

var _ json.Unmarshaler = (*flexStrings)(nil)

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexStrings) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*f = nil
		for _, p := range strings.Split(one, ",") {
			if p = strings.TrimSpace(p); p != "" {
				*f = append(*f, p)
			}
		}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return &json.UnmarshalTypeError{Value: "not a string or array of strings", Field: "document_types"}
	}
	*f = many
	return nil
}

// origin is where the caller says the person is (optional fields of the
// IDV, step-up and risk nodes).
type origin struct {
	IP       string `json:"ip"`
	DeviceID string `json:"device_id"`
	// UserAgent is accepted for the audit trail of callers; the policy
	// does not use it.
	UserAgent string `json:"user_agent"`
}

// check validates o and returns the address in canonical form.
func (o origin) check() (string, error) {
	ip, ok := journey.ParseIP(o.IP)
	if !ok {
		return "", ErrMalformed.With("ip is not an IPv4 or IPv6 address")
	}
	if len(o.DeviceID) > 256 {
		return "", ErrMalformed.With("device_id is longer than 256 characters")
	}
	if !ip.IsValid() {
		return "", nil
	}
	return ip.String(), nil
}

// checkIdentifier validates a user_identifier.
func checkIdentifier(id string, required bool) error {
	switch {
	case id == "" && required:
		return ErrMalformed.With("user_identifier is required")
	case len(id) > 256:
		return ErrMalformed.With("user_identifier is longer than 256 characters")
	case strings.ContainsFunc(id, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return ErrMalformed.With("user_identifier contains control characters")
	}
	return nil
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
