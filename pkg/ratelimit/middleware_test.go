package ratelimit_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/idbridge/idbridge/pkg/netid"
	"github.com/idbridge/idbridge/pkg/ratelimit"
	"github.com/idbridge/idbridge/pkg/storage/memory"
)

func TestMiddleware(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	custom := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"error":"slow_down"}`)
	})
	tests := []struct {
		name      string
		deny      http.Handler
		key       string
		requests  int
		wantCodes []int
		wantBody  string // of the last response
	}{
		{name: "default deny", key: "k", requests: 3, wantCodes: []int{200, 200, 429}, wantBody: "too many requests\n"},
		{name: "custom deny", deny: custom, key: "k", requests: 3, wantCodes: []int{200, 200, 429}, wantBody: `{"error":"slow_down"}`},
		{name: "empty key is not limited", key: "", requests: 4, wantCodes: []int{200, 200, 200, 200}, wantBody: "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := memory.New()
			t.Cleanup(func() { st.Close() })
			l := ratelimit.New(st, "mw", 2, time.Hour, ratelimit.WithClock(fixed))
			mw := ratelimit.Middleware(l, func(*http.Request) string { return tt.key }, tt.deny)
			srv := httptest.NewServer(mw(ok))
			defer srv.Close()
			var body string
			for i := range tt.requests {
				resp, err := srv.Client().Get(srv.URL)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				body = string(b)
				if resp.StatusCode != tt.wantCodes[i] {
					t.Fatalf("request %d: status %d, want %d", i+1, resp.StatusCode, tt.wantCodes[i])
				}
				wantRetry := ""
				if resp.StatusCode == http.StatusTooManyRequests {
					wantRetry = "1800" // the fixed clock is half way through the hour
				}
				if got := resp.Header.Get("Retry-After"); got != wantRetry {
					t.Fatalf("request %d: Retry-After %q, want %q", i+1, got, wantRetry)
				}
			}
			if body != tt.wantBody {
				t.Fatalf("last body %q, want %q", body, tt.wantBody)
			}
		})
	}
}

func TestByClientIP(t *testing.T) {
	res, err := netid.New(netid.Config{TrustedProxies: []string{"10.0.0.0/8"}})
	if err != nil {
		t.Fatal(err)
	}
	key := ratelimit.ByClientIP(res)
	tests := []struct {
		name   string
		remote string
		xff    string
		want   string
	}{
		{name: "ipv4 peer", remote: "203.0.113.7:5555", want: "203.0.113.7"},
		{name: "ipv6 peer keyed by /64", remote: "[2001:db8:1:2:3:4:5:6]:443", want: "2001:db8:1:2::/64"},
		{name: "trusted proxy forwards the client", remote: "10.1.2.3:80", xff: "198.51.100.9", want: "198.51.100.9"},
		{name: "untrusted peer cannot choose its key", remote: "203.0.113.7:5555", xff: "198.51.100.9", want: "203.0.113.7"},
		{name: "unusable peer is not limited", remote: "pipe", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/token", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if got := key(r); got != tt.want {
				t.Fatalf("key = %q, want %q", got, tt.want)
			}
		})
	}
}
