package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/api"
	"github.com/idbridge/idbridge/pkg/config"
)

// This file plays Descope, as Descope's public pages and SDKs describe it,
// against the real application: its custom OAuth provider (authorize
// without a claims parameter, a nonce, PKCE when configured,
// client_secret_post, the ID token verified with the JWKS endpoint,
// attributes mapped from userinfo), its Generic HTTP connector (one
// connector's settings, per-step endpoint and JSON payload, the payload
// signed as Descope signs it, the answer stored in the flow context under
// connectors.<context key>.body) and its Audit Webhook connector (audit
// records signed the same way). docs/connector.md cites each page.

// Descope's settings for idbridge in the test configuration.
const (
	descopeHMACSecret = "descope-connector-hmac-secret"
	descopeHookSecret = "descope-audit-webhook-secret"
)

// descopeConfig is the dev configuration as an operator following
// docs/connector.md sets it up: the connector caller signs, and the audit
// webhook's events verify new users, step up logins about to start and
// record logins Descope reports.
func descopeConfig(c *config.Config) {
	for i := range c.API.Clients {
		if c.API.Clients[i].ID == "descope-connector" {
			c.API.Clients[i].HMACSecret = descopeHMACSecret
		}
	}
	c.API.Hooks = config.Hooks{
		Secret: descopeHookSecret, Owner: "descope-connector", ReplayWindow: time.Hour, RawTTL: time.Hour,
		Rules: []config.HookRule{
			{Event: "UserCreated", Action: "start_idv", UnlessVerified: true},
			{Event: "LoginStarted", Action: "start_stepup"},
			{Event: "LoginSucceed", Action: "record_login"},
		},
	}
}

// oauthProvider is a Descope custom OAuth provider pointing at idbridge.
type oauthProvider struct {
	d              *doors
	clientID       string
	secret         string
	scopes         string
	pkce           bool
	prompt         string
	claimMapping   map[string]string // Descope attribute <- userinfo claim
	customMappings map[string]string // custom attribute <- userinfo claim
}

// descopeUser is what Descope stores after a sign-in through the
// provider: the attributes it mapped from userinfo.
type descopeUser struct {
	attrs    map[string]any
	custom   map[string]any
	idToken  map[string]any
	userinfo map[string]any
}

// start is Descope's redirect to the authorization endpoint: no claims
// parameter (the provider settings have none), a nonce and a state, PKCE
// S256 when configured, the prompt setting when set.
func (p *oauthProvider) start(c *http.Client) (landing, func(back landing) descopeUser) {
	p.d.t.Helper()
	state, nonce, verifier := randomString(), randomString(), randomString()
	q := url.Values{"client_id": {p.clientID}, "redirect_uri": {descopeCallback}, "response_type": {"code"},
		"scope": {p.scopes}, "state": {state}, "nonce": {nonce}}
	if p.pkce {
		sum := sha256.Sum256([]byte(verifier))
		q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
		q.Set("code_challenge_method", "S256")
	}
	if p.prompt != "" {
		q.Set("prompt", p.prompt)
	}
	first := p.d.visit(c, http.MethodGet, p.d.issuer+"/authorize?"+q.Encode(), nil)
	return first, func(back landing) descopeUser { return p.callback(back, state, nonce, verifier) }
}

// callback is Descope's callback endpoint: state and iss checked, the
// code redeemed with client_secret_post, the ID token verified against
// the JWKS endpoint, userinfo read and mapped.
func (p *oauthProvider) callback(back landing, state, nonce, verifier string) descopeUser {
	t := p.d.t
	t.Helper()
	require.NotNil(t, back.back, "no callback: %d %s", back.status, back.body)
	q := back.back.Query()
	require.Empty(t, q.Get("error"), "%s", back.back)
	require.Equal(t, state, q.Get("state"))
	require.Equal(t, p.d.issuer, q.Get("iss"), "RFC 9207 iss names the provider")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {descopeCallback},
		"client_id": {p.clientID}, "client_secret": {p.secret}}
	if p.pkce {
		form.Set("code_verifier", verifier)
	}
	status, tok := p.d.post("/token", form, "")
	require.Equal(t, http.StatusOK, status, "%v", tok)
	idToken := verifyIDToken(t, p.d.issuer, tok["id_token"].(string))
	require.Equal(t, []any{p.clientID}, idToken["aud"])
	require.Equal(t, nonce, idToken["nonce"])

	req, err := http.NewRequest(http.MethodGet, p.d.issuer+"/userinfo", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok["access_token"].(string))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var info map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&info))
	require.Equal(t, idToken["sub"], info["sub"])

	u := descopeUser{attrs: map[string]any{}, custom: map[string]any{}, idToken: idToken, userinfo: info}
	for attr, claim := range p.claimMapping {
		if v, ok := info[claim]; ok {
			u.attrs[attr] = v
		}
	}
	for attr, claim := range p.customMappings {
		if v, ok := info[claim]; ok {
			u.custom[attr] = v
		}
	}
	return u
}

// verifyIDToken checks an ID token's signature with the key its kid names
// in the JWKS endpoint, and its issuer and expiry; it returns the claims.
func verifyIDToken(t testing.TB, issuer, raw string) map[string]any {
	t.Helper()
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	require.NoError(t, err)
	resp, err := http.Get(issuer + "/jwks")
	require.NoError(t, err)
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&set))
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	require.Len(t, keys, 1, "the ID token's kid is published")
	payload, err := jws.Verify(keys[0])
	require.NoError(t, err, "the ID token verifies with the published key")
	var c map[string]any
	require.NoError(t, json.Unmarshal(payload, &c))
	require.Equal(t, issuer, c["iss"])
	require.Greater(t, c["exp"].(float64), float64(time.Now().Unix()))
	return c
}

// flow is one run of a Descope flow: its context (user, device, form and
// the connectors' answers) and the Generic HTTP connector its steps use.
type flow struct {
	d   *doors
	ctx map[string]any
	// runID is a value unique to this run, for idempotency_key.
	runID string
}

func (d *doors) flow(user map[string]any, device map[string]any) *flow {
	return &flow{d: d, ctx: map[string]any{"user": user, "device": device, "connectors": map[string]any{}}, runID: randomString()}
}

// get reads a context path as a flow condition or template does
// ("connectors.idvResult.body.ial_level", "user.email").
func (f *flow) get(path string) any {
	var v any = f.ctx
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// str is a context path's value as a template fills it in.
func (f *flow) str(path string) string {
	v := f.get(path)
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// step runs a Generic HTTP connector step: the connector's base URL and
// bearer token, the step's method, endpoint and payload. Descope signs
// the JSON string of the payload ("Descope creates the HMAC signature
// from a JSON string, not the raw post body"); this connector sends that
// string as an encoder writes it, newline-terminated. A step without a
// payload is signed over the empty body. The answer lands under
// connectors.<key>.body; the HTTP status is returned for the step's error
// handling.
func (f *flow) step(key, method, endpoint string, payload map[string]any) int {
	t := f.d.t
	t.Helper()
	var body, signed []byte
	if payload != nil {
		var err error
		signed, err = json.Marshal(payload)
		require.NoError(t, err)
		var buf bytes.Buffer
		require.NoError(t, json.NewEncoder(&buf).Encode(payload))
		body = buf.Bytes()
	}
	req, err := http.NewRequest(method, f.d.issuer+endpoint, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+connectorToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(api.SignatureHeader, api.Sign(descopeHMACSecret, signed))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var answer any
	_ = json.NewDecoder(resp.Body).Decode(&answer)
	f.ctx["connectors"].(map[string]any)[key] = map[string]any{"body": answer}
	return resp.StatusCode
}

// until repeats a result step while its status is not final, as a flow
// loops through a wait screen.
func (f *flow) until(key, endpoint string) {
	f.d.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
		require.Equal(f.d.t, http.StatusOK, f.step(key, http.MethodGet, endpoint, nil), "%v", f.get("connectors."+key))
		if s := f.str("connectors." + key + ".body.status"); s != "pending" && s != "in_progress" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	f.d.t.Fatalf("%s never finished", key)
}

// audit sends an audit record as Descope's Audit Webhook connector does.
func (d *doors) audit(action, loginID, ip string) map[string]any {
	d.t.Helper()
	rec := map[string]any{
		"projectId": "P2testProject000000000000000", "userId": "U2" + loginID, "action": action, "type": "info",
		"actorId": "U2" + loginID, "occurred": strconv.FormatInt(time.Now().UnixMilli(), 10), "device": "Desktop",
		"method": "otp", "geo": "", "remoteAddress": ip, "externalIds": []string{loginID}, "tenants": []string{}, "data": map[string]any{},
	}
	raw, err := json.Marshal(rec)
	require.NoError(d.t, err)
	req, err := http.NewRequest(http.MethodPost, d.issuer+"/v1/hooks/descope", bytes.NewReader(raw))
	require.NoError(d.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(api.SignatureHeader, api.Sign(descopeHookSecret, raw))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(d.t, err)
	defer resp.Body.Close()
	out := map[string]any{}
	require.NoError(d.t, json.NewDecoder(resp.Body).Decode(&out))
	require.Equal(d.t, http.StatusOK, resp.StatusCode, "%v", out)
	return out
}

// identify answers idbridge's LiveID identification page with id (Descope
// sends no login_hint).
func (d *doors) identify(c *http.Client, ask landing, id string) landing {
	d.t.Helper()
	require.Contains(d.t, ask.body, `name="identifier"`, "%d %s", ask.status, ask.body)
	m := doorsIDRE.FindStringSubmatch(ask.body)
	require.NotNil(d.t, m)
	return d.visit(c, http.MethodPost, d.issuer+"/login/identify", url.Values{"id": {html.UnescapeString(m[1])}, "identifier": {id}})
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
