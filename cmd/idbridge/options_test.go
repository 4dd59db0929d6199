package main

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
)

// requireAllSet fails for any zero field left in v (structs walked, slices
// by their first element): a setting the conversion forgot.
func requireAllSet(t *testing.T, path string, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			requireAllSet(t, path+"."+v.Type().Field(i).Name, v.Field(i))
		}
	case reflect.Slice:
		require.Positive(t, v.Len(), "%s is empty", path)
		requireAllSet(t, path+"[0]", v.Index(0))
	default:
		require.False(t, v.IsZero(), "%s is not set", path)
	}
}

// The connector API receives every setting of the api section.
func TestAPIOptionsCarryEverySetting(t *testing.T) {
	d := time.Second
	c := config.API{
		Clients: []config.APIClient{{ID: "c", Token: "t", HMACSecret: "h", RateLimit: 1, AllowForget: true, IdentifierNamespace: "ns"}},
		Webhooks: config.Webhooks{Endpoints: []config.WebhookEndpoint{{URL: "https://x", Secret: "s", Events: []string{"idv.completed"}}},
			MaxAttempts: 1, Backoff: d, MaxBackoff: d, Timeout: d, Lease: d, Interval: d, EventTTL: d},
		Hooks:        config.Hooks{Secret: "s", Rules: []config.HookRule{{Event: "e", Action: "start_idv", UnlessVerified: true}}, Owner: "c", ReplayWindow: d, RawTTL: d},
		PollInterval: d, RecordTTL: d, IdempotencyTTL: d, MaxBodyBytes: 1, AuthFailuresPerMinute: 1,
	}
	o := apiOptions(c)
	requireAllSet(t, "api", reflect.ValueOf(o))
	require.True(t, o.Clients[0].CheckToken("t"))
	require.False(t, o.Clients[0].CheckToken("other"))
}
