package stepup

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestDecideWithVerdict(t *testing.T) {
	newDevice := func(s *Signals) { s.DeviceKnown = false }
	tests := []struct {
		name    string
		signals func(s *Signals)
		rules   func(r *Rules)
		verdict Verdict
		want    Decision
		reasons []Reason
	}{
		{name: "allow silences a signal the rules would step up", signals: newDevice, verdict: Verdict{Decision: Allow}, want: Allow},
		{name: "liveid with nothing observed", verdict: Verdict{Decision: LiveID, Reason: "night_login"}, want: LiveID, reasons: []Reason{"night_login"}},
		{name: "empty reason is policy_rule", verdict: Verdict{Decision: IDV}, want: IDV, reasons: []Reason{ReasonPolicyRule}},
		{name: "deny", signals: newDevice, verdict: Verdict{Decision: Deny, Reason: "blocked"}, want: Deny, reasons: []Reason{"blocked"}},
		{name: "the per-signal rules are not consulted", signals: newDevice, rules: func(r *Rules) { r.NewDevice = Deny },
			verdict: Verdict{Decision: LiveID, Reason: "r"}, want: LiveID, reasons: []Reason{"r"}},
		{name: "invalid decision fails closed to liveid", verdict: Verdict{Decision: "maybe"}, want: LiveID, reasons: []Reason{ReasonPolicyRule}},
		{name: "allow cannot skip a missing session", signals: func(s *Signals) { s.SessionAuthTime = time.Time{} },
			verdict: Verdict{Decision: Allow}, want: LiveID, reasons: []Reason{ReasonNoSession, ReasonClientDefaultLiveID}},
		{name: "allow cannot skip an IAL requirement", signals: func(s *Signals) { s.RequiredIAL = 2; s.IAL = 1 },
			verdict: Verdict{Decision: Allow}, want: IDV, reasons: []Reason{ReasonIALRequired, ReasonVerifiedClaimsRequested}},
		{name: "allow cannot skip a denied country", signals: func(s *Signals) { s.Location, s.Last.Location = pyongyang, pyongyang },
			rules: func(r *Rules) { r.DenyCountries = []string{"KP"} }, verdict: Verdict{Decision: Allow}, want: Deny, reasons: []Reason{ReasonDenyCountry}},
		{name: "liveid for a person not enrolled becomes idv", signals: func(s *Signals) { s.Enrolled = false },
			verdict: Verdict{Decision: LiveID, Reason: "r"}, want: IDV, reasons: []Reason{"r", ReasonNotEnrolled}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, r := regular(), DefaultRules()
			if tt.signals != nil {
				tt.signals(&s)
			}
			if tt.rules != nil {
				tt.rules(&r)
			}
			got := DecideWith(s, r, &tt.verdict)
			if got.Decision != tt.want || !slices.Equal(got.Reasons, tt.reasons) {
				t.Errorf("DecideWith = %s %v, want %s %v", got.Decision, got.Reasons, tt.want, tt.reasons)
			}
		})
	}
}

func TestObserve(t *testing.T) {
	tests := []struct {
		name    string
		signals func(s *Signals)
		check   func(t *testing.T, o Observed)
	}{
		{name: "nothing new", check: func(t *testing.T, o Observed) {
			if o.NewDevice || o.UnfamiliarNetwork || o.CountryChanged || o.ImpossibleTravel || o.DeniedCountry || o.Score != 0 {
				t.Errorf("%+v", o)
			}
			if o.SinceLast != 2*time.Hour || o.DistanceKm != 0 {
				t.Errorf("since %s distance %v", o.SinceLast, o.DistanceKm)
			}
		}},
		{name: "new device and network", signals: func(s *Signals) { s.DeviceKnown = false; s.Network, s.NetworkKnown = "198.51.100.0/24", false },
			check: func(t *testing.T, o Observed) {
				if !o.NewDevice || !o.UnfamiliarNetwork || o.Score != 35 || o.RiskLevel != RiskMedium {
					t.Errorf("%+v", o)
				}
			}},
		{name: "Paris to New York in two hours", signals: func(s *Signals) { s.Location = newYork },
			check: func(t *testing.T, o Observed) {
				if !o.CountryChanged || !o.ImpossibleTravel || math.Abs(o.TravelKmh-o.DistanceKm/2) > 1e-9 || o.DistanceKm < 5800 {
					t.Errorf("%+v", o)
				}
			}},
		{name: "last login in the future counts a minute", signals: func(s *Signals) { s.Location = versailles; s.Last.At = now.Add(time.Hour) },
			check: func(t *testing.T, o Observed) {
				if o.SinceLast != 0 || math.Abs(o.TravelKmh-o.DistanceKm*60) > 1e-9 {
					t.Errorf("%+v", o)
				}
			}},
		{name: "no last login", signals: func(s *Signals) { s.Last = nil },
			check: func(t *testing.T, o Observed) {
				if o.SinceLast != 0 || o.TravelKmh != 0 || o.CountryChanged {
					t.Errorf("%+v", o)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := regular()
			if tt.signals != nil {
				tt.signals(&s)
			}
			tt.check(t, Observe(s, DefaultRules()))
		})
	}
}
