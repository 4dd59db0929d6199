package httpsec_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/idbridge/idbridge/pkg/httpsec"
)

func TestHeaders(t *testing.T) {
	body := func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "{}") }
	defaults := map[string]string{
		"X-Content-Type-Options":    "nosniff",
		"Referrer-Policy":           "no-referrer",
		"X-Frame-Options":           "DENY",
		"Content-Security-Policy":   httpsec.DefaultCSP,
		"Strict-Transport-Security": "",
	}
	with := func(over map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range defaults {
			m[k] = v
		}
		for k, v := range over {
			m[k] = v
		}
		return m
	}
	const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
	tests := []struct {
		name    string
		opts    *httpsec.Options // nil: Headers
		tls     bool
		handler http.HandlerFunc
		want    map[string]string // "" means absent
	}{
		{name: "defaults on a plain response", handler: body, want: defaults},
		{name: "defaults when the handler writes nothing", handler: func(http.ResponseWriter, *http.Request) {}, want: defaults},
		{name: "defaults on http.Error", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "nope", http.StatusBadRequest)
		}, want: defaults},
		{name: "a page's own CSP is kept", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", pageCSP)
			body(w, r)
		}, want: with(map[string]string{"Content-Security-Policy": pageCSP})},
		{name: "the handler's own framing and referrer policy are kept", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Frame-Options", "SAMEORIGIN")
			w.Header().Set("Referrer-Policy", "origin")
			w.WriteHeader(http.StatusCreated)
		}, want: with(map[string]string{"X-Frame-Options": "SAMEORIGIN", "Referrer-Policy": "origin"})},
		{name: "a header set after the response started does not count", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			w.Header().Set("Content-Security-Policy", pageCSP)
		}, want: defaults},
		{name: "flushing starts the response with the headers", handler: func(w http.ResponseWriter, r *http.Request) {
			_ = http.NewResponseController(w).Flush()
			w.Header().Set("X-Frame-Options", "SAMEORIGIN")
		}, want: defaults},
		{name: "early hints leave the final response's headers open", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusEarlyHints)
			w.Header().Set("Content-Security-Policy", pageCSP)
			body(w, r)
		}, want: with(map[string]string{"Content-Security-Policy": pageCSP})},
		{name: "HSTS over TLS", tls: true, handler: body,
			want: with(map[string]string{"Strict-Transport-Security": httpsec.DefaultHSTS})},
		{name: "HSTS behind a TLS-terminating proxy", opts: &httpsec.Options{HTTPS: true}, handler: body,
			want: with(map[string]string{"Strict-Transport-Security": httpsec.DefaultHSTS})},
		{name: "configured HSTS and CSP", tls: true, opts: &httpsec.Options{HSTS: "max-age=600", CSP: "default-src 'self'"}, handler: body,
			want: with(map[string]string{"Strict-Transport-Security": "max-age=600", "Content-Security-Policy": "default-src 'self'"})},
		{name: "the handler's own HSTS is kept", tls: true, handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Strict-Transport-Security", "max-age=0")
			body(w, r)
		}, want: with(map[string]string{"Strict-Transport-Security": "max-age=0"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := httpsec.Headers(tt.handler)
			if tt.opts != nil {
				h = httpsec.HeadersWith(*tt.opts)(tt.handler)
			}
			srv := httptest.NewUnstartedServer(h)
			if tt.tls {
				srv.StartTLS()
			} else {
				srv.Start()
			}
			defer srv.Close()
			resp, err := srv.Client().Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			for k, want := range tt.want {
				if got := resp.Header.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
				if n := len(resp.Header.Values(k)); n > 1 {
					t.Errorf("%s sent %d times", k, n)
				}
			}
		})
	}
}
