package oidc

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// The browser moves between networks; the SSO session alone no longer
// suffices and the journey becomes a LiveID step-up.
func TestUnfamiliarNetworkAndImpossibleTravelStepUp(t *testing.T) {
	h := newHarness(t)
	nyc := h.newBrowserFrom("203.0.113.5", "")
	h.idvLogin(nyc, authParams("rp"), simulator.CompleteOptions{})

	silent := h.authorize(nyc, authParams("rp", "prompt", "none"))
	require.NotEmpty(t, silent.rpURL.Query().Get("code"), "same device, same network: silent")

	// The same cookies now arrive from Sydney a minute later.
	h.clock.Advance(time.Minute)
	sydney := &http.Client{Jar: nyc.Jar, Timeout: nyc.Timeout, CheckRedirect: nyc.CheckRedirect, Transport: edgeHeaders{ip: "198.51.100.7"}}
	none := h.authorize(sydney, authParams("rp", "prompt", "none"))
	require.Equal(t, "interaction_required", none.rpURL.Query().Get("error"))

	wait := h.authorize(sydney, authParams("rp"))
	require.Equal(t, http.StatusOK, wait.status, wait.body)
	require.Contains(t, wait.body, "/liveid/session/", "a verified, enrolled user steps up with LiveID")
	a, err := h.p.loadAuthRequest(context.Background(), waitID(t, wait))
	require.NoError(t, err)
	require.Contains(t, a.Reasons, "impossible_travel")
	require.Contains(t, a.Reasons, "unfamiliar_network")
}

func TestNewDeviceForKnownUserGetsLiveIDNotSilence(t *testing.T) {
	h := newHarness(t)
	h.idvLogin(h.browser, h.pushed("rp", "rp-secret", authParams("rp", "login_hint", "bob@example.com")), simulator.CompleteOptions{Fixture: simulator.Fixtures()[1].Name})
	other := h.newBrowser()
	wait := h.authorize(other, authParams("rp", "login_hint", "bob@example.com"))
	require.Contains(t, wait.body, "/liveid/session/")
	a, err := h.p.loadAuthRequest(context.Background(), waitID(t, wait))
	require.NoError(t, err)
	require.Contains(t, a.Reasons, "new_device")
}

func TestDeniedCountry(t *testing.T) {
	h := newHarness(t)
	p := h.authorize(h.newBrowserFrom("", "KP"), authParams("strict-rp"))
	require.NotNil(t, p.rpURL, p.body)
	require.Equal(t, "access_denied", p.rpURL.Query().Get("error"))
	require.Equal(t, "st-strict-rp", p.rpURL.Query().Get("state"))

	ok := h.authorize(h.newBrowserFrom("", "DE"), authParams("strict-rp"))
	require.Equal(t, http.StatusOK, ok.status, "other countries proceed")
}

func TestNeedsIAL2FromClaimsRequest(t *testing.T) {
	h := newHarness(t)
	vc := `{"verification":{"trust_framework":null},"claims":{"given_name":null}}`
	for _, tt := range []struct {
		claims string
		want   bool
	}{
		{"", false},
		{`{"userinfo":{"given_name":null}}`, false},
		{`{"id_token":{"verified_claims":` + vc + `}}`, true},
		{`{"userinfo":{"verified_claims":` + vc + `}}`, true},
		{`{"userinfo":{"verified\u005fclaims":` + vc + `}}`, true},
	} {
		require.Equal(t, tt.want, h.p.needsIAL2(&authRequest{ClientID: "rp", Claims: tt.claims}), tt.claims)
	}
	require.True(t, h.p.needsIAL2(&authRequest{ClientID: "idv-rp"}), "an IDV client always needs IAL2")
}
