package stepup

import (
	"strings"
	"time"
)

// maxIAL is the highest assurance level remote proofing gives. Higher
// requirements are treated as this one: IDV is the best available, and the
// claims layer omits what stays unmet rather than failing.
const maxIAL = 2

// Decide turns signals into a decision. Every rule that fires contributes a
// decision and a reason; the strongest decision wins (Deny > IDV > LiveID >
// Allow). In order:
//
//   - deny_country: the location's country is in Rules.DenyCountries.
//   - acr: the first requested acr value idbridge knows decides. LiveIDACR
//     needs LiveID now; IDVACR needs a current IAL2 verification. Essential
//     acr values none of which is known deny (acr_unsupported).
//   - IAL: RequiredIAL (or IDVACR) of 2 with no verification, a lower one,
//     or one older than Rules.MaxVerificationAge needs IDV.
//   - risk: new device, unfamiliar network, country change since the last
//     login and impossible travel trigger what Rules says for each.
//   - session: without an SSO session, or when max_age is exceeded or
//     prompt=login is present, the user must authenticate: the client's
//     journey decides (auto: LiveID for enrolled verified users, IDV
//     otherwise) and never less than LiveID.
//   - LiveID needs an enrolled face and a verified identity; without them
//     every LiveID requirement becomes IDV (not_enrolled,
//     no_verified_identity). A verification older than
//     Rules.MaxVerificationAge still allows LiveID: staleness only fails
//     IAL requirements.
//
// Allow is returned only when nothing fires and an SSO session exists that
// satisfies max_age. Rules should have passed Validate; a decision field
// that is not a decision is read as LiveID, so a bad value fails closed.
func Decide(s Signals, r Rules) Result { return DecideWith(s, r, nil) }

// DecideWith is Decide with a policy rule's verdict on the risk signals.
// A non-nil v replaces what Rules says for new_device,
// unfamiliar_network, country_change and impossible_travel: its decision
// is added with its reason (ReasonPolicyRule when v.Reason is empty), and
// the per-signal rules are not consulted. Everything else applies
// unchanged, so a verdict can ask for more than the session, acr, IAL and
// enrolment need, never for less: Rules.DenyCountries still denies, a
// missing session still authenticates, and a LiveID verdict for a person
// who cannot do LiveID becomes IDV.
func DecideWith(s Signals, r Rules, v *Verdict) Result {
	var h hits

	if s.Location.Country != "" && containsFold(r.DenyCountries, s.Location.Country) {
		h.add(rDenyCountry, Deny)
	}

	requiredIAL := s.RequiredIAL
	acrIAL := false
	switch acrClass(s.RequestedACR, r) {
	case acrLiveID:
		h.add(rACRRequiresLiveID, LiveID)
	case acrIDV:
		requiredIAL = max(requiredIAL, 2)
		acrIAL = true
	case acrUnknown:
		if s.ACREssential {
			h.add(rACRUnsupported, Deny)
		}
	}
	assurance(&h, s, r, min(requiredIAL, maxIAL), acrIAL)

	if v != nil {
		h.add(rPolicyRule, ruleDecision(v.Decision))
		h.policyReason = v.Reason
	} else {
		risk(&h, s, r)
	}
	reauthenticate(&h, s)

	if (!s.Enrolled || !s.Verified) && h.upgradeLiveID() {
		cannotLiveID(&h, s)
	}
	return h.result(score(s, r))
}

// assurance adds the IDV requirement of an unmet IAL.
func assurance(h *hits, s Signals, r Rules, required int, fromACR bool) {
	if required < 2 {
		return
	}
	stale := isStale(s, r)
	have := 0
	if s.Verified && !stale {
		have = s.IAL
	}
	if have >= required {
		return
	}
	h.add(rIALRequired, IDV)
	if s.RequiredIAL >= 2 && !fromACR {
		h.add(rVerifiedClaimsRequested, IDV)
	}
	switch {
	case !s.Verified:
		h.add(rNoVerifiedIdentity, IDV)
	case stale && s.IAL >= required:
		h.add(rVerificationStale, IDV)
	}
}

// isStale reports whether the user's verification is older than the rules
// allow for IAL2.
func isStale(s Signals, r Rules) bool {
	return s.Verified && r.MaxVerificationAge > 0 && s.Now.Sub(s.VerifiedAt) > r.MaxVerificationAge
}

// risk adds what the device, network and location signals trigger.
func risk(h *hits, s Signals, r Rules) {
	if !s.DeviceKnown {
		h.add(rNewDevice, ruleDecision(r.NewDevice))
	}
	if unfamiliarNetwork(s) {
		h.add(rUnfamiliarNetwork, ruleDecision(r.UnfamiliarNetwork))
	}
	if countryChanged(s) {
		h.add(rCountryChange, ruleDecision(r.CountryChange))
	}
	if impossibleTravel(s, r) {
		h.add(rImpossibleTravel, ruleDecision(r.ImpossibleTravel))
	}
}

// unfamiliarNetwork: a known network is one the caller knows, or the one of
// the last successful login.
func unfamiliarNetwork(s Signals) bool {
	if s.Network == "" || s.NetworkKnown {
		return false
	}
	return s.Last == nil || s.Last.Network != s.Network
}

func countryChanged(s Signals) bool {
	return s.Last != nil && s.Last.Location.Country != "" && s.Location.Country != "" &&
		!strings.EqualFold(s.Last.Location.Country, s.Location.Country)
}

// reauthenticate adds the client's journey when the SSO session cannot be
// reused.
func reauthenticate(h *hits, s Signals) {
	need := false
	if s.SessionAuthTime.IsZero() {
		h.add(rNoSession, LiveID)
		need = true
	} else if s.MaxAge != nil && (*s.MaxAge <= 0 || sessionAge(s) > *s.MaxAge) {
		h.add(rMaxAgeExceeded, LiveID)
		need = true
	}
	if s.PromptLogin {
		h.add(rPromptLogin, LiveID)
		need = true
	}
	if !need {
		return
	}
	switch strings.ToLower(s.ClientDefault) {
	case JourneyLiveID:
		h.add(rClientDefaultLiveID, LiveID)
	case JourneyAuto, "":
		if s.Enrolled && s.Verified {
			h.add(rClientDefaultLiveID, LiveID)
		} else {
			h.add(rClientDefaultIDV, IDV)
			cannotLiveID(h, s)
		}
	default: // "idv", and unknown values fail closed to the strongest journey
		h.add(rClientDefaultIDV, IDV)
	}
}

// cannotLiveID explains why LiveID is impossible for the user.
func cannotLiveID(h *hits, s Signals) {
	if !s.Enrolled {
		h.add(rNotEnrolled, IDV)
	}
	if !s.Verified {
		h.add(rNoVerifiedIdentity, IDV)
	}
}

// ruleDecision reads a configured decision; values that are not decisions
// fail closed to LiveID, the documented default.
func ruleDecision(d Decision) Decision {
	if d.Valid() {
		return d
	}
	return LiveID
}

type acrKind int

const (
	acrNone acrKind = iota
	acrLiveID
	acrIDV
	acrUnknown
)

// acrClass returns the class of the first requested acr value idbridge
// knows: acr_values are in order of preference and any one satisfies
// (OpenID Connect Core 1.0 section 3.1.2.1).
func acrClass(requested []string, r Rules) acrKind {
	kind := acrNone
	for _, v := range requested {
		switch {
		case v == "":
		case v == r.LiveIDACR:
			return acrLiveID
		case v == r.IDVACR:
			return acrIDV
		default:
			kind = acrUnknown
		}
	}
	return kind
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// sessionAge is how old the SSO session is; a session stamped in the future
// (clock skew between replicas) counts as new.
func sessionAge(s Signals) time.Duration {
	if d := s.Now.Sub(s.SessionAuthTime); d > 0 {
		return d
	}
	return 0
}
