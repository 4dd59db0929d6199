package stepup

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Rules is the step-up policy of one client, built from configuration. Start
// from DefaultRules and override what the configuration sets; Validate
// before use.
type Rules struct {
	// NewDevice, UnfamiliarNetwork and CountryChange are what each signal
	// triggers (default LiveID). Allow ignores the signal.
	NewDevice         Decision
	UnfamiliarNetwork Decision
	CountryChange     Decision

	// ImpossibleTravelKmh is the speed above which travel since the last
	// login is impossible (default 900, an airliner).
	ImpossibleTravelKmh float64
	// ImpossibleTravelMinKm ignores shorter jumps, which IP geolocation
	// error alone produces (default 200).
	ImpossibleTravelMinKm float64
	// ImpossibleTravel is what impossible travel triggers (default LiveID).
	ImpossibleTravel Decision

	// MaxVerificationAge: a verification older than this no longer meets an
	// IAL2 requirement, which then needs a new IDV (0: never stale).
	MaxVerificationAge time.Duration

	// DenyCountries are ISO 3166-1 alpha-2 codes (any case) refused outright.
	DenyCountries []string

	// LiveIDACR is the acr value meaning "biometric LiveID in this
	// authentication"; IDVACR the one meaning "identity proofed at IAL2".
	LiveIDACR string
	IDVACR    string
}

// Default acr values of idbridge (advertised in acr_values_supported).
const (
	DefaultLiveIDACR = "urn:idbridge:acr:liveid"
	DefaultIDVACR    = "urn:idbridge:acr:ial2"
)

// DefaultRules returns the policy used when configuration says nothing:
// every risk signal asks for LiveID, travel faster than 900 km/h is
// impossible, verifications never go stale and no country is denied.
func DefaultRules() Rules {
	return Rules{
		NewDevice:             LiveID,
		UnfamiliarNetwork:     LiveID,
		CountryChange:         LiveID,
		ImpossibleTravelKmh:   900,
		ImpossibleTravelMinKm: 200,
		ImpossibleTravel:      LiveID,
		LiveIDACR:             DefaultLiveIDACR,
		IDVACR:                DefaultIDVACR,
	}
}

// ErrInvalidRules is matched (errors.Is) by every error Validate returns.
var ErrInvalidRules = errors.New("stepup: invalid rules")

// FieldError is one problem Validate found; Field is the configuration
// name of the rule (snake_case, e.g. "deny_countries[2]") so callers can
// prefix their own path.
type FieldError struct {
	Field   string
	Problem string
}

// Error implements error.
func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// Is makes errors.Is(err, ErrInvalidRules) true.
func (e *FieldError) Is(target error) bool { return target == ErrInvalidRules }

// Validate reports every problem of r at once, as *FieldError values joined
// with errors.Join; nil if r is usable.
func (r Rules) Validate() error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	for _, d := range []struct {
		field string
		v     Decision
	}{
		{"new_device", r.NewDevice},
		{"unfamiliar_network", r.UnfamiliarNetwork},
		{"country_change", r.CountryChange},
		{"impossible_travel", r.ImpossibleTravel},
	} {
		if !d.v.Valid() {
			add(d.field, "%q is not one of allow, liveid, idv, deny", d.v)
		}
	}
	if !(r.ImpossibleTravelKmh > 0) || math.IsInf(r.ImpossibleTravelKmh, 0) {
		add("impossible_travel_kmh", "%v must be a positive speed (900 is an airliner; set impossible_travel: allow to disable)", r.ImpossibleTravelKmh)
	}
	if !(r.ImpossibleTravelMinKm >= 0) || math.IsInf(r.ImpossibleTravelMinKm, 0) {
		add("impossible_travel_min_km", "%v must be a distance of 0 or more", r.ImpossibleTravelMinKm)
	}
	if r.MaxVerificationAge < 0 {
		add("max_verification_age", "%s must not be negative (0 means never stale)", r.MaxVerificationAge)
	}
	for i, c := range r.DenyCountries {
		if !isCountryCode(c) {
			add(fmt.Sprintf("deny_countries[%d]", i), "%q is not an ISO 3166-1 alpha-2 code such as \"KP\"", c)
		}
	}
	if r.LiveIDACR == "" {
		add("liveid_acr", "required")
	}
	if r.IDVACR == "" {
		add("idv_acr", "required")
	}
	if r.LiveIDACR != "" && r.LiveIDACR == r.IDVACR {
		add("idv_acr", "%q is also liveid_acr; the two must differ", r.IDVACR)
	}
	return errors.Join(errs...)
}

// isCountryCode accepts two ASCII letters or digits: ISO 3166-1 alpha-2
// plus the two-character pseudo-codes CDNs use (e.g. Cloudflare's "T1"
// for Tor).
func isCountryCode(c string) bool {
	if len(c) != 2 {
		return false
	}
	for i := 0; i < 2; i++ {
		b := c[i] | 0x20 // lower-case letters; digits unchanged
		if !(b >= 'a' && b <= 'z') && !(c[i] >= '0' && c[i] <= '9') {
			return false
		}
	}
	return true
}
