package oidc

import (
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
	"github.com/idbridge/idbridge/pkg/logtest"
)

// Regression tests for what the security review found to hold.

// TestRedirectURIVariantsAreRefused: no near-miss of the registered
// https://rp.example/cb is redirected to; each is an error page.
func TestRedirectURIVariantsAreRefused(t *testing.T) {
	h := newHarness(t)
	variants := []string{
		"https://rp.example/cb/", "https://rp.example/cb/x", "https://rp.example/cb?x=1", "https://rp.example/cb#x",
		"http://rp.example/cb", "https://rp.example:443/cb", "https://rp.example:8443/cb", "https://evil@rp.example/cb",
		"https://rp.example@evil.example/cb", "https://rp.example/c%62", "https://rp.example/CB", "https://rp.example//cb",
		"https://rp.example./cb", "https://sub.rp.example/cb", "https://rp.example/x/../cb", "//rp.example/cb",
		" https://rp.example/cb", "javascript:alert(1)//rp.example/cb",
	}
	for _, v := range variants {
		t.Run(v, func(t *testing.T) {
			p := h.authorize(h.newBrowser(), authParams("rp", "redirect_uri", v))
			require.Nil(t, p.rpURL, "redirected to a variant")
			require.Equal(t, http.StatusBadRequest, p.status)
			require.Equal(t, "bad_request", problemOf(p))
			require.Contains(t, h.errorDetail(p), "redirect_uri is not registered")
		})
	}
}

// TestUnsignedAndForeignRequestObjectsAreRefused: alg none and objects
// signed with a key the client did not register.
func TestUnsignedAndForeignRequestObjectsAreRefused(t *testing.T) {
	j := newJARClient(t)
	h := newHarnessWith(t, j.config)
	claims := func() map[string]any {
		return map[string]any{"iss": "jar-rp", "aud": h.srv.URL, "client_id": "jar-rp", "response_type": "code", "redirect_uri": rpCallback,
			"scope": "openid", "state": "s", "exp": time.Now().Add(time.Minute).Unix(), "jti": randomToken()}
	}
	none := "eyJhbGciOiJub25lIn0." + b64JSON(t, claims()) + "."
	other := newJARClient(t)
	foreign, err := jwt.Signed(other.signer).Claims(claims()).Serialize()
	require.NoError(t, err)
	hs, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("a-shared-secret-a-shared-secret!")}, (&jose.SignerOptions{}).WithHeader("kid", "jar-1"))
	require.NoError(t, err)
	symmetric, err := jwt.Signed(hs).Claims(claims()).Serialize()
	require.NoError(t, err)
	for name, obj := range map[string]string{"alg none": none, "foreign key": foreign, "HS256 with a guessed secret": symmetric} {
		t.Run(name, func(t *testing.T) {
			_, loc := authorizeOnce(t, h.srv.URL, jarParams(obj))
			require.Equal(t, "invalid_request_object", loc.Query().Get("error"), loc.String())
		})
	}
}

// TestSixteenConcurrentRedemptionsAcrossReplicas: exactly one of sixteen
// redemptions of one code, spread over two replicas, takes it, and no
// token issued for it survives the replays.
func TestSixteenConcurrentRedemptionsAcrossReplicas(t *testing.T) {
	rs := newReplicas(t)
	rs.on(0)
	rs.idvLogin(rs.browser, authParams("rp"), simulator.CompleteOptions{})
	code := rs.silentCode(rs.browser, "rp")
	var mu sync.Mutex
	var took []string
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, body := postForm(t, rs.direct[i%2].URL+PathToken, codeForm(code), "rp", "rp-secret", "")
			desc, _ := body["error_description"].(string)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case status == http.StatusOK:
				took = append(took, body["access_token"].(string))
			case strings.Contains(desc, "presented twice"):
				took = append(took, "")
			default:
				require.Equal(t, "invalid_grant", body["error"], "%d %v", status, body)
			}
		}()
	}
	wg.Wait()
	require.Len(t, took, 1, "exactly one redemption took the code")
	if took[0] != "" {
		status, _ := postForm(t, rs.direct[0].URL+PathUserinfo, url.Values{}, "", "", took[0])
		require.Equal(t, http.StatusUnauthorized, status, "the replays revoked what the code issued")
	}
}

// TestLogsHoldNoSecretsOrPersonalData runs a login, token, refresh,
// userinfo, introspection and the replays that write audit lines, and
// finds none of the secrets or personal data involved in the log.
func TestLogsHoldNoSecretsOrPersonalData(t *testing.T) {
	var logs logtest.Buffer
	h := newHarnessOpts(t, harnessOpts{log: slog.New(slog.NewJSONHandler(&logs, nil)), extraClients: resourceServer})
	fixture := simulator.Fixtures()[0]
	verifier, challenge := pkce()
	back := h.idvLogin(h.browser, authParams("rp", "scope", "openid profile offline_access", "login_hint", "ada.secret@example.com",
		"code_challenge", challenge, "code_challenge_method", "S256"), simulator.CompleteOptions{Fixture: fixture.Name})
	code := back.Query().Get("code")
	status, tokens := postForm(t, h.srv.URL+PathToken, codeForm(code, "code_verifier", verifier), "rp", "rp-secret", "")
	require.Equal(t, http.StatusOK, status, tokens)
	postForm(t, h.srv.URL+PathToken, codeForm(code, "code_verifier", verifier), "rp", "rp-secret", "") // replay: audit line
	access, refresh, idToken := tokens["access_token"].(string), tokens["refresh_token"].(string), tokens["id_token"].(string)
	postForm(t, h.srv.URL+PathUserinfo, url.Values{}, "", "", access)
	postForm(t, h.srv.URL+PathIntrospect, url.Values{"token": {access}}, "api-rs", "api-rs-secret", "")
	postForm(t, h.srv.URL+PathToken, refreshForm(refresh), "rp", "wrong-secret", "")
	postForm(t, h.srv.URL+PathToken, url.Values{"grant_type": {"authorization_code"}, "code": {"forged-" + code}, "redirect_uri": {rpCallback}}, "rp", "rp-secret", "")

	log := logs.String()
	require.NotEmpty(t, log)
	for name, secret := range map[string]string{
		"code": code, "access token": access, "refresh token": refresh, "ID token": idToken, "PKCE verifier": verifier,
		"client secret": "rp-secret", "wrong secret": "wrong-secret", "login_hint": "ada.secret@example.com",
		"given name": fixture.Person.GivenName, "family name": fixture.Person.FamilyName, "birth date": fixture.Person.BirthDate,
		"document number": fixture.Document.Number,
	} {
		require.NotContains(t, log, secret, "the log holds the %s", name)
	}
}

func b64JSON(t *testing.T, v map[string]any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(raw)
}
