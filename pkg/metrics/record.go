package metrics

import "time"

// Outcome values shared by the recorders. Callers may use others, but each
// label must keep to a small fixed set.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeError   = "error"
)

// label keeps an empty label value visible as "unknown".
func label(v string) string {
	if v == "" {
		return "unknown"
	}
	return v
}

// Login counts a finished login journey: journey is how the user was
// identified (such as "idv", "liveid", "sso") and outcome how it ended
// (such as "success", "failure", "cancelled", "error").
func (m *Metrics) Login(journey, outcome string) {
	if m == nil {
		return
	}
	m.logins.WithLabelValues(label(journey), label(outcome)).Inc()
}

// Verification records one call to the identity verification service:
// kind names the call (such as "session_create", "session_poll",
// "face_match"), d is how long it took, and a non-nil err counts it in
// idbridge_onekosmos_errors_total. The error's text is not recorded.
func (m *Metrics) Verification(kind string, d time.Duration, err error) {
	if m == nil {
		return
	}
	kind = label(kind)
	m.verifyTime.WithLabelValues(kind).Observe(d.Seconds())
	if err != nil {
		m.idvErrors.WithLabelValues(kind).Inc()
	}
}

// WebhookDelivery counts one outbound webhook delivery attempt by outcome
// (such as "delivered", "retry", "dropped").
func (m *Metrics) WebhookDelivery(outcome string) {
	if m == nil {
		return
	}
	m.webhooks.WithLabelValues(label(outcome)).Inc()
}

// KeyAge sets the age of the signing key currently used for alg (such as
// "RS256", "ES256"); call it after each rotation check.
func (m *Metrics) KeyAge(alg string, age time.Duration) {
	if m == nil {
		return
	}
	m.keyAge.WithLabelValues(label(alg)).Set(age.Seconds())
}

// StepUp counts one step-up policy decision (such as "allow", "liveid",
// "idv", "deny").
func (m *Metrics) StepUp(decision string) {
	if m == nil {
		return
	}
	m.stepUp.WithLabelValues(label(decision)).Inc()
}

// RateLimited counts one request refused by the named rate limiter (such
// as "token", "login"); call it from the limiter's deny handler.
func (m *Metrics) RateLimited(limiter string) {
	if m == nil {
		return
	}
	m.rateLimited.WithLabelValues(label(limiter)).Inc()
}
