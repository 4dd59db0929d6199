package stepup

import (
	"testing"
	"time"
)

func TestDecideRisk(t *testing.T) {
	from := func(loc Location, ago time.Duration) func(s *Signals) {
		return func(s *Signals) { s.Last.Location, s.Last.At = loc, now.Add(-ago) }
	}
	at := func(loc Location, last Location, ago time.Duration) func(s *Signals) {
		return func(s *Signals) { s.Location = loc; from(last, ago)(s) }
	}
	newNet := func(s *Signals) { s.Network, s.NetworkKnown = "198.51.100.0/24", false }
	runDecideCases(t, []decideCase{
		{
			name:    "new device: liveid",
			signals: func(s *Signals) { s.DeviceKnown = false },
			want:    LiveID, reasons: []Reason{ReasonNewDevice},
		},
		{
			name:    "new device, rule idv",
			signals: func(s *Signals) { s.DeviceKnown = false },
			rules:   func(r *Rules) { r.NewDevice = IDV },
			want:    IDV, reasons: []Reason{ReasonNewDevice},
		},
		{
			name:    "new device, rule allow: ignored",
			signals: func(s *Signals) { s.DeviceKnown = false },
			rules:   func(r *Rules) { r.NewDevice = Allow },
			want:    Allow,
		},
		{
			name:    "new device, not enrolled: idv",
			signals: func(s *Signals) { s.DeviceKnown = false; s.Enrolled = false },
			want:    IDV, reasons: []Reason{ReasonNewDevice, ReasonNotEnrolled},
		},
		{
			name:    "new device, rule value invalid: fails closed to liveid",
			signals: func(s *Signals) { s.DeviceKnown = false },
			rules:   func(r *Rules) { r.NewDevice = "maybe" },
			want:    LiveID, reasons: []Reason{ReasonNewDevice},
		},
		{name: "unfamiliar network: liveid", signals: newNet, want: LiveID, reasons: []Reason{ReasonUnfamiliarNetwork}},
		{
			name:    "unfamiliar network, rule deny",
			signals: newNet,
			rules:   func(r *Rules) { r.UnfamiliarNetwork = Deny },
			want:    Deny, reasons: []Reason{ReasonUnfamiliarNetwork},
		},
		{
			name:    "network of the last login counts as known",
			signals: func(s *Signals) { s.NetworkKnown = false },
			want:    Allow,
		},
		{
			name:    "unknown network is no signal",
			signals: func(s *Signals) { s.Network, s.NetworkKnown = "", false },
			want:    Allow,
		},
		{
			name:    "unfamiliar network on first login",
			signals: func(s *Signals) { s.NetworkKnown = false; s.Last = nil },
			want:    LiveID, reasons: []Reason{ReasonUnfamiliarNetwork},
		},
		{
			name:    "country change: liveid",
			signals: at(berlin, paris, 2*time.Hour),
			want:    LiveID, reasons: []Reason{ReasonCountryChange},
		},
		{
			name:    "country change, rule idv",
			signals: at(berlin, paris, 2*time.Hour),
			rules:   func(r *Rules) { r.CountryChange = IDV },
			want:    IDV, reasons: []Reason{ReasonCountryChange},
		},
		{
			name:    "country compared case-insensitively",
			signals: func(s *Signals) { s.Last.Location.Country = "fr" },
			want:    Allow,
		},
		{
			name:    "country change needs the last country",
			signals: func(s *Signals) { s.Last.Location.Country = "" },
			want:    Allow,
		},
		{
			name:    "country change needs the current country",
			signals: func(s *Signals) { s.Location.Country = "" },
			want:    Allow,
		},
		{
			name:    "no last login: no country change or travel",
			signals: func(s *Signals) { s.Last = nil; s.Location = newYork },
			want:    Allow,
		},
		{
			name:    "impossible travel across countries",
			signals: at(newYork, paris, time.Hour),
			want:    LiveID, reasons: []Reason{ReasonImpossibleTravel, ReasonCountryChange},
		},
		{
			name:    "impossible travel within a country",
			signals: at(newYork, losAngeles, time.Hour),
			want:    LiveID, reasons: []Reason{ReasonImpossibleTravel},
		},
		{
			name:    "plausible flight: allow",
			signals: at(newYork, losAngeles, 6*time.Hour),
			want:    Allow,
		},
		{
			name:    "impossible travel, rule idv",
			signals: at(newYork, losAngeles, time.Hour),
			rules:   func(r *Rules) { r.ImpossibleTravel = IDV },
			want:    IDV, reasons: []Reason{ReasonImpossibleTravel},
		},
		{
			name:    "impossible travel, rule deny",
			signals: at(newYork, losAngeles, time.Hour),
			rules:   func(r *Rules) { r.ImpossibleTravel = Deny },
			want:    Deny, reasons: []Reason{ReasonImpossibleTravel},
		},
		{
			name:    "lower speed limit makes a flight impossible",
			signals: at(newYork, losAngeles, 6*time.Hour),
			rules:   func(r *Rules) { r.ImpossibleTravelKmh = 500 },
			want:    LiveID, reasons: []Reason{ReasonImpossibleTravel},
		},
		{
			name:    "same instant, 300 km apart: impossible, no division by zero",
			signals: at(boston, newYork, 0),
			want:    LiveID, reasons: []Reason{ReasonImpossibleTravel},
		},
		{
			name:    "last login in the future (clock skew): impossible",
			signals: at(newYork, losAngeles, -5*time.Minute),
			want:    LiveID, reasons: []Reason{ReasonImpossibleTravel},
		},
		{
			name:    "short jump a minute later is geolocation noise",
			signals: at(versailles, paris, time.Minute),
			want:    Allow,
		},
		{
			name:    "minimum distance is configurable",
			signals: at(versailles, paris, time.Minute),
			rules:   func(r *Rules) { r.ImpossibleTravelMinKm = 0 },
			want:    LiveID, reasons: []Reason{ReasonImpossibleTravel},
		},
		{
			name:    "no coordinates now: no travel check",
			signals: func(s *Signals) { at(losAngeles, newYork, time.Hour)(s); s.Location.HasCoords = false },
			want:    Allow,
		},
		{
			name:    "no coordinates last time: no travel check",
			signals: func(s *Signals) { at(losAngeles, newYork, time.Hour)(s); s.Last.Location.HasCoords = false },
			want:    Allow,
		},
		{
			name: "coordinates out of range: no travel check",
			signals: func(s *Signals) {
				at(losAngeles, newYork, time.Hour)(s)
				s.Location.Lat = 123
			},
			want: Allow,
		},
		{
			name:    "last login without time: no travel check",
			signals: func(s *Signals) { at(losAngeles, newYork, 0)(s); s.Last.At = time.Time{} },
			want:    Allow,
		},
		{
			name:    "denied country",
			signals: func(s *Signals) { s.Location = pyongyang; s.Last.Location = pyongyang },
			rules:   func(r *Rules) { r.DenyCountries = []string{"kp"} },
			want:    Deny, reasons: []Reason{ReasonDenyCountry},
		},
		{
			name: "denied country wins over everything",
			signals: func(s *Signals) {
				*s = Signals{Now: now, Location: pyongyang, RequestedACR: []string{DefaultLiveIDACR}}
			},
			rules: func(r *Rules) { r.DenyCountries = []string{"RU", "KP"} },
			want:  Deny,
			reasons: []Reason{ReasonDenyCountry, ReasonNewDevice, ReasonNoVerifiedIdentity, ReasonNotEnrolled,
				ReasonACRRequiresLiveID, ReasonNoSession, ReasonClientDefaultIDV},
		},
		{
			name: "signals stack: strongest decision's reasons first",
			signals: func(s *Signals) {
				at(berlin, paris, 3*time.Hour)(s)
				newNet(s)
				s.DeviceKnown = false
			},
			rules: func(r *Rules) { r.NewDevice = IDV },
			want:  IDV, reasons: []Reason{ReasonNewDevice, ReasonCountryChange, ReasonUnfamiliarNetwork},
		},
		{
			name: "risk on top of a missing session",
			signals: func(s *Signals) {
				s.SessionAuthTime = time.Time{}
				s.DeviceKnown = false
			},
			want: LiveID, reasons: []Reason{ReasonNewDevice, ReasonNoSession, ReasonClientDefaultLiveID},
		},
	})
}

func TestDecideScore(t *testing.T) {
	tests := []struct {
		name    string
		signals func(s *Signals)
		rules   func(r *Rules)
		score   int
		level   string
	}{
		{name: "nothing observed", score: 0, level: RiskLow},
		{name: "new device", signals: func(s *Signals) { s.DeviceKnown = false }, score: 20, level: RiskLow},
		{
			name:    "new device ignored by the rules still scores",
			signals: func(s *Signals) { s.DeviceKnown = false },
			rules:   func(r *Rules) { r.NewDevice = Allow },
			score:   20, level: RiskLow,
		},
		{
			name:    "new device and network",
			signals: func(s *Signals) { s.DeviceKnown = false; s.Network, s.NetworkKnown = "198.51.100.0/24", false },
			score:   35, level: RiskMedium,
		},
		{name: "country change", signals: func(s *Signals) { s.Location = berlin }, score: 30, level: RiskMedium},
		{
			name:    "impossible travel and country change",
			signals: func(s *Signals) { s.Location = newYork },
			score:   80, level: RiskHigh,
		},
		{
			name: "everything at once is capped at 100",
			signals: func(s *Signals) {
				s.Location, s.DeviceKnown = pyongyang, false
				s.Network, s.NetworkKnown = "198.51.100.0/24", false
			},
			rules: func(r *Rules) { r.DenyCountries = []string{"KP"} },
			score: 100, level: RiskHigh,
		},
		{
			name:    "session and acr requirements are not risk",
			signals: func(s *Signals) { s.SessionAuthTime = time.Time{}; s.PromptLogin = true; s.RequiredIAL = 2; s.IAL = 1 },
			score:   0, level: RiskLow,
		},
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
			got := Decide(s, r)
			if got.Score != tt.score || got.RiskLevel != tt.level {
				t.Errorf("score %d %s, want %d %s", got.Score, got.RiskLevel, tt.score, tt.level)
			}
		})
	}
}
