package policy

import (
	"slices"
	"testing"
	"time"

	"github.com/idbridge/idbridge/pkg/stepup"
)

var (
	now     = time.Date(2026, 3, 4, 12, 30, 0, 0, time.UTC) // a Wednesday
	paris   = stepup.Location{Country: "FR", Lat: 48.8566, Lon: 2.3522, HasCoords: true}
	newYork = stepup.Location{Country: "US", Lat: 40.7128, Lon: -74.0060, HasCoords: true}
)

// regular is an enrolled, verified person back on the usual device and
// network within a fresh session: the defaults let them through.
func regular() Context {
	return Context{ClientID: "demo", UserKnown: true, Signals: stepup.Signals{
		Now: now, Enrolled: true, Verified: true, VerifiedAt: now.Add(-48 * time.Hour), IAL: 2,
		DeviceKnown: true, Network: "203.0.113.0/24", NetworkKnown: true, Location: paris,
		Last:            &stepup.Sighting{At: now.Add(-2 * time.Hour), Network: "203.0.113.0/24", Location: paris},
		SessionAuthTime: now.Add(-10 * time.Minute), ClientDefault: stepup.JourneyAuto,
	}}
}

func mustParse(t *testing.T, src string) *Policy {
	t.Helper()
	p, err := Parse([]byte(src), Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p
}

// one is a policy of a single rule that steps up to liveid when cond holds.
func one(cond string) string {
	return "rules:\n  - name: r\n    when: '" + cond + "'\n    action: liveid\n    reason: matched\n"
}

// TestEverySignal checks each variable a condition can read, with a
// context where the condition holds and one where it does not.
func TestEverySignal(t *testing.T) {
	tests := []struct {
		cond    string
		holds   func(c *Context)
		differs func(c *Context)
	}{
		{`client_id == "demo"`, nil, func(c *Context) { c.ClientID = "other" }},
		{`user_known`, nil, func(c *Context) { c.UserKnown = false }},
		{`enrolled`, nil, func(c *Context) { c.Signals.Enrolled = false }},
		{`verified`, nil, func(c *Context) { c.Signals.Verified = false }},
		{`ial_level == 2`, nil, func(c *Context) { c.Signals.IAL = 1 }},
		{`verification_age == duration("48h")`, nil, func(c *Context) { c.Signals.Verified = false }},
		{`new_device`, func(c *Context) { c.Signals.DeviceKnown = false }, nil},
		{`unfamiliar_network`, func(c *Context) { c.Signals.Network, c.Signals.NetworkKnown = "198.51.100.0/24", false }, nil},
		{`country == "FR"`, nil, func(c *Context) { c.Signals.Location = newYork }},
		{`last_country == "FR"`, nil, func(c *Context) { c.Signals.Last = nil }},
		{`country_changed`, func(c *Context) { c.Signals.Location = newYork }, nil},
		{`distance_km > 5000.0`, func(c *Context) { c.Signals.Location = newYork }, nil},
		{`travel_kmh > 2000.0 && travel_kmh < 3000.0`, func(c *Context) { c.Signals.Location = newYork }, nil},
		{`impossible_travel`, func(c *Context) { c.Signals.Location = newYork }, nil},
		{`since_last_login == duration("2h")`, nil, func(c *Context) { c.Signals.Last.At = now.Add(-3 * time.Hour) }},
		{`first_login`, func(c *Context) { c.Signals.Last = nil }, nil},
		{`has_session`, nil, func(c *Context) { c.Signals.SessionAuthTime = time.Time{} }},
		{`session_age == duration("10m")`, nil, func(c *Context) { c.Signals.SessionAuthTime = time.Time{} }},
		{`"urn:idbridge:acr:liveid" in acr_requested`, func(c *Context) { c.Signals.RequestedACR = []string{"urn:idbridge:acr:liveid"} }, nil},
		{`required_ial == 2`, func(c *Context) { c.Signals.RequiredIAL = 2 }, nil},
		{`prompt_login`, func(c *Context) { c.Signals.PromptLogin = true }, nil},
		{`journey == "auto"`, nil, func(c *Context) { c.Signals.ClientDefault = "idv" }},
		{`risk_score == 20 && risk_level == "low"`, func(c *Context) { c.Signals.DeviceKnown = false }, nil},
		{`now > timestamp("2026-03-01T00:00:00Z")`, nil, func(c *Context) { c.Signals.Now = now.AddDate(-1, 0, 0) }},
		{`hour == 12`, nil, func(c *Context) { c.Signals.Now = now.Add(time.Hour) }},
		{`weekday == 3`, nil, func(c *Context) { c.Signals.Now = now.Add(24 * time.Hour) }},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			p := mustParse(t, one(tt.cond))
			holds, differs := regular(), regular()
			if tt.holds != nil {
				tt.holds(&holds)
			} else {
				tt.differs(&differs)
			}
			if d := p.Decide(holds); d.Rule != "r" {
				t.Errorf("condition does not hold: decided by %s (%s %v)", d.Rule, d.Decision, d.Reasons)
			}
			if d := p.Decide(differs); d.Rule == "r" {
				t.Errorf("condition holds in the other context")
			}
		})
		for _, v := range Variables {
			if containsWord(tt.cond, v.Name) {
				covered[v.Name] = true
			}
		}
	}
	for _, v := range Variables {
		if !covered[v.Name] {
			t.Errorf("variable %s is not tested", v.Name)
		}
	}
}

func containsWord(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if s[i:i+len(w)] == w && (i == 0 || !isIdent(s[i-1])) && (i+len(w) == len(s) || !isIdent(s[i+len(w)])) {
			return true
		}
	}
	return false
}

func isIdent(b byte) bool { return b == '_' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' }

const layered = `
defaults:
  new_device: idv
  deny_countries: [KP]
rules:
  - name: trusted-office
    when: 'country == "FR" && !impossible_travel'
    action: allow
    reason: office
  - name: new-device
    when: new_device
    action: liveid
    reason: new_device_face
  - name: never-reached-for-new-devices
    when: new_device || country == "US"
    action: deny
clients:
  strict:
    rules:
      - name: strict-first
        when: 'true'
        action: idv
        reason: strict_client
  relaxed:
    defaults:
      unfamiliar_network: allow
`

func TestDecideOrderAndSections(t *testing.T) {
	p := mustParse(t, layered)
	tests := []struct {
		name    string
		ctx     func(c *Context)
		rule    string
		want    stepup.Decision
		reasons []stepup.Reason
	}{
		{name: "first match wins over later matches", ctx: func(c *Context) { c.Signals.DeviceKnown = false }, rule: "trusted-office", want: stepup.Allow},
		{name: "second rule when the first does not hold", ctx: func(c *Context) {
			c.Signals.DeviceKnown = false
			c.Signals.Location, c.Signals.Last.Location = newYork, newYork
		},
			rule: "new-device", want: stepup.LiveID, reasons: []stepup.Reason{"new_device_face"}},
		{name: "reason defaults to policy_rule", ctx: func(c *Context) { c.Signals.Location, c.Signals.Last.Location = newYork, newYork },
			rule: "never-reached-for-new-devices", want: stepup.Deny, reasons: []stepup.Reason{stepup.ReasonPolicyRule}},
		{name: "defaults when nothing matches", ctx: func(c *Context) { c.Signals.Location, c.Signals.Last.Location = stepup.Location{}, stepup.Location{} },
			rule: Defaults, want: stepup.Allow},
		{name: "deny_countries denies whatever matched", ctx: func(c *Context) {
			kp := stepup.Location{Country: "KP"}
			c.Signals.Location, c.Signals.Last.Location = kp, kp
			c.Signals.DeviceKnown = false
		}, rule: "new-device", want: stepup.Deny, reasons: []stepup.Reason{stepup.ReasonDenyCountry, "new_device_face"}},
		{name: "a client's own rules come first", ctx: func(c *Context) { c.ClientID = "strict" }, rule: "strict-first", want: stepup.IDV, reasons: []stepup.Reason{"strict_client"}},
		{name: "a client without rules gets the global ones", ctx: func(c *Context) { c.ClientID = "relaxed"; c.Signals.DeviceKnown = false }, rule: "trusted-office", want: stepup.Allow},
		{name: "a client's defaults", ctx: func(c *Context) {
			c.ClientID = "relaxed"
			c.Signals.Network, c.Signals.NetworkKnown = "198.51.100.0/24", false
			c.Signals.Location, c.Signals.Last.Location = stepup.Location{}, stepup.Location{}
		}, rule: "clients.relaxed.defaults", want: stepup.Allow},
		{name: "global defaults for other clients", ctx: func(c *Context) {
			c.Signals.Network, c.Signals.NetworkKnown = "198.51.100.0/24", false
			c.Signals.Location, c.Signals.Last.Location = stepup.Location{}, stepup.Location{}
		}, rule: Defaults, want: stepup.LiveID, reasons: []stepup.Reason{stepup.ReasonUnfamiliarNetwork}},
		{name: "a rule's allow cannot skip a missing session", ctx: func(c *Context) { c.Signals.SessionAuthTime = time.Time{} },
			rule: "trusted-office", want: stepup.LiveID, reasons: []stepup.Reason{stepup.ReasonNoSession, stepup.ReasonClientDefaultLiveID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := regular()
			tt.ctx(&c)
			d := p.Decide(c)
			if d.Rule != tt.rule || d.Decision != tt.want || !slices.Equal(d.Reasons, tt.reasons) {
				t.Errorf("Decide = %s by %s %v, want %s by %s %v", d.Decision, d.Rule, d.Reasons, tt.want, tt.rule, tt.reasons)
			}
		})
	}
	if got := p.WithVersion(7).Decide(regular()).Version; got != 7 {
		t.Errorf("version %d, want 7", got)
	}
}

func TestEvaluationErrorFailsClosed(t *testing.T) {
	p := mustParse(t, `rules:
  - name: overflow
    when: 'ial_level * 9223372036854775807 > 0'
    action: allow
`)
	d := p.Decide(regular())
	if d.Err == nil || d.Rule != "overflow" || d.Decision != stepup.LiveID || !d.Has(ReasonPolicyError) {
		t.Errorf("Decide = %s by %s %v err %v; want liveid by overflow with policy_error", d.Decision, d.Rule, d.Reasons, d.Err)
	}
}

func TestStaticIsTheDefaults(t *testing.T) {
	r := stepup.DefaultRules()
	r.NewDevice = stepup.IDV
	c := regular()
	c.Signals.DeviceKnown = false
	d := Static(r).Decide(c)
	if d.Version != 0 || d.Rule != Defaults || d.Decision != stepup.IDV {
		t.Errorf("Static: %+v", d)
	}
}
