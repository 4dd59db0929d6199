package stepup

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// randomCase draws signals and rules from small pools so that every rule
// fires often and in every combination.
func randomCase(rng *rand.Rand) (Signals, Rules) {
	pick := func(n int) int { return rng.IntN(n) }
	decisions := []Decision{Allow, LiveID, IDV, Deny}
	locs := []Location{paris, versailles, berlin, newYork, boston, losAngeles, pyongyang, {Country: "FR"}, {}}
	nets := []string{"", homeNet, "198.51.100.0/24", "2001:db8:1::/48"}
	acrs := []string{DefaultLiveIDACR, DefaultIDVACR, "urn:other", ""}
	journeys := []string{"", JourneyAuto, JourneyIDV, JourneyLiveID, "bogus"}
	ago := func() time.Duration {
		return []time.Duration{-5 * time.Minute, 0, 30 * time.Second, 5 * time.Minute, time.Hour, 6 * time.Hour, 400 * 24 * time.Hour}[pick(7)]
	}

	r := DefaultRules()
	r.NewDevice, r.UnfamiliarNetwork = decisions[pick(4)], decisions[pick(4)]
	r.CountryChange, r.ImpossibleTravel = decisions[pick(4)], decisions[pick(4)]
	if pick(2) == 0 {
		r.MaxVerificationAge = 90 * 24 * time.Hour
	}
	if pick(3) == 0 {
		r.DenyCountries = []string{"KP"}
	}

	s := Signals{
		Now:          now,
		Enrolled:     pick(2) == 0,
		Verified:     pick(2) == 0,
		VerifiedAt:   now.Add(-ago()),
		IAL:          pick(3),
		DeviceKnown:  pick(2) == 0,
		Network:      nets[pick(len(nets))],
		NetworkKnown: pick(2) == 0,
		Location:     locs[pick(len(locs))],
		PromptLogin:  pick(4) == 0,
		RequiredIAL:  pick(4),
		ACREssential: pick(2) == 0,
	}
	s.ClientDefault = journeys[pick(len(journeys))]
	if pick(4) != 0 {
		s.Last = &Sighting{At: now.Add(-ago()), Network: nets[pick(len(nets))], Location: locs[pick(len(locs))]}
	}
	if pick(4) != 0 {
		s.SessionAuthTime = now.Add(-ago())
	}
	if pick(3) == 0 {
		s.MaxAge = dur([]time.Duration{0, time.Minute, time.Hour}[pick(3)])
	}
	for range pick(3) {
		s.RequestedACR = append(s.RequestedACR, acrs[pick(len(acrs))])
	}
	return s, r
}

// fires is an independent statement of when some rule must fire.
func fires(s Signals, r Rules) bool {
	if s.SessionAuthTime.IsZero() || s.PromptLogin {
		return true
	}
	if s.MaxAge != nil && (*s.MaxAge <= 0 || s.Now.Sub(s.SessionAuthTime) > *s.MaxAge) {
		return true
	}
	if s.Location.Country != "" && slices.Contains(r.DenyCountries, s.Location.Country) {
		return true
	}
	required := s.RequiredIAL
	for _, v := range s.RequestedACR {
		if v == DefaultLiveIDACR {
			return true
		}
		if v == DefaultIDVACR {
			required = max(required, 2)
			break
		}
		if v != "" && s.ACREssential && !slices.Contains(s.RequestedACR, DefaultLiveIDACR) && !slices.Contains(s.RequestedACR, DefaultIDVACR) {
			return true
		}
	}
	fresh := s.Verified && (r.MaxVerificationAge == 0 || s.Now.Sub(s.VerifiedAt) <= r.MaxVerificationAge)
	if required >= 2 && (!fresh || s.IAL < 2) {
		return true
	}
	if !s.DeviceKnown && r.NewDevice != Allow {
		return true
	}
	lastNet := ""
	if s.Last != nil {
		lastNet = s.Last.Network
	}
	if s.Network != "" && !s.NetworkKnown && s.Network != lastNet && r.UnfamiliarNetwork != Allow {
		return true
	}
	if s.Last == nil {
		return false
	}
	a, b := s.Last.Location, s.Location
	if a.Country != "" && b.Country != "" && a.Country != b.Country && r.CountryChange != Allow {
		return true
	}
	if a.HasCoords && b.HasCoords && r.ImpossibleTravel != Allow {
		hours := max(s.Now.Sub(s.Last.At), time.Minute).Hours()
		if d := DistanceKm(a, b); d > r.ImpossibleTravelMinKm && d/hours > r.ImpossibleTravelKmh {
			return true
		}
	}
	return false
}

func TestDecideProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	counts := map[Decision]int{}
	for i := range 50000 {
		s, r := randomCase(rng)
		got := Decide(s, r)
		counts[got.Decision]++
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("case %d: %+v\nrules %+v\nresult %+v: "+format, append([]any{i, s, r, got}, args...)...)
		}

		if f := fires(s, r); f != (got.Decision != Allow) {
			fail("a rule fired = %v but decision is %s", f, got.Decision)
		}
		if (got.Decision == Allow) != (len(got.Reasons) == 0) {
			fail("allow must come without reasons, and only allow")
		}
		if got.Decision == LiveID && (!s.Enrolled || !s.Verified) {
			fail("LiveID for a user who cannot do it")
		}
		if (got.Decision == Deny) != (got.Has(ReasonDenyCountry) || got.Has(ReasonACRUnsupported) ||
			r.NewDevice == Deny && got.Has(ReasonNewDevice) || r.UnfamiliarNetwork == Deny && got.Has(ReasonUnfamiliarNetwork) ||
			r.CountryChange == Deny && got.Has(ReasonCountryChange) || r.ImpossibleTravel == Deny && got.Has(ReasonImpossibleTravel)) {
			fail("deny without a denying reason, or the reverse")
		}
		if got.Score < 0 || got.Score > 100 || got.RiskLevel != riskLevel(got.Score) {
			fail("score out of range")
		}
		seen := map[Reason]bool{}
		for _, x := range got.Reasons {
			if seen[x] || !slices.Contains(AllReasons(), x) {
				fail("reason %q duplicated or unknown", x)
			}
			seen[x] = true
		}
		if again := Decide(s, r); again.Decision != got.Decision || !slices.Equal(again.Reasons, got.Reasons) {
			fail("not deterministic: %+v", again)
		}

		// Adding a risk signal never weakens the decision.
		worse := s
		worse.DeviceKnown = false
		worse.PromptLogin = true
		if w := Decide(worse, r); w.Decision.Rank() < got.Decision.Rank() {
			fail("new device and prompt=login weakened the decision to %s", w.Decision)
		}
	}
	for _, d := range []Decision{Allow, LiveID, IDV, Deny} {
		if counts[d] < 1000 {
			t.Errorf("only %d random cases decided %s; the generator does not cover it", counts[d], d)
		}
	}
}

func BenchmarkDecide(b *testing.B) {
	risky := regular()
	risky.Location, risky.DeviceKnown, risky.NetworkKnown, risky.Network = newYork, false, false, "198.51.100.0/24"
	risky.RequiredIAL, risky.PromptLogin, risky.Enrolled = 2, true, false
	for _, bb := range []struct {
		name string
		s    Signals
	}{{"silent", regular()}, {"many-rules", risky}} {
		b.Run(bb.name, func(b *testing.B) {
			r := DefaultRules()
			r.DenyCountries = []string{"KP", "IR", "SY", "CU"}
			b.ReportAllocs()
			for b.Loop() {
				_ = Decide(bb.s, r)
			}
		})
	}
}
