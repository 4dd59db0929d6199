package netid

import (
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
	"github.com/stretchr/testify/require"
)

// writeMMDB builds a small GeoIP2-City-shaped database.
func writeMMDB(t *testing.T) string {
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoIP2-City", RecordSize: 24, IncludeReservedNetworks: true})
	require.NoError(t, err)
	insert := func(cidr string, rec mmdbtype.Map) {
		_, n, err := net.ParseCIDR(cidr)
		require.NoError(t, err)
		require.NoError(t, tree.Insert(n, rec))
	}
	insert("203.0.113.0/24", mmdbtype.Map{
		"country":  mmdbtype.Map{"iso_code": mmdbtype.String("US")},
		"location": mmdbtype.Map{"latitude": mmdbtype.Float64(40.71), "longitude": mmdbtype.Float64(-74.0)},
	})
	insert("198.51.100.0/24", mmdbtype.Map{"registered_country": mmdbtype.Map{"iso_code": mmdbtype.String("AU")}})
	insert("2001:db8::/32", mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String("DE")}})
	path := filepath.Join(t.TempDir(), "city.mmdb")
	f, err := os.Create(path)
	require.NoError(t, err)
	_, err = tree.WriteTo(f)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	return path
}

func TestMMDBLookup(t *testing.T) {
	geo, err := LoadMMDB(writeMMDB(t))
	require.NoError(t, err)
	tests := []struct {
		ip      string
		country string
		coords  bool
		ok      bool
	}{
		{"203.0.113.9", "US", true, true},
		{"::ffff:203.0.113.9", "US", true, true},
		{"198.51.100.7", "AU", false, true},
		{"2001:db8::1", "DE", false, true},
		{"192.0.2.1", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			c, lat, lon, ok := geo.Lookup(netip.MustParseAddr(tt.ip))
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.country, c)
			if ok {
				require.Equal(t, tt.coords, !math.IsNaN(lat) && !math.IsNaN(lon))
			}
		})
	}

	_, err = LoadMMDB(filepath.Join(t.TempDir(), "missing.mmdb"))
	require.ErrorIs(t, err, ErrInvalidGeoDB)
	junk := filepath.Join(t.TempDir(), "junk.mmdb")
	require.NoError(t, os.WriteFile(junk, []byte("not a database"), 0o600))
	_, err = LoadMMDB(junk)
	require.ErrorIs(t, err, ErrInvalidGeoDB)
}

func TestResolverUsesMMDB(t *testing.T) {
	geo, err := LoadMMDB(writeMMDB(t))
	require.NoError(t, err)
	r, err := New(Config{TrustedProxies: []string{"127.0.0.1/32"}, GeoIP: geo})
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "127.0.0.1:5000"
	req.Header.Set("X-Forwarded-For", "203.0.113.50")
	c := r.Client(req)
	require.Equal(t, "US", c.Country)
	require.True(t, c.HasCoords)
	require.InDelta(t, 40.71, c.Lat, 0.01)
}
