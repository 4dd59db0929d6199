package netid

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestClientOverLoopback resolves callers of a real server: the peer is
// the loopback client, trusted or not.
func TestClientOverLoopback(t *testing.T) {
	tests := []struct {
		name    string
		trusted []string
		tls     bool
		wantIP  string
		scheme  string
		host    string
	}{
		{name: "untrusted loopback peer: headers ignored", wantIP: "127.0.0.1", scheme: "http"},
		{name: "trusted loopback proxy: headers honoured", trusted: []string{"127.0.0.0/8", "::1"}, wantIP: "203.0.113.7", scheme: "https", host: "login.example.com"},
		{name: "TLS server", tls: true, wantIP: "127.0.0.1", scheme: "https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(Config{TrustedProxies: tt.trusted, CountryHeader: "CF-IPCountry"})
			if err != nil {
				t.Fatal(err)
			}
			h := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				c := r.Client(req)
				_ = json.NewEncoder(w).Encode(map[string]string{
					"ip": c.IP.String(), "scheme": c.Scheme, "host": c.Host, "network": c.Network, "country": c.Country, "ua": c.UserAgent,
				})
			})
			srv := httptest.NewUnstartedServer(h)
			if tt.tls {
				srv.StartTLS()
			} else {
				srv.Start()
			}
			defer srv.Close()

			req, err := http.NewRequest("GET", srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Forwarded-For", "6.6.6.6, 203.0.113.7")
			req.Header.Set("X-Forwarded-Proto", "https")
			req.Header.Set("X-Forwarded-Host", "login.example.com")
			req.Header.Set("CF-IPCountry", "fr")
			req.Header.Set("User-Agent", "netid-test/1")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got map[string]string
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			wantHost := tt.host
			if wantHost == "" {
				wantHost = srv.Listener.Addr().String()
			}
			wantCountry := ""
			if tt.trusted != nil {
				wantCountry = "FR"
			}
			if got["ip"] != tt.wantIP || got["scheme"] != tt.scheme || got["host"] != wantHost ||
				got["country"] != wantCountry || got["ua"] != "netid-test/1" || got["network"] == "" {
				t.Errorf("resolved %v; want ip %s scheme %s host %s country %q", got, tt.wantIP, tt.scheme, wantHost, wantCountry)
			}
		})
	}
}
