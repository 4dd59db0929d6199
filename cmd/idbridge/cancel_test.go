package main

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCancelEachJourneyThroughBothDoors, on memory and on redis: the
// person's Cancel ends an IDV and a LiveID login with access_denied at the
// client; the connector's cancel ends an IDV session and a step-up
// challenge as cancelled. The application reaches the simulator through
// the 1Kosmos client, which cannot cancel (1Kosmos documents no cancel
// call): the 1Kosmos sessions are left to expire, and nothing they report
// later changes the outcome.
func TestCancelEachJourneyThroughBothDoors(t *testing.T) {
	eachStore(t, func(t *testing.T, d *doors) {
		d.verifyByAPI("c@example.com", jane.Name)
		cancel := func(c *http.Client, page landing) {
			t.Helper()
			m := doorsIDRE.FindStringSubmatch(page.body)
			require.NotNil(t, m, "%d %s", page.status, page.body)
			require.Contains(t, page.body, `id="cancel"`)
			back := d.visit(c, http.MethodPost, d.issuer+"/login/cancel", url.Values{"id": {html.UnescapeString(m[1])}})
			require.NotNil(t, back.back, "%d %s", back.status, back.body)
			require.Equal(t, "access_denied", back.back.Query().Get("error"))
			require.Equal(t, "the person cancelled the sign-in", back.back.Query().Get("error_description"))
			require.Equal(t, "st", back.back.Query().Get("state"))
		}
		c := d.browser()
		wait := d.authorize(c, "descope-idv")
		require.Equal(t, "idv", journeyOf(wait))
		cancel(c, wait)

		c = d.browser()
		ask := d.authorize(c, "descope-liveid")
		cancel(c, ask) // on the identification page
		ask = d.authorize(c, "descope-liveid")
		m := doorsIDRE.FindStringSubmatch(ask.body)
		require.NotNil(t, m)
		wait = d.visit(c, http.MethodPost, d.issuer+"/login/identify", url.Values{"id": {html.UnescapeString(m[1])}, "identifier": {"c@example.com"}})
		require.Equal(t, "liveid", journeyOf(wait))
		cancel(c, wait)

		status, s := d.api("POST", "/v1/idv/sessions", map[string]any{"user_identifier": "c@example.com"})
		require.Equal(t, http.StatusCreated, status, "%v", s)
		status, out := d.api("POST", "/v1/idv/sessions/"+s["session_id"].(string)+"/cancel", nil)
		require.Equal(t, http.StatusOK, status, "%v", out)
		require.Equal(t, "cancelled", out["status"])
		link := s["session_url"].(string)
		res, err := d.a.sim.IDVResult(context.Background(), link[strings.LastIndex(link, "/")+1:])
		require.NoError(t, err)
		require.False(t, res.Status.Terminal(), "the 1Kosmos session is left to expire")
		_, out = d.api("GET", "/v1/idv/sessions/"+s["session_id"].(string), nil)
		require.Equal(t, "cancelled", out["status"])

		status, ch := d.api("POST", "/v1/stepup/challenges", map[string]any{"user_identifier": "c@example.com"})
		require.Equal(t, http.StatusCreated, status, "%v", ch)
		status, out = d.api("POST", "/v1/stepup/challenges/"+ch["challenge_id"].(string)+"/cancel", nil)
		require.Equal(t, http.StatusOK, status, "%v", out)
		require.Equal(t, "cancelled", out["status"])
		require.Equal(t, "no_match", out["match_result"])
		status, out = d.api("POST", "/v1/stepup/challenges/"+ch["challenge_id"].(string)+"/cancel", nil)
		require.Equal(t, http.StatusOK, status, "a retried cancel: %v", out)
		require.Equal(t, "cancelled", out["status"])
	})
}
