package policy

import (
	"reflect"
	"testing"

	"github.com/idbridge/idbridge/pkg/stepup"
)

// A rendered document compiles back to the same rules.
func TestRenderRoundTrip(t *testing.T) {
	global := stepup.DefaultRules()
	global.NewDevice, global.DenyCountries, global.ImpossibleTravelKmh = stepup.IDV, []string{"KP", "IR"}, 1200.5
	strict := stepup.DefaultRules()
	strict.UnfamiliarNetwork, strict.DenyCountries = stepup.Deny, []string{}
	p, err := Parse(Render(global, map[string]stepup.Rules{"strict: rp": strict}), Options{Base: stepup.DefaultRules()})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.StepUp("other"); !reflect.DeepEqual(got, global) {
		t.Errorf("global %+v, want %+v", got, global)
	}
	if got := p.StepUp("strict: rp"); !reflect.DeepEqual(got, strict) {
		t.Errorf("client %+v, want %+v", got, strict)
	}
}
