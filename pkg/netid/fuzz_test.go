package netid

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

// FuzzClient feeds arbitrary peer addresses and forwarding headers to a
// resolver. Seeds live in testdata/fuzz/FuzzClient; run with
// go test -fuzz=FuzzClient ./pkg/netid.
func FuzzClient(f *testing.F) {
	f.Add("10.0.0.1:80", "6.6.6.6, 203.0.113.7", `for=203.0.113.7;proto=https`, "https", "login.example.com", "FR", false)
	f.Add("[2001:db8:ffff::1]:443", "[2001:db8::7]:1, 2001:db8:ffff::2", `for="[2001:db8::7]"`, "http, https", "a.example", "XX", true)
	f.Add("203.0.113.7:1", "10.0.0.1", "for=10.0.0.1", "https", "evil.example", "KP", false)

	r, err := New(Config{
		TrustedProxies: []string{"10.0.0.0/8", "2001:db8:ffff::/48", "::ffff:192.168.0.0/112"},
		CountryHeader:  "CF-IPCountry",
	})
	if err != nil {
		f.Fatal(err)
	}
	rf, err := New(Config{TrustedProxies: []string{"10.0.0.0/8", "2001:db8:ffff::/48"}, UseForwarded: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, remote, xff, fwd, proto, host, country string, useForwarded bool) {
		h := http.Header{}
		for name, v := range map[string]string{"X-Forwarded-For": xff, "Forwarded": fwd, "X-Forwarded-Proto": proto, "X-Forwarded-Host": host, "Cf-Ipcountry": country} {
			if v != "" {
				h[name] = strings.Split(v, "\n") // newlines stand for separate header lines
			}
		}
		res := r
		if useForwarded {
			res = rf
		}
		req := &http.Request{RemoteAddr: remote, Host: "idp.example", Header: h}
		c := res.Client(req)

		if c.Scheme != "http" && c.Scheme != "https" {
			t.Fatalf("scheme %q", c.Scheme)
		}
		if c.Host != "idp.example" && !validHost(c.Host) {
			t.Fatalf("host %q", c.Host)
		}
		if c.Country != "" && (len(c.Country) != 2 || strings.ToUpper(c.Country) != c.Country || c.Country == "XX") {
			t.Fatalf("country %q", c.Country)
		}
		if c.IP.IsValid() {
			if c.IP.Is4In6() || c.IP.Zone() != "" {
				t.Fatalf("address %s not normalised", c.IP)
			}
			p, err := netip.ParsePrefix(c.Network)
			if err != nil || !p.Contains(c.IP) {
				t.Fatalf("network %q does not contain %s", c.Network, c.IP)
			}
		} else if c.Network != "" {
			t.Fatalf("network %q without an address", c.Network)
		}
		// An untrusted peer is the client and cannot change anything else.
		if ap, err := netip.ParseAddrPort(remote); err == nil {
			peer := ap.Addr().Unmap().WithZone("")
			if !res.trusts(peer) && (c.IP != peer || c.Host != "idp.example" || c.Scheme != "http" || c.Country != "") {
				t.Fatalf("untrusted peer %s changed the result: %+v", peer, c)
			}
		}
	})
}

// FuzzParseForwarded checks the RFC 7239 parser on arbitrary input: no
// panic, a bounded result, and every accepted element survives a
// round-trip through its quoted form.
func FuzzParseForwarded(f *testing.F) {
	f.Add(`for=192.0.2.60;proto=http;by=203.0.113.43`)
	f.Add(`For="[2001:db8:cafe::17]:4711", for=unknown`)
	f.Add(`host="a\"b,c";for=d`)
	f.Fuzz(func(t *testing.T, s string) {
		elems, err := parseForwarded([]string{s})
		if err != nil {
			return
		}
		if len(elems) > maxForwardedElements {
			t.Fatalf("%d elements", len(elems))
		}
		var parts []string
		for _, e := range elems {
			var pairs []string
			for _, kv := range [][2]string{{"for", e.node}, {"proto", e.proto}, {"host", e.host}} {
				if kv[1] != "" {
					pairs = append(pairs, kv[0]+"="+quote(kv[1]))
				}
			}
			if len(pairs) > 0 {
				parts = append(parts, strings.Join(pairs, ";"))
			}
		}
		again, err := parseForwarded([]string{strings.Join(parts, ", ")})
		if err != nil {
			t.Fatalf("re-encoded %q does not parse: %v", strings.Join(parts, ", "), err)
		}
		var nonEmpty []fwdElement
		for _, e := range elems {
			if e != (fwdElement{}) {
				nonEmpty = append(nonEmpty, e)
			}
		}
		if len(again) != len(nonEmpty) {
			t.Fatalf("round trip: %d elements, want %d", len(again), len(nonEmpty))
		}
		for i := range again {
			if again[i] != nonEmpty[i] {
				t.Fatalf("round trip: %+v, want %+v", again[i], nonEmpty[i])
			}
		}
	})
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
