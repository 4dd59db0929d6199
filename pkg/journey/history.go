package journey

import (
	"context"
	"net/netip"
	"strings"

	"github.com/idbridge/idbridge/pkg/netid"
	"github.com/idbridge/idbridge/pkg/users"
)

// Locate describes a caller known only by its address, with the GeoIP of
// the configuration (an invalid address is unknown).
func (c *Core) Locate(ip netip.Addr) netid.Client { return c.locate(ip) }

// ParseIP reads an address a front door was given as text ("" is no
// address); ok is false for anything else.
func ParseIP(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return netip.Addr{}, true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// Succeeded records a successful authentication of sub from o: the
// device, network, country and time the risk policy learns from. Every
// successful login, step-up and verification through any front door calls
// it. A failure to record is logged, not returned: the person did
// authenticate.
func (c *Core) Succeeded(ctx context.Context, sub string, o Origin) {
	w := o.Where
	s := users.Sighting{At: c.now(), Network: w.Network, Country: w.Country, Lat: w.Lat, Lon: w.Lon, HasGeo: w.HasCoords, DeviceID: o.Device}
	if err := c.users.RecordLogin(ctx, sub, s); err != nil {
		c.log.WarnContext(ctx, "recording login history", "error", err)
	}
}
