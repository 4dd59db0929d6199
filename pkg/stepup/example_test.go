package stepup_test

import (
	"fmt"
	"time"

	"github.com/idbridge/idbridge/pkg/stepup"
)

func ExampleDecide() {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	paris := stepup.Location{Country: "FR", Lat: 48.8566, Lon: 2.3522, HasCoords: true}
	newYork := stepup.Location{Country: "US", Lat: 40.7128, Lon: -74.0060, HasCoords: true}

	res := stepup.Decide(stepup.Signals{
		Now:             now,
		Enrolled:        true,
		Verified:        true,
		VerifiedAt:      now.AddDate(0, -1, 0),
		IAL:             2,
		DeviceKnown:     true,
		Network:         "198.51.100.0/24",
		NetworkKnown:    true,
		Location:        newYork,
		Last:            &stepup.Sighting{At: now.Add(-time.Hour), Network: "203.0.113.0/24", Location: paris},
		SessionAuthTime: now.Add(-10 * time.Minute),
		ClientDefault:   "auto",
	}, stepup.DefaultRules())
	fmt.Println(res.Decision, res.Reasons, res.RiskLevel)
	// Output: liveid [impossible_travel country_change] high
}
