package stepup

import (
	"math"
	"testing"
)

func TestDistanceKm(t *testing.T) {
	tests := []struct {
		name string
		a, b Location
		want float64 // km, reference great-circle distances
	}{
		{"same point", paris, paris, 0},
		{"Paris-London", paris, london, 343.6},
		{"New York-Los Angeles", newYork, losAngeles, 3935.8},
		{"Los Angeles-New York is symmetric", losAngeles, newYork, 3935.8},
		{"New York-Boston", newYork, boston, 306.1},
		{"quarter meridian", Location{Lat: 0, Lon: 0}, Location{Lat: 90, Lon: 0}, math.Pi / 2 * earthRadiusKm},
		{"antipodes", Location{Lat: 0, Lon: 0}, Location{Lat: 0, Lon: 180}, math.Pi * earthRadiusKm},
		{"across the antimeridian", Location{Lat: 0, Lon: 179.5}, Location{Lat: 0, Lon: -179.5}, 111.2},
		{"pole to pole", Location{Lat: 90}, Location{Lat: -90, Lon: 45}, math.Pi * earthRadiusKm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DistanceKm(tt.a, tt.b)
			if math.Abs(got-tt.want) > 0.005*tt.want+0.01 {
				t.Errorf("DistanceKm = %.1f, want %.1f", got, tt.want)
			}
		})
	}
}
