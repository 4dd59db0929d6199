package netid

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		errs    []string // substrings, one per expected problem
		trusted []string
		probe   map[string]bool // address -> trusted
	}{
		{name: "empty config trusts nobody", probe: map[string]bool{"10.0.0.1": false, "::1": false}},
		{
			name:  "CIDRs and single addresses",
			cfg:   Config{TrustedProxies: []string{"10.0.0.0/8", " 192.0.2.1 ", "2001:db8::/32", "fe80::1%eth0"}},
			probe: map[string]bool{"10.255.0.1": true, "192.0.2.1": true, "192.0.2.2": false, "2001:db8:5::1": true, "fe80::1": true, "11.0.0.1": false},
		},
		{
			name:  "host bits are masked",
			cfg:   Config{TrustedProxies: []string{"10.1.2.3/16"}},
			probe: map[string]bool{"10.1.200.1": true, "10.2.0.1": false},
		},
		{
			name:  "IPv4-mapped range covers IPv4 peers",
			cfg:   Config{TrustedProxies: []string{"::ffff:172.16.0.0/108"}},
			probe: map[string]bool{"172.16.5.5": true, "172.32.0.1": false},
		},
		{
			name:  "::/0 trusts every IPv6 peer only",
			cfg:   Config{TrustedProxies: []string{"::/0"}},
			probe: map[string]bool{"2001:db8::1": true, "10.0.0.1": false},
		},
		{
			name: "every problem reported with its index",
			cfg:  Config{TrustedProxies: []string{"10.0.0.0/8", "10.0.0.0/33", "proxy.internal", ""}, CountryHeader: "CF IPCountry"},
			errs: []string{"trusted_proxies[1]", "trusted_proxies[2]", "trusted_proxies[3]", "country_header"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(tt.cfg)
			if len(tt.errs) > 0 {
				if err == nil || !errors.Is(err, ErrInvalidConfig) {
					t.Fatalf("New error = %v, want ErrInvalidConfig", err)
				}
				if n := strings.Count(err.Error(), "\n") + 1; n != len(tt.errs) {
					t.Errorf("%d problems reported, want %d: %v", n, len(tt.errs), err)
				}
				for _, s := range tt.errs {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not name %s", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for a, want := range tt.probe {
				if got := r.trusts(netip.MustParseAddr(a)); got != want {
					t.Errorf("trusts(%s) = %v, want %v", a, got, want)
				}
			}
		})
	}
}

func TestNetwork(t *testing.T) {
	tests := []struct{ ip, want string }{
		{"203.0.113.77", "203.0.113.0/24"},
		{"::ffff:203.0.113.77", "203.0.113.0/24"},
		{"2001:db8:1:2:3::4", "2001:db8:1::/48"},
		{"fe80::1%eth0", "fe80::/48"},
		{"::1", "::/48"},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			if got := Network(netip.MustParseAddr(tt.ip)); got != tt.want {
				t.Errorf("Network = %q, want %q", got, tt.want)
			}
		})
	}
	if got := Network(netip.Addr{}); got != "" {
		t.Errorf("Network(invalid) = %q, want empty", got)
	}
}
