package stepup

import "time"

var (
	now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	paris      = Location{Country: "FR", Lat: 48.8566, Lon: 2.3522, HasCoords: true}
	versailles = Location{Country: "FR", Lat: 48.8049, Lon: 2.1204, HasCoords: true}
	berlin     = Location{Country: "DE", Lat: 52.5200, Lon: 13.4050, HasCoords: true}
	london     = Location{Country: "GB", Lat: 51.5074, Lon: -0.1278, HasCoords: true}
	newYork    = Location{Country: "US", Lat: 40.7128, Lon: -74.0060, HasCoords: true}
	boston     = Location{Country: "US", Lat: 42.3601, Lon: -71.0589, HasCoords: true}
	losAngeles = Location{Country: "US", Lat: 34.0522, Lon: -118.2437, HasCoords: true}
	pyongyang  = Location{Country: "KP", Lat: 39.0392, Lon: 125.7625, HasCoords: true}
)

const homeNet = "203.0.113.0/24"

// regular is an enrolled, verified user coming back from the usual device
// and network within a fresh SSO session: nothing should fire.
func regular() Signals {
	return Signals{
		Now:             now,
		Enrolled:        true,
		Verified:        true,
		VerifiedAt:      now.Add(-30 * 24 * time.Hour),
		IAL:             2,
		DeviceKnown:     true,
		Network:         homeNet,
		NetworkKnown:    true,
		Location:        paris,
		Last:            &Sighting{At: now.Add(-2 * time.Hour), Network: homeNet, Location: paris, DeviceID: "dev-1"},
		SessionAuthTime: now.Add(-10 * time.Minute),
		ClientDefault:   JourneyAuto,
	}
}

func dur(d time.Duration) *time.Duration { return &d }
