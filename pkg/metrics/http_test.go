package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/idbridge/idbridge/pkg/metrics"
)

func TestMiddleware(t *testing.T) {
	m := metrics.New()
	mux := http.NewServeMux()
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "{}") })
	mux.HandleFunc("/login/wait", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login/continue", http.StatusFound)
	})
	mux.HandleFunc("/boom", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		w.(http.Flusher).Flush() // handlers may assert Flusher through the wrapper
	})
	route := metrics.Routes("/token", "/login/", "/boom", "/stream")
	h := m.Middleware(route)(mux)
	// The server's own recovery would log noisily; this one just answers.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if recover() != nil {
				w.WriteHeader(http.StatusInternalServerError)
			}
		}()
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()

	requests := []struct{ method, path string }{
		{"GET", "/token"}, {"POST", "/token"}, {"POST", "/token"},
		{"GET", "/login/wait"},
		{"GET", "/users/8c1f6a2e-5d2b-4c1e-9b7a-1f2e3d4c5b6a"}, // an id: must not become a label
		{"BREW", "/token"},
		{"GET", "/boom"},
		{"GET", "/stream"},
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, rq := range requests {
		req, _ := http.NewRequest(rq.method, srv.URL+rq.path, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	want := `
# HELP idbridge_http_requests_total HTTP requests served, by route, method and status code.
# TYPE idbridge_http_requests_total counter
idbridge_http_requests_total{method="GET",route="/boom",status="500"} 1
idbridge_http_requests_total{method="GET",route="/login/",status="302"} 1
idbridge_http_requests_total{method="GET",route="/stream",status="200"} 1
idbridge_http_requests_total{method="GET",route="/token",status="200"} 1
idbridge_http_requests_total{method="GET",route="other",status="404"} 1
idbridge_http_requests_total{method="POST",route="/token",status="200"} 2
idbridge_http_requests_total{method="other",route="/token",status="200"} 1
`
	compare(t, m, want, "idbridge_http_requests_total")
	counts := map[string]uint64{}
	for _, s := range families(t, m)["idbridge_http_request_duration_seconds"].GetMetric() {
		counts[s.GetLabel()[0].GetValue()] = s.GetHistogram().GetSampleCount()
	}
	wantCounts := map[string]uint64{"/token": 4, "/login/": 1, "other": 1, "/boom": 1, "/stream": 1}
	if len(counts) != len(wantCounts) {
		t.Fatalf("duration series %v, want %v", counts, wantCounts)
	}
	for k, v := range wantCounts {
		if counts[k] != v {
			t.Fatalf("duration count for %q = %d, want %d (all: %v)", k, counts[k], v, counts)
		}
	}
}

func TestRoutes(t *testing.T) {
	route := metrics.Routes("/authorize", "/login", "/login/", "/simulator/", "/simulator/api/", "/.well-known/openid-configuration")
	tests := []struct{ path, want string }{
		{"/authorize", "/authorize"},
		{"/authorize/x", "other"},
		{"/login", "/login"},
		{"/login/wait", "/login/"},
		{"/simulator/page/123", "/simulator/"},
		{"/simulator/api/session/abc", "/simulator/api/"},
		{"/.well-known/openid-configuration", "/.well-known/openid-configuration"},
		{"/", "other"},
		{"/favicon.ico", "other"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := route(httptest.NewRequest(http.MethodGet, tt.path, nil)); got != tt.want {
				t.Fatalf("route(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}
