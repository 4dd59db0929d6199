package stepup

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func TestDefaultRulesValid(t *testing.T) {
	if err := DefaultRules().Validate(); err != nil {
		t.Fatalf("DefaultRules().Validate() = %v", err)
	}
}

func TestRulesValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(r *Rules)
		fields []string
	}{
		{name: "defaults", mutate: func(*Rules) {}},
		{name: "every decision allowed", mutate: func(r *Rules) {
			r.NewDevice, r.UnfamiliarNetwork, r.CountryChange, r.ImpossibleTravel = Allow, IDV, Deny, LiveID
		}},
		{name: "deny countries any case and CDN pseudo-codes", mutate: func(r *Rules) { r.DenyCountries = []string{"kp", "IR", "T1"} }},
		{name: "zero rules", mutate: func(r *Rules) { *r = Rules{} }, fields: []string{
			"new_device", "unfamiliar_network", "country_change", "impossible_travel",
			"impossible_travel_kmh", "liveid_acr", "idv_acr",
		}},
		{name: "unknown decision", mutate: func(r *Rules) { r.CountryChange = "stepup" }, fields: []string{"country_change"}},
		{name: "decision is case-sensitive", mutate: func(r *Rules) { r.NewDevice = "LiveID" }, fields: []string{"new_device"}},
		{name: "negative speed", mutate: func(r *Rules) { r.ImpossibleTravelKmh = -1 }, fields: []string{"impossible_travel_kmh"}},
		{name: "NaN speed", mutate: func(r *Rules) { r.ImpossibleTravelKmh = math.NaN() }, fields: []string{"impossible_travel_kmh"}},
		{name: "infinite speed", mutate: func(r *Rules) { r.ImpossibleTravelKmh = math.Inf(1) }, fields: []string{"impossible_travel_kmh"}},
		{name: "negative minimum distance", mutate: func(r *Rules) { r.ImpossibleTravelMinKm = -5 }, fields: []string{"impossible_travel_min_km"}},
		{name: "negative verification age", mutate: func(r *Rules) { r.MaxVerificationAge = -1 }, fields: []string{"max_verification_age"}},
		{name: "bad countries named by index", mutate: func(r *Rules) { r.DenyCountries = []string{"KP", "Korea", "", "K!"} },
			fields: []string{"deny_countries[1]", "deny_countries[2]", "deny_countries[3]"}},
		{name: "same acr twice", mutate: func(r *Rules) { r.IDVACR = r.LiveIDACR }, fields: []string{"idv_acr"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := DefaultRules()
			tt.mutate(&r)
			err := r.Validate()
			var got []string
			for _, e := range unjoin(err) {
				var fe *FieldError
				if !errors.As(e, &fe) {
					t.Fatalf("problem %v is not a *FieldError", e)
				}
				if fe.Problem == "" {
					t.Errorf("field %s has no problem text", fe.Field)
				}
				got = append(got, fe.Field)
			}
			if !slices.Equal(got, tt.fields) {
				t.Errorf("fields = %q, want %q (err: %v)", got, tt.fields, err)
			}
			if (err != nil) != errors.Is(err, ErrInvalidRules) {
				t.Errorf("errors.Is(%v, ErrInvalidRules) mismatch", err)
			}
		})
	}
}

func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestDecisionOrder(t *testing.T) {
	order := []Decision{Allow, LiveID, IDV, Deny}
	for i, d := range order {
		if d.Rank() != i || !d.Valid() {
			t.Errorf("%s: rank %d valid %v, want %d true", d, d.Rank(), d.Valid(), i)
		}
		for _, o := range order {
			want := d
			if o.Rank() > d.Rank() {
				want = o
			}
			if got := d.Stronger(o); got != want {
				t.Errorf("%s.Stronger(%s) = %s, want %s", d, o, got, want)
			}
		}
	}
	if Decision("").Valid() || Decision("ALLOW").Valid() {
		t.Error("invalid decisions reported valid")
	}
}

func TestReasonsComplete(t *testing.T) {
	all := AllReasons()
	if len(all) != int(numReasons) {
		t.Fatalf("%d reasons, want %d", len(all), numReasons)
	}
	seen := map[Reason]bool{}
	for i, r := range all {
		if r == "" || seen[r] {
			t.Errorf("reason %d is %q: empty or duplicate", i, r)
		}
		seen[r] = true
		for _, c := range r {
			if !(c >= 'a' && c <= 'z' || c == '_') {
				t.Errorf("reason %q is not snake_case", r)
				break
			}
		}
	}
}
