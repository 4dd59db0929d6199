package saml

import (
	"slices"

	crewjam "github.com/crewjam/saml"

	"github.com/idbridge/idbridge/pkg/journey"
)

// rank orders idbridge's two classes for the minimum, better and maximum
// comparisons (saml-core 3.3.2.2.1): a face check in this authentication
// (LiveID, which only an identity-proofed, enrolled person can pass) is
// stronger than an identity proofed to IAL2. Classes idbridge does not
// achieve are not ranked: they satisfy nothing.
var rank = map[string]int{journey.ACRIAL2: 1, journey.ACRLiveID: 2}

// wanted is what a RequestedAuthnContext accepts, in idbridge's own acr
// values, most preferred first. Asked reports whether a request named
// classes at all; an empty Accept then means none can be met.
type wanted struct {
	Asked      bool     `json:"asked,omitempty"`
	Comparison string   `json:"comparison,omitempty"`
	Accept     []string `json:"accept,omitempty"`
}

// acr maps a class name a service provider sends to idbridge's acr value
// ("" when idbridge does not know it): the configured class names, the
// acr values themselves, and the acr aliases.
func (s *Server) acr(class string) string {
	switch class {
	case s.o.IAL2Class, journey.ACRIAL2:
		return journey.ACRIAL2
	case s.o.LiveIDClass, journey.ACRLiveID:
		return journey.ACRLiveID
	}
	return s.o.ACRAliases[class]
}

// class is the AuthnContextClassRef of an achieved acr value.
func (s *Server) class(acr string) string {
	if acr == journey.ACRLiveID {
		return s.o.LiveIDClass
	}
	return s.o.IAL2Class
}

// want reads a RequestedAuthnContext. Only AuthnContextClassRefs count;
// declarations are not evaluated.
func (s *Server) want(r *crewjam.RequestedAuthnContext) wanted {
	if r == nil || len(r.ClassRefs()) == 0 {
		return wanted{}
	}
	w := wanted{Asked: true, Comparison: r.Comparison}
	var named []string
	for _, c := range r.ClassRefs() {
		if a := s.acr(c); a != "" && !slices.Contains(named, a) {
			named = append(named, a)
		}
	}
	if len(named) == 0 {
		return w
	}
	lo, hi := 3, 0
	for _, a := range named {
		lo, hi = min(lo, rank[a]), max(hi, rank[a])
	}
	switch r.Comparison {
	case "", "exact":
		w.Accept = named
	case "minimum":
		w.Accept = byRank(func(n int) bool { return n >= lo }, false)
	case "better":
		w.Accept = byRank(func(n int) bool { return n > lo }, false)
	case "maximum":
		// The strongest allowed first.
		w.Accept = byRank(func(n int) bool { return n <= hi }, true)
	}
	return w
}

// byRank lists idbridge's classes whose rank passes ok, weakest first (or
// strongest first).
func byRank(ok func(int) bool, strongestFirst bool) []string {
	var out []string
	for _, a := range []string{journey.ACRIAL2, journey.ACRLiveID} {
		if ok(rank[a]) {
			out = append(out, a)
		}
	}
	if strongestFirst {
		slices.Reverse(out)
	}
	return out
}

// knownComparison reports whether the comparison is one of SAML's.
func knownComparison(c string) bool {
	return c == "" || c == "exact" || c == "minimum" || c == "better" || c == "maximum"
}

// met reports whether the achieved acr satisfies what was asked.
func (w wanted) met(acr string) bool {
	return !w.Asked || slices.Contains(w.Accept, acr)
}
