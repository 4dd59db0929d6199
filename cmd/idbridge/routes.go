package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/idbridge/idbridge/oidc"
	"github.com/idbridge/idbridge/pkg/admin"
	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/httpsec"
	"github.com/idbridge/idbridge/pkg/metrics"
	"github.com/idbridge/idbridge/pkg/ratelimit"
)

// selfClient reaches the in-process simulator at the issuer's own URL;
// when idbridge serves its own certificate, that certificate is trusted
// too, so a self-signed development certificate works.
func selfClient(cfg *config.Config) (*http.Client, error) {
	if cfg.TLS.CertFile == "" {
		return &http.Client{Timeout: 30 * time.Second}, nil
	}
	pem, err := os.ReadFile(cfg.TLS.CertFile)
	if err != nil {
		return nil, fmt.Errorf("tls.cert_file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	pool.AppendCertsFromPEM(pem)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Timeout: 30 * time.Second, Transport: tr}, nil
}

// Handler routes the provider, the simulator, the demo and health checks,
// with request size limits, rate limits on authorize, token and the login
// pages, security headers, panic recovery, metrics and request logs.
func (a *app) Handler() http.Handler {
	lim := func(name string, n int) func(http.Handler) http.Handler {
		l := ratelimit.New(a.store, "ratelimit:"+name, n, time.Minute, ratelimit.WithLogger(a.log))
		deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a.metrics.RateLimited(name)
			ratelimit.TooManyRequests.ServeHTTP(w, r)
		})
		return ratelimit.Middleware(l, ratelimit.ByClientIP(a.netid), deny)
	}
	small, prov := httpsec.MaxBody(1<<20), a.provider.Handler()
	mux := http.NewServeMux()
	mux.Handle("/", small(prov))
	mux.Handle(oidc.PathAuthorize, small(lim("authorize", a.cfg.Limits.Authorize)(prov)))
	mux.Handle(oidc.PathPAR, small(lim("authorize", a.cfg.Limits.Authorize)(prov)))
	mux.Handle(oidc.PathToken, small(lim("token", a.cfg.Limits.Token)(prov)))
	// Identifying and capturing start paid 1Kosmos calls.
	mux.Handle(oidc.PathLogin+"/identify", small(lim("login", a.cfg.Limits.Login)(prov)))
	mux.Handle(oidc.PathLogin+"/capture", httpsec.MaxBody(6<<20)(lim("login", a.cfg.Limits.Login)(prov)))
	if a.sim != nil {
		mux.Handle("/simulator/", httpsec.MaxBody(16<<20)(http.StripPrefix("/simulator", a.sim.Handler())))
	}
	if a.demo != nil {
		mux.Handle("/demo", small(a.demo.Handler()))
		mux.Handle("/demo/", small(a.demo.Handler()))
	}
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/readyz", a.ready)
	if a.admin != nil {
		mux.Handle("/admin/", small(a.admin.Handler()))
		// Guessing the admin token is limited like the login pages.
		mux.Handle("POST "+admin.PathLogin, small(lim("login", a.cfg.Limits.Login)(a.admin.Handler())))
	}
	mux.Handle("/v1/", a.api.Handler())
	if a.saml != nil {
		// A SAML request starts a login, like /authorize.
		mux.Handle("/saml/", small(lim("authorize", a.cfg.Limits.Authorize)(a.saml.Handler())))
	}
	if a.cfg.Metrics.Listen == "" {
		mux.Handle("/metrics", a.metricsHandler())
	}
	h := httpsec.RecoverPanics(a.log)(mux)
	h = httpsec.HeadersWith(httpsec.Options{HTTPS: strings.HasPrefix(a.cfg.Issuer, "https://")})(h)
	h = a.metrics.Middleware(metrics.Routes("/.well-known/openid-configuration", oidc.PathAuthorize, oidc.PathPAR, oidc.PathToken,
		oidc.PathUserinfo, oidc.PathIntrospect, oidc.PathRevoke, oidc.PathEndSession, oidc.PathJWKS, oidc.PathLogin, oidc.PathLogin+"/",
		"/static/", "/saml/", "/simulator/", "/demo", "/demo/", "/admin/", "/healthz", "/readyz", "/metrics",
		"/v1/idv/sessions", "/v1/stepup/challenges", "/v1/risk/evaluate", "/v1/hooks/descope", "/v1/users/", "/v1/openapi.json", "/v1/"))(h)
	return withRequestLog(a.log, h)
}

// metricsHandler serves Prometheus metrics, behind metrics.token when one
// is set. Outside dev, configuration validation makes sure /metrics on the
// main listener has a token.
func (a *app) metricsHandler() http.Handler {
	next := a.metrics.Handler()
	token := a.cfg.Metrics.Token
	if token == "" {
		return next
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if !ok || !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, "send the metrics token as Authorization: Bearer <metrics.token>\n")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ready fails while shared storage is unreachable, so a load balancer
// stops sending logins that could not be finished.
func (a *app) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Cache-Control", "no-store")
	if err := a.store.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "storage unavailable\n")
		return
	}
	_, _ = io.WriteString(w, "ready\n")
}

// withRequestLog logs one line per request with a request id; never the
// query string, which carries codes, tokens and hints.
func withRequestLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 || strings.ContainsAny(id, "\r\n") {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = fmt.Sprintf("%x", b)
		}
		w.Header().Set("X-Request-Id", id)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", id), slog.String("method", r.Method), slog.String("path", logPath(r.URL.Path)),
			slog.Int("status", rec.status), slog.Duration("duration", time.Since(start)))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logPath keeps personal data out of request logs: the connector API's
// user paths carry the relying party's identifier (often an email).
func logPath(p string) string {
	if rest, ok := strings.CutPrefix(p, "/v1/users/"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return "/v1/users/{user_identifier}" + rest[i:]
		}
		return "/v1/users/{user_identifier}"
	}
	return p
}
