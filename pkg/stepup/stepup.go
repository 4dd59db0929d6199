// Package stepup is idbridge's risk-based step-up policy: it turns what is
// known about a login attempt (the user's enrolment and verification, the
// device, network and location it comes from, the SSO session and what the
// relying party asked for) into one decision: let the user through
// silently, ask for a LiveID face step-up, run a full identity verification,
// or refuse.
//
// The package is pure: no I/O, no clock, no randomness. Callers gather
// Signals (see pkg/netid for the network and location part) and Rules (from
// configuration, per client) and call Decide. The same inputs always give
// the same Result, reasons included, so decisions can be logged, replayed
// and tested.
package stepup

import "time"

// Decision is what the login needs next. Decisions are ordered by strength:
// Deny > IDV > LiveID > Allow; when several rules fire the strongest wins.
type Decision string

// Decisions, weakest first.
const (
	// Allow lets the user through silently on the existing SSO session.
	Allow Decision = "allow"
	// LiveID asks for a biometric face step-up against the enrolled face.
	LiveID Decision = "liveid"
	// IDV runs a full identity verification (document, selfie, liveness).
	IDV Decision = "idv"
	// Deny refuses the login.
	Deny Decision = "deny"
)

// Rank orders decisions by strength: 0 for Allow up to 3 for Deny, and -1
// for a value that is not a decision.
func (d Decision) Rank() int {
	switch d {
	case Allow:
		return 0
	case LiveID:
		return 1
	case IDV:
		return 2
	case Deny:
		return 3
	}
	return -1
}

// Valid reports whether d is one of the four decisions.
func (d Decision) Valid() bool { return d.Rank() >= 0 }

// Stronger returns the stronger of d and o.
func (d Decision) Stronger(o Decision) Decision {
	if o.Rank() > d.Rank() {
		return o
	}
	return d
}

// Location is where a request comes from, as far as it is known. Country is
// an upper-case ISO 3166-1 alpha-2 code ("" if unknown); Lat and Lon are
// degrees and only meaningful when HasCoords is set.
type Location struct {
	Country   string
	Lat, Lon  float64
	HasCoords bool
}

// Sighting is one past successful login of the user.
type Sighting struct {
	At time.Time
	// Network is the address prefix the login came from, e.g.
	// "203.0.113.0/24" or "2001:db8:1::/48" (see netid.Network).
	Network  string
	Location Location
	DeviceID string
}

// Signals is everything Decide looks at. The zero value describes an
// unknown user on an unknown device with no session; Now must be set.
type Signals struct {
	// Now is the time of the decision; every age is measured from it.
	Now time.Time

	// Enrolled: the user has an enrolled face LiveID can compare with.
	Enrolled bool
	// Verified: the user has a verified identity, proofed at IAL at
	// VerifiedAt.
	Verified   bool
	VerifiedAt time.Time
	IAL        int

	// DeviceKnown: the device cookie is bound to this user and was seen
	// before.
	DeviceKnown bool
	// Network is the caller's address prefix ("" if unknown); NetworkKnown
	// says whether the user logged in from it before.
	Network      string
	NetworkKnown bool
	Location     Location
	// Last is the user's last successful login (nil if none).
	Last *Sighting

	// SessionAuthTime is when the SSO session authenticated the user; zero
	// if there is no SSO session.
	SessionAuthTime time.Time

	// RequestedACR are the acr_values (or the acr claim request) in order of
	// preference; ACREssential marks them essential.
	RequestedACR []string
	ACREssential bool
	// MaxAge is the request's max_age (nil: none); zero forces a new
	// authentication, like prompt=login.
	MaxAge *time.Duration
	// PromptLogin: the request carries prompt=login.
	PromptLogin bool
	// RequiredIAL is the assurance level the requested verified_claims or
	// acr need (0 or 1: none).
	RequiredIAL int
	// ClientDefault is the client's default journey: "idv", "liveid" or
	// "auto" ("" means auto).
	ClientDefault string
}

// Client default journeys (Signals.ClientDefault).
const (
	JourneyIDV    = "idv"
	JourneyLiveID = "liveid"
	JourneyAuto   = "auto"
)

// Result is a decision with its explanation.
type Result struct {
	Decision Decision
	// Reasons explain the decision, the ones behind the strongest decision
	// first, then by a fixed importance order. Empty for a silent Allow.
	Reasons []Reason
	// RiskLevel is "low", "medium" or "high", from Score.
	RiskLevel string
	// Score (0-100) weighs the risk signals observed (device, network,
	// country, travel, denied country), whatever the rules decided to do
	// about them; it is for logs and dashboards, not for the decision.
	Score int
}

// Has reports whether r lists reason.
func (r Result) Has(reason Reason) bool {
	for _, x := range r.Reasons {
		if x == reason {
			return true
		}
	}
	return false
}

// Risk levels (Result.RiskLevel).
const (
	RiskLow    = "low"
	RiskMedium = "medium"
	RiskHigh   = "high"
)
