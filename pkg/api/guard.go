package api

import (
	"errors"
	"log/slog"
	"net/http"
)

// Failed authentications (a wrong or missing token, a missing or wrong
// signature) are counted per client address in the shared store; once an
// address has failed api.auth_failures_per_minute times, everything it
// sends is refused with 429 until the minute ends, before its credentials
// are checked, so guessing tokens or signatures does not scale. Each
// counted failure is an audit line with the address as configured.

// authBlocked answers 429 when r's address has failed too often.
func (s *Server) authBlocked(w http.ResponseWriter, r *http.Request) bool {
	key := s.clientKey(r)
	if key == "" {
		return false
	}
	blocked, retry := s.authFailures.Blocked(r.Context(), key)
	if !blocked {
		return false
	}
	e := *ErrAuthBlocked
	e.RetryAfter = retry
	s.writeError(w, r, &e)
	return true
}

// authFailed counts a failed authentication and answers it: with err, or
// with 429 when this failure used up the address's allowance.
func (s *Server) authFailed(w http.ResponseWriter, r *http.Request, err error) {
	code := asError(err).Code
	if key := s.clientKey(r); key != "" {
		if ok, retry, _ := s.authFailures.Allow(r.Context(), key); !ok {
			s.audit.Alert(r.Context(), "api.auth_blocked", slog.String("path", routeOf(r)), slog.String("reason", code))
			e := *ErrAuthBlocked
			e.RetryAfter = retry
			s.writeError(w, r, &e)
			return
		}
	}
	s.audit.Alert(r.Context(), "api.auth_failed", slog.String("path", routeOf(r)), slog.String("reason", code))
	s.writeError(w, r, err)
}

// isAuthFailure tells the errors authFailed counts.
func isAuthFailure(err error) bool {
	return errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrBadSignature)
}

// routeOf is r's route without the identifiers in its path, which may be
// personal (a user_identifier) or secret (a session id).
func routeOf(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	return "unknown"
}
