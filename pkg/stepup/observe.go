package stepup

import "time"

// Verdict is what a rule of the live policy decided about the risk
// signals (see DecideWith). An invalid Decision fails closed to LiveID.
type Verdict struct {
	Decision Decision
	// Reason is the rule's snake_case reason code ("" for
	// ReasonPolicyRule).
	Reason Reason
}

// Observed is what the risk signals show under rules r, as Decide reads
// them: the facts a policy's conditions are written over.
type Observed struct {
	// NewDevice: the device is not known for the user.
	NewDevice bool
	// UnfamiliarNetwork: the user never logged in from this network, and
	// it is not the last login's.
	UnfamiliarNetwork bool
	// CountryChanged: the country differs from the last login's (both
	// known).
	CountryChanged bool
	// ImpossibleTravel: reaching here from the last login needed more than
	// r.ImpossibleTravelKmh over more than r.ImpossibleTravelMinKm.
	ImpossibleTravel bool
	// DeniedCountry: the country is in r.DenyCountries.
	DeniedCountry bool
	// DistanceKm and TravelKmh measure the way from the last login (0
	// without coordinates on both ends or a time for the last login).
	// The time is at least a minute, so TravelKmh is finite.
	DistanceKm, TravelKmh float64
	// SinceLast is the time since the last login (0: none, or in the
	// future).
	SinceLast time.Duration
	// Score and RiskLevel are Result's.
	Score     int
	RiskLevel string
}

// Observe reports what the risk signals of s show under r.
func Observe(s Signals, r Rules) Observed {
	o := Observed{
		NewDevice:         !s.DeviceKnown,
		UnfamiliarNetwork: unfamiliarNetwork(s),
		CountryChanged:    countryChanged(s),
		ImpossibleTravel:  impossibleTravel(s, r),
		DeniedCountry:     s.Location.Country != "" && containsFold(r.DenyCountries, s.Location.Country),
		Score:             score(s, r),
	}
	o.RiskLevel = riskLevel(o.Score)
	if s.Last != nil && !s.Last.At.IsZero() {
		if d := s.Now.Sub(s.Last.At); d > 0 {
			o.SinceLast = d
		}
		if validCoords(s.Location) && validCoords(s.Last.Location) {
			o.DistanceKm = DistanceKm(s.Last.Location, s.Location)
			o.TravelKmh = o.DistanceKm / max(o.SinceLast, minTravelInterval).Hours()
		}
	}
	return o
}
