package policy

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/idbridge/idbridge/pkg/stepup"
)

// Anonymising keeps what the policy reads: the same decision by the same
// rule, for every context of TestDecideOrderAndSections' kinds.
func TestAnonymousKeepsTheDecision(t *testing.T) {
	p := mustParse(t, layered)
	contexts := map[string]func(c *Context){
		"regular":           func(*Context) {},
		"new network":       func(c *Context) { c.Signals.Network, c.Signals.NetworkKnown = "198.51.100.0/24", false },
		"last network only": func(c *Context) { c.Signals.NetworkKnown = false },
		"travel":            func(c *Context) { c.Signals.Location = newYork },
		"first login":       func(c *Context) { c.Signals.Last = nil },
		"max age":           func(c *Context) { m := time.Minute; c.Signals.MaxAge = &m },
	}
	for name, f := range contexts {
		t.Run(name, func(t *testing.T) {
			c := regular()
			c.Signals.Last.DeviceID = "device-of-a-person"
			f(&c)
			a := Anonymous(c)
			want, got := p.Decide(c), p.Decide(a)
			if got.Decision != want.Decision || got.Rule != want.Rule || fmt.Sprint(got.Reasons) != fmt.Sprint(want.Reasons) {
				t.Errorf("anonymised %s by %s %v, original %s by %s %v", got.Decision, got.Rule, got.Reasons, want.Decision, want.Rule, want.Reasons)
			}
			text := fmt.Sprintf("%+v %+v", a, a.Signals.Last)
			for _, secret := range []string{"203.0.113", "198.51.100", "device-of-a-person", "48.8566"} {
				if strings.Contains(text, secret) {
					t.Errorf("anonymised context keeps %q: %s", secret, text)
				}
			}
		})
	}
}

func TestRecentKeepsTheNewest(t *testing.T) {
	var r Recent
	if len(r.List()) != 0 {
		t.Fatal("empty ring lists contexts")
	}
	for i := range recentSize + 5 {
		c := regular()
		c.ClientID = fmt.Sprint(i)
		r.Add(c)
	}
	got := r.List()
	if len(got) != recentSize || got[0].ClientID != fmt.Sprint(recentSize+4) || got[recentSize-1].ClientID != "5" {
		t.Errorf("%d contexts, newest %s, oldest %s", len(got), got[0].ClientID, got[len(got)-1].ClientID)
	}
	if got[0].Signals.Network != "network-1" {
		t.Errorf("kept network %q", got[0].Signals.Network)
	}
}

func TestFactsDescribeTheirContext(t *testing.T) {
	no := false
	tests := []struct {
		name  string
		facts Facts
		cond  string
	}{
		{"returning person", Facts{}, `user_known && enrolled && verified && ial_level == 2 && !new_device && !unfamiliar_network && !country_changed && has_session && hour == 12 && weekday == 3`},
		{"new device and network", Facts{NewDevice: true, UnfamiliarNetwork: true}, `new_device && unfamiliar_network`},
		{"country change", Facts{Country: "DE", CountryChanged: true}, `country == "DE" && country_changed && last_country != "DE"`},
		{"travel speed", Facts{TravelKmh: 1500}, `travel_kmh > 1499.0 && travel_kmh < 1501.0 && impossible_travel`},
		{"unknown person", Facts{UserKnown: &no}, `!user_known && !enrolled && ial_level == 0 && !has_session && first_login`},
		{"stale verification", Facts{VerificationAge: 400 * 24 * time.Hour}, `verification_age > duration("9000h")`},
		{"no session", Facts{HasSession: &no}, `!has_session`},
		{"client and acr", Facts{ClientID: "x", ACRRequested: []string{stepup.DefaultLiveIDACR}}, `client_id == "x" && size(acr_requested) == 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := mustParse(t, one(tt.cond)).Decide(tt.facts.Context()); d.Rule != "r" {
				t.Errorf("%s does not hold for %+v", tt.cond, tt.facts)
			}
		})
	}
}

func TestRunCases(t *testing.T) {
	cases, err := ParseCases([]byte(`
cases:
  - name: demo is closed
    facts: {client_id: demo}
    expect: deny
    rule: deny-demo
    reasons: [demo_closed]
  - name: wrong expectation
    facts: {client_id: other, new_device: true}
    expect: allow
`))
	must(t, err)
	res := RunCases(mustParse(t, v2), cases)
	var out strings.Builder
	failed := Report(&out, res)
	if failed != 1 || res[0].Failure != "" || !strings.Contains(res[1].Failure, "decision liveid, want allow") {
		t.Errorf("failed %d: %+v", failed, res)
	}
	for _, want := range []string{"PASS  demo is closed: deny by deny-demo (demo_closed)", "FAIL  wrong expectation: liveid by defaults (new_device)", "1 of 2 cases do not hold"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	for _, bad := range []string{"cases:\n  - {name: x, expect: maybe}\n", "cases:\n  - {name: x, expect: allow, colour: red}\n"} {
		if _, err := ParseCases([]byte(bad)); err == nil {
			t.Errorf("ParseCases accepted %q", bad)
		}
	}
}
