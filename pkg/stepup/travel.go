package stepup

import (
	"math"
	"time"
)

// earthRadiusKm is the IUGG mean Earth radius.
const earthRadiusKm = 6371.0088

// minTravelInterval bounds the time used for a speed so that two logins a
// few milliseconds apart (or apparently in the wrong order, from clock skew
// between replicas) give a finite, large speed instead of a division by
// zero.
const minTravelInterval = time.Minute

// DistanceKm is the great-circle (haversine) distance between a and b in
// kilometres. It uses Lat and Lon as given; callers check HasCoords.
func DistanceKm(a, b Location) float64 {
	const rad = math.Pi / 180
	phi1, phi2 := a.Lat*rad, b.Lat*rad
	dPhi := phi2 - phi1
	dLambda := (b.Lon - a.Lon) * rad
	sp, sl := math.Sin(dPhi/2), math.Sin(dLambda/2)
	h := sp*sp + math.Cos(phi1)*math.Cos(phi2)*sl*sl
	h = math.Min(math.Max(h, 0), 1) // rounding can step outside asin's domain
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(h))
}

// impossibleTravel reports whether reaching the current location from the
// last login's needed more than Rules.ImpossibleTravelKmh. Missing or
// invalid coordinates, a missing time and jumps shorter than
// Rules.ImpossibleTravelMinKm never fire.
func impossibleTravel(s Signals, r Rules) bool {
	if s.Last == nil || s.Last.At.IsZero() || !validCoords(s.Location) || !validCoords(s.Last.Location) {
		return false
	}
	limit := r.ImpossibleTravelKmh
	if !(limit > 0) {
		limit = DefaultRules().ImpossibleTravelKmh
	}
	d := DistanceKm(s.Last.Location, s.Location)
	if !(d > r.ImpossibleTravelMinKm) {
		return false
	}
	dt := s.Now.Sub(s.Last.At)
	if dt < minTravelInterval {
		dt = minTravelInterval
	}
	return d/dt.Hours() > limit
}

func validCoords(l Location) bool {
	return l.HasCoords && l.Lat >= -90 && l.Lat <= 90 && l.Lon >= -180 && l.Lon <= 180
}
