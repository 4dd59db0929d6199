package api

import "time"

// Options are the connector API's settings. cmd builds them from the api
// section of the configuration file, defaults applied and checked; the
// package itself knows no configuration format.
type Options struct {
	// Clients are the callers of the API.
	Clients []Caller
	// Webhooks are the outbound event subscriptions.
	Webhooks Webhooks
	// Hooks configures inbound Descope event hooks (/v1/hooks/descope).
	Hooks Hooks
	// PollInterval is how often the background poller asks the
	// verification service about pending sessions.
	PollInterval time.Duration
	// RecordTTL is how long session and challenge records stay readable.
	RecordTTL time.Duration
	// IdempotencyTTL is how long an idempotency key's answer is replayed,
	// and a signed body refused as a replay.
	IdempotencyTTL time.Duration
	// MaxBodyBytes bounds request bodies.
	MaxBodyBytes int64
	// AuthFailuresPerMinute is how many failed authentications one client
	// address may make per minute before it is refused for the minute.
	AuthFailuresPerMinute int
}

// Caller is one client of the connector API, for example one Descope
// project's HTTP connector.
type Caller struct {
	// ID names the caller; sessions belong to the caller that created
	// them.
	ID string
	// CheckToken reports, in constant time, whether a presented bearer
	// token or API key is this caller's.
	CheckToken func(token string) bool
	// HMACSecret, when set, requires the x-descope-webhook-s256 signature
	// on every request (docs/connector.md).
	HMACSecret string
	// RateLimit is the number of requests allowed per minute (0: none).
	RateLimit int
	// AllowForget permits POST /v1/users/{user_identifier}/forget.
	AllowForget bool
	// IdentifierNamespace is the namespace of the caller's
	// user_identifier values.
	IdentifierNamespace string
}

// Webhooks configures outbound events.
type Webhooks struct {
	Endpoints []WebhookEndpoint
	// MaxAttempts bounds the deliveries of one event to one endpoint
	// before it goes to the dead-letter list.
	MaxAttempts int
	// Backoff is the wait after the first failed attempt; it doubles up
	// to MaxBackoff.
	Backoff, MaxBackoff time.Duration
	// Timeout bounds one delivery attempt.
	Timeout time.Duration
	// Lease is how long a claimed delivery stays with one replica.
	Lease time.Duration
	// Interval is how often the outbox is read.
	Interval time.Duration
	// EventTTL is how long events are kept for replay.
	EventTTL time.Duration
}

// WebhookEndpoint receives signed events.
type WebhookEndpoint struct {
	URL string
	// Secret keys the X-Idbridge-Signature HMAC.
	Secret string
	// Events this endpoint receives; empty means all.
	Events []string
}

// Hooks configures inbound Descope event and audit webhooks.
type Hooks struct {
	// Secret verifies x-descope-webhook-s256; empty disables the endpoint.
	Secret string
	// Rules decide what an event does to the person it names.
	Rules []HookRule
	// Owner is the caller in whose namespace events name people and which
	// owns what hooks start.
	Owner string
	// ReplayWindow is how long an event id is remembered.
	ReplayWindow time.Duration
	// RawTTL is how long raw event bodies are kept.
	RawTTL time.Duration
}

// HookRule maps an inbound event type to an action.
type HookRule struct {
	// Event is the event type or Descope's audit action for it, compared
	// without case; "*" matches every event.
	Event string
	// Action is start_idv, start_stepup or record_login.
	Action string
	// UnlessVerified skips people who already have a verified identity
	// (start_idv).
	UnlessVerified bool
}
