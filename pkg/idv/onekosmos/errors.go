package onekosmos

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/idbridge/idbridge/pkg/idv"
)

// ServiceError is a refusal or failure answered by a 1Kosmos service. It
// wraps one of idv.ErrRejected, idv.ErrNotFound or idv.ErrUnavailable, so
// callers test it with errors.Is. Message is the service's own words,
// shortened, stripped of control characters and of the license key.
type ServiceError struct {
	// Op names the call ("create", "result", "community_info", ...).
	Op string
	// Status is the HTTP status code.
	Status int
	// Code is the "code" (or "error_code") field of the answer, if any.
	Code int
	// Message is the "message" field of the answer, or its text.
	Message string

	kind error
}

// Error describes the refusal without any request data.
func (e *ServiceError) Error() string {
	msg := fmt.Sprintf("onekosmos: %s: HTTP %d", e.Op, e.Status)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg + " (" + e.kind.Error() + ")"
}

// Unwrap returns the idv sentinel error.
func (e *ServiceError) Unwrap() error { return e.kind }

// maxMessage bounds how much of a service message is kept.
const maxMessage = 200

// errorBody is the shape of 1Kosmos error answers:
// {"code":400,"message":"dvcID is required"}; the helpers also read
// error_code.
type errorBody struct {
	Code      json.Number `json:"code"`
	ErrorCode json.Number `json:"error_code"`
	Message   string      `json:"message"`
	Error     string      `json:"error"`
}

// parseErrorBody reads code and message from an error answer. ok is false
// when the body is not a JSON object.
func parseErrorBody(body []byte) (code int, msg string, ok bool) {
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err != nil {
		return 0, "", false
	}
	for _, n := range []json.Number{eb.Code, eb.ErrorCode} {
		if v, err := n.Int64(); err == nil && code == 0 {
			code = int(v)
		}
	}
	msg = eb.Message
	if msg == "" {
		msg = eb.Error
	}
	return code, msg, true
}

// serviceError builds the error for a non-2xx answer. 5xx and 429 are
// ErrUnavailable, 404 with a JSON code is ErrNotFound when notFound is
// set, every other 4xx is ErrRejected.
func (c *Client) serviceError(op string, status int, body []byte) *ServiceError {
	code, msg, ok := parseErrorBody(body)
	if !ok {
		msg = string(body)
	}
	e := &ServiceError{Op: op, Status: status, Code: code, Message: c.clean(msg), kind: idv.ErrRejected}
	if status >= 500 || status == 429 {
		e.kind = idv.ErrUnavailable
	}
	return e
}

// clean makes a service message safe for errors and logs.
func (c *Client) clean(msg string) string {
	if c.cfg.LicenseKey != "" {
		msg = strings.ReplaceAll(msg, c.cfg.LicenseKey, "[license key]")
	}
	msg = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, msg)
	msg = strings.TrimSpace(msg)
	if len(msg) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8Start(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "..."
	}
	return msg
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// unavailable wraps a cause as idv.ErrUnavailable. The cause never holds
// request or response data.
func unavailable(op string, cause error) error {
	return fmt.Errorf("onekosmos: %s: %w: %w", op, idv.ErrUnavailable, cause)
}

// rejected wraps a reason as idv.ErrRejected.
func rejected(op, reason string) error {
	return fmt.Errorf("onekosmos: %s: %s: %w", op, reason, idv.ErrRejected)
}

// Causes wrapped in ErrUnavailable.
var (
	errTooLarge     = errors.New("answer larger than the configured limit")
	errGarbage      = errors.New("answer is not the expected JSON")
	errUndecrypt    = errors.New("answer cannot be decrypted with the session key")
	errOpen         = errors.New("circuit breaker open")
	errOtherSession = errors.New("answer is for another session")
)

// decodeAnswer reads a 2xx JSON answer into v: a non-2xx answer is the
// service's error, an undecodable one errGarbage.
func (c *Client) decodeAnswer(op string, status int, raw []byte, v any) error {
	if status/100 != 2 {
		return c.serviceError(op, status, raw)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return unavailable(op, errGarbage)
	}
	return nil
}
