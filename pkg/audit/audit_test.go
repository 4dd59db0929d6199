package audit

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/logtest"
	"github.com/idbridge/idbridge/pkg/netid"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func TestFormat(t *testing.T) {
	full, err := NewAddresses(Full, nil)
	require.NoError(t, err)
	truncated, err := NewAddresses("", nil)
	require.NoError(t, err)
	hashed, err := NewAddresses(Hashed, testKey)
	require.NoError(t, err)
	otherKey, err := NewAddresses(Hashed, []byte(strings.Repeat("k", 32)))
	require.NoError(t, err)
	tests := []struct {
		name string
		a    *Addresses
		ip   string
		want string
	}{
		{"full IPv4", full, "203.0.113.7", "203.0.113.7"},
		{"full IPv6", full, "2001:db8::7", "2001:db8::7"},
		{"full unmaps IPv4-mapped", full, "::ffff:203.0.113.7", "203.0.113.7"},
		{"truncated IPv4 keeps the /24", truncated, "203.0.113.7", "203.0.113.0/24"},
		{"truncated IPv6 keeps the /48", truncated, "2001:db8:abcd:12::7", "2001:db8:abcd::/48"},
		{"truncated IPv4-mapped", truncated, "::ffff:198.51.100.9", "198.51.100.0/24"},
		{"invalid", truncated, "", Unknown},
		{"invalid hashed", hashed, "", Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ip netip.Addr
			if tt.ip != "" {
				ip = netip.MustParseAddr(tt.ip)
			}
			require.Equal(t, tt.want, tt.a.Format(ip))
		})
	}
	a, b := netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("203.0.113.8")
	ha := hashed.Format(a)
	require.Regexp(t, `^h:[0-9a-f]{32}$`, ha)
	require.Equal(t, ha, hashed.Format(a), "one address, one hash: its lines can be linked")
	require.Equal(t, ha, hashed.Format(netip.MustParseAddr("::ffff:203.0.113.7")), "mapped or not, one address")
	require.NotEqual(t, ha, hashed.Format(b))
	require.NotEqual(t, ha, otherKey.Format(a), "the hash depends on the key")
	require.NotContains(t, ha, "203.0.113")
}

func TestNewAddressesRefusesBadSettings(t *testing.T) {
	_, err := NewAddresses(Hashed, nil)
	require.ErrorContains(t, err, "log.client_address_key")
	_, err = NewAddresses(Hashed, []byte("short"))
	require.ErrorContains(t, err, "at least 32 bytes")
	_, err = NewAddresses("everything", nil)
	require.ErrorContains(t, err, `"everything" is not one of`)
}

// TestEventCarriesTheResolvedAddress: through a real server behind a
// trusted proxy, an audit line carries the client's address as
// configured, never the proxy's, and never one a client wrote itself.
func TestEventCarriesTheResolvedAddress(t *testing.T) {
	res, err := netid.New(netid.Config{TrustedProxies: []string{"127.0.0.0/8"}})
	require.NoError(t, err)
	for _, tt := range []struct {
		mode, want string
	}{
		{Full, "203.0.113.7"},
		{Truncated, "203.0.113.0/24"},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			var buf logtest.Buffer
			l, err := New(slog.New(slog.NewJSONHandler(&buf, nil)), config.Log{ClientAddress: tt.mode}, res)
			require.NoError(t, err)
			srv := httptest.NewServer(l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				l.Alert(r.Context(), "test.event", slog.String("client_id", "rp"))
			})))
			defer srv.Close()
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			req.Header.Set("X-Forwarded-For", "6.6.6.6, 203.0.113.7")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			var line map[string]any
			require.NoError(t, json.Unmarshal([]byte(buf.String()), &line), buf.String())
			require.Equal(t, "audit", line["msg"])
			require.Equal(t, "WARN", line["level"])
			require.Equal(t, "test.event", line["audit"])
			require.Equal(t, tt.want, line["client_address"])
			require.Equal(t, "rp", line["client_id"])
		})
	}
}

func TestNewReadsTheConfiguredKey(t *testing.T) {
	var buf logtest.Buffer
	l, err := New(slog.New(slog.NewTextHandler(&buf, nil)), config.Log{ClientAddress: Hashed, ClientAddressKey: base64.StdEncoding.EncodeToString(testKey)}, nil)
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "203.0.113.7:4444"
	l.Event(l.WithRequest(context.Background(), r), "test.event")
	hashed, _ := NewAddresses(Hashed, testKey)
	require.Contains(t, buf.String(), "client_address="+hashed.Format(netip.MustParseAddr("203.0.113.7")))
	require.NotContains(t, buf.String(), "203.0.113")

	_, err = New(nil, config.Log{ClientAddress: Hashed, ClientAddressKey: "%%%"}, nil)
	require.ErrorContains(t, err, "client_address_key")

	var nilLog *Log
	nilLog.Event(context.Background(), "nothing") // a nil Log writes nothing and does not panic
	require.Equal(t, Unknown, Attr(context.Background()).Value.String())
}
