package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/idbridge/idbridge/pkg/stepup"
)

func TestParseRefusesWithEveryProblem(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// want are the problems, each as a substring of its String(), in
		// order.
		want []string
	}{
		{name: "unknown variable", src: one(`new_device && hr < 6`), want: []string{"line 3: rules[0] (r): `new_device && hr < 6`: undeclared reference to 'hr'"}},
		{name: "type error: string compared with int", src: one(`country > 3`), want: []string{"line 3: rules[0] (r): `country > 3`: found no matching overload for '_>_'"}},
		{name: "type error: double and int", src: one(`travel_kmh > 900`), want: []string{"no matching overload"}},
		{name: "not a bool", src: one(`travel_kmh`), want: []string{"`travel_kmh`: the condition is a double, not a bool"}},
		{name: "syntax error", src: one(`new_device &&`), want: []string{"line 3: rules[0] (r)\x00Syntax error"}},
		{name: "line of a block condition", src: "rules:\n  - name: b\n    when: |\n      new_device &&\n      countri == \"FR\"\n    action: idv\n",
			want: []string{"line 5: rules[0] (b)\x00undeclared reference to 'countri' (column 1)"}},
		{name: "every problem at once", src: `
defaults:
  new_device: maybe
  impossible_travel_kmh: -1
rules:
  - name: a
    when: 'new_device'
    action: stepup
  - name: a
    when: ''
    action: idv
    reason: Not Snake
    colour: red
clients:
  demo:
    rules:
      - when: 'ial_level == "2"'
        action: deny
`, want: []string{
			`defaults.new_device: "maybe" is not one of allow, liveid, idv, deny`,
			"defaults.impossible_travel_kmh: -1 must be a positive speed",
			`line 6: rules[0] (a): action "stepup" is not one of allow, liveid, idv, deny`,
			`line 9: rules[1] (a): unknown field "colour"`,
			`line 9: rules[1] (a): the name "a" is also the name of the rule on line 6`,
			`line 9: rules[1] (a): reason "Not Snake" is not a snake_case code`,
			"line 9: rules[1] (a): when is required",
			"line 17: clients.demo.rules[0]: `ial_level == \"2\"`: found no matching overload for '_==_'",
		}},
		{name: "unknown top-level field", src: "rulez: []\n", want: []string{"line 1: field rulez not found"}},
		{name: "unknown defaults field", src: "defaults:\n  new_devices: idv\n", want: []string{"line 2: field new_devices not found"}},
		{name: "a rule that is not a mapping", src: "rules:\n  - new_device\n", want: []string{"line 2: a rule is a mapping"}},
		{name: "costly comprehension", src: one(`acr_requested.all(a, acr_requested.all(b, acr_requested.all(c, acr_requested.all(d, a + b + c + d != "x"))))`),
			want: []string{"may cost up to"}},
		{name: "too large", src: "#" + strings.Repeat("x", MaxSource), want: []string{"at most 262144 are accepted"}},
		{name: "too many rules", src: "rules:\n" + strings.Repeat("  - {when: 'true', action: allow}\n", MaxRules+1), want: []string{"201 rules; at most 200"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), Options{})
			var pe *Error
			if !errors.As(err, &pe) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse error = %v, want *Error", err)
			}
			if len(pe.Problems) != len(tt.want) {
				t.Fatalf("%d problems, want %d:\n%v", len(pe.Problems), len(tt.want), err)
			}
			for i, w := range tt.want {
				for _, part := range strings.Split(w, "\x00") {
					if !strings.Contains(pe.Problems[i].String(), part) {
						t.Errorf("problem %d = %q, want it to contain %q", i, pe.Problems[i].String(), part)
					}
				}
			}
			if !strings.Contains(err.Error(), "it was not loaded") {
				t.Errorf("error text %q", err.Error())
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, p *Policy)
	}{
		{name: "empty document is the defaults", src: "", check: func(t *testing.T, p *Policy) {
			if len(p.Rules("x")) != 0 || p.StepUp("x").NewDevice != stepup.LiveID {
				t.Error("not the defaults")
			}
		}},
		{name: "defaults inherit field by field", src: "defaults:\n  new_device: idv\nclients:\n  c:\n    defaults:\n      country_change: deny\n", check: func(t *testing.T, p *Policy) {
			r := p.StepUp("c")
			if r.NewDevice != stepup.IDV || r.CountryChange != stepup.Deny || r.UnfamiliarNetwork != stepup.LiveID {
				t.Errorf("client defaults %+v", r)
			}
			if p.StepUp("other").CountryChange != stepup.LiveID {
				t.Error("another client got the client's defaults")
			}
		}},
		{name: "an empty deny list clears the inherited one", src: "defaults:\n  deny_countries: [KP]\nclients:\n  c:\n    defaults:\n      deny_countries: []\n", check: func(t *testing.T, p *Policy) {
			if len(p.StepUp("c").DenyCountries) != 0 || len(p.StepUp("x").DenyCountries) != 1 {
				t.Error("deny_countries not overridden")
			}
		}},
		{name: "unnamed rules are named by position", src: "rules:\n  - {when: 'true', action: allow}\n", check: func(t *testing.T, p *Policy) {
			if got := p.Rules("x")[0].Name; got != "rules[0]" {
				t.Errorf("name %q", got)
			}
		}},
		{name: "a client's rules, then the global ones", src: "rules:\n  - {name: g, when: 'true', action: allow}\nclients:\n  c:\n    rules:\n      - {name: own, when: 'true', action: idv}\n", check: func(t *testing.T, p *Policy) {
			var names []string
			for _, r := range p.Rules("c") {
				names = append(names, r.Name)
			}
			if strings.Join(names, ",") != "own,g" {
				t.Errorf("rules %v", names)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, mustParse(t, tt.src))
		})
	}
}

func TestBaseCarriesTheConfiguration(t *testing.T) {
	base := stepup.DefaultRules()
	base.LiveIDACR, base.MaxVerificationAge = "urn:x:liveid", 5
	p, err := Parse([]byte("defaults:\n  new_device: idv\n"), Options{Base: base})
	if err != nil {
		t.Fatal(err)
	}
	if r := p.StepUp(""); r.LiveIDACR != "urn:x:liveid" || r.MaxVerificationAge != 5 || r.NewDevice != stepup.IDV {
		t.Errorf("%+v", r)
	}
}
