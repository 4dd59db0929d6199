package config

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/idbridge/idbridge/pkg/stepup"
)

// Risk configures risk-based step-up: where client addresses and
// countries come from, and what each risk signal triggers.
type Risk struct {
	// TrustedProxies (CIDRs or addresses) may set Forwarded and
	// X-Forwarded-* headers; others' headers are ignored.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// CountryHeader, set by the trusted edge (e.g. CF-IPCountry).
	CountryHeader string `yaml:"country_header"`
	// GeoIPCSV is a "cidr,country,lat,lon" file for countries and
	// coordinates (impossible travel).
	GeoIPCSV string `yaml:"geoip_csv"`
	// GeoIPMMDB is a MaxMind-format database (GeoIP2/GeoLite2 City or
	// Country); used instead of GeoIPCSV when set.
	GeoIPMMDB string `yaml:"geoip_mmdb"`
	// Rules apply to every client unless the client sets its own.
	Rules RiskRules `yaml:"rules"`
	// DeviceMemory is how long a browser keeps its device id (a signed
	// cookie; nothing is stored for it server-side) and so how long a
	// device stays familiar to the risk policy (default 90 days).
	DeviceMemory time.Duration `yaml:"device_memory"`
	// PolicyFile is a step-up policy document (docs/policy.md) stored as
	// the first version when the shared store holds none; without it the
	// rules above (and clients[].risk) are. Later versions are stored with
	// idbridge policy apply or the admin page.
	PolicyFile string `yaml:"policy_file"`
	// PolicyRefresh is how often each replica looks for a new policy
	// version (default 2s): the delay within which all decide by it.
	PolicyRefresh time.Duration `yaml:"policy_refresh"`
}

// RiskRules say what each signal triggers: allow, liveid, idv or deny.
type RiskRules struct {
	NewDevice           string   `yaml:"new_device"`
	UnfamiliarNetwork   string   `yaml:"unfamiliar_network"`
	CountryChange       string   `yaml:"country_change"`
	ImpossibleTravel    string   `yaml:"impossible_travel"`
	ImpossibleTravelKmh float64  `yaml:"impossible_travel_kmh"`
	DenyCountries       []string `yaml:"deny_countries"`
}

// applyDefaults fills unset fields.
func (r *Risk) applyDefaults() {
	r.Rules.applyDefaults()
	if r.DeviceMemory == 0 {
		r.DeviceMemory = 90 * 24 * time.Hour
	}
	if r.PolicyRefresh == 0 {
		r.PolicyRefresh = 2 * time.Second
	}
}

func (rr *RiskRules) applyDefaults() {
	for _, f := range []*string{&rr.NewDevice, &rr.UnfamiliarNetwork, &rr.CountryChange, &rr.ImpossibleTravel} {
		if *f == "" {
			*f = "liveid"
		}
	}
	if rr.ImpossibleTravelKmh == 0 {
		rr.ImpossibleTravelKmh = 900
	}
}

// problems reports every problem of the risk section with field paths.
func (r Risk) problems() []string {
	var p []string
	for i, cidr := range r.TrustedProxies {
		if _, err := netip.ParsePrefix(cidr); err != nil {
			if _, err := netip.ParseAddr(cidr); err != nil {
				p = append(p, fmt.Sprintf("risk.trusted_proxies[%d]: %q is neither a CIDR nor an address", i, cidr))
			}
		}
	}
	if r.GeoIPCSV != "" && r.GeoIPMMDB != "" {
		p = append(p, "risk: set geoip_csv or geoip_mmdb, not both")
	}
	if r.DeviceMemory < 0 {
		p = append(p, "risk.device_memory: must not be negative (default 2160h, 90 days)")
	}
	if r.PolicyRefresh < 100*time.Millisecond {
		p = append(p, "risk.policy_refresh: at least 100ms (default 2s)")
	}
	return append(p, r.Rules.problems("risk.rules")...)
}

func (rr RiskRules) problems(path string) []string {
	var p []string
	for name, v := range map[string]string{"new_device": rr.NewDevice, "unfamiliar_network": rr.UnfamiliarNetwork, "country_change": rr.CountryChange, "impossible_travel": rr.ImpossibleTravel} {
		switch v {
		case "allow", "liveid", "idv", "deny":
		default:
			p = append(p, fmt.Sprintf("%s.%s: %q is not one of allow, liveid, idv, deny", path, name, v))
		}
	}
	if rr.ImpossibleTravelKmh < 0 {
		p = append(p, path+".impossible_travel_kmh: must be positive")
	}
	for i, c := range rr.DenyCountries {
		if len(c) != 2 || strings.ToUpper(c) != c {
			p = append(p, fmt.Sprintf("%s.deny_countries[%d]: %q is not an upper-case ISO 3166-1 alpha-2 code", path, i, c))
		}
	}
	return p
}

// StepUp is the step-up policy these rules configure, with idbridge's acr
// values; maxAge is assurance.max_verification_age.
func (rr RiskRules) StepUp(maxAge time.Duration) stepup.Rules {
	r := stepup.DefaultRules()
	r.NewDevice, r.UnfamiliarNetwork = stepup.Decision(rr.NewDevice), stepup.Decision(rr.UnfamiliarNetwork)
	r.CountryChange, r.ImpossibleTravel = stepup.Decision(rr.CountryChange), stepup.Decision(rr.ImpossibleTravel)
	r.ImpossibleTravelKmh = rr.ImpossibleTravelKmh
	r.DenyCountries = rr.DenyCountries
	r.MaxVerificationAge = maxAge
	return r
}

// StepUpRules are the configuration's per-signal rules: the global ones,
// and those of each client with its own risk section.
func (c *Config) StepUpRules() (global stepup.Rules, clients map[string]stepup.Rules) {
	maxAge := c.Assurance.MaxVerificationAge
	global = c.Risk.Rules.StepUp(maxAge)
	clients = map[string]stepup.Rules{}
	for _, cl := range c.Clients {
		if cl.Risk != nil {
			clients[cl.ID] = cl.Risk.StepUp(maxAge)
		}
	}
	return global, clients
}
