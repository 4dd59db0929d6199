package oidc

import (
	"context"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// oversizedState is the 900 KiB state of the security review.
var oversizedState = strings.Repeat("a", 900<<10)

// authorizeOnce sends one GET /authorize and returns where it went,
// without following redirects.
func authorizeOnce(t *testing.T, base string, params url.Values) (int, *url.URL) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + PathAuthorize + "?" + params.Encode())
	require.NoError(t, err)
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	return resp.StatusCode, loc
}

func heapAfterGC() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func TestOversizedStateIsRefusedAndNothingGrows(t *testing.T) {
	h := newHarness(t)
	before := heapAfterGC()
	answers := make([]*url.URL, 60)
	for i := range answers {
		_, answers[i] = authorizeOnce(t, h.srv.URL, authParams("rp", "state", oversizedState))
	}
	after := heapAfterGC()
	// 60 stored requests would hold 54 MiB; the bound leaves room for noise.
	require.Less(t, int64(after)-int64(before), int64(16<<20), "heap grew from %d to %d bytes", before, after)
	for i, loc := range answers {
		require.Equal(t, "invalid_request", loc.Query().Get("error"), "request %d went to %s", i, loc)
		require.Contains(t, loc.Query().Get("error_description"), "state")
		require.False(t, loc.Query().Has("state"), "an oversized state is not echoed")
	}
}

func TestOversizedParametersAreNotStoredOnRedisReplicas(t *testing.T) {
	rs := newReplicas(t)
	rdb := goredis.NewClient(&goredis.Options{Addr: rs.redis.Addr()})
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background()
	hostile := []url.Values{
		authParams("rp", "state", oversizedState),
		authParams("rp", "nonce", oversizedState),
		authParams("rp", "login_hint", strings.Repeat("x", 64<<10)+"@example.com"),
	}
	answers := make([]*url.URL, 60)
	for i := range answers {
		_, answers[i] = authorizeOnce(t, rs.direct[i%2].URL, hostile[i%len(hostile)])
	}
	keys, err := rdb.Keys(ctx, "*").Result()
	require.NoError(t, err)
	var total int64
	for _, k := range keys {
		if typ, _ := rdb.Type(ctx, k).Result(); typ != "string" {
			continue
		}
		n, err := rdb.StrLen(ctx, k).Result()
		require.NoError(t, err)
		require.Less(t, n, int64(maxAuthRequestRecord), "key %s holds %d bytes", k, n)
		total += n
	}
	require.Less(t, total, int64(256<<10), "60 refused requests stored %d bytes in %d keys", total, len(keys))
	for _, k := range keys {
		require.False(t, strings.HasPrefix(k, "authreq:"), "a refused request was stored: %s", k)
	}
	for i, loc := range answers {
		require.Equal(t, "invalid_request", loc.Query().Get("error"), "request %d went to %s", i, loc)
	}
}

func TestAuthorizationParameterLimits(t *testing.T) {
	h := newHarness(t)
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name  string
		param string
		value string
		want  string // "" when the request is accepted
	}{
		{"state at its limit", "state", long(2048), ""},
		{"state one byte over", "state", long(2049), "state"},
		{"nonce at its limit", "nonce", long(2048), ""},
		{"nonce one byte over", "nonce", long(2049), "nonce"},
		{"login_hint at its limit", "login_hint", long(256), ""},
		{"login_hint one byte over", "login_hint", long(257), "login_hint"},
		{"huge id_token_hint", "id_token_hint", long(9000), "id_token_hint"},
		{"huge claims", "claims", `{"userinfo":{"given_name":{"value":"` + long(17<<10) + `"}}}`, "claims"},
		{"huge request object", "request", long(33 << 10), "request"},
		{"huge scope", "scope", "openid " + long(1100), "scope"},
		{"huge acr_values", "acr_values", long(1100), "acr_values"},
		{"huge code_challenge", "code_challenge", long(200), "code_challenge"},
		{"huge ui_locales", "ui_locales", long(300), "ui_locales"},
		{"huge max_age", "max_age", "1" + long(40), "max_age"},
		{"escaping cannot grow the record past the bound", "claims", `{"userinfo":{"given_name":{"value":"` + strings.Repeat("<", 16000) + `"}}}`, "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, loc := authorizeOnce(t, h.srv.URL, authParams("rp", tt.param, tt.value))
			require.Equal(t, http.StatusSeeOther, status)
			if tt.want == "" {
				require.Equal(t, PathLogin, loc.Path, "accepted: %s", loc)
				return
			}
			require.Equal(t, "invalid_request", loc.Query().Get("error"), loc.String())
			require.Contains(t, loc.Query().Get("error_description"), tt.want)
		})
	}

	status, body := postForm(t, h.srv.URL+PathPAR, authParams("par-rp", "state", long(3000)), "par-rp", "par-secret", "")
	require.Equal(t, http.StatusBadRequest, status, "a pushed request has the same limits")
	require.Equal(t, "invalid_request", body["error"])
	require.Contains(t, body["error_description"], "state")
}
