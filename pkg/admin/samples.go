package admin

import (
	"time"

	"github.com/idbridge/idbridge/pkg/policy"
)

// sample is a named request to preview a policy with.
type sample struct {
	Name  string
	Facts policy.Facts
}

var no = new(bool)

// samples are the typical requests the preview offers; their client is
// the one the administrator names.
var samples = []sample{
	{"Returning person, usual device and network", policy.Facts{}},
	{"New device", policy.Facts{NewDevice: true}},
	{"New device and network, other country", policy.Facts{NewDevice: true, UnfamiliarNetwork: true, CountryChanged: true, Country: "DE"}},
	{"Impossible travel (4000 km/h)", policy.Facts{TravelKmh: 4000, CountryChanged: true, Country: "AU"}},
	{"New device at 3 a.m. UTC", policy.Facts{NewDevice: true, UnfamiliarNetwork: true, Now: time.Date(2026, 1, 7, 3, 0, 0, 0, time.UTC)}},
	{"Verification older than a year", policy.Facts{VerificationAge: 400 * 24 * time.Hour}},
	{"No SSO session", policy.Facts{HasSession: no}},
	{"Unknown person", policy.Facts{UserKnown: no}},
}
