package oidc

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWaitingPageQRCode(t *testing.T) {
	h := newHarness(t)
	wait := h.authorize(h.browser, authParams("idv-rp"))
	require.Contains(t, wait.body, `src="/login/qr?id=`)
	id := waitID(t, wait)
	resp, err := h.browser.Get(h.srv.URL + "/login/qr?id=" + id)
	require.NoError(t, err)
	png, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "image/png", resp.Header.Get("Content-Type"))
	require.True(t, bytes.HasPrefix(png, []byte("\x89PNG")), "a PNG image")

	resp, err = h.newBrowser().Get(h.srv.URL + "/login/qr?id=" + id)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "another browser cannot read the link")
}
