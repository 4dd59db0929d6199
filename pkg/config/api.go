package config

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// API configures the connector API (Descope HTTP connector nodes) and
// webhooks. The API answers only callers listed in Clients.
type API struct {
	// Clients are the callers of the connector API.
	Clients []APIClient `yaml:"clients"`
	// Webhooks are the outbound event subscriptions.
	Webhooks Webhooks `yaml:"webhooks"`
	// Hooks configures inbound Descope event hooks (/v1/hooks/descope).
	Hooks Hooks `yaml:"hooks"`
	// PollInterval is how often the background poller asks the
	// verification service about pending sessions (default 2s).
	PollInterval time.Duration `yaml:"poll_interval"`
	// RecordTTL is how long session and challenge records stay readable
	// after creation (default 24h); it must outlast idv.session_ttl.
	RecordTTL time.Duration `yaml:"record_ttl"`
	// IdempotencyTTL is how long an idempotency key's answer is replayed,
	// and a signed body refused as a replay (default 24h).
	IdempotencyTTL time.Duration `yaml:"idempotency_ttl"`
	// MaxBodyBytes bounds request bodies (default 65536).
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// AuthFailuresPerMinute is how many failed authentications (wrong
	// token, missing or wrong signature) one client address may make per
	// minute before every request from it is refused with 429 for the
	// rest of the minute (default 20; shared by replicas).
	AuthFailuresPerMinute int `yaml:"auth_failures_per_minute"`
}

// APIClient is one caller of the connector API, for example one Descope
// project's HTTP connector.
type APIClient struct {
	// ID names the caller in logs; sessions belong to the caller that
	// created them.
	ID string `yaml:"id"`
	// Token is the bearer token or X-API-Key value in clear (prefer
	// ${ENV} or TokenHash).
	Token string `yaml:"token"`
	// TokenHash is "sha256:<hex>" of the token.
	TokenHash string `yaml:"token_hash"`
	// HMACSecret, when set, requires the x-descope-webhook-s256 header
	// (base64 HMAC-SHA256 of the JSON payload, of the empty body when
	// there is none) on every request, and refuses a signed body that
	// would create a second session within api.idempotency_ttl unless it
	// carries the idempotency key it was first sent with
	// (docs/connector.md).
	HMACSecret string `yaml:"hmac_secret"`
	// RateLimit is the number of requests allowed per minute (default 300).
	RateLimit int `yaml:"rate_limit"`
	// AllowForget permits POST /v1/users/{user_identifier}/forget.
	AllowForget bool `yaml:"allow_forget"`
	// IdentifierNamespace is the namespace of this caller's
	// user_identifier values (default: the caller's id). Callers and OIDC
	// clients that know people by the same identifiers share one by naming
	// the same namespace.
	IdentifierNamespace string `yaml:"identifier_namespace"`
}

// Webhooks configures outbound events.
type Webhooks struct {
	Endpoints []WebhookEndpoint `yaml:"endpoints"`
	// MaxAttempts bounds the deliveries of one event to one endpoint
	// before it goes to the dead-letter list (default 8).
	MaxAttempts int `yaml:"max_attempts"`
	// Backoff is the wait after the first failed attempt; it doubles after
	// each further failure up to MaxBackoff (defaults 5s and 10m).
	Backoff    time.Duration `yaml:"backoff"`
	MaxBackoff time.Duration `yaml:"max_backoff"`
	// Timeout bounds one delivery attempt (default 10s).
	Timeout time.Duration `yaml:"timeout"`
	// Lease is how long a claimed delivery stays with one replica before
	// another may take it over (default 30s); it must exceed Timeout.
	// Retries are also checked at this pace, so the effective wait
	// between attempts is the later of the backoff and the lease.
	Lease time.Duration `yaml:"lease"`
	// Interval is how often the outbox is read (default 1s).
	Interval time.Duration `yaml:"interval"`
	// EventTTL is how long events are kept for replay (default 168h).
	EventTTL time.Duration `yaml:"event_ttl"`
}

// WebhookEndpoint receives signed events.
type WebhookEndpoint struct {
	URL string `yaml:"url"`
	// Secret keys the X-Idbridge-Signature HMAC.
	Secret string `yaml:"secret"`
	// Events this endpoint receives; empty means all.
	Events []string `yaml:"events"`
}

// Hooks configures inbound Descope event and audit webhooks.
type Hooks struct {
	// Secret verifies x-descope-webhook-s256; without it the endpoint is
	// disabled.
	Secret string `yaml:"secret"`
	// Rules decide what an event does to the person it names.
	Rules []HookRule `yaml:"rules"`
	// Owner is the API client in whose identifier namespace events name
	// people, and which owns the sessions and challenges hooks start, so
	// it can read their results. Required with rules.
	Owner string `yaml:"owner"`
	// ReplayWindow is how long an event id is remembered to refuse
	// replays (default 24h).
	ReplayWindow time.Duration `yaml:"replay_window"`
	// RawTTL is how long raw event bodies are kept (default 168h).
	RawTTL time.Duration `yaml:"raw_ttl"`
}

// HookRule maps an inbound event type to an action.
type HookRule struct {
	// Event is the event type (user.created, user.login.started,
	// user.login.succeeded, ...) or Descope's audit action for it
	// (UserCreated, LoginStarted, LoginSucceed), compared without case;
	// "*" matches every event.
	Event string `yaml:"event"`
	// Action is one of HookActions: start_idv (an identity verification,
	// after registration), start_stepup (a LiveID face challenge for an
	// enrolled person, before login) or record_login (the login's network
	// and country in the person's history, for the risk policy).
	Action string `yaml:"action"`
	// UnlessVerified skips users who already have a verified identity
	// (start_idv).
	UnlessVerified bool `yaml:"unless_verified"`
}

// HookActions are the actions a hook rule may name.
var HookActions = []string{"start_idv", "start_stepup", "record_login"}

// WebhookEvents are the outbound event types.
var WebhookEvents = []string{"idv.completed", "idv.failed", "stepup.completed"}

// CheckToken reports whether token is the client's token, in constant
// time.
func (c APIClient) CheckToken(token string) bool {
	if token == "" {
		return false
	}
	got := sha256.Sum256([]byte(token))
	if c.TokenHash != "" {
		want, err := parseSecretHash(c.TokenHash)
		return err == nil && subtle.ConstantTimeCompare(want, got[:]) == 1
	}
	if c.Token == "" {
		return false
	}
	want := sha256.Sum256([]byte(c.Token))
	return subtle.ConstantTimeCompare(want[:], got[:]) == 1
}

// problems reports every problem of the API section with field paths.
func (a API) problems() []string {
	var p []string
	add := func(field, format string, args ...any) {
		p = append(p, field+": "+fmt.Sprintf(format, args...))
	}
	ids := map[string]bool{}
	for i, c := range a.Clients {
		f := fmt.Sprintf("api.clients[%d]", i)
		switch {
		case c.ID == "":
			add(f+".id", "required")
		case ids[c.ID]:
			add(f+".id", "%q is used twice", c.ID)
		}
		ids[c.ID] = true
		switch {
		case c.Token == "" && c.TokenHash == "":
			add(f+".token", "required (or token_hash)")
		case c.Token != "" && c.TokenHash != "":
			add(f+".token", "set token or token_hash, not both")
		case c.TokenHash != "":
			if _, err := parseSecretHash(c.TokenHash); err != nil {
				add(f+".token_hash", "%v", err)
			}
		case len(c.Token) < 16:
			add(f+".token", "too short: use at least 16 random characters (openssl rand -hex 32)")
		}
		if c.RateLimit < 0 {
			add(f+".rate_limit", "%d must not be negative", c.RateLimit)
		}
	}
	w := a.Webhooks
	for i, e := range w.Endpoints {
		f := fmt.Sprintf("api.webhooks.endpoints[%d]", i)
		if u, err := url.Parse(e.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add(f+".url", "%q must be an absolute http(s) URL", e.URL)
		}
		if e.Secret == "" {
			add(f+".secret", "required")
		}
		for j, ev := range e.Events {
			if !slices.Contains(WebhookEvents, ev) {
				add(fmt.Sprintf("%s.events[%d]", f, j), "%q is not one of %s", ev, strings.Join(WebhookEvents, ", "))
			}
		}
	}
	if w.MaxAttempts < 1 {
		add("api.webhooks.max_attempts", "%d must be at least 1", w.MaxAttempts)
	}
	positive(add, "api.webhooks.backoff", w.Backoff)
	positive(add, "api.webhooks.timeout", w.Timeout)
	positive(add, "api.webhooks.interval", w.Interval)
	positive(add, "api.webhooks.event_ttl", w.EventTTL)
	if w.MaxBackoff < w.Backoff {
		add("api.webhooks.max_backoff", "%s is shorter than backoff %s", w.MaxBackoff, w.Backoff)
	}
	if w.Lease <= w.Timeout {
		add("api.webhooks.lease", "%s must be longer than timeout %s, or a slow delivery is sent twice", w.Lease, w.Timeout)
	}
	h := a.Hooks
	if len(h.Rules) > 0 && h.Secret == "" {
		add("api.hooks.secret", "required when rules are set (the HMAC secret of the Descope connector)")
	}
	for i, r := range h.Rules {
		f := fmt.Sprintf("api.hooks.rules[%d]", i)
		if strings.TrimSpace(r.Event) == "" {
			add(f+".event", "required (an event type, or \"*\")")
		}
		oneOf(add, f+".action", r.Action, HookActions...)
		if r.UnlessVerified && r.Action != "start_idv" {
			add(f+".unless_verified", "only start_idv rules skip verified people")
		}
	}
	switch {
	case h.Owner != "" && !ids[h.Owner]:
		add("api.hooks.owner", "%q is not an api.clients id", h.Owner)
	case h.Owner == "" && len(h.Rules) > 0:
		add("api.hooks.owner", "required when rules are set: the api.clients id in whose identifier namespace events name people (it reads what hooks start)")
	}
	positive(add, "api.hooks.replay_window", h.ReplayWindow)
	positive(add, "api.hooks.raw_ttl", h.RawTTL)
	positive(add, "api.poll_interval", a.PollInterval)
	positive(add, "api.record_ttl", a.RecordTTL)
	positive(add, "api.idempotency_ttl", a.IdempotencyTTL)
	if a.MaxBodyBytes < 1024 {
		add("api.max_body_bytes", "%d is below 1024", a.MaxBodyBytes)
	}
	if a.AuthFailuresPerMinute < 1 {
		add("api.auth_failures_per_minute", "%d must be at least 1", a.AuthFailuresPerMinute)
	}
	return p
}

func positive(add func(string, string, ...any), field string, d time.Duration) {
	if d <= 0 {
		add(field, "%s must be positive", d)
	}
}

// applyDefaults fills unset fields.
func (a *API) applyDefaults() {
	dur := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	for i := range a.Clients {
		if a.Clients[i].RateLimit == 0 {
			a.Clients[i].RateLimit = 300
		}
		if a.Clients[i].IdentifierNamespace == "" {
			a.Clients[i].IdentifierNamespace = a.Clients[i].ID
		}
	}
	w := &a.Webhooks
	if w.MaxAttempts == 0 {
		w.MaxAttempts = 8
	}
	dur(&w.Backoff, 5*time.Second)
	dur(&w.MaxBackoff, 10*time.Minute)
	dur(&w.Timeout, 10*time.Second)
	dur(&w.Lease, 30*time.Second)
	dur(&w.Interval, time.Second)
	dur(&w.EventTTL, 7*24*time.Hour)
	for i := range a.Hooks.Rules {
		if a.Hooks.Rules[i].Action == "" {
			a.Hooks.Rules[i].Action = "start_idv"
		}
	}
	dur(&a.Hooks.ReplayWindow, 24*time.Hour)
	dur(&a.Hooks.RawTTL, 7*24*time.Hour)
	dur(&a.PollInterval, 2*time.Second)
	dur(&a.RecordTTL, 24*time.Hour)
	dur(&a.IdempotencyTTL, 24*time.Hour)
	if a.MaxBodyBytes == 0 {
		a.MaxBodyBytes = 64 << 10
	}
	if a.AuthFailuresPerMinute == 0 {
		a.AuthFailuresPerMinute = 20
	}
}

// Client returns the API client with id.
func (a API) Client(id string) (APIClient, bool) {
	for _, c := range a.Clients {
		if c.ID == id {
			return c, true
		}
	}
	return APIClient{}, false
}
