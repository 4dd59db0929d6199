// Package api is idbridge's connector API and webhooks: the small JSON API
// a Descope flow calls through its HTTP connector (start an identity
// verification or a LiveID step-up, read the result, evaluate login risk,
// erase a person), the inbound Descope audit webhook and user events
// (which can start a verification or a step-up, or record a login in the
// person's risk history), and the signed outbound events (idv.completed, idv.failed,
// stepup.completed) delivered at least once through the durable outbox of
// the shared storage.Store.
//
// Every replica serves the API from the same store. A background poller
// (run by one replica at a time under a lease) notices completed sessions;
// the webhook deliverer on every replica claims outbox messages from one
// consumer group, so a restart or a second replica loses nothing.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/idbridge/idbridge/pkg/audit"
	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/netid"
	"github.com/idbridge/idbridge/pkg/ratelimit"
	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/users"
)

// Deps are the live dependencies of a Server.
type Deps struct {
	// Config are the API's settings.
	Config Options
	// Issuer is the provider's public base URL (for the OpenAPI servers
	// entry).
	Issuer string
	Store  storage.Store
	// Journey decides who the person is, which check runs and how its
	// result lands, and erases people; its person store is the API's.
	Journey  *journey.Core
	Verifier idv.Verifier
	Logger   *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// HTTPClient delivers outbound webhooks (default: a client with the
	// configured timeout that does not follow redirects).
	HTTPClient *http.Client

	// Sealer encrypts the records that hold personal data (session
	// records, events, raw hook bodies) at rest; pass the same sealer as
	// the user repository. Nil stores them in clear (development only).
	Sealer users.Sealer
	// NetID resolves client addresses behind trusted proxies, for the
	// limit on failed authentications and the audit trail (nil: the peer
	// address).
	NetID *netid.Resolver
	// Audit writes audit lines with client addresses (nil: none).
	Audit *audit.Log
}

// Server serves the connector API and runs the poller and the webhook
// deliverer. It is safe for concurrent use.
type Server struct {
	cfg      Options
	issuer   string
	st       storage.Store
	users    *users.Repo
	journey  *journey.Core
	verifier idv.Verifier
	log      *slog.Logger
	now      func() time.Time
	http     *http.Client
	sealer   users.Sealer
	consumer string
	limiters map[string]*ratelimit.Limiter
	mux      *http.ServeMux
	// authFailures counts failed authentications per client address.
	authFailures *ratelimit.Limiter
	clientKey    func(*http.Request) string
	audit        *audit.Log

	runMu   sync.Mutex
	running bool
}

// New checks d and builds a Server.
func New(d Deps) (*Server, error) {
	switch {
	case d.Store == nil:
		return nil, errors.New("api: Store is required")
	case d.Journey == nil:
		return nil, errors.New("api: Journey is required")
	case d.Verifier == nil:
		return nil, errors.New("api: Verifier is required")
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.HTTPClient == nil {
		d.HTTPClient = &http.Client{
			Timeout: d.Config.Webhooks.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	s := &Server{
		cfg: d.Config, issuer: strings.TrimRight(d.Issuer, "/"), st: d.Store, users: d.Journey.Users(), journey: d.Journey,
		verifier: d.Verifier, log: d.Logger, now: d.Now, http: d.HTTPClient, sealer: d.Sealer,
		consumer: "idbridge-" + hex.EncodeToString(b),
		limiters: map[string]*ratelimit.Limiter{},
	}
	if d.NetID == nil {
		var err error
		if d.NetID, err = netid.New(netid.Config{}); err != nil {
			return nil, err
		}
	}
	s.audit = d.Audit
	s.clientKey = ratelimit.ByClientIP(d.NetID)
	s.authFailures = ratelimit.New(d.Store, "api-auth-failures", max(d.Config.AuthFailuresPerMinute, 1), time.Minute,
		ratelimit.WithLogger(d.Logger), ratelimit.WithClock(d.Now))
	for _, c := range d.Config.Clients {
		if c.RateLimit > 0 {
			s.limiters[c.ID] = ratelimit.New(d.Store, "api", c.RateLimit, time.Minute,
				ratelimit.WithLogger(d.Logger), ratelimit.WithClock(d.Now))
		}
	}
	s.routes()
	return s, nil
}

// identifier is the person a caller names by user_identifier, in the
// caller's namespace; ErrMalformed for a value that cannot be one.
func (s *Server) identifier(client, raw string) (users.Identifier, error) {
	ns := client
	for _, c := range s.cfg.Clients {
		if c.ID == client && c.IdentifierNamespace != "" {
			ns = c.IdentifierNamespace
		}
	}
	id, err := users.NewIdentifier(ns, raw)
	if err != nil {
		return id, ErrMalformed.With("user_identifier is empty, longer than 256 characters or contains control characters")
	}
	return id, nil
}

// Handler serves /v1/...; mount it at "/v1/" without stripping the prefix.
func (s *Server) Handler() http.Handler { return s.audit.Middleware(s.mux) }

// Run polls pending sessions and delivers webhooks until ctx ends. Calling
// it twice at once on one Server is an error.
func (s *Server) Run(ctx context.Context) error {
	s.runMu.Lock()
	if s.running {
		s.runMu.Unlock()
		return errors.New("api: Run already running")
	}
	s.running = true
	s.runMu.Unlock()
	defer func() {
		s.runMu.Lock()
		s.running = false
		s.runMu.Unlock()
	}()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.every(ctx, s.cfg.PollInterval, s.pollOnce) }()
	go func() { defer wg.Done(); s.every(ctx, s.cfg.Webhooks.Interval, s.deliverOnce) }()
	wg.Wait()
	return nil
}

// every runs f now and then at each interval until ctx ends; errors are
// logged, never fatal.
func (s *Server) every(ctx context.Context, interval time.Duration, f func(context.Context) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := f(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("api background work failed", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// routes lists every endpoint. Paths without a method answer 405 in JSON
// for the methods not listed.
func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /v1/openapi.json", s.handleOpenAPI)
	m.Handle("POST /v1/idv/sessions", s.authed(s.idempotent(s.createIDVSession)))
	m.Handle("GET /v1/idv/sessions/{id}", s.authed(s.get(s.getIDVSession)))
	m.Handle("POST /v1/stepup/challenges", s.authed(s.idempotent(s.createChallenge)))
	m.Handle("GET /v1/stepup/challenges/{id}", s.authed(s.get(s.getChallenge)))
	m.Handle("POST /v1/idv/sessions/{id}/cancel", s.authed(s.post(s.cancelIDVSession)))
	m.Handle("POST /v1/stepup/challenges/{id}/cancel", s.authed(s.post(s.cancelChallenge)))
	m.Handle("POST /v1/risk/evaluate", s.authed(s.post(s.evaluateRisk)))
	m.Handle("POST /v1/users/{user_identifier}/forget", s.authed(s.post(s.forgetUser)))
	m.HandleFunc("POST /v1/hooks/descope", s.handleDescopeHook)
	for _, p := range []string{"/v1/openapi.json", "/v1/idv/sessions", "/v1/idv/sessions/{id}", "/v1/stepup/challenges",
		"/v1/stepup/challenges/{id}", "/v1/idv/sessions/{id}/cancel", "/v1/stepup/challenges/{id}/cancel", "/v1/risk/evaluate", "/v1/users/{user_identifier}/forget", "/v1/hooks/descope"} {
		m.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) { s.writeError(w, r, ErrMethod) })
	}
	m.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, ErrNotFound.With("no such endpoint; see /v1/openapi.json"))
	})
	s.mux = m
}

// allowed names the methods of the endpoint at path, for 405 answers.
func allowed(path string) string {
	switch {
	case path == "/v1/openapi.json":
		return "GET"
	case path == "/v1/idv/sessions", path == "/v1/stepup/challenges", path == "/v1/risk/evaluate",
		path == "/v1/hooks/descope", strings.HasPrefix(path, "/v1/users/"), strings.HasSuffix(path, "/cancel"):
		return "POST"
	case strings.HasPrefix(path, "/v1/idv/sessions/"), strings.HasPrefix(path, "/v1/stepup/challenges/"):
		return "GET"
	}
	return ""
}
