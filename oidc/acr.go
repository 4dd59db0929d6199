package oidc

import (
	"slices"

	"github.com/idbridge/idbridge/pkg/journey"
)

// Authentication context classes idbridge achieves, published in discovery
// (acr_values_supported); the journey core defines them.
const (
	ACRIAL2   = journey.ACRIAL2
	ACRLiveID = journey.ACRLiveID
)

// acrPolicy maps requested acr values (with configured aliases) onto
// idbridge's own.
type acrPolicy struct {
	aliases map[string]string
}

func newACRPolicy(aliases map[string]string) acrPolicy {
	return acrPolicy{aliases: aliases}
}

// supported lists every acr value accepted, own values first.
func (a acrPolicy) supported() []string {
	out := []string{ACRIAL2, ACRLiveID}
	for alias := range a.aliases {
		out = append(out, alias)
	}
	slices.Sort(out[2:])
	return out
}

// canonical maps a requested value to idbridge's own; unknown values map to
// "".
func (a acrPolicy) canonical(v string) string {
	if v == ACRIAL2 || v == ACRLiveID {
		return v
	}
	return a.aliases[v]
}

// choose returns the acr to report for an authentication that achieved the
// classes in achieved: the first requested value that was achieved (as the
// relying party spelled it), else the journey's own class. ok is false when
// values were requested as essential and none was achieved.
func (a acrPolicy) choose(requested []string, essential bool, achieved []string, fallback string) (string, bool) {
	for _, r := range requested {
		if slices.Contains(achieved, a.canonical(r)) {
			return r, true
		}
	}
	if essential && len(requested) > 0 {
		return "", false
	}
	return fallback, true
}

// wants reports whether any requested value maps to class.
func (a acrPolicy) wants(requested []string, class string) bool {
	for _, r := range requested {
		if a.canonical(r) == class {
			return true
		}
	}
	return false
}
