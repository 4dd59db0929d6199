package oidc

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var waitIDRE = regexp.MustCompile(`name="id" value="([^"]+)"`)

// waitID is the auth request id in the waiting page's Continue form.
func waitID(t *testing.T, p page) string {
	m := waitIDRE.FindStringSubmatch(p.body)
	require.NotNil(t, m, p.body)
	return html.UnescapeString(m[1])
}

func tokenAlg(t *testing.T, jwt string) string {
	head, err := base64.RawURLEncoding.DecodeString(strings.Split(jwt, ".")[0])
	require.NoError(t, err)
	var h struct{ Alg string }
	require.NoError(t, json.Unmarshal(head, &h))
	return h.Alg
}
