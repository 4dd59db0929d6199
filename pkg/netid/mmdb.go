package netid

import (
	"errors"
	"fmt"
	"math"
	"net/netip"

	"github.com/oschwald/maxminddb-golang/v2"
)

// ErrInvalidGeoDB: a MaxMind-format database could not be opened.
var ErrInvalidGeoDB = errors.New("netid: invalid MaxMind database")

// mmdbRecord is the part of a MaxMind GeoIP2/GeoLite2 City or Country
// record that risk decisions use.
type mmdbRecord struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	RegisteredCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
	Location struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
	} `maxminddb:"location"`
}

// mmdbLookup answers GeoLookup from a MaxMind-format database.
type mmdbLookup struct{ db *maxminddb.Reader }

var _ GeoLookup = mmdbLookup{}

// LoadMMDB opens a MaxMind-format database (GeoIP2 or GeoLite2 City or
// Country, or any database with their record layout) for country and
// coordinates. The file stays open for the life of the process.
func LoadMMDB(path string) (GeoLookup, error) {
	db, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalidGeoDB, path, err)
	}
	return mmdbLookup{db: db}, nil
}

// Lookup returns the country (falling back to the registered country) and
// coordinates of ip; ok is false when the database has no country for it.
func (m mmdbLookup) Lookup(ip netip.Addr) (string, float64, float64, bool) {
	var rec mmdbRecord
	if err := m.db.Lookup(ip.Unmap()).Decode(&rec); err != nil {
		return "", 0, 0, false
	}
	country := rec.Country.ISOCode
	if country == "" {
		country = rec.RegisteredCountry.ISOCode
	}
	if country == "" {
		return "", 0, 0, false
	}
	lat, lon := math.NaN(), math.NaN()
	if rec.Location.Latitude != nil && rec.Location.Longitude != nil {
		lat, lon = *rec.Location.Latitude, *rec.Location.Longitude
	}
	return country, lat, lon, true
}
