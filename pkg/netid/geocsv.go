package netid

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
)

// ErrInvalidGeoCSV is matched (errors.Is) by every error LoadCSV returns
// about the content of the file.
var ErrInvalidGeoCSV = errors.New("netid: invalid GeoIP CSV")

// LoadCSV reads the simple GeoIP format idbridge ships support for: one
// record per line,
//
//	cidr,country,lat,lon
//	203.0.113.0/24,FR,48.8566,2.3522
//	2001:db8:1::/48,DE,,
//	198.51.100.0/24,US
//
// with an optional header line of exactly those names, "#" comments and
// blank lines. country is an ISO 3166-1 alpha-2 code; lat and lon are
// degrees and may both be left empty (or out) when only the country is
// known. CIDRs must not have host bits set and must not repeat; the longest
// matching prefix wins. Errors name the line and wrap ErrInvalidGeoCSV.
//
// MaxMind's MMDB format is not bundled: convert a database to this format,
// or implement GeoLookup over a reader of your choice.
func LoadCSV(r io.Reader) (GeoLookup, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true

	t := &geoTable{entries: map[netip.Prefix]geoEntry{}}
	firstLine := map[netip.Prefix]int{}
	for first := true; ; first = false {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidGeoCSV, err)
		}
		line, _ := cr.FieldPos(0)
		if first && strings.EqualFold(strings.TrimSpace(rec[0]), "cidr") {
			continue
		}
		p, e, err := parseGeoRecord(rec)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrInvalidGeoCSV, line, err)
		}
		if prev, dup := firstLine[p]; dup {
			return nil, fmt.Errorf("%w: line %d: %s already listed on line %d", ErrInvalidGeoCSV, line, p, prev)
		}
		firstLine[p] = line
		t.add(p, e)
	}
	t.finish()
	return t, nil
}

// LoadCSVFile is LoadCSV on a file; errors name the file.
func LoadCSVFile(path string) (GeoLookup, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	g, err := LoadCSV(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

func parseGeoRecord(rec []string) (netip.Prefix, geoEntry, error) {
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	e := geoEntry{lat: math.NaN(), lon: math.NaN()}
	if len(rec) != 2 && len(rec) != 4 {
		return netip.Prefix{}, e, fmt.Errorf("%d fields, want cidr,country,lat,lon or cidr,country", len(rec))
	}
	p, err := netip.ParsePrefix(rec[0])
	if err != nil {
		return p, e, fmt.Errorf("%q is not a CIDR such as 203.0.113.0/24", rec[0])
	}
	if p.Addr().Zone() != "" {
		return p, e, fmt.Errorf("%q has a zone", rec[0])
	}
	if m := p.Masked(); m != p {
		return p, e, fmt.Errorf("%q has host bits set (did you mean %s?)", rec[0], m)
	}
	p = normalizePrefix(p)
	e.country = country(rec[1])
	if e.country == "" && rec[1] != "" {
		return p, e, fmt.Errorf("country %q is not a two-letter code such as FR", rec[1])
	}
	if len(rec) == 4 && (rec[2] != "" || rec[3] != "") {
		lat, err1 := strconv.ParseFloat(rec[2], 64)
		lon, err2 := strconv.ParseFloat(rec[3], 64)
		if err1 != nil || err2 != nil || !validCoords(lat, lon) {
			return p, e, fmt.Errorf("coordinates %q,%q are not a latitude in [-90,90] and a longitude in [-180,180]", rec[2], rec[3])
		}
		e.lat, e.lon = lat, lon
	}
	if e.country == "" && math.IsNaN(e.lat) {
		return p, e, fmt.Errorf("%s has neither a country nor coordinates", p)
	}
	return p, e, nil
}

type geoEntry struct {
	country  string
	lat, lon float64
}

// geoTable answers longest-prefix matches with one map probe per distinct
// prefix length, longest first.
type geoTable struct {
	entries        map[netip.Prefix]geoEntry
	v4Bits, v6Bits []int
}

var _ GeoLookup = (*geoTable)(nil)

func (t *geoTable) add(p netip.Prefix, e geoEntry) {
	t.entries[p] = e
	if p.Addr().Is4() {
		t.v4Bits = append(t.v4Bits, p.Bits())
	} else {
		t.v6Bits = append(t.v6Bits, p.Bits())
	}
}

func (t *geoTable) finish() {
	for _, b := range []*[]int{&t.v4Bits, &t.v6Bits} {
		slices.Sort(*b)
		*b = slices.Compact(*b)
		slices.Reverse(*b)
	}
}

// Lookup implements GeoLookup; safe for concurrent use.
func (t *geoTable) Lookup(ip netip.Addr) (string, float64, float64, bool) {
	if !ip.IsValid() {
		return "", 0, 0, false
	}
	ip = ip.Unmap().WithZone("")
	bits := t.v6Bits
	if ip.Is4() {
		bits = t.v4Bits
	}
	for _, b := range bits {
		p, err := ip.Prefix(b)
		if err != nil {
			continue
		}
		if e, ok := t.entries[p]; ok {
			return e.country, e.lat, e.lon, true
		}
	}
	return "", 0, 0, false
}
