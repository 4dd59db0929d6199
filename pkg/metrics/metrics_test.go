package metrics_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/idbridge/idbridge/pkg/metrics"
)

// scrapeURL serves m's handler and returns its URL.
func scrapeURL(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

// compare scrapes m and compares the family named name with the one in
// want (exposition text), both rendered back to text.
func compare(t *testing.T, m *metrics.Metrics, want, name string) {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	wantFams, err := p.TextToMetricFamilies(strings.NewReader(want))
	if err != nil {
		t.Fatalf("expected text: %v", err)
	}
	if got, want := render(t, families(t, m)[name]), render(t, wantFams[name]); got != want {
		t.Fatalf("%s scraped:\n%s\nwant:\n%s", name, got, want)
	}
}

func render(t *testing.T, f *dto.MetricFamily) string {
	t.Helper()
	if f == nil {
		return "(absent)\n"
	}
	var b strings.Builder
	if _, err := expfmt.MetricFamilyToText(&b, f); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// families scrapes m in the text format and parses the result.
func families(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(scrapeURL(t, m))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape status %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

func TestRecorders(t *testing.T) {
	tests := []struct {
		name   string
		record func(m *metrics.Metrics)
		metric string
		want   string
	}{
		{
			name: "logins by journey and outcome",
			record: func(m *metrics.Metrics) {
				m.Login("idv", metrics.OutcomeSuccess)
				m.Login("idv", metrics.OutcomeSuccess)
				m.Login("liveid", metrics.OutcomeFailure)
				m.Login("", "")
			},
			metric: "idbridge_logins_total",
			want: `
# HELP idbridge_logins_total Finished login journeys, by journey (e.g. idv, liveid, sso) and outcome.
# TYPE idbridge_logins_total counter
idbridge_logins_total{journey="idv",outcome="success"} 2
idbridge_logins_total{journey="liveid",outcome="failure"} 1
idbridge_logins_total{journey="unknown",outcome="unknown"} 1
`,
		},
		{
			name: "verification errors count only failed calls",
			record: func(m *metrics.Metrics) {
				m.Verification("session_create", 100*time.Millisecond, nil)
				m.Verification("session_create", 3*time.Second, errors.New("upstream 503"))
				m.Verification("face_match", time.Second, errors.New("timeout"))
			},
			metric: "idbridge_onekosmos_errors_total",
			want: `
# HELP idbridge_onekosmos_errors_total Identity verification calls that failed, by kind of call.
# TYPE idbridge_onekosmos_errors_total counter
idbridge_onekosmos_errors_total{kind="face_match"} 1
idbridge_onekosmos_errors_total{kind="session_create"} 1
`,
		},
		{
			name: "verification durations",
			record: func(m *metrics.Metrics) {
				m.Verification("session_poll", 40*time.Millisecond, nil)
				m.Verification("session_poll", 2*time.Second, errors.New("x"))
			},
			metric: "idbridge_verification_duration_seconds",
			want: `
# HELP idbridge_verification_duration_seconds Duration of identity verification calls, by kind of call.
# TYPE idbridge_verification_duration_seconds histogram
idbridge_verification_duration_seconds_bucket{kind="session_poll",le="0.025"} 0
idbridge_verification_duration_seconds_bucket{kind="session_poll",le="0.05"} 1
idbridge_verification_duration_seconds_bucket{kind="session_poll",le="0.1"} 1
idbridge_verification_duration_seconds_bucket{kind="session_poll",le="0.25"} 1
idbridge_verification_duration_seconds_bucket{kind="session_poll",le="0.5"} 1
idbridge_verification_duration_seconds_bucket{kind="session_poll",le="1"} 1
idbridge_verification_duration_seconds_bucket{kind="session_poll",le="2.5"} 2
idbridge_verification_duration_seconds_bucket{kind="session_poll",le="5"} 2
idbridge_verification_duration_seconds_bucket{kind="session_poll",le="10"} 2
idbridge_verification_duration_seconds_bucket{kind="session_poll",le="30"} 2
idbridge_verification_duration_seconds_bucket{kind="session_poll",le="60"} 2
idbridge_verification_duration_seconds_bucket{kind="session_poll",le="+Inf"} 2
idbridge_verification_duration_seconds_sum{kind="session_poll"} 2.04
idbridge_verification_duration_seconds_count{kind="session_poll"} 2
`,
		},
		{
			name: "webhook deliveries",
			record: func(m *metrics.Metrics) {
				m.WebhookDelivery("delivered")
				m.WebhookDelivery("retry")
				m.WebhookDelivery("retry")
			},
			metric: "idbridge_webhook_deliveries_total",
			want: `
# HELP idbridge_webhook_deliveries_total Outbound webhook delivery attempts, by outcome.
# TYPE idbridge_webhook_deliveries_total counter
idbridge_webhook_deliveries_total{outcome="delivered"} 1
idbridge_webhook_deliveries_total{outcome="retry"} 2
`,
		},
		{
			name: "key age is a gauge: the last value wins",
			record: func(m *metrics.Metrics) {
				m.KeyAge("RS256", time.Hour)
				m.KeyAge("RS256", 90*time.Minute)
				m.KeyAge("ES256", 30*time.Second)
			},
			metric: "idbridge_signing_key_age_seconds",
			want: `
# HELP idbridge_signing_key_age_seconds Age of the signing key in use, by algorithm.
# TYPE idbridge_signing_key_age_seconds gauge
idbridge_signing_key_age_seconds{alg="ES256"} 30
idbridge_signing_key_age_seconds{alg="RS256"} 5400
`,
		},
		{
			name: "step-up decisions",
			record: func(m *metrics.Metrics) {
				m.StepUp("allow")
				m.StepUp("liveid")
				m.StepUp("allow")
			},
			metric: "idbridge_stepup_decisions_total",
			want: `
# HELP idbridge_stepup_decisions_total Step-up policy decisions, by decision.
# TYPE idbridge_stepup_decisions_total counter
idbridge_stepup_decisions_total{decision="allow"} 2
idbridge_stepup_decisions_total{decision="liveid"} 1
`,
		},
		{
			name: "rate limit refusals",
			record: func(m *metrics.Metrics) {
				m.RateLimited("token")
				m.RateLimited("token")
				m.RateLimited("login")
			},
			metric: "idbridge_ratelimited_total",
			want: `
# HELP idbridge_ratelimited_total Requests refused by a rate limit, by limiter.
# TYPE idbridge_ratelimited_total counter
idbridge_ratelimited_total{limiter="login"} 1
idbridge_ratelimited_total{limiter="token"} 2
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := metrics.New()
			tt.record(m)
			compare(t, m, tt.want, tt.metric)
		})
	}
}

func TestRuntimeCollectors(t *testing.T) {
	fams := families(t, metrics.New())
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_cpu_seconds_total", "process_open_fds"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("scrape lacks %s", name)
		}
	}
}

func TestRegistriesAreIndependent(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.StepUp("deny")
	if got := families(t, b)["idbridge_stepup_decisions_total"]; got != nil && len(got.Metric) > 0 {
		t.Fatalf("a decision recorded on one Metrics shows on another: %v", got)
	}
	if got := families(t, a)["idbridge_stepup_decisions_total"]; got == nil || len(got.Metric) != 1 {
		t.Fatalf("decision missing from its own Metrics: %v", got)
	}
}

func TestNilMetricsRecordsNothing(t *testing.T) {
	var m *metrics.Metrics
	m.Login("idv", "success")
	m.Verification("k", time.Second, errors.New("x"))
	m.WebhookDelivery("delivered")
	m.KeyAge("RS256", time.Hour)
	m.StepUp("allow")
	m.RateLimited("token")
	h := m.Middleware(metrics.Routes("/"))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Body.String() != "ok" {
		t.Fatalf("body %q", rec.Body.String())
	}
}
