package netid

import (
	"math"
	"net/http"
	"net/netip"
	"strings"
	"unicode/utf8"
)

// maxUserAgent bounds the User-Agent kept per request.
const maxUserAgent = 512

// Client resolves the caller of req. It never fails: when nothing better
// is known the peer address (RemoteAddr) and the request's own scheme and
// Host are used.
func (r *Resolver) Client(req *http.Request) Client {
	peer, _ := parsePeer(req.RemoteAddr)
	c := Client{IP: peer, Scheme: "http", Host: req.Host, UserAgent: clip(req.UserAgent(), maxUserAgent)}
	if req.TLS != nil {
		c.Scheme = "https"
	}
	if peer.IsValid() && r.trusts(peer) {
		h := r.forwarded(req.Header, peer)
		c.IP = h.addr
		if s := strings.ToLower(h.proto); s == "http" || s == "https" {
			c.Scheme = s
		}
		if validHost(h.host) {
			c.Host = h.host
		}
		if r.countryHeader != "" {
			c.Country = country(req.Header.Get(r.countryHeader))
		}
	}
	c.Network = Network(c.IP)
	if r.geo != nil && c.IP.IsValid() {
		if cc, lat, lon, ok := r.geo.Lookup(c.IP); ok {
			if c.Country == "" {
				c.Country = country(cc)
			}
			if validCoords(lat, lon) {
				c.Lat, c.Lon, c.HasCoords = lat, lon, true
			}
		}
	}
	return c
}

// Addr resolves only the caller's address, exactly as Client does, without
// the GeoIP lookup: cheap enough for every log line and rate limit.
func (r *Resolver) Addr(req *http.Request) netip.Addr {
	peer, _ := parsePeer(req.RemoteAddr)
	if peer.IsValid() && r.trusts(peer) {
		return r.forwarded(req.Header, peer).addr
	}
	return peer
}

// hop is the client as the forwarding headers describe it, with the proto
// and host of the request it made (empty when no header says).
type hop struct {
	addr        netip.Addr
	proto, host string
}

// forwarded reads the forwarding headers a trusted peer passed on.
func (r *Resolver) forwarded(h http.Header, peer netip.Addr) hop {
	xff := h.Values("X-Forwarded-For")
	if r.useForwarded || len(xff) == 0 {
		if fwd := h.Values("Forwarded"); len(fwd) > 0 {
			return r.fromForwarded(fwd, peer)
		}
		if r.useForwarded {
			return hop{addr: peer}
		}
	}
	return r.fromXFF(h, xff, peer)
}

// fromXFF walks X-Forwarded-For from the right: each address a trusted
// proxy reports is believed, and the first one that is not itself a trusted
// proxy is the client. An item that is not an address ends the walk at the
// last trusted hop.
func (r *Resolver) fromXFF(h http.Header, xff []string, peer netip.Addr) hop {
	cur, pos, n := peer, 0, 0
	listFromRight(xff, func(item string) bool {
		n++
		if !r.trusts(cur) {
			return false
		}
		a, ok := parseNode(item)
		if !ok {
			return false
		}
		cur, pos = a, n
		return true
	})
	out := hop{addr: cur}
	if pos == 0 {
		return out // the peer made the request itself
	}
	// Proxies that append to X-Forwarded-Proto/Host keep them parallel to
	// X-Forwarded-For; otherwise the nearest proxy's value (the rightmost)
	// is the only one a client cannot have written.
	total := countItems(xff)
	out.proto = parallelItem(h.Values("X-Forwarded-Proto"), pos, total)
	out.host = parallelItem(h.Values("X-Forwarded-Host"), pos, total)
	return out
}

func parallelItem(lines []string, pos, total int) string {
	if len(lines) == 0 {
		return ""
	}
	if countItems(lines) == total {
		return itemFromRight(lines, pos)
	}
	return itemFromRight(lines, 1)
}

// fromForwarded walks RFC 7239 elements from the right like fromXFF; the
// proto and host come from the element that names the client, which the
// proxy that received the client's request wrote.
func (r *Resolver) fromForwarded(lines []string, peer netip.Addr) hop {
	elems, err := parseForwarded(lines)
	if err != nil {
		return hop{addr: peer}
	}
	out := hop{addr: peer}
	for i := len(elems) - 1; i >= 0 && r.trusts(out.addr); i-- {
		a, ok := parseNode(elems[i].node)
		if !ok {
			break
		}
		out = hop{addr: a, proto: elems[i].proto, host: elems[i].host}
	}
	return out
}

// parsePeer reads http.Request.RemoteAddr: "ip:port", "[ipv6]:port" or a
// bare address.
func parsePeer(remote string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(remote); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	return parseNode(remote)
}

// country normalises a two-character country code; Cloudflare's "XX"
// (unknown) and anything else that is not two letters or digits give "".
func country(v string) string {
	v = strings.ToUpper(strings.TrimSpace(v))
	if len(v) != 2 || v == "XX" {
		return ""
	}
	for i := 0; i < 2; i++ {
		if !('A' <= v[i] && v[i] <= 'Z' || '0' <= v[i] && v[i] <= '9') {
			return ""
		}
	}
	return v
}

// validHost accepts what can be a host[:port]: a DNS name, an IPv4
// address or a bracketed IPv6 literal, and a port.
func validHost(h string) bool {
	if h == "" || len(h) > 261 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(".-_:[]", c) >= 0) {
			return false
		}
	}
	return true
}

func validCoords(lat, lon float64) bool {
	return !math.IsNaN(lat) && !math.IsNaN(lon) && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}

// clip cuts s to at most n bytes without splitting a UTF-8 sequence.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Locate describes a client known only by its address (a connector API
// caller passing the person's IP): its network and, with GeoIP, its
// country and coordinates, as Client would find them for a request from
// that address.
func (r *Resolver) Locate(ip netip.Addr) Client {
	c := Client{IP: ip.Unmap().WithZone("")}
	if !ip.IsValid() {
		return Client{}
	}
	c.Network = Network(c.IP)
	if r != nil && r.geo != nil {
		if cc, lat, lon, ok := r.geo.Lookup(c.IP); ok {
			c.Country = country(cc)
			if validCoords(lat, lon) {
				c.Lat, c.Lon, c.HasCoords = lat, lon, true
			}
		}
	}
	return c
}
