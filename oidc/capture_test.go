package oidc

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// postSelfie submits the capture page's form like a browser.
func (h *harness) postSelfie(c *http.Client, id string, img []byte) page {
	h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	require.NoError(h.t, mw.WriteField("id", id))
	fw, err := mw.CreateFormFile("selfie", "selfie.png")
	require.NoError(h.t, err)
	_, _ = fw.Write(img)
	require.NoError(h.t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/login/capture", &body)
	require.NoError(h.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if loc := resp.Header.Get("Location"); loc != "" {
		u, err := url.Parse(loc)
		require.NoError(h.t, err)
		return page{status: resp.StatusCode, rpURL: u}
	}
	return page{status: resp.StatusCode, body: string(b)}
}

func TestLiveIDCaptureMode(t *testing.T) {
	h := newHarnessOpts(t, harnessOpts{capture: true, overHTTP: true})
	jane := simulator.Fixtures()[0]
	h.idvLogin(h.browser, authParams("rp"), simulator.CompleteOptions{Fixture: jane.Name})

	step := func() string {
		p := h.authorize(h.browser, authParams("rp", "acr_values", ACRLiveID, "prompt", "login"))
		require.Equal(t, http.StatusOK, p.status, p.body)
		require.Contains(t, p.body, `id="selfie"`)
		require.Contains(t, p.body, `capture="user"`)
		return waitID(t, p)
	}
	done := h.postSelfie(h.browser, step(), jane.Selfie)
	require.NotNil(t, done.rpURL, done.body)
	tokens, err := h.exchange(h.relyingParty("rp", "rp-secret"), done.rpURL.Query().Get("code"))
	require.NoError(t, err)
	require.Equal(t, ACRLiveID, tokens.IDTokenClaims.AuthenticationContextClassReference)

	other := h.postSelfie(h.browser, step(), simulator.StrangerSelfie())
	require.Equal(t, "access_denied", other.rpURL.Query().Get("error"))
	require.Contains(t, other.rpURL.Query().Get("error_description"), "did not match")

	empty := h.postSelfie(h.browser, step(), nil)
	require.Equal(t, http.StatusBadRequest, empty.status, "an empty upload asks again")
	require.Contains(t, empty.body, `id="capture-error"`)

	big := h.postSelfie(h.browser, step(), bytes.Repeat([]byte{1}, 6<<20))
	require.Nil(t, big.rpURL)
	require.GreaterOrEqual(t, big.status, 400)
}
