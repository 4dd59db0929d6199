package oidc

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// cancel presses the Cancel button of the login whose page is p.
func (h *harness) cancel(c *http.Client, id string) page {
	h.t.Helper()
	return h.visit(c, http.MethodPost, h.srv.URL+PathLogin+"/cancel", url.Values{"id": {id}})
}

// TestCancelEachJourney: Cancel on the waiting page of an IDV and of a
// LiveID login returns access_denied to the client saying the person
// cancelled, with state and iss, and cancels the 1Kosmos session.
func TestCancelEachJourney(t *testing.T) {
	h := newHarness(t)
	// A verified, enrolled person, for the LiveID journey.
	h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{})
	tests := []struct {
		name    string
		browser *http.Client
		params  url.Values
		journey string
	}{
		{"idv", h.newBrowser(), authParams("idv-rp"), journeyIDV},
		{"liveid", h.browser, authParams("rp", "acr_values", ACRLiveID, "prompt", "login"), journeyLiveID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wait := h.authorize(tt.browser, tt.params)
			require.Equal(t, tt.journey, h.journeyOf(wait))
			require.Contains(t, wait.body, `id="cancel"`, "the waiting page offers Cancel")
			session := h.sessionOf(wait)
			back := h.cancel(tt.browser, waitID(t, wait))
			require.NotNil(t, back.rpURL, "%d %s", back.status, back.body)
			q := back.rpURL.Query()
			require.Equal(t, "access_denied", q.Get("error"))
			require.Equal(t, cancelDescription, q.Get("error_description"))
			require.Equal(t, tt.params.Get("state"), q.Get("state"))
			require.Equal(t, h.srv.URL, q.Get("iss"))

			var st idv.Status
			if tt.journey == journeyLiveID {
				res, err := h.sim.LiveIDResult(context.Background(), session)
				require.NoError(t, err)
				st = res.Status
			} else {
				res, err := h.sim.IDVResult(context.Background(), session)
				require.NoError(t, err)
				st = res.Status
			}
			require.Equal(t, idv.StatusAbandoned, st, "the 1Kosmos session was cancelled too")

			again := h.cancel(tt.browser, waitID(t, wait))
			require.Nil(t, again.rpURL, "a replayed cancel answers nothing to the client")
			require.Equal(t, http.StatusNotFound, again.status)
			require.Equal(t, "expired", problemOf(again))
		})
	}
}

// TestCancelRefusesHostileAndMalformedInput: only the starting browser can
// cancel, by POST; a finished login cannot be cancelled.
func TestCancelRefusesHostileAndMalformedInput(t *testing.T) {
	h := newHarness(t)
	wait := h.authorize(h.browser, authParams("idv-rp"))
	id := waitID(t, wait)

	other := h.cancel(h.newBrowser(), id)
	require.Equal(t, http.StatusForbidden, other.status, "another browser cannot end someone's login")
	require.Nil(t, other.rpURL)
	require.Equal(t, "other_browser", problemOf(other))
	require.Contains(t, other.body, `id="client-name">Example Bank<`, "the page names the client as people know it")
	require.NotContains(t, other.body, `id="cancel"`, "the login is not this browser's to cancel")

	get := h.visit(h.browser, http.MethodGet, h.srv.URL+PathLogin+"/cancel?id="+url.QueryEscape(id), nil)
	require.Equal(t, http.StatusMethodNotAllowed, get.status, "a link cannot cancel")
	require.Equal(t, "method", problemOf(get))

	for _, bad := range []string{"", "nope", "<script>alert(1)</script>", string(make([]byte, 9000))} {
		p := h.cancel(h.browser, bad)
		require.Nil(t, p.rpURL)
		require.NotEqual(t, http.StatusOK, p.status)
		require.NotContains(t, p.body, "<script>alert")
	}

	// The login is untouched by all of that, and completes; then it can no
	// longer be cancelled.
	require.NoError(t, h.sim.Complete(h.sessionOf(wait), simulator.CompleteOptions{}))
	done := h.finish(h.browser, wait)
	require.NotEmpty(t, done.rpURL.Query().Get("code"))
	late := h.cancel(h.browser, id)
	require.Nil(t, late.rpURL)
	require.Equal(t, http.StatusNotFound, late.status)
}

// TestCancelOnIdentifyAndCapturePages: the LiveID identification page and
// the selfie page offer Cancel too.
func TestCancelOnIdentifyAndCapturePages(t *testing.T) {
	h := newHarness(t)
	ask := h.authorize(h.browser, authParams("liveid-rp"))
	require.Contains(t, ask.body, `name="identifier"`)
	require.Contains(t, ask.body, `id="cancel"`)
	back := h.cancel(h.browser, waitID(t, ask))
	require.Equal(t, "access_denied", back.rpURL.Query().Get("error"))

	c := newHarnessOpts(t, harnessOpts{capture: true})
	c.idvLogin(c.browser, authParams("rp"), simulator.CompleteOptions{})
	selfie := c.authorize(c.browser, authParams("rp", "acr_values", ACRLiveID, "prompt", "login"))
	require.Contains(t, selfie.body, `id="selfie"`)
	require.Contains(t, selfie.body, `id="cancel"`)
	back = c.cancel(c.browser, waitID(t, selfie))
	require.Equal(t, "access_denied", back.rpURL.Query().Get("error"))
}
