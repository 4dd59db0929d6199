package policy

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/idbridge/idbridge/pkg/stepup"
)

// Facts describe a request in the words of a policy's variables, for test
// cases and previews. Absent fields describe a returning person: known,
// enrolled, verified (IAL2, 30 days ago), on a known device and network,
// in the same country as last time (two hours ago: since_last_login), with a fresh SSO
// session, through an auto client, at noon UTC on a Wednesday.
type Facts struct {
	ClientID          string        `yaml:"client_id" json:"client_id,omitempty"`
	UserKnown         *bool         `yaml:"user_known" json:"user_known,omitempty"`
	Enrolled          *bool         `yaml:"enrolled" json:"enrolled,omitempty"`
	Verified          *bool         `yaml:"verified" json:"verified,omitempty"`
	IALLevel          *int          `yaml:"ial_level" json:"ial_level,omitempty"`
	VerificationAge   time.Duration `yaml:"verification_age" json:"verification_age,omitempty"`
	NewDevice         bool          `yaml:"new_device" json:"new_device,omitempty"`
	UnfamiliarNetwork bool          `yaml:"unfamiliar_network" json:"unfamiliar_network,omitempty"`
	Country           string        `yaml:"country" json:"country,omitempty"`
	LastCountry       string        `yaml:"last_country" json:"last_country,omitempty"`
	CountryChanged    bool          `yaml:"country_changed" json:"country_changed,omitempty"`
	TravelKmh         float64       `yaml:"travel_kmh" json:"travel_kmh,omitempty"`
	FirstLogin        bool          `yaml:"first_login" json:"first_login,omitempty"`
	SinceLastLogin    time.Duration `yaml:"since_last_login" json:"since_last_login,omitempty"`
	HasSession        *bool         `yaml:"has_session" json:"has_session,omitempty"`
	SessionAge        time.Duration `yaml:"session_age" json:"session_age,omitempty"`
	ACRRequested      []string      `yaml:"acr_requested" json:"acr_requested,omitempty"`
	RequiredIAL       int           `yaml:"required_ial" json:"required_ial,omitempty"`
	PromptLogin       bool          `yaml:"prompt_login" json:"prompt_login,omitempty"`
	Journey           string        `yaml:"journey" json:"journey,omitempty"`
	// Now is the time of the request (default 2026-01-07T12:00:00Z).
	Now time.Time `yaml:"now" json:"now,omitzero"`
}

// The default time of Facts: noon UTC on a Wednesday.
var factsNow = time.Date(2026, 1, 7, 12, 0, 0, 0, time.UTC)

// Context builds the request the facts describe.
func (f Facts) Context() Context {
	yes := func(b *bool) bool { return b == nil || *b }
	now := f.Now
	if now.IsZero() {
		now = factsNow
	}
	country := f.Country
	if country == "" {
		country = "US"
	}
	last := f.LastCountry
	switch {
	case last == "" && f.CountryChanged:
		last = "ZZ"
	case last == "":
		last = country
	}
	s := stepup.Signals{
		Now: now, Enrolled: yes(f.Enrolled), Verified: yes(f.Verified), DeviceKnown: !f.NewDevice,
		Network: "198.51.100.0/24", NetworkKnown: !f.UnfamiliarNetwork,
		Location:     stepup.Location{Country: country},
		RequestedACR: f.ACRRequested, RequiredIAL: f.RequiredIAL, PromptLogin: f.PromptLogin, ClientDefault: f.Journey,
	}
	if s.Verified {
		age := f.VerificationAge
		if age == 0 {
			age = 30 * 24 * time.Hour
		}
		s.VerifiedAt, s.IAL = now.Add(-age), 2
	}
	if f.IALLevel != nil {
		s.IAL = *f.IALLevel
	}
	if !f.FirstLogin {
		since := f.SinceLastLogin
		if since <= 0 {
			since = 2 * time.Hour
		}
		s.Last = &stepup.Sighting{At: now.Add(-since), Network: "203.0.113.0/24", Location: stepup.Location{Country: last}}
		if f.TravelKmh > 0 {
			// Along the equator, so that the distance is exactly the speed
			// times the time since.
			deg := f.TravelKmh * since.Hours() / (2 * math.Pi * 6371.0088 / 360)
			s.Last.Location.HasCoords, s.Location.HasCoords = true, true
			s.Location.Lon = math.Mod(deg, 360)
			if s.Location.Lon > 180 {
				s.Location.Lon -= 360
			}
		}
	}
	if yes(f.HasSession) {
		age := f.SessionAge
		if age == 0 {
			age = 10 * time.Minute
		}
		s.SessionAuthTime = now.Add(-age)
	}
	if !yes(f.UserKnown) {
		s = stepup.Signals{Now: now, Network: s.Network, Location: s.Location, RequestedACR: s.RequestedACR,
			RequiredIAL: s.RequiredIAL, PromptLogin: s.PromptLogin, ClientDefault: s.ClientDefault}
	}
	return Context{ClientID: f.ClientID, UserKnown: yes(f.UserKnown), Signals: s}
}

// Case is one test case of a policy: a request and the decision expected.
type Case struct {
	Name  string `yaml:"name"`
	Facts Facts  `yaml:"facts"`
	// Expect is the decision: allow, liveid, idv or deny.
	Expect stepup.Decision `yaml:"expect"`
	// Rule, when set, is the rule expected to decide (or "defaults").
	Rule string `yaml:"rule"`
	// Reasons, when set, must all be among the decision's reasons.
	Reasons []stepup.Reason `yaml:"reasons"`
}

// CaseFile is the YAML format of test cases (configs/policy_cases.yaml).
type CaseFile struct {
	Cases []Case `yaml:"cases"`
}

// ParseCases reads a case file; unknown fields are errors.
func ParseCases(src []byte) ([]Case, error) {
	var f CaseFile
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("cases: %w", err)
	}
	for i, c := range f.Cases {
		if !c.Expect.Valid() {
			return nil, fmt.Errorf("cases[%d] (%s): expect %q is not one of allow, liveid, idv, deny", i, c.Name, c.Expect)
		}
	}
	return f.Cases, nil
}

// CaseResult is the outcome of one case.
type CaseResult struct {
	Case     Case
	Decision Decision
	// Failure says what differed ("" when the case passed).
	Failure string
}

// RunCases decides every case under p.
func RunCases(p *Policy, cases []Case) []CaseResult {
	out := make([]CaseResult, 0, len(cases))
	for _, c := range cases {
		d := p.Decide(c.Facts.Context())
		r := CaseResult{Case: c, Decision: d}
		var diff []string
		if d.Decision != c.Expect {
			diff = append(diff, fmt.Sprintf("decision %s, want %s", d.Decision, c.Expect))
		}
		if c.Rule != "" && d.Rule != c.Rule {
			diff = append(diff, fmt.Sprintf("decided by %s, want %s", d.Rule, c.Rule))
		}
		for _, want := range c.Reasons {
			if !d.Has(want) {
				diff = append(diff, fmt.Sprintf("reason %s missing", want))
			}
		}
		r.Failure = strings.Join(diff, "; ")
		out = append(out, r)
	}
	return out
}

// Report writes the results readably, one line per case and a summary,
// and returns how many failed.
func Report(w io.Writer, results []CaseResult) int {
	failed := 0
	for _, r := range results {
		d := r.Decision
		reasons := make([]string, len(d.Reasons))
		for i, x := range d.Reasons {
			reasons[i] = string(x)
		}
		got := fmt.Sprintf("%s by %s", d.Decision, d.Rule)
		if len(reasons) > 0 {
			got += " (" + strings.Join(reasons, ", ") + ")"
		}
		if r.Failure == "" {
			fmt.Fprintf(w, "PASS  %s: %s\n", r.Case.Name, got)
			continue
		}
		failed++
		fmt.Fprintf(w, "FAIL  %s: %s\n      %s\n", r.Case.Name, got, r.Failure)
	}
	if failed == 0 {
		fmt.Fprintf(w, "all %d cases hold\n", len(results))
	} else {
		fmt.Fprintf(w, "%d of %d cases do not hold\n", failed, len(results))
	}
	return failed
}
