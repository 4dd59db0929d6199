package oidc

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/netid"
	"github.com/idbridge/idbridge/pkg/policy"
	"github.com/idbridge/idbridge/pkg/users"
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

// testJourney is the journey core of a test provider over repo, with the
// provider's clock and resolver (nil: no GeoIP).
func testJourney(t testing.TB, cfg *config.Config, repo *users.Repo, now func() time.Time, resolver *netid.Resolver) *journey.Core {
	t.Helper()
	global, clients := cfg.StepUpRules()
	pol, err := policy.Parse(policy.Render(global, clients), policy.Options{Base: global})
	require.NoError(t, err)
	j, err := journey.New(journey.Options{Users: repo, Rules: global, Policy: pol,
		MaxVerificationAge: cfg.Assurance.MaxVerificationAge, Locate: resolver.Locate, Now: now})
	require.NoError(t, err)
	return j
}

var errorRef = regexp.MustCompile(`id="error-reference"[^>]*data-ref="([^"]+)"`)

// errorDetail is what the provider logged for a developer about the error
// page p (found by the reference the page shows), or "" when p names no
// reference or nothing was logged under it. The page itself carries no
// detail: it must not contain want.
func (h *harness) errorDetail(p page) string {
	h.t.Helper()
	m := errorRef.FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	for _, line := range strings.Split(h.logs.String(), "\n") {
		if strings.Contains(line, `"msg":"error page"`) && strings.Contains(line, `"request_id":"`+m[1]+`"`) {
			return line
		}
	}
	return ""
}

// problemOf is the problem an error page names in data-problem.
func problemOf(p page) string {
	m := regexp.MustCompile(`id="error-title" data-problem="([a-z_]+)"`).FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return m[1]
}
