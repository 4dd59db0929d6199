package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// The two Descope providers of the setup guide, as Descope's console
// configures a custom OAuth provider: client_secret_post, the scopes of
// the guide, attributes mapped from userinfo.
func descopeProviders(d *doors, pkce bool) (idvProvider, liveIDProvider *oauthProvider) {
	mapping := map[string]string{"loginId": "sub", "name": "name", "givenName": "given_name", "familyName": "family_name"}
	custom := map[string]string{"ialLevel": "ial_level", "idvStatus": "idv_status", "acr": "acr", "amr": "amr", "authTime": "auth_time"}
	mk := func(id, secret string) *oauthProvider {
		return &oauthProvider{d: d, clientID: id, secret: secret, scopes: "openid profile address identity_assurance",
			pkce: pkce, claimMapping: mapping, customMappings: custom}
	}
	return mk("descope-idv", "descope-idv-secret"), mk("descope-liveid", "descope-liveid-secret")
}

// Registration with identity verification through the custom OAuth
// provider, then a face step-up through the LiveID provider: what a
// Descope flow sees is what it maps from userinfo and the ID token.
func TestDescopeCustomOAuthProvider(t *testing.T) {
	for _, pkce := range []bool{false, true} {
		name := "without PKCE"
		if pkce {
			name = "with PKCE"
		}
		t.Run(name, func(t *testing.T) {
			eachStore(t, func(t *testing.T, d *doors) {
				idvP, liveP := descopeProviders(d, pkce)
				c := d.browser()
				wait, done := idvP.start(c)
				u := done(d.idv(c, wait, jane.Name))

				require.EqualValues(t, 2, u.custom["ialLevel"], "%v", u.userinfo)
				require.Equal(t, "verified", u.custom["idvStatus"])
				require.Equal(t, "urn:idbridge:acr:ial2", u.custom["acr"])
				require.ElementsMatch(t, []any{"face", "user"}, u.custom["amr"])
				require.Equal(t, u.idToken["auth_time"], u.custom["authTime"], "userinfo states the authentication the token came from")
				require.Equal(t, jane.Person.GivenName, u.attrs["givenName"])
				require.Equal(t, jane.Person.FamilyName, u.attrs["familyName"])
				require.Equal(t, u.idToken["sub"], u.attrs["loginId"])
				// The ID token carries verified_claims without a claims
				// parameter: the client's default.
				vc, ok := u.idToken["verified_claims"].(map[string]any)
				require.True(t, ok, "verified_claims in the ID token: %v", u.idToken)
				require.Equal(t, "nist_800_63A", vc["verification"].(map[string]any)["trust_framework"])
				require.Equal(t, jane.Person.BirthDate, vc["claims"].(map[string]any)["birthdate"])
				require.NotNil(t, u.userinfo["verified_claims"], "and in userinfo (identity_assurance scope)")

				// Later, on another device, the LiveID provider: Descope sends
				// no login_hint, so the person says who they are (the login id
				// a connector verification linked), then shows their face. The
				// flow branches on what userinfo says about this sign-in.
				d.verifyByAPI("jane@example.com", jane.Name)
				c = d.browser()
				ask, done := liveP.start(c)
				wait = d.identify(c, ask, "jane@example.com")
				stepped := done(d.liveID(c, wait, true))
				require.Equal(t, "urn:idbridge:acr:liveid", stepped.custom["acr"])
				require.Contains(t, stepped.custom["amr"], "face")
				require.Equal(t, u.attrs["loginId"], stepped.attrs["loginId"], "the same person")
				require.Greater(t, stepped.custom["authTime"].(float64), float64(0))
				require.NotNil(t, stepped.idToken["verified_claims"])

				// The Prompt setting "login" (or "consent") forces a fresh check.
				liveP.prompt = "login"
				wait, _ = liveP.start(c)
				require.Equal(t, "liveid", journeyOf(wait), "a fresh face check, not the session: %s", wait.body)
			})
		})
	}
}

// The provider's implicit grant (id_token by form_post) and the
// select_account prompt are refused, as discovery says.
func TestDescopeProviderOptionsIdbridgeRefuses(t *testing.T) {
	d := startDoors(t, "")
	implicit := d.visit(d.browser(), http.MethodGet, d.issuer+"/authorize?client_id=descope-idv&response_type=id_token&response_mode=form_post&scope=openid&nonce=n&state=s&redirect_uri="+descopeCallback, nil)
	require.Contains(t, implicit.body, `value="unsupported_response_type"`)
	p, _ := descopeProviders(d, false)
	p.prompt = "select_account"
	back, _ := p.start(d.browser())
	require.NotNil(t, back.back)
	require.Equal(t, "invalid_request", back.back.Query().Get("error"))
}

// A Descope flow with the Generic HTTP connector: registration with
// identity verification (signed payloads, idempotency in the body,
// results read under connectors.<key>.body), then a risk-triggered LiveID
// step-up, with Descope's audit webhook telling idbridge about the users
// and logins.
func TestDescopeGenericHTTPConnectorFlow(t *testing.T) {
	eachStore(t, func(t *testing.T, d *doors) {
		// Sign-up: the person registered with an e-mail OTP in Descope.
		user := map[string]any{"email": "ada@example.com", "loginIds": []any{"ada@example.com"}}
		signup := d.flow(user, map[string]any{"ip": "203.0.113.7"})
		start := map[string]any{"document_types": []string{"dl_object", "ppt_object"}, "liveness_mode": "passive",
			"user_identifier": signup.str("user.email"), "ip": signup.str("device.ip"), "device_id": "laptop-1", "idempotency_key": signup.runID}
		require.Equal(t, http.StatusCreated, signup.step("idvStart", http.MethodPost, "/v1/idv/sessions", start))
		sessionURL := signup.str("connectors.idvStart.body.session_url")
		require.Contains(t, sessionURL, "/idproofing/session/")
		// Descope retries the step (a timeout): the same session, not a second.
		require.Equal(t, http.StatusCreated, signup.step("idvStartRetry", http.MethodPost, "/v1/idv/sessions", start))
		require.Equal(t, signup.get("connectors.idvStart.body.session_id"), signup.get("connectors.idvStartRetry.body.session_id"))

		require.NoError(t, d.a.sim.Complete(sessionURL[strings.LastIndex(sessionURL, "/")+1:], simulator.CompleteOptions{Fixture: erika.Name}))
		signup.until("idvResult", "/v1/idv/sessions/"+signup.str("connectors.idvStart.body.session_id"))
		require.Equal(t, "completed", signup.get("connectors.idvResult.body.status"))
		require.GreaterOrEqual(t, signup.get("connectors.idvResult.body.ial_level").(float64), float64(2), "the flow's condition")
		require.Equal(t, erika.Person.FamilyName, signup.get("connectors.idvResult.body.family_name"))
		require.Equal(t, "nist_800_63A", signup.get("connectors.idvResult.body.verified_claims.verification.trust_framework"))

		// Descope's audit webhook reports the new user: already verified.
		created := d.audit("UserCreated", "ada@example.com", "203.0.113.7")
		require.Equal(t, "already_verified", created["reason"], "%v", created)

		// A login from a new phone in another country: the risk node asks
		// for a face step-up, the flow runs it and checks the match.
		login := d.flow(user, map[string]any{"ip": "198.51.100.9"})
		where := map[string]any{"user_identifier": login.str("user.email"), "ip": login.str("device.ip"), "device_id": "phone-1"}
		require.Equal(t, http.StatusOK, login.step("risk", http.MethodPost, "/v1/risk/evaluate", where))
		require.Equal(t, "liveid", login.get("connectors.risk.body.decision"), "%v", login.get("connectors.risk"))
		require.Equal(t, true, login.get("connectors.risk.body.stepup_required"))
		require.Contains(t, login.get("connectors.risk.body.reasons"), "new_device")

		challenge := map[string]any{"user_identifier": where["user_identifier"], "ip": where["ip"], "device_id": where["device_id"], "idempotency_key": login.runID}
		require.Equal(t, http.StatusCreated, login.step("stepup", http.MethodPost, "/v1/stepup/challenges", challenge))
		link := login.str("connectors.stepup.body.challenge_url")
		require.NoError(t, d.a.sim.CompleteLiveID(link[strings.LastIndex(link, "/")+1:], simulator.LiveIDOptions{Match: true}))
		login.until("stepupResult", "/v1/stepup/challenges/"+login.str("connectors.stepup.body.challenge_id"))
		require.Equal(t, "match", login.get("connectors.stepupResult.body.match_result"), "%v", login.get("connectors.stepupResult"))

		// The same phone and network next time: no step-up.
		again := d.flow(user, map[string]any{"ip": "198.51.100.9"})
		require.Equal(t, http.StatusOK, again.step("risk", http.MethodPost, "/v1/risk/evaluate", where))
		require.Equal(t, "allow", again.get("connectors.risk.body.decision"), "%v", again.get("connectors.risk"))

		// A login Descope handled alone (OTP from the office network),
		// reported by its audit webhook, teaches idbridge that network.
		office := map[string]any{"user_identifier": "ada@example.com", "ip": "192.0.2.10", "device_id": "phone-1"}
		require.Equal(t, http.StatusOK, again.step("before", http.MethodPost, "/v1/risk/evaluate", office))
		require.Contains(t, again.get("connectors.before.body.reasons"), "unfamiliar_network")
		require.Equal(t, "record_login", d.audit("LoginSucceed", "ada@example.com", "192.0.2.10")["action"])
		require.Equal(t, http.StatusOK, again.step("after", http.MethodPost, "/v1/risk/evaluate", office))
		require.Equal(t, "allow", again.get("connectors.after.body.decision"), "%v", again.get("connectors.after"))

		// Before a login: the audit webhook's LoginStarted starts a face
		// challenge the connector's owner can read.
		started := d.audit("LoginStarted", "ada@example.com", "198.51.100.9")
		require.Equal(t, "start_stepup", started["action"], "%v", started)
		require.Equal(t, http.StatusOK, again.step("hookChallenge", http.MethodGet, "/v1/stepup/challenges/"+started["challenge_id"].(string), nil))
		require.Equal(t, "pending", again.get("connectors.hookChallenge.body.match_result"))

		// A signed step without an idempotency_key creates once; the same
		// signed body again, captured and replayed, creates nothing.
		unkeyed := map[string]any{"user_identifier": where["user_identifier"], "ip": where["ip"], "device_id": where["device_id"]}
		replay := d.flow(user, nil)
		require.Equal(t, http.StatusCreated, replay.step("first", http.MethodPost, "/v1/stepup/challenges", unkeyed))
		require.Equal(t, http.StatusConflict, replay.step("replayed", http.MethodPost, "/v1/stepup/challenges", unkeyed))
		require.Equal(t, "replayed_request", replay.get("connectors.replayed.body.error"))
	}, descopeConfig)
}
