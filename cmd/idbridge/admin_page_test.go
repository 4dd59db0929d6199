package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/storage/redistest"
)

const adminToken = "test-admin-token-0123456789"

func withAdminToken(c *config.Config) {
	c.Admin.Enabled, c.Admin.Token = true, adminToken
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// page fetches an admin page in browser c (following redirects inside
// idbridge) and returns its status and body.
func (d *doors) page(c *http.Client, method, path string, form url.Values) (int, string) {
	d.t.Helper()
	l := d.visit(c, method, d.issuer+path, form)
	return l.status, l.body
}

// signInWithToken signs browser c in with the admin token and returns the
// page's CSRF token.
func (d *doors) signInWithToken(c *http.Client) string {
	d.t.Helper()
	status, body := d.page(c, http.MethodPost, "/admin/login", url.Values{"token": {adminToken}})
	require.Equal(d.t, http.StatusOK, status, body)
	m := csrfRE.FindStringSubmatch(body)
	require.NotNil(d.t, m, body)
	return m[1]
}

func TestAdminPageIsOffUnlessConfigured(t *testing.T) {
	d := startDoors(t, "")
	resp, err := http.Get(d.issuer + "/admin/policy")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// The page's essentials work without JavaScript: sign in with the token,
// check (every problem with its line), preview, apply, roll back; forms
// without the session's CSRF token and requests without a session are
// refused.
func TestAdminPageWithoutJavaScript(t *testing.T) {
	d := startDoors(t, "", withAdminToken)
	c := d.browser()
	status, body := d.page(c, http.MethodGet, "/admin/policy", nil)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `id="token"`, "sent to the sign-in page")

	status, body = d.page(c, http.MethodPost, "/admin/login", url.Values{"token": {"guess"}})
	require.Equal(t, http.StatusUnauthorized, status)
	require.Contains(t, body, "not the admin token")

	csrf := d.signInWithToken(c)
	status, body = d.page(c, http.MethodGet, "/admin/policy", nil)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `data-version="1"`)
	require.Contains(t, body, "new_device: liveid", "the active text is in the editor")

	post := func(v url.Values) (int, string) {
		v.Set("csrf", csrf)
		return d.page(c, http.MethodPost, "/admin/policy", v)
	}
	status, _ = d.page(c, http.MethodPost, "/admin/policy", url.Values{"do": {"apply"}, "source": {closeDemo}})
	require.Equal(t, http.StatusForbidden, status, "no CSRF token")
	status, _ = d.page(d.browser(), http.MethodPost, "/admin/policy", url.Values{"do": {"apply"}, "source": {closeDemo}, "csrf": {csrf}})
	require.Equal(t, http.StatusUnauthorized, status, "no session")

	status, body = post(url.Values{"do": {"check"}, "source": {"rules:\n  - name: x\n    when: new_devise\n    action: deny\n  - when: 'true'\n    action: maybe\n"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, `id="problems"`)
	require.Contains(t, body, "line 3: rules[0] (x): `new_devise`: undeclared reference to &#39;new_devise&#39;")
	require.Contains(t, body, `line 5: rules[1]: action &#34;maybe&#34; is not one of allow, liveid, idv, deny`)

	status, body = post(url.Values{"do": {"check"}, "source": {closeDemo}})
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `id="valid"`)

	status, body = post(url.Values{"do": {"preview"}, "source": {closeDemo}, "context": {"0"}, "client_id": {"demo"}})
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `data-active="allow" data-candidate="deny"`)
	require.Contains(t, body, "by close-demo")

	status, body = post(url.Values{"do": {"apply"}, "source": {closeDemo}, "comment": {"maintenance"}})
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `id="applied"`)
	require.Contains(t, body, `id="running-version" data-version="2"`, "this replica decides by it at once")
	_, ans := d.api("POST", "/v1/risk/evaluate", map[string]any{"user_identifier": "x@example.com"})
	require.Equal(t, float64(2), ans["policy_version"])
	require.Equal(t, "close-demo", ans["rule"])

	status, body = post(url.Values{"do": {"apply"}, "source": {closeDemo}})
	require.Equal(t, http.StatusOK, status, "applying the same text again")
	require.Contains(t, body, "Nothing applied")

	status, body = d.page(c, http.MethodGet, "/admin/policy?diff=2", nil)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `<span class="add">&#43;   - name: close-demo</span>`)

	status, body = d.page(c, http.MethodPost, "/admin/policy/rollback", url.Values{"version": {"1"}, "csrf": {csrf}})
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Version 3 is stored")
	_, ans = d.api("POST", "/v1/risk/evaluate", map[string]any{"user_identifier": "x@example.com"})
	require.Equal(t, "defaults", ans["rule"])
	status, _ = d.page(c, http.MethodPost, "/admin/policy/rollback", url.Values{"version": {"99"}, "csrf": {csrf}})
	require.Equal(t, http.StatusNotFound, status)
}

// The check endpoint the page's script calls, with the admin token as a
// bearer, as scripts would.
func TestAdminCheckEndpoint(t *testing.T) {
	d := startDoors(t, "", withAdminToken)
	check := func(token, source string) (int, map[string]any) {
		req, err := http.NewRequest(http.MethodPost, d.issuer+"/admin/policy/check", strings.NewReader(url.Values{"source": {source}}.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		out := map[string]any{}
		require.NoError(t, json.Unmarshal(b, &out), string(b))
		return resp.StatusCode, out
	}
	status, out := check(adminToken, closeDemo)
	require.Equal(t, 200, status)
	require.Equal(t, true, out["valid"])
	status, out = check(adminToken, "rules:\n  - when: travel_kmh\n    action: idv\n")
	require.Equal(t, 200, status)
	require.Equal(t, false, out["valid"])
	p := out["problems"].([]any)[0].(map[string]any)
	require.Equal(t, float64(2), p["line"])
	require.Equal(t, "travel_kmh", p["expression"])
	require.Contains(t, p["text"], "the condition is a double, not a bool")
	status, out = check(adminToken, strings.Repeat("#", 300<<10))
	require.Equal(t, 200, status)
	require.Contains(t, out["problems"].([]any)[0].(map[string]any)["message"], "at most 262144")
	status, _ = check("wrong", closeDemo)
	require.Equal(t, http.StatusUnauthorized, status)
}

// An administrator signs in through idbridge itself as the admin client:
// the face or document check decides who they are, and only a listed
// subject gets in.
func TestAdminSignInThroughIDBridge(t *testing.T) {
	srv := redistest.Start(t)
	first := startDoors(t, srv.Addr(), sharedKeys)
	ada := first.verifyByAPI("ada@example.com", jane.Name)["sub"].(string)

	d := startDoors(t, srv.Addr(), sharedKeys, func(c *config.Config) {
		c.Clients = append(c.Clients, config.Client{ID: "admin", Name: "idbridge administration", Secret: "admin-client-secret",
			TokenAuthMethod: "client_secret_basic", RedirectURIs: []string{c.Issuer + config.AdminCallbackPath}, Journey: "auto",
			Scopes: []string{"openid"}, IdentifierNamespace: "admin"})
		c.Admin = config.Admin{Enabled: true, ClientID: "admin", Subjects: []string{ada}, SessionLifetime: c.Admin.SessionLifetime}
	})
	status, body := d.page(d.browser(), http.MethodGet, "/admin/login", nil)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `id="oidc-signin"`)
	require.NotContains(t, body, `id="token"`, "no token is configured")

	admin := d.browser()
	wait := d.visit(admin, http.MethodGet, d.issuer+"/admin/signin", nil)
	page := d.idv(admin, wait, jane.Name)
	require.Equal(t, http.StatusOK, page.status, page.body)
	require.Contains(t, page.body, `<span id="who">`+ada+`</span>`)

	stranger := d.browser()
	page = d.idv(stranger, d.visit(stranger, http.MethodGet, d.issuer+"/admin/signin", nil), erika.Name)
	require.Contains(t, page.body, "not an administrator")
	status, body = d.page(stranger, http.MethodGet, "/admin/policy", nil)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `id="oidc-signin"`, "still on the sign-in page")
}
