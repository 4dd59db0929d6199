package netid

import (
	"crypto/tls"
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

const testGeoCSV = `cidr,country,lat,lon
203.0.113.0/24,FR,48.8566,2.3522
198.51.100.0/24,US
2001:db8:abcd::/48,DE,52.52,13.405
`

func testResolver(t *testing.T, useForwarded bool) *Resolver {
	t.Helper()
	geo, err := LoadCSV(strings.NewReader(testGeoCSV))
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(Config{
		TrustedProxies: []string{"10.0.0.0/8", "2001:db8:ffff::/48", "::ffff:192.168.0.0/112", "127.0.0.1"},
		CountryHeader:  "CF-IPCountry",
		GeoIP:          geo,
		UseForwarded:   useForwarded,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type clientCase struct {
	name      string
	remote    string
	header    http.Header
	tls       bool
	forwarded bool // resolver with UseForwarded
	ip        string
	scheme    string // default http
	host      string // default idp.example
	country   string
}

func TestClientAddress(t *testing.T) {
	spoof := http.Header{
		"X-Forwarded-For":   {"6.6.6.6"},
		"X-Forwarded-Proto": {"https"},
		"X-Forwarded-Host":  {"evil.example"},
		"Forwarded":         {"for=6.6.6.6;proto=https;host=evil.example"},
		"Cf-Ipcountry":      {"KP"},
	}
	runClientCases(t, []clientCase{
		{name: "direct client", remote: "203.0.113.7:5555", ip: "203.0.113.7", country: "FR"},
		{name: "spoofed headers from an untrusted peer are ignored", remote: "203.0.113.7:5555", header: spoof, ip: "203.0.113.7", country: "FR"},
		{name: "spoofed headers from an untrusted IPv6 peer are ignored", remote: "[2001:db8:abcd::9]:443", header: spoof, ip: "2001:db8:abcd::9", country: "DE"},
		{name: "trusted proxy, one address", remote: "10.0.0.1:80", header: xff("203.0.113.7"), ip: "203.0.113.7", country: "FR"},
		{name: "client-prepended address is skipped", remote: "10.0.0.1:80", header: xff("6.6.6.6, 203.0.113.7"), ip: "203.0.113.7", country: "FR"},
		{name: "chain of trusted proxies", remote: "10.0.0.1:80", header: xff("203.0.113.7, 10.0.0.5, 10.0.0.6"), ip: "203.0.113.7", country: "FR"},
		{name: "spoof in front of a chain", remote: "10.0.0.1:80", header: xff("6.6.6.6, 203.0.113.7, 10.0.0.5"), ip: "203.0.113.7", country: "FR"},
		{name: "untrusted hop in the middle stops the walk", remote: "10.0.0.1:80", header: xff("203.0.113.7, 198.51.100.9, 10.0.0.5"), ip: "198.51.100.9", country: "US"},
		{name: "only trusted hops: leftmost", remote: "10.0.0.1:80", header: xff("10.0.0.9, 10.0.0.5"), ip: "10.0.0.9"},
		{name: "garbage right of the client stops at the last trusted hop", remote: "10.0.0.1:80", header: xff("203.0.113.7, not-an-ip"), ip: "10.0.0.1"},
		{name: "garbage left of the client is never read", remote: "10.0.0.1:80", header: xff("<script>, 203.0.113.7"), ip: "203.0.113.7", country: "FR"},
		{name: "unknown is not an address", remote: "10.0.0.1:80", header: xff("unknown"), ip: "10.0.0.1"},
		{name: "empty items are skipped", remote: "10.0.0.1:80", header: xff(" , 203.0.113.7 ,, "), ip: "203.0.113.7", country: "FR"},
		{name: "empty header", remote: "10.0.0.1:80", header: xff(""), ip: "10.0.0.1"},
		{name: "several header lines are one list", remote: "10.0.0.1:80", header: xff("6.6.6.6", "203.0.113.7, 10.0.0.5"), ip: "203.0.113.7", country: "FR"},
		{name: "address with port", remote: "10.0.0.1:80", header: xff("203.0.113.7:1234"), ip: "203.0.113.7", country: "FR"},
		{name: "bracketed IPv6 with port", remote: "10.0.0.1:80", header: xff("[2001:db8:abcd::7]:443"), ip: "2001:db8:abcd::7", country: "DE"},
		{name: "bare IPv6", remote: "10.0.0.1:80", header: xff("2001:db8:abcd::7"), ip: "2001:db8:abcd::7", country: "DE"},
		{name: "bracketed IPv4 is not an address", remote: "10.0.0.1:80", header: xff("[203.0.113.7]"), ip: "10.0.0.1"},
		{name: "out of range port is not an address", remote: "10.0.0.1:80", header: xff("203.0.113.7:99999"), ip: "10.0.0.1"},
		{name: "IPv4-mapped item is unmapped", remote: "10.0.0.1:80", header: xff("::ffff:203.0.113.7"), ip: "203.0.113.7", country: "FR"},
		{name: "zone is dropped", remote: "10.0.0.1:80", header: xff("fe80::1%eth0"), ip: "fe80::1"},
		{name: "IPv6 trusted proxy", remote: "[2001:db8:ffff::1]:443", header: xff("203.0.113.7, 2001:db8:ffff::2"), ip: "203.0.113.7", country: "FR"},
		{name: "IPv4-mapped peer matches an IPv4 range", remote: "[::ffff:10.0.0.1]:80", header: xff("203.0.113.7"), ip: "203.0.113.7", country: "FR"},
		{name: "IPv4-mapped configured range matches an IPv4 peer", remote: "192.168.4.4:80", header: xff("203.0.113.7"), ip: "203.0.113.7", country: "FR"},
		{name: "single trusted address", remote: "127.0.0.1:9", header: xff("203.0.113.7"), ip: "203.0.113.7", country: "FR"},
		{name: "neighbour of a single trusted address is not trusted", remote: "127.0.0.2:9", header: xff("203.0.113.7"), ip: "127.0.0.2"},
		{name: "peer zone dropped", remote: "[fe80::1%eth0]:80", ip: "fe80::1"},
		{name: "peer without port", remote: "203.0.113.7", ip: "203.0.113.7", country: "FR"},
		{name: "unusable peer address", remote: "@", header: xff("203.0.113.7"), ip: "invalid IP"},
		{name: "empty peer address", remote: "", ip: "invalid IP"},
	})
}

func TestClientSchemeHostCountry(t *testing.T) {
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	const client = "203.0.113.7"
	runClientCases(t, []clientCase{
		{name: "TLS request is https", remote: "203.0.113.7:1", tls: true, scheme: "https", ip: client, country: "FR"},
		{name: "proto and host from a trusted proxy", remote: "10.0.0.1:80",
			header: h("X-Forwarded-For", client, "X-Forwarded-Proto", "HTTPS", "X-Forwarded-Host", "login.example.com"),
			ip:     client, scheme: "https", host: "login.example.com", country: "FR"},
		{name: "proto and host ignored without X-Forwarded-For", remote: "10.0.0.1:80",
			header: h("X-Forwarded-Proto", "https", "X-Forwarded-Host", "login.example.com"), ip: "10.0.0.1"},
		{name: "bad proto and host ignored", remote: "10.0.0.1:80",
			header: h("X-Forwarded-For", client, "X-Forwarded-Proto", "javascript", "X-Forwarded-Host", "evil.example/path"),
			ip:     client, country: "FR"},
		{name: "host with port and IPv6 literal", remote: "10.0.0.1:80",
			header: h("X-Forwarded-For", client, "X-Forwarded-Host", "[2001:db8::1]:8443"), ip: client, host: "[2001:db8::1]:8443", country: "FR"},
		{name: "proto parallel to a chain", remote: "10.0.0.1:80",
			header: h("X-Forwarded-For", client+", 10.0.0.5", "X-Forwarded-Proto", "https, http"), ip: client, scheme: "https", country: "FR"},
		{name: "proto not parallel: nearest proxy's value", remote: "10.0.0.1:80",
			header: h("X-Forwarded-For", "6.6.6.6, "+client, "X-Forwarded-Proto", "https"), ip: client, scheme: "https", country: "FR"},
		{name: "spoofed proto list not parallel: nearest proxy's value", remote: "10.0.0.1:80",
			header: h("X-Forwarded-For", client, "X-Forwarded-Proto", "https, http"), ip: client, scheme: "http", country: "FR"},
		{name: "country header from a trusted proxy wins over GeoIP", remote: "10.0.0.1:80",
			header: h("X-Forwarded-For", client, "CF-IPCountry", "be"), ip: client, country: "BE"},
		{name: "unknown country header falls back to GeoIP", remote: "10.0.0.1:80",
			header: h("X-Forwarded-For", client, "CF-IPCountry", "XX"), ip: client, country: "FR"},
		{name: "garbage country header falls back to GeoIP", remote: "10.0.0.1:80",
			header: h("X-Forwarded-For", client, "CF-IPCountry", "France"), ip: client, country: "FR"},
		{name: "Tor pseudo-country kept", remote: "10.0.0.1:80",
			header: h("X-Forwarded-For", client, "CF-IPCountry", "T1"), ip: client, country: "T1"},
		{name: "Forwarded when no X-Forwarded-For", remote: "10.0.0.1:80",
			header: h("Forwarded", `for=203.0.113.7;proto=https;host=login.example.com`),
			ip:     client, scheme: "https", host: "login.example.com", country: "FR"},
		{name: "Forwarded quoted IPv6 with port", remote: "10.0.0.1:80",
			header: h("Forwarded", `For="[2001:db8:abcd::7]:4711"`), ip: "2001:db8:abcd::7", country: "DE"},
		{name: "Forwarded chain: proto of the client's element", remote: "10.0.0.1:80",
			header: h("Forwarded", `for=6.6.6.6;proto=http, for=203.0.113.7;proto=https;by=10.0.0.5`, "Forwarded", `for=10.0.0.5;proto=http`),
			ip:     client, scheme: "https", country: "FR"},
		{name: "Forwarded malformed: ignored", remote: "10.0.0.1:80",
			header: h("Forwarded", `for="203.0.113.7`), ip: "10.0.0.1"},
		{name: "Forwarded unknown node: stops at the trusted hop", remote: "10.0.0.1:80",
			header: h("Forwarded", `for=unknown;proto=https`), ip: "10.0.0.1"},
		{name: "X-Forwarded-For preferred over Forwarded by default", remote: "10.0.0.1:80",
			header: h("X-Forwarded-For", client, "Forwarded", "for=6.6.6.6"), ip: client, country: "FR"},
		{name: "UseForwarded ignores X-Forwarded-*", remote: "10.0.0.1:80", forwarded: true,
			header: h("X-Forwarded-For", "6.6.6.6", "X-Forwarded-Proto", "https", "Forwarded", "for=203.0.113.7"), ip: client, country: "FR"},
		{name: "UseForwarded without Forwarded: the peer", remote: "10.0.0.1:80", forwarded: true,
			header: h("X-Forwarded-For", "6.6.6.6"), ip: "10.0.0.1"},
	})
}

func xff(lines ...string) http.Header { return http.Header{"X-Forwarded-For": lines} }

func runClientCases(t *testing.T, cases []clientCase) {
	t.Helper()
	plain, fwd := testResolver(t, false), testResolver(t, true)
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			req := &http.Request{Method: "GET", Host: "idp.example", RemoteAddr: tt.remote, Header: tt.header}
			if req.Header == nil {
				req.Header = http.Header{}
			}
			if tt.tls {
				req.TLS = &tls.ConnectionState{}
			}
			r := plain
			if tt.forwarded {
				r = fwd
			}
			got := r.Client(req)
			want := Client{Scheme: "http", Host: "idp.example", Country: tt.country}
			if tt.scheme != "" {
				want.Scheme = tt.scheme
			}
			if tt.host != "" {
				want.Host = tt.host
			}
			if got.IP.String() != tt.ip || got.Scheme != want.Scheme || got.Host != want.Host || got.Country != want.Country {
				t.Errorf("Client = ip %s scheme %s host %s country %q; want %s %s %s %q",
					got.IP, got.Scheme, got.Host, got.Country, tt.ip, want.Scheme, want.Host, want.Country)
			}
			if got.Network != Network(got.IP) {
				t.Errorf("Network = %q, want %q", got.Network, Network(got.IP))
			}
			if addr := r.Addr(req); addr != got.IP {
				t.Errorf("Addr = %s, Client.IP = %s: they must agree", addr, got.IP)
			}
		})
	}
}

func TestClientLocationAndAgent(t *testing.T) {
	r := testResolver(t, false)
	tests := []struct {
		name      string
		remote    string
		ua        string
		lat, lon  float64
		hasCoords bool
		uaLen     int
	}{
		{name: "coordinates from GeoIP", remote: "203.0.113.9:1", lat: 48.8566, lon: 2.3522, hasCoords: true},
		{name: "IPv6 coordinates", remote: "[2001:db8:abcd:1::1]:1", lat: 52.52, lon: 13.405, hasCoords: true},
		{name: "country-only record has no coordinates", remote: "198.51.100.9:1"},
		{name: "unknown address", remote: "192.0.2.1:1"},
		{name: "user agent kept", remote: "192.0.2.1:1", ua: "Mozilla/5.0", uaLen: 11},
		{name: "long user agent cut on a rune boundary", remote: "192.0.2.1:1", ua: strings.Repeat("é", 400), uaLen: 512},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &http.Request{Host: "idp.example", RemoteAddr: tt.remote, Header: http.Header{}}
			if tt.ua != "" {
				req.Header.Set("User-Agent", tt.ua)
			}
			got := r.Client(req)
			if got.HasCoords != tt.hasCoords || got.Lat != tt.lat || got.Lon != tt.lon {
				t.Errorf("coords = %v %v %v, want %v %v %v", got.Lat, got.Lon, got.HasCoords, tt.lat, tt.lon, tt.hasCoords)
			}
			if len(got.UserAgent) != tt.uaLen || !strings.HasPrefix(tt.ua, got.UserAgent) {
				t.Errorf("UserAgent has %d bytes, want a %d-byte prefix", len(got.UserAgent), tt.uaLen)
			}
		})
	}
}

func TestClientGeoFunc(t *testing.T) {
	calls := 0
	r, err := New(Config{GeoIP: GeoFunc(func(ip netip.Addr) (string, float64, float64, bool) {
		calls++
		if ip != netip.MustParseAddr("192.0.2.1") {
			t.Errorf("lookup of %s, want the unmapped client address", ip)
		}
		return "nl", 200, 5, true // invalid latitude: country only
	})})
	if err != nil {
		t.Fatal(err)
	}
	got := r.Client(&http.Request{RemoteAddr: "[::ffff:192.0.2.1]:1", Header: http.Header{}})
	if calls != 1 || got.Country != "NL" || got.HasCoords {
		t.Errorf("calls %d, client %+v; want one call, country NL, no coordinates", calls, got)
	}
}

func BenchmarkClient(b *testing.B) {
	r, err := New(Config{TrustedProxies: []string{"10.0.0.0/8"}, CountryHeader: "CF-IPCountry"})
	if err != nil {
		b.Fatal(err)
	}
	req := &http.Request{Host: "idp.example", RemoteAddr: "10.0.0.1:80", Header: http.Header{
		"X-Forwarded-For":   {"6.6.6.6, 203.0.113.7, 10.0.0.5"},
		"X-Forwarded-Proto": {"https"},
		"Cf-Ipcountry":      {"FR"},
		"User-Agent":        {"Mozilla/5.0"},
	}}
	b.ReportAllocs()
	for b.Loop() {
		if c := r.Client(req); c.Country != "FR" {
			b.Fatal(c)
		}
	}
}
