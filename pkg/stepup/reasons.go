package stepup

// Reason is a stable snake_case code explaining a decision. Codes are part
// of the API: logs, metrics and relying parties may rely on them.
type Reason string

// Reasons, in importance order (the order Result.Reasons uses among reasons
// behind the same decision).
const (
	// ReasonDenyCountry: the request comes from a country the rules deny.
	ReasonDenyCountry Reason = "deny_country"
	// ReasonACRUnsupported: an essential acr was requested and none of its
	// values is one idbridge can meet.
	ReasonACRUnsupported Reason = "acr_unsupported"
	// ReasonPolicyRule: a rule of the live policy decided what the risk
	// signals trigger (Verdict). A rule names its own reason code, which
	// takes this one's place in Result.Reasons.
	ReasonPolicyRule Reason = "policy_rule"
	// ReasonImpossibleTravel: the distance from the last login divided by
	// the time since exceeds Rules.ImpossibleTravelKmh.
	ReasonImpossibleTravel Reason = "impossible_travel"
	// ReasonCountryChange: the country differs from the last login's.
	ReasonCountryChange Reason = "country_change"
	// ReasonUnfamiliarNetwork: the user never logged in from this network.
	ReasonUnfamiliarNetwork Reason = "unfamiliar_network"
	// ReasonNewDevice: the device is not known for this user.
	ReasonNewDevice Reason = "new_device"
	// ReasonIALRequired: the request needs an assurance level the user's
	// current verification does not give.
	ReasonIALRequired Reason = "ial_required"
	// ReasonVerifiedClaimsRequested: the IAL requirement comes from
	// requested verified_claims (not from an acr value).
	ReasonVerifiedClaimsRequested Reason = "verified_claims_requested"
	// ReasonVerificationStale: the user's verification is older than
	// Rules.MaxVerificationAge.
	ReasonVerificationStale Reason = "verification_stale"
	// ReasonNoVerifiedIdentity: the user has no verified identity, so only
	// IDV can authenticate them.
	ReasonNoVerifiedIdentity Reason = "no_verified_identity"
	// ReasonNotEnrolled: the user has no enrolled face, so LiveID is
	// impossible and IDV is used instead.
	ReasonNotEnrolled Reason = "not_enrolled"
	// ReasonACRRequiresLiveID: the requested acr asks for a biometric LiveID
	// in this authentication.
	ReasonACRRequiresLiveID Reason = "acr_requires_liveid"
	// ReasonPromptLogin: the request carries prompt=login.
	ReasonPromptLogin Reason = "prompt_login"
	// ReasonMaxAgeExceeded: the SSO session is older than max_age.
	ReasonMaxAgeExceeded Reason = "max_age_exceeded"
	// ReasonNoSession: there is no SSO session to reuse.
	ReasonNoSession Reason = "no_session"
	// ReasonClientDefaultIDV: the user must authenticate and the client's
	// journey (idv, or auto for a user who cannot do LiveID) is IDV.
	ReasonClientDefaultIDV Reason = "client_default_idv"
	// ReasonClientDefaultLiveID: the user must authenticate and the client's
	// journey (liveid, or auto for an enrolled verified user) is LiveID.
	ReasonClientDefaultLiveID Reason = "client_default_liveid"
)

// reasonOrder lists every reason in importance order; a reason's index is
// its priority.
var reasonOrder = [numReasons]Reason{
	rDenyCountry:             ReasonDenyCountry,
	rACRUnsupported:          ReasonACRUnsupported,
	rPolicyRule:              ReasonPolicyRule,
	rImpossibleTravel:        ReasonImpossibleTravel,
	rCountryChange:           ReasonCountryChange,
	rUnfamiliarNetwork:       ReasonUnfamiliarNetwork,
	rNewDevice:               ReasonNewDevice,
	rIALRequired:             ReasonIALRequired,
	rVerifiedClaimsRequested: ReasonVerifiedClaimsRequested,
	rVerificationStale:       ReasonVerificationStale,
	rNoVerifiedIdentity:      ReasonNoVerifiedIdentity,
	rNotEnrolled:             ReasonNotEnrolled,
	rACRRequiresLiveID:       ReasonACRRequiresLiveID,
	rPromptLogin:             ReasonPromptLogin,
	rMaxAgeExceeded:          ReasonMaxAgeExceeded,
	rNoSession:               ReasonNoSession,
	rClientDefaultIDV:        ReasonClientDefaultIDV,
	rClientDefaultLiveID:     ReasonClientDefaultLiveID,
}

// reason indexes into reasonOrder.
type reason int

const (
	rDenyCountry reason = iota
	rACRUnsupported
	rPolicyRule
	rImpossibleTravel
	rCountryChange
	rUnfamiliarNetwork
	rNewDevice
	rIALRequired
	rVerifiedClaimsRequested
	rVerificationStale
	rNoVerifiedIdentity
	rNotEnrolled
	rACRRequiresLiveID
	rPromptLogin
	rMaxAgeExceeded
	rNoSession
	rClientDefaultIDV
	rClientDefaultLiveID
	numReasons
)

// AllReasons returns every reason code in importance order.
func AllReasons() []Reason {
	out := make([]Reason, len(reasonOrder))
	copy(out, reasonOrder[:])
	return out
}
