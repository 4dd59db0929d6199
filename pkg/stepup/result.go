package stepup

import "slices"

// Decision ranks stored in hits; 0 means "did not fire".
const (
	rankNone = iota
	rankLiveID
	rankIDV
	rankDeny
)

var rankDecision = [...]Decision{rankNone: Allow, rankLiveID: LiveID, rankIDV: IDV, rankDeny: Deny}

// hits records, per reason, the strongest decision it triggered. A fixed
// array keeps Decide free of maps and nearly free of allocations.
type hits struct {
	rank [numReasons]uint8
	// policyReason names rPolicyRule in Result.Reasons ("" keeps
	// ReasonPolicyRule).
	policyReason Reason
}

// add records that reason fired with decision d; Allow records nothing.
func (h *hits) add(reason reason, d Decision) {
	if r := uint8(d.Rank()); d.Rank() > 0 && r > h.rank[reason] {
		h.rank[reason] = r
	}
}

// upgradeLiveID turns every LiveID requirement into IDV and reports whether
// there was any.
func (h *hits) upgradeLiveID() bool {
	found := false
	for i, r := range h.rank {
		if r == rankLiveID {
			h.rank[i] = rankIDV
			found = true
		}
	}
	return found
}

// result is the strongest decision with its reasons: those behind the
// strongest decisions first, then in importance order.
func (h *hits) result(score int) Result {
	top, n := uint8(rankNone), 0
	for _, r := range h.rank {
		if r > rankNone {
			n++
			top = max(top, r)
		}
	}
	res := Result{Decision: rankDecision[top], Score: score, RiskLevel: riskLevel(score)}
	if n == 0 {
		return res
	}
	res.Reasons = make([]Reason, 0, n)
	idx := make([]reason, 0, n)
	for i, r := range h.rank {
		if r > rankNone {
			idx = append(idx, reason(i))
		}
	}
	slices.SortStableFunc(idx, func(a, b reason) int { return int(h.rank[b]) - int(h.rank[a]) })
	for _, i := range idx {
		if i == rPolicyRule && h.policyReason != "" {
			res.Reasons = append(res.Reasons, h.policyReason)
			continue
		}
		res.Reasons = append(res.Reasons, reasonOrder[i])
	}
	return res
}

// Risk weights of observed signals (Result.Score).
const (
	weightDenyCountry       = 50
	weightImpossibleTravel  = 50
	weightCountryChange     = 30
	weightNewDevice         = 20
	weightUnfamiliarNetwork = 15
)

// score weighs the risk signals present, whatever the rules make of them.
func score(s Signals, r Rules) int {
	n := 0
	if s.Location.Country != "" && containsFold(r.DenyCountries, s.Location.Country) {
		n += weightDenyCountry
	}
	if impossibleTravel(s, r) {
		n += weightImpossibleTravel
	}
	if countryChanged(s) {
		n += weightCountryChange
	}
	if !s.DeviceKnown {
		n += weightNewDevice
	}
	if unfamiliarNetwork(s) {
		n += weightUnfamiliarNetwork
	}
	return min(n, 100)
}

// riskLevel buckets a score: one weak signal is low, two or a country
// change medium, impossible travel or a denied country high.
func riskLevel(score int) string {
	switch {
	case score >= 50:
		return RiskHigh
	case score >= 25:
		return RiskMedium
	}
	return RiskLow
}
