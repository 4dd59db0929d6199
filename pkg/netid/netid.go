// Package netid identifies who is calling: the client's IP address, the
// scheme and host it used, its network (the address prefix step-up policy
// remembers) and, when known, its country and coordinates.
//
// Proxy headers (Forwarded, X-Forwarded-For, X-Forwarded-Proto,
// X-Forwarded-Host and the configured country header) are believed only
// when the immediate peer is a configured trusted proxy; anyone else can
// write them. X-Forwarded-For is walked from the right, skipping trusted
// proxies, so a client cannot hide behind an address it prepends itself.
// Malformed headers are ignored, never fatal.
package netid

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Config configures a Resolver.
type Config struct {
	// TrustedProxies are the CIDRs (or single addresses) of the reverse
	// proxies and load balancers in front of idbridge. Empty: no proxy is
	// trusted and every forwarding header is ignored.
	TrustedProxies []string
	// CountryHeader names a header a trusted proxy sets to the client's
	// ISO 3166-1 alpha-2 country, e.g. "CF-IPCountry" (optional).
	CountryHeader string
	// GeoIP finds country and coordinates from the client address
	// (optional; see LoadCSV).
	GeoIP GeoLookup
	// UseForwarded says the trusted proxies maintain the RFC 7239
	// Forwarded header: it is then the only source and X-Forwarded-* are
	// ignored. By default X-Forwarded-For and friends are read, and
	// Forwarded only when no X-Forwarded-For is present. Set it when the
	// proxies write Forwarded but pass a client's X-Forwarded-For through
	// untouched, or clients could choose their address.
	UseForwarded bool
}

// GeoLookup maps an address to where it is. Implementations must be safe
// for concurrent use and fast (one call per request).
type GeoLookup interface {
	// Lookup returns the address's ISO 3166-1 alpha-2 country and its
	// coordinates in degrees; ok is false when the address is unknown.
	// NaN coordinates mean the country alone is known.
	Lookup(ip netip.Addr) (country string, lat, lon float64, ok bool)
}

// GeoFunc adapts a function to GeoLookup.
type GeoFunc func(ip netip.Addr) (country string, lat, lon float64, ok bool)

// Lookup calls f.
func (f GeoFunc) Lookup(ip netip.Addr) (string, float64, float64, bool) { return f(ip) }

var _ GeoLookup = GeoFunc(nil)

// Client is what Resolver.Client learned about the caller.
type Client struct {
	// IP is the client's address, IPv4-mapped IPv6 addresses unmapped and
	// zones dropped; invalid when even the peer address is unusable.
	IP netip.Addr
	// Scheme ("http" or "https") and Host of the request as the client made
	// it.
	Scheme, Host string
	// Network is IP's /24 (IPv4) or /48 (IPv6), e.g. "203.0.113.0/24";
	// "" when IP is invalid.
	Network string
	// Country is an upper-case two-letter code, "" if unknown.
	Country string
	// Lat and Lon are degrees, meaningful when HasCoords is set.
	Lat, Lon  float64
	HasCoords bool
	// UserAgent is the User-Agent header, cut to 512 bytes.
	UserAgent string
}

// ErrInvalidConfig is matched (errors.Is) by every error New returns.
var ErrInvalidConfig = errors.New("netid: invalid configuration")

// Resolver resolves clients from requests. It is immutable and safe for
// concurrent use.
type Resolver struct {
	trusted       []netip.Prefix
	countryHeader string
	geo           GeoLookup
	useForwarded  bool
}

// New checks cfg and builds a Resolver. Every bad entry is reported at once,
// each naming its field; all wrap ErrInvalidConfig.
func New(cfg Config) (*Resolver, error) {
	r := &Resolver{geo: cfg.GeoIP, useForwarded: cfg.UseForwarded}
	var errs []error
	for i, s := range cfg.TrustedProxies {
		p, err := parsePrefix(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: trusted_proxies[%d]: %v", ErrInvalidConfig, i, err))
			continue
		}
		r.trusted = append(r.trusted, p)
	}
	if h := strings.TrimSpace(cfg.CountryHeader); h != "" {
		if !isToken(h) {
			errs = append(errs, fmt.Errorf("%w: country_header: %q is not a header name", ErrInvalidConfig, cfg.CountryHeader))
		}
		r.countryHeader = h
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

// parsePrefix reads a CIDR or a single address; IPv4-mapped IPv6 prefixes
// become IPv4 ones so they match unmapped addresses.
func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return p, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8 or 2001:db8::/32", s)
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return p, fmt.Errorf("%q is not an IP address or CIDR", s)
		}
		a = a.WithZone("")
		p = netip.PrefixFrom(a, a.BitLen())
	}
	return normalizePrefix(p), nil
}

func normalizePrefix(p netip.Prefix) netip.Prefix {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked()
}

// trusts reports whether a is a trusted proxy.
func (r *Resolver) trusts(a netip.Addr) bool {
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Network returns the prefix step-up policy treats as one network: /24 for
// IPv4 (IPv4-mapped addresses included), /48 for IPv6; "" for an invalid
// address.
func Network(ip netip.Addr) string {
	if !ip.IsValid() {
		return ""
	}
	ip = ip.Unmap().WithZone("")
	bits := 48
	if ip.Is4() {
		bits = 24
	}
	p, err := ip.Prefix(bits)
	if err != nil {
		return ""
	}
	return p.String()
}

// isToken reports whether s is an RFC 9110 token (a header name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) {
			return false
		}
	}
	return true
}

func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
