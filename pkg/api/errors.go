package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/users"
)

// Error is an API error: an HTTP status, a stable snake_case code and a
// message safe to show to the caller. Two Errors match (errors.Is) when
// their codes are equal, so a sentinel with a more specific message still
// matches the sentinel.
type Error struct {
	Status  int
	Code    string
	Message string
	// RetryAfter is sent as Retry-After when positive (429, 503).
	RetryAfter time.Duration
}

// Error implements error.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is matches Errors by code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// With returns a copy of e with another message.
func (e *Error) With(msg string) *Error {
	c := *e
	c.Message = msg
	return &c
}

// Errors the API answers with. Callers compare with errors.Is.
var (
	ErrUnauthorized     = &Error{Status: 401, Code: "unauthorized", Message: "send the API token as Authorization: Bearer <token> or X-API-Key"}
	ErrInvalidToken     = &Error{Status: 401, Code: "invalid_token", Message: "the API token is not valid"}
	ErrBadSignature     = &Error{Status: 401, Code: "invalid_signature", Message: "the x-descope-webhook-s256 header is missing or does not match the body (a request without a body is signed over the empty body)"}
	ErrForbidden        = &Error{Status: 403, Code: "forbidden", Message: "this API client may not do that"}
	ErrNotFound         = &Error{Status: 404, Code: "not_found", Message: "no such resource"}
	ErrUnknownUser      = &Error{Status: 404, Code: "unknown_user", Message: "no user is known by this user_identifier"}
	ErrMethod           = &Error{Status: 405, Code: "method_not_allowed", Message: "method not allowed"}
	ErrNotEnrolled      = &Error{Status: 409, Code: "not_enrolled", Message: "the user has no enrolled face: run an identity verification first"}
	ErrEnded            = &Error{Status: 409, Code: "session_ended", Message: "the session already ended; there is nothing to cancel"}
	ErrInProgress       = &Error{Status: 409, Code: "request_in_progress", Message: "a request with this Idempotency-Key is still being processed"}
	ErrReplayed         = &Error{Status: 409, Code: "replayed_event", Message: "this event was already received"}
	ErrReplayedRequest  = &Error{Status: 409, Code: "replayed_request", Message: "this signed body already created a session; to get that answer again send it with the idempotency key it was first sent with, to start another give the body a new idempotency_key"}
	ErrTooLarge         = &Error{Status: 413, Code: "request_too_large", Message: "the request body is too large"}
	ErrContentType      = &Error{Status: 415, Code: "unsupported_media_type", Message: "send Content-Type: application/json"}
	ErrIdempotencyReuse = &Error{Status: 422, Code: "idempotency_key_reused", Message: "this Idempotency-Key was used with a different request body"}
	ErrMalformed        = &Error{Status: 400, Code: "invalid_request", Message: "the request body is not valid JSON"}
	ErrDocumentType     = &Error{Status: 400, Code: "unsupported_document_type", Message: "unknown document type"}
	ErrRateLimited      = &Error{Status: 429, Code: "rate_limited", Message: "too many requests"}
	ErrAuthBlocked      = &Error{Status: 429, Code: "too_many_failures", Message: "too many failed authentications from this address; wait for Retry-After, then send valid credentials"}
	ErrUpstreamRejected = &Error{Status: 502, Code: "upstream_rejected", Message: "the verification service refused the request"}
	ErrUnavailable      = &Error{Status: 503, Code: "temporarily_unavailable", Message: "a dependency is unavailable; retry later", RetryAfter: 5 * time.Second}
	ErrServer           = &Error{Status: 500, Code: "server_error", Message: "internal error"}
)

// asError maps any error to an API Error.
func asError(err error) *Error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, users.ErrNotFound):
		return ErrUnknownUser
	case errors.Is(err, idv.ErrInvalidInput):
		return ErrMalformed.With("the verification service cannot take this input")
	case errors.Is(err, idv.ErrRejected):
		return ErrUpstreamRejected
	case errors.Is(err, idv.ErrUnavailable), errors.Is(err, storage.ErrUnavailable):
		return ErrUnavailable
	}
	return ErrServer
}

// writeError writes err as {"error": code, "message": ...}. Only 5xx are
// logged: they are ours to fix; 4xx are the caller's.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := asError(err)
	if e.Status >= 500 {
		s.log.LogAttrs(r.Context(), slog.LevelError, "api error",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", e.Status), slog.String("error", err.Error()))
	}
	h := w.Header()
	switch e.Status {
	case http.StatusUnauthorized:
		challenge := `Bearer realm="idbridge"`
		if e.Code != ErrUnauthorized.Code {
			challenge += `, error="invalid_token"`
		}
		h.Set("WWW-Authenticate", challenge)
	case http.StatusMethodNotAllowed:
		if allow := allowed(r.URL.Path); allow != "" {
			h.Set("Allow", allow)
		}
	}
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
	}
	writeJSON(w, e.Status, map[string]string{"error": e.Code, "message": e.Message})
}

// writeJSON writes v with status; headers go out before WriteHeader.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = 500, []byte(`{"error":"server_error","message":"internal error"}`)
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
