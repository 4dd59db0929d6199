// Package metrics exposes idbridge's Prometheus metrics: HTTP traffic by
// route, logins, identity verification calls, webhook deliveries, signing
// key age, step-up decisions and rate limit refusals, plus the Go runtime
// and process collectors.
//
// Every Metrics has its own registry (nothing is registered globally), so
// tests and embedded servers can build as many as they like. All label
// values come from small fixed sets chosen by our code (routes, outcomes,
// call kinds), never from request data: no paths with ids, no client
// input, nothing personal.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every metric of ours.
const namespace = "idbridge"

// verificationBuckets suit calls to 1Kosmos: tens of milliseconds for a
// session poll up to tens of seconds for a slow document check.
var verificationBuckets = []float64{0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// Metrics holds idbridge's collectors and the registry that serves them.
// Its methods are safe for concurrent use. A nil *Metrics is valid and
// records nothing, so components can take one optionally.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	logins       *prometheus.CounterVec
	verifyTime   *prometheus.HistogramVec
	idvErrors    *prometheus.CounterVec
	webhooks     *prometheus.CounterVec
	keyAge       *prometheus.GaugeVec
	stepUp       *prometheus.CounterVec
	rateLimited  *prometheus.CounterVec
}

// New returns Metrics on a fresh registry holding every idbridge metric
// and the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "http_requests_total",
			Help: "HTTP requests served, by route, method and status code.",
		}, []string{"route", "method", "status"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "logins_total",
			Help: "Finished login journeys, by journey (e.g. idv, liveid, sso) and outcome.",
		}, []string{"journey", "outcome"}),
		verifyTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "verification_duration_seconds",
			Help:    "Duration of identity verification calls, by kind of call.",
			Buckets: verificationBuckets,
		}, []string{"kind"}),
		idvErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "onekosmos_errors_total",
			Help: "Identity verification calls that failed, by kind of call.",
		}, []string{"kind"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "webhook_deliveries_total",
			Help: "Outbound webhook delivery attempts, by outcome.",
		}, []string{"outcome"}),
		keyAge: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Name: "signing_key_age_seconds",
			Help: "Age of the signing key in use, by algorithm.",
		}, []string{"alg"}),
		stepUp: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "stepup_decisions_total",
			Help: "Step-up policy decisions, by decision.",
		}, []string{"decision"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "ratelimited_total",
			Help: "Requests refused by a rate limit, by limiter.",
		}, []string{"limiter"}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.httpRequests, m.httpDuration, m.logins, m.verifyTime, m.idvErrors, m.webhooks, m.keyAge, m.stepUp, m.rateLimited,
	)
	return m
}

// Registerer lets other components add their own collectors to the same
// registry (for example the Redis client's pool statistics).
func (m *Metrics) Registerer() prometheus.Registerer { return m.reg }

// Handler serves the registry in the Prometheus text and OpenMetrics
// formats, for GET /metrics. The metrics reveal traffic levels and error
// rates, so serve it on an internal listener or behind authentication.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
