package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/storage/redistest"
)

// doors is the real application (both front doors: the OpenID Provider
// and the connector API) on the dev configuration, with a test GeoIP
// table, on the memory store or a real redis-server.
type doors struct {
	t      testing.TB
	issuer string
	a      *app
}

const connectorToken = "dev-connector-token-change-me"

// eachStore runs f on the memory store and on a real redis-server; tweak
// (optional) changes the configuration first.
func eachStore(t *testing.T, f func(t *testing.T, d *doors), tweak ...func(*config.Config)) {
	t.Run("memory", func(t *testing.T) { f(t, startDoors(t, "", tweak...)) })
	t.Run("redis", func(t *testing.T) { f(t, startDoors(t, redistest.Start(t).Addr(), tweak...)) })
}

func startDoors(t testing.TB, redisAddr string, tweak ...func(*config.Config)) *doors {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	issuer := "http://" + ln.Addr().String()
	t.Setenv("IDBRIDGE_ISSUER", issuer)
	cfg, err := config.Load("")
	require.NoError(t, err)
	geo := filepath.Join(t.TempDir(), "geo.csv")
	require.NoError(t, os.WriteFile(geo, []byte("203.0.113.0/24,US,40.71,-74.0\n198.51.100.0/24,AU,-33.87,151.21\n"), 0o600))
	cfg.Risk.GeoIPCSV = geo
	cfg.Limits.Authorize, cfg.Limits.Token, cfg.Limits.Login = 10000, 10000, 10000
	for _, f := range tweak {
		f(cfg)
	}
	if redisAddr != "" {
		cfg.Storage.Type = "redis"
		cfg.Storage.Redis.Addrs = []string{redisAddr}
		cfg.Storage.Redis.KeyPrefix = "idb:"
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := build(ctx, cfg, testLogger())
	if err != nil {
		cancel()
		ln.Close()
		t.Fatal(err)
	}
	srv := &http.Server{Handler: a.Handler()}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	t.Cleanup(func() { cancel(); srv.Close(); <-done; a.Close() })
	return &doors{t: t, issuer: issuer, a: a}
}

func (d *doors) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// landing is where a browser ended: a page of idbridge's, or the relying
// party's callback (back).
type landing struct {
	status int
	body   string
	back   *url.URL
}

// visit follows idbridge's redirects and stops at a relying party's
// callback.
func (d *doors) visit(c *http.Client, method, u string, form url.Values) landing {
	d.t.Helper()
	l, err := d.follow(c, method, u, form)
	require.NoError(d.t, err)
	return l
}

// follow is visit without failing the test (for load goroutines).
func (d *doors) follow(c *http.Client, method, u string, form url.Values) (landing, error) {
	for range 20 {
		var resp *http.Response
		var err error
		if method == http.MethodPost {
			resp, err = c.PostForm(u, form)
		} else {
			resp, err = c.Get(u)
		}
		if err != nil {
			return landing{}, err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 300 || resp.StatusCode >= 400 {
			return landing{status: resp.StatusCode, body: string(body)}, nil
		}
		loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil {
			return landing{}, err
		}
		if !strings.HasPrefix(loc.String(), d.issuer) || loc.Path == "/demo/callback" {
			return landing{status: resp.StatusCode, back: loc}, nil
		}
		u, method = loc.String(), http.MethodGet
	}
	return landing{}, errors.New("too many redirects")
}

func (d *doors) authorize(c *http.Client, client string, extra ...string) landing {
	d.t.Helper()
	redirect := "https://api.descope.com/v1/oauth/callback"
	if client == "demo" {
		redirect = d.issuer + "/demo/callback"
	}
	v := url.Values{"client_id": {client}, "redirect_uri": {redirect}, "response_type": {"code"},
		"scope": {"openid profile offline_access"}, "state": {"st"}, "nonce": {"n"}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return d.visit(c, http.MethodGet, d.issuer+"/authorize?"+v.Encode(), nil)
}

var (
	doorsLinkRE   = regexp.MustCompile(`id="verify-link"[^>]*href="([^"]+)"`)
	doorsStatusRE = regexp.MustCompile(`data-status-url="([^"]+)"`)
	doorsIDRE     = regexp.MustCompile(`name="id" value="([^"]+)"`)
)

// session is the 1Kosmos session of a waiting page, reached as the
// starting browser c reaches it: its link (the hand-off page) sends c on
// to 1Kosmos's page.
func (d *doors) session(c *http.Client, wait landing) string {
	d.t.Helper()
	m := doorsLinkRE.FindStringSubmatch(wait.body)
	require.NotNil(d.t, m, "no waiting page: %d %s", wait.status, wait.body)
	resp, err := c.Get(html.UnescapeString(m[1]))
	require.NoError(d.t, err)
	resp.Body.Close()
	require.Equal(d.t, http.StatusSeeOther, resp.StatusCode)
	link := resp.Header.Get("Location")
	return link[strings.LastIndex(link, "/")+1:]
}

// journeyOf is the check a waiting page runs ("idv" or "liveid").
func journeyOf(wait landing) string {
	m := regexp.MustCompile(`data-journey="([a-z]+)"`).FindStringSubmatch(wait.body)
	if m == nil {
		return ""
	}
	return m[1]
}

// finish polls the waiting page's status until it is terminal and
// continues.
func (d *doors) finish(c *http.Client, wait landing) landing {
	d.t.Helper()
	m := doorsStatusRE.FindStringSubmatch(wait.body)
	require.NotNil(d.t, m)
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
		resp, err := c.Get(d.issuer + html.UnescapeString(m[1]))
		require.NoError(d.t, err)
		var st struct{ State, Next string }
		require.NoError(d.t, json.NewDecoder(resp.Body).Decode(&st))
		resp.Body.Close()
		if st.Next != "" {
			return d.visit(c, http.MethodGet, d.issuer+st.Next, nil)
		}
		time.Sleep(200 * time.Millisecond)
	}
	d.t.Fatal("verification never finished")
	return landing{}
}

// idv completes a waiting page's document verification with fixture.
func (d *doors) idv(c *http.Client, wait landing, fixture string) landing {
	d.t.Helper()
	require.Equal(d.t, "idv", journeyOf(wait), "expected identity verification: %s", wait.body)
	require.NoError(d.t, d.a.sim.Complete(d.session(c, wait), simulator.CompleteOptions{Fixture: fixture}))
	return d.finish(c, wait)
}

// liveID completes a waiting page's face step-up.
func (d *doors) liveID(c *http.Client, wait landing, match bool) landing {
	d.t.Helper()
	require.Equal(d.t, "liveid", journeyOf(wait), "expected a LiveID face step-up: %s", wait.body)
	require.NoError(d.t, d.a.sim.CompleteLiveID(d.session(c, wait), simulator.LiveIDOptions{Match: match}))
	return d.finish(c, wait)
}

// tokens redeems the code of a callback.
func (d *doors) tokens(client, secret string, back landing) map[string]any {
	d.t.Helper()
	require.NotNil(d.t, back.back, "no callback: %d %s", back.status, back.body)
	code := back.back.Query().Get("code")
	require.NotEmpty(d.t, code, back.back.String())
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {back.back.Scheme + "://" + back.back.Host + back.back.Path},
		"client_id": {client}, "client_secret": {secret}}
	status, out := d.post("/token", form, "")
	require.Equal(d.t, http.StatusOK, status, "%v", out)
	return out
}

func (d *doors) post(path string, form url.Values, bearer string) (int, map[string]any) {
	d.t.Helper()
	req, err := http.NewRequest(http.MethodPost, d.issuer+path, strings.NewReader(form.Encode()))
	require.NoError(d.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(d.t, err)
	defer resp.Body.Close()
	out := map[string]any{}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// claims reads an ID token's payload (its signature is tested elsewhere).
func claims(t *testing.T, tokens map[string]any) map[string]any {
	t.Helper()
	parts := strings.Split(tokens["id_token"].(string), ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var c map[string]any
	require.NoError(t, json.Unmarshal(raw, &c))
	return c
}

// api calls the connector API as the dev configuration's Descope caller.
func (d *doors) api(method, path string, body any) (int, map[string]any) {
	d.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(d.t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, d.issuer+path, rd)
	require.NoError(d.t, err)
	req.Header.Set("Authorization", "Bearer "+connectorToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(d.t, err)
	defer resp.Body.Close()
	out := map[string]any{}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// verifyByAPI runs the connector's IDV for identifier with fixture and
// returns the session's answer.
func (d *doors) verifyByAPI(identifier, fixture string) map[string]any {
	d.t.Helper()
	status, out := d.api("POST", "/v1/idv/sessions", map[string]any{"user_identifier": identifier})
	require.Equal(d.t, http.StatusCreated, status, "%v", out)
	link := out["session_url"].(string)
	require.NoError(d.t, d.a.sim.Complete(link[strings.LastIndex(link, "/")+1:], simulator.CompleteOptions{Fixture: fixture}))
	status, out = d.api("GET", "/v1/idv/sessions/"+out["session_id"].(string), nil)
	require.Equal(d.t, http.StatusOK, status, "%v", out)
	return out
}

// stepUpByAPI runs the connector's LiveID step-up and returns its answer.
func (d *doors) stepUpByAPI(body map[string]any, match bool) map[string]any {
	d.t.Helper()
	status, out := d.api("POST", "/v1/stepup/challenges", body)
	require.Equal(d.t, http.StatusCreated, status, "%v", out)
	link := out["challenge_url"].(string)
	require.NoError(d.t, d.a.sim.CompleteLiveID(link[strings.LastIndex(link, "/")+1:], simulator.LiveIDOptions{Match: match}))
	status, out = d.api("GET", "/v1/stepup/challenges/"+out["challenge_id"].(string), nil)
	require.Equal(d.t, http.StatusOK, status, "%v", out)
	return out
}

var (
	jane  = simulator.Fixtures()[0]
	erika = simulator.Fixtures()[1]
)

// Finding 1: an attacker names the victim's address in a front-channel
// login_hint and verifies their own document. The name must not stick:
// the step-up for that address finds nobody, the victim's later
// verification lands on her own person, and the attacker's session keeps
// yielding the attacker.
func TestIdentifierSquattingFails(t *testing.T) {
	eachStore(t, func(t *testing.T, d *doors) {
		attacker := d.browser()
		back := d.idv(attacker, d.authorize(attacker, "descope-idv", "login_hint", "ceo@corp.example"), erika.Name)
		mine := claims(t, d.tokens("descope-idv", "descope-idv-secret", back))

		status, out := d.api("POST", "/v1/stepup/challenges", map[string]any{"user_identifier": "ceo@corp.example"})
		require.Equal(t, http.StatusNotFound, status, "the hint linked nothing: %v", out)
		require.Equal(t, "unknown_user", out["error"])

		victim := d.verifyByAPI("CEO@corp.example", jane.Name)
		require.Equal(t, "completed", victim["status"], "%v", victim)
		require.NotEqual(t, mine["sub"], victim["sub"], "the victim's verification lands on her own person")
		require.Equal(t, jane.Person.FamilyName, victim["family_name"])

		again := d.authorize(attacker, "descope-idv", "prompt", "none")
		theirs := claims(t, d.tokens("descope-idv", "descope-idv-secret", again))
		require.Equal(t, mine["sub"], theirs["sub"])
		require.NotEqual(t, jane.Person.FamilyName, theirs["family_name"], "the attacker's session never yields the victim")

		// The challenge for the address is now the victim's, against her face.
		chl := d.stepUpByAPI(map[string]any{"user_identifier": "ceo@corp.example"}, false)
		require.Equal(t, "no_match", chl["match_result"])
		require.Equal(t, victim["sub"], chl["sub"])
	})
}

// Finding 2: a connector verification for a verified person with another
// person's document is refused, and the person is unchanged.
func TestConnectorCannotOverwriteAVerifiedPerson(t *testing.T) {
	eachStore(t, func(t *testing.T, d *doors) {
		first := d.verifyByAPI("p@example.com", jane.Name)
		require.Equal(t, "completed", first["status"])
		second := d.verifyByAPI("p@example.com", erika.Name)
		require.Equal(t, "failed", second["status"], "%v", second)
		require.Contains(t, second["reason"], "another document")

		_, again := d.api("GET", "/v1/idv/sessions/"+first["session_id"].(string), nil)
		require.Equal(t, jane.Person.FamilyName, again["family_name"], "the person's identity is untouched")
		chl := d.stepUpByAPI(map[string]any{"user_identifier": "p@example.com"}, true)
		require.Equal(t, first["sub"], chl["sub"])
	})
}

// Finding 3: the connector's risk node sees the same signals as a browser
// login (GeoIP included), and a successful step-up through the connector
// teaches it the device and network.
func TestConnectorStepUpFeedsTheRiskPolicy(t *testing.T) {
	eachStore(t, func(t *testing.T, d *doors) {
		d.verifyByAPI("r@example.com", jane.Name)
		where := map[string]any{"user_identifier": "r@example.com", "ip": "203.0.113.7", "device_id": "phone-1"}
		_, before := d.api("POST", "/v1/risk/evaluate", where)
		require.Equal(t, "liveid", before["decision"], "%v", before)
		require.Contains(t, before["reasons"], "new_device")

		chl := d.stepUpByAPI(where, true)
		require.Equal(t, "match", chl["match_result"])

		_, after := d.api("POST", "/v1/risk/evaluate", where)
		require.Equal(t, "allow", after["decision"], "the same device and network after a step-up: %v", after)

		// From Sydney, minutes after New York: GeoIP works on this door too.
		_, far := d.api("POST", "/v1/risk/evaluate", map[string]any{"user_identifier": "r@example.com", "ip": "198.51.100.9", "device_id": "phone-1"})
		require.NotEqual(t, "allow", far["decision"], "%v", far)
		require.Contains(t, far["reasons"], "country_change")
		require.Contains(t, far["reasons"], "impossible_travel")
	})
}

// Finding 4: a typed identifier of an enrolled person gets LiveID, and the
// LiveID client checks the face even with an SSO session.
func TestLiveIDJourneySteppsUp(t *testing.T) {
	eachStore(t, func(t *testing.T, d *doors) {
		person := d.verifyByAPI("l@example.com", jane.Name)
		c := d.browser()
		ask := d.authorize(c, "descope-liveid")
		require.Contains(t, ask.body, `name="identifier"`, "%d %s", ask.status, ask.body)
		m := doorsIDRE.FindStringSubmatch(ask.body)
		require.NotNil(t, m)
		wait := d.visit(c, http.MethodPost, d.issuer+"/login/identify", url.Values{"id": {html.UnescapeString(m[1])}, "identifier": {"L@example.com"}})
		first := claims(t, d.tokens("descope-liveid", "descope-liveid-secret", d.liveID(c, wait, true)))
		require.Equal(t, person["sub"], first["sub"])
		require.Equal(t, "urn:idbridge:acr:liveid", first["acr"])

		time.Sleep(1100 * time.Millisecond) // auth_time has a resolution of one second
		withSession := d.authorize(c, "descope-liveid")
		second := claims(t, d.tokens("descope-liveid", "descope-liveid-secret", d.liveID(c, withSession, true)))
		require.Equal(t, person["sub"], second["sub"])
		require.Greater(t, second["auth_time"].(float64), first["auth_time"].(float64), "a new face check, not the session's")
	})
}

// Finding 5: forget reaches every record of the person: after it, their
// tokens, sessions, identifiers and connector records are gone and no key
// or readable value in the store names them.
func TestForgetLeavesNothingOfThePerson(t *testing.T) {
	eachStore(t, func(t *testing.T, d *doors) {
		person := d.verifyByAPI("f@example.com", jane.Name)
		sub := person["sub"].(string)
		c := d.browser()
		tok := d.tokens("demo", "demo-secret", d.idv(c, d.authorize(c, "demo"), jane.Name))
		require.Equal(t, sub, claims(t, tok)["sub"], "the same document signs in as the same person")
		require.NotEmpty(t, tok["refresh_token"])
		d.stepUpByAPI(map[string]any{"user_identifier": "f@example.com", "ip": "203.0.113.8", "device_id": "d"}, true)
		status, _ := d.post("/userinfo", url.Values{}, tok["access_token"].(string))
		require.Equal(t, http.StatusOK, status)
		require.True(t, d.names(sub), "the store names the person before")

		status, out := d.api("POST", "/v1/users/f@example.com/forget", nil)
		require.Equal(t, http.StatusOK, status, "%v", out)

		status, _ = d.post("/userinfo", url.Values{}, tok["access_token"].(string))
		require.Equal(t, http.StatusUnauthorized, status, "the access token is refused")
		status, out = d.post("/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)},
			"client_id": {"demo"}, "client_secret": {"demo-secret"}}, "")
		require.Equal(t, http.StatusBadRequest, status, "%v", out)
		require.Equal(t, "invalid_grant", out["error"])
		silent := d.authorize(c, "demo", "prompt", "none")
		require.Equal(t, "login_required", silent.back.Query().Get("error"), "the SSO session is gone")
		status, out = d.api("POST", "/v1/stepup/challenges", map[string]any{"user_identifier": "f@example.com"})
		require.Equal(t, http.StatusNotFound, status, "%v", out)
		require.False(t, d.names(sub), "no key or readable value names the person")
	})
}

// names reports whether any key or readable value of the store contains
// sub.
func (d *doors) names(sub string) bool {
	d.t.Helper()
	sc, ok := d.a.store.(storage.Scanner)
	require.True(d.t, ok)
	found := false
	require.NoError(d.t, sc.Scan(context.Background(), func(key string, value []byte) error {
		if strings.Contains(key, sub) || bytes.Contains(value, []byte(sub)) {
			d.t.Logf("names the person: %s", key)
			found = true
		}
		return nil
	}))
	return found
}

// Every record the application stores belongs to a keyspace its owner
// declared, every record naming a person is in a personal keyspace, and
// every personal keyspace is erased by its owner when the person is
// forgotten (or says why it only expires): a new kind of record cannot be
// missed by erasure unnoticed.
func TestEveryStoredRecordHasAnOwner(t *testing.T) {
	eachStore(t, func(t *testing.T, d *doors) {
		person := d.verifyByAPI("k@example.com", jane.Name)
		d.stepUpByAPI(map[string]any{"user_identifier": "k@example.com", "ip": "203.0.113.8", "device_id": "d"}, true)
		_, _ = d.api("POST", "/v1/risk/evaluate", map[string]any{"user_identifier": "k@example.com"})
		c := d.browser()
		tok := d.tokens("demo", "demo-secret", d.idv(c, d.authorize(c, "demo"), erika.Name))
		status, out := d.post("/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)},
			"client_id": {"demo"}, "client_secret": {"demo-secret"}}, "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		status, out = d.post("/par", url.Values{"client_id": {"demo"}, "client_secret": {"demo-secret"}, "response_type": {"code"},
			"redirect_uri": {d.issuer + "/demo/callback"}, "scope": {"openid"}, "login_hint": {"k@example.com"}}, "")
		require.Equal(t, http.StatusCreated, status, "%v", out)
		// A login left waiting.
		d.authorize(d.browser(), "descope-idv", "login_hint", "k@example.com")
		subjects := []string{person["sub"].(string), claims(t, tok)["sub"].(string)}

		spaces := d.a.keyspaces()
		erased := map[string]bool{"users": true}
		for _, name := range d.a.journey.Erasers() {
			erased[name] = true
		}
		for _, ks := range spaces {
			if ks.Personal && ks.Transient == "" {
				require.True(t, erased[ks.Owner], "keyspace %q names people but its owner %q erases nothing", ks.Prefix, ks.Owner)
			}
		}
		n := 0
		require.NoError(t, d.a.store.(storage.Scanner).Scan(context.Background(), func(key string, value []byte) error {
			n++
			ks, ok := storage.KeyspaceOf(spaces, key)
			require.True(t, ok, "%s belongs to no declared keyspace: declare it in its owner's Keyspaces (and erase it in ForgetSubject if it names a person)", key)
			for _, sub := range subjects {
				if strings.Contains(key, sub) || bytes.Contains(value, []byte(sub)) {
					require.True(t, ks.Personal, "%s names a person but keyspace %q is not declared personal", key, ks.Prefix)
				}
			}
			return nil
		}))
		require.Greater(t, n, 20, "the scenario stored records of many kinds")
	})
}
