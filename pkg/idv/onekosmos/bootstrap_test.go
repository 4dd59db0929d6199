package onekosmos

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
)

func TestNewValidatesWithoutNetwork(t *testing.T) {
	f := newFake(t)
	_ = f.client(nil)
	assert.Zero(t, f.count(rCommunity)+f.count(rSD)+f.count(rDVKey), "New does no I/O")

	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{name: "missing fields", cfg: Config{}, want: "TenantDNS is required; Community is required; LicenseKey is required; DVCID is required"},
		{name: "bad base URL", cfg: Config{TenantDNS: "t", Community: "c", LicenseKey: "l", DVCID: "d", BaseURL: "ftp://x"}, want: "BaseURL"},
		{name: "bad curve", cfg: Config{TenantDNS: "t", Community: "c", LicenseKey: "l", DVCID: "d", Curve: "ed25519"}, want: "Curve"},
		{name: "bad key", cfg: Config{TenantDNS: "t", Community: "c", LicenseKey: "l", DVCID: "d", PrivateKey: "not base64!"}, want: "PrivateKey"},
		{name: "bad path", cfg: Config{TenantDNS: "t", Community: "c", LicenseKey: "secret-lk", DVCID: "d", Paths: Paths{AppSessionResponse: "/x"}}, want: "AppSessionResponse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			require.ErrorIs(t, err, idv.ErrInvalidInput)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "secret-lk")
		})
	}

	c, err := New(Config{TenantDNS: "acme.1kosmos.net", Community: "c", LicenseKey: "l", DVCID: "d"})
	require.NoError(t, err)
	assert.Equal(t, "https://acme.1kosmos.net", c.base)
}

func TestBootstrapOnceForConcurrentCalls(t *testing.T) {
	f := newFake(t)
	c := f.client(nil)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.IDVResult(context.Background(), "s-1")
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, f.count(rCommunity))
	assert.Equal(t, 1, f.count(rSD))
	assert.Equal(t, 1, f.count(rDVKey))
	assert.Zero(t, f.count(rSessKey), "sessions key fetched only for app sessions")
	assert.Equal(t, 16, f.count(rResultV3))
}

func TestBootstrapRefusals(t *testing.T) {
	tests := []struct {
		name    string
		route   string
		handler http.HandlerFunc
		want    error
		message string
	}{
		{name: "community info without tenant", route: rCommunity, want: idv.ErrRejected, message: "check TenantDNS and Community",
			handler: func(w http.ResponseWriter, r *http.Request) {
				writeJSONT(w, 200, map[string]any{"community": map[string]any{}})
			}},
		{name: "community info 404", route: rCommunity, want: idv.ErrRejected, message: "tenant not found",
			handler: func(w http.ResponseWriter, r *http.Request) {
				writeJSONT(w, 404, map[string]any{"code": 404, "message": "tenant not found"})
			}},
		{name: "service map without licenses", route: rSD, want: idv.ErrUnavailable, message: "licenses",
			handler: func(w http.ResponseWriter, r *http.Request) {
				writeJSONT(w, 200, map[string]any{"docuverify": "http://127.0.0.1:1/docuverify"})
			}},
		{name: "service map without docuverify", route: rSD, want: idv.ErrRejected, message: "docuverify",
			handler: func(w http.ResponseWriter, r *http.Request) { writeJSONT(w, 200, map[string]any{"licenses": "x"}) }},
		{name: "public key not a key", route: rDVKey, want: idv.ErrUnavailable, message: "public key",
			handler: func(w http.ResponseWriter, r *http.Request) { writeJSONT(w, 200, map[string]any{"publicKey": "AAAA"}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.set(tt.route, tt.handler)
			_, err := f.client(nil).StartIDV(context.Background(), idv.IDVRequest{})
			require.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), tt.message)
			assert.Zero(t, f.count(rCreate))
		})
	}
}

func TestBootstrapCacheExpiry(t *testing.T) {
	f := newFake(t)
	clock := newTestClock()
	c := f.client(func(cfg *Config) { cfg.Now = clock.Now; cfg.BootstrapTTL = time.Minute })
	ctx := context.Background()
	_, err := c.IDVResult(ctx, "s-1")
	require.NoError(t, err)
	clock.Advance(30 * time.Second)
	_, err = c.IDVResult(ctx, "s-1")
	require.NoError(t, err)
	assert.Equal(t, 1, f.count(rSD), "cached within the TTL")

	clock.Advance(time.Minute)
	_, err = c.IDVResult(ctx, "s-1")
	require.NoError(t, err)
	assert.Equal(t, 2, f.count(rSD), "refreshed after the TTL")

	// Refresh fails: the expired tenant keeps serving.
	f.set(rSD, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	clock.Advance(2 * time.Minute)
	_, err = c.IDVResult(ctx, "s-1")
	require.NoError(t, err)
	assert.Equal(t, 2+1+DefaultRetries, f.count(rSD))
}

func TestKeyRotationAfter401(t *testing.T) {
	f := newFake(t)
	clock := newTestClock()
	c := f.client(func(cfg *Config) { cfg.Now = clock.Now })
	ctx := context.Background()
	_, err := c.StartIDV(ctx, idv.IDVRequest{})
	require.NoError(t, err)

	f.rotate()
	f.set(rCreate, func(w http.ResponseWriter, r *http.Request) {
		if _, _, ok := f.open(r); !ok {
			writeJSONT(w, 401, map[string]any{"code": 401, "message": "invalid licensekey"})
			return
		}
		writeJSONT(w, 200, map[string]string{"sessionId": "s-2", "url": "https://hosted.example/s-2"})
	})
	clock.Advance(time.Minute)
	s, err := c.StartIDV(ctx, idv.IDVRequest{})
	require.NoError(t, err)
	assert.Equal(t, "s-2", s.ID)
	assert.Equal(t, 3, f.count(rCreate), "one refused, repeated once with the new key")
	assert.Equal(t, 2, f.count(rDVKey))

	// A 401 with an unchanged key (say, a wrong license) is not repeated,
	// and forced refreshes are rate limited.
	bad := f.client(func(cfg *Config) { cfg.Now = clock.Now; cfg.LicenseKey = "wrong" })
	for i := 0; i < 3; i++ {
		_, err = bad.StartIDV(ctx, idv.IDVRequest{})
		require.ErrorIs(t, err, idv.ErrRejected)
		var se *ServiceError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 401, se.Status)
	}
	assert.Equal(t, 3+3, f.count(rCreate))
	assert.Equal(t, 2+2, f.count(rDVKey), "bootstrap plus one forced refresh")
}
