package netid

import (
	"errors"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadCSVLookup(t *testing.T) {
	g, err := LoadCSV(strings.NewReader(`# test ranges
cidr,country,lat,lon
10.0.0.0/8,  us, 37.0, -95.0
10.1.0.0/16,CA,45.4,-75.7

10.1.2.0/24,FR,,
2001:db8::/32,DE,52.5,13.4
2001:db8:1::/48,AT,48.2,16.4
::ffff:192.0.2.0/120,NL
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ip       string
		country  string
		lat, lon float64 // NaN: country only
		ok       bool
	}{
		{"10.200.0.1", "US", 37, -95, true},
		{"10.1.9.9", "CA", 45.4, -75.7, true},
		{"10.1.2.3", "FR", math.NaN(), math.NaN(), true},
		{"::ffff:10.1.2.3", "FR", math.NaN(), math.NaN(), true},
		{"2001:db8:2::1", "DE", 52.5, 13.4, true},
		{"2001:db8:1:ff::1", "AT", 48.2, 16.4, true},
		{"192.0.2.200", "NL", math.NaN(), math.NaN(), true},
		{"11.0.0.1", "", 0, 0, false},
		{"2001:db9::1", "", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			c, lat, lon, ok := g.Lookup(netip.MustParseAddr(tt.ip))
			if c != tt.country || ok != tt.ok || !sameFloat(lat, tt.lat) || !sameFloat(lon, tt.lon) {
				t.Errorf("Lookup = %q %v %v %v, want %q %v %v %v", c, lat, lon, ok, tt.country, tt.lat, tt.lon, tt.ok)
			}
		})
	}
	if _, _, _, ok := g.Lookup(netip.Addr{}); ok {
		t.Error("Lookup(invalid address) found something")
	}
}

func sameFloat(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

func TestLoadCSVErrors(t *testing.T) {
	tests := []struct {
		name, csv, want string
	}{
		{"bad CIDR", "10.0.0.0/8,US\n10.0.0.0/40,US\n", `line 2: "10.0.0.0/40" is not a CIDR`},
		{"host bits", "10.0.0.1/8,US\n", `line 1: "10.0.0.1/8" has host bits set (did you mean 10.0.0.0/8?)`},
		{"duplicate", "# c\n10.0.0.0/8,US\n\n10.0.0.0/8,CA\n", "line 4: 10.0.0.0/8 already listed on line 2"},
		{"duplicate through IPv4 mapping", "10.0.0.0/8,US\n::ffff:10.0.0.0/104,CA\n", "line 2: 10.0.0.0/8 already listed on line 1"},
		{"bad country", "10.0.0.0/8,USA,1,2\n", `line 1: country "USA" is not a two-letter code`},
		{"latitude out of range", "10.0.0.0/8,US,91,0\n", `line 1: coordinates "91","0"`},
		{"one coordinate missing", "10.0.0.0/8,US,45,\n", `line 1: coordinates "45",""`},
		{"coordinate not a number", "10.0.0.0/8,US,north,0\n", `line 1: coordinates "north","0"`},
		{"nothing known", "10.0.0.0/8,,,\n", "line 1: 10.0.0.0/8 has neither a country nor coordinates"},
		{"wrong field count", "10.0.0.0/8,US,1\n", "line 1: 3 fields"},
		{"header only first", "cidr,country\n10.0.0.0/8,US\ncidr,country\n", `line 3: "cidr" is not a CIDR`},
		{"broken quoting", "10.0.0.0/8,\"US\n", "line 1"},
		{"zone", "fe80::%eth0/64,US\n", "line 1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCSV(strings.NewReader(tt.csv))
			if !errors.Is(err, ErrInvalidGeoCSV) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadCSV error = %v, want ErrInvalidGeoCSV containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadCSVEmpty(t *testing.T) {
	g, err := LoadCSV(strings.NewReader("cidr,country,lat,lon\n# nothing yet\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, ok := g.Lookup(netip.MustParseAddr("10.0.0.1")); ok {
		t.Error("empty table found an address")
	}
}

func TestLoadCSVFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "geo.csv")
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(good, []byte("203.0.113.0/24,FR,48.85,2.35\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("203.0.113.0/24,FR\nnope,FR\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	g, err := LoadCSVFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if c, _, _, ok := g.Lookup(netip.MustParseAddr("203.0.113.5")); !ok || c != "FR" {
		t.Errorf("Lookup = %q %v, want FR", c, ok)
	}
	if _, err := LoadCSVFile(bad); err == nil || !strings.Contains(err.Error(), bad+": ") || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("error %v does not name the file and line", err)
	}
	if _, err := LoadCSVFile(filepath.Join(dir, "missing.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file error = %v, want os.ErrNotExist", err)
	}
}

func BenchmarkGeoLookup(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("cidr,country,lat,lon\n")
	for i := range 256 {
		for j := 0; j < 256; j += 16 {
			sb.WriteString(netip.AddrFrom4([4]byte{10, byte(i), byte(j), 0}).String() + "/24,FR,48.8,2.3\n")
		}
	}
	g, err := LoadCSV(strings.NewReader(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	ip := netip.MustParseAddr("10.77.32.9")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, ok := g.Lookup(ip); !ok {
			b.Fatal("miss")
		}
	}
}
