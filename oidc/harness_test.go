package oidc

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/sessions"
	"github.com/stretchr/testify/require"
	"github.com/zitadel/oidc/v3/pkg/client/rp"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/onekosmos"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
	"github.com/idbridge/idbridge/pkg/logtest"
	"github.com/idbridge/idbridge/pkg/netid"
	"github.com/idbridge/idbridge/pkg/storage/memory"
	"github.com/idbridge/idbridge/pkg/users"
)

const rpCallback = "https://rp.example/cb"

// clock is a settable time source shared by the provider and simulator.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// aesSealer seals with AES-GCM under a fixed random key.
type aesSealer struct{ aead cipher.AEAD }

func newAESSealer(t *testing.T) *aesSealer {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	b, err := aes.NewCipher(key)
	require.NoError(t, err)
	g, err := cipher.NewGCM(b)
	require.NoError(t, err)
	return &aesSealer{g}
}

func (s *aesSealer) Seal(pt, aad []byte) ([]byte, error) {
	n := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(n)
	return s.aead.Seal(n, n, pt, aad), nil
}

func (s *aesSealer) Open(ct, aad []byte) ([]byte, error) {
	if len(ct) < s.aead.NonceSize() {
		return nil, errors.New("short")
	}
	return s.aead.Open(nil, ct[:s.aead.NonceSize()], ct[s.aead.NonceSize():], aad)
}

// harness is a provider and the simulator on one httptest server, and a
// browser with a cookie jar that stops at redirects to the relying party.
type harness struct {
	t       *testing.T
	srv     *httptest.Server
	sim     *simulator.Simulator
	p       *Provider
	users   *users.Repo
	sealer  users.Sealer
	clock   *clock
	browser *http.Client
	// logs holds the provider's log lines (JSON) unless harnessOpts.log
	// takes them.
	logs *logtest.Buffer
}

const testConfig = `
issuer: ISSUER
dev: true
assurance:
  max_verification_age: 8760h
  acr_aliases:
    "urn:acr.login.gov:verified-facial-match-required": "urn:idbridge:acr:liveid"
clients:
  - id: rp
    identifier_namespace: shared
    secret: rp-secret
    redirect_uris: [https://rp.example/cb]
    refresh_tokens: true
  - id: rp-post
    secret: rp-post-secret
    token_auth_method: client_secret_post
    redirect_uris: [https://rp.example/cb]
  - id: pub
    token_auth_method: none
    redirect_uris: [https://rp.example/cb]
  - id: idv-rp
    name: Internal IDV client
    client_name: Example Bank
    identifier_namespace: shared
    secret: idv-secret
    journey: idv
    redirect_uris: [https://rp.example/cb]
  - id: liveid-rp
    identifier_namespace: shared
    secret: liveid-secret
    journey: liveid
    redirect_uris: [https://rp.example/cb]
  - id: es-rp
    secret: es-secret
    id_token_alg: ES256
    refresh_tokens: true
    redirect_uris: [https://rp.example/cb]
  - id: strict-rp
    secret: strict-secret
    redirect_uris: [https://rp.example/cb]
    risk:
      deny_countries: [KP]
  - id: par-rp
    identifier_namespace: shared
    secret: par-secret
    require_par: true
    redirect_uris: [https://rp.example/cb]
`

func newHarness(t *testing.T) *harness { return newHarnessOpts(t, harnessOpts{}) }

// newHarnessWith adds YAML client entries to the test configuration.
func newHarnessWith(t *testing.T, extraClients string) *harness {
	return newHarnessOpts(t, harnessOpts{extraClients: extraClients})
}

type harnessOpts struct {
	extraClients string
	// overHTTP reaches the simulator through the real 1Kosmos client.
	overHTTP bool
	faults   *simulator.Faults
	// capture runs LiveID on idbridge's own selfie page.
	capture bool
	// configure changes the parsed configuration; log receives the
	// provider's log lines (default: slog's default logger).
	configure func(*config.Config)
	log       *slog.Logger

	// internal are clients of other front doors (login_external.go).
	internal []config.Client
}

func newHarnessOpts(t *testing.T, o harnessOpts) *harness {
	t.Helper()
	extraClients := o.extraClients
	h := &harness{t: t, clock: &clock{}, logs: &logtest.Buffer{}}
	if o.log == nil {
		o.log = slog.New(slog.NewJSONHandler(h.logs, nil))
	}
	var handler http.Handler
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(h.srv.Close)

	cfg, err := config.Parse("test.yaml", []byte(strings.ReplaceAll(testConfig+extraClients, "ISSUER", h.srv.URL)))
	require.NoError(t, err)
	if o.capture {
		cfg.IDV.LiveIDMode = "capture"
	}
	if o.configure != nil {
		o.configure(cfg)
	}
	h.sim, err = simulator.New(simulator.Config{BaseURL: h.srv.URL + "/simulator", Now: h.clock.Now, SessionTTL: 10 * time.Minute, Faults: o.faults})
	require.NoError(t, err)
	var verifier idv.Verifier = h.sim
	if o.overHTTP {
		verifier, err = onekosmos.New(onekosmos.Config{
			BaseURL: h.srv.URL + "/simulator", TenantDNS: h.sim.TenantDNS(), Community: h.sim.Community(),
			LicenseKey: h.sim.LicenseKey(), DVCID: h.sim.DVCID(), Timeout: 2 * time.Second, Retries: 1, Now: h.clock.Now,
		})
		require.NoError(t, err)
	}
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	sealer := newAESSealer(t)
	h.sealer = sealer
	h.users = users.New(store, sealer, users.Options{HashKey: []byte("test-hash-key-test-hash-key-0001"), Now: h.clock.Now})
	var ck [32]byte
	_, _ = rand.Read(ck[:])
	hk, bk := make([]byte, 32), make([]byte, 32)
	_, _ = rand.Read(hk)
	_, _ = rand.Read(bk)
	// The test "edge" (loopback) may set client addresses and countries, so
	// tests can move browsers between networks and countries.
	geo := netid.GeoFunc(func(ip netip.Addr) (string, float64, float64, bool) {
		switch {
		case strings.HasPrefix(ip.String(), "203.0.113."):
			return "US", 40.71, -74.0, true // New York
		case strings.HasPrefix(ip.String(), "198.51.100."):
			return "AU", -33.87, 151.21, true // Sydney
		}
		return "", 0, 0, false
	})
	resolver, err := netid.New(netid.Config{TrustedProxies: []string{"127.0.0.0/8"}, CountryHeader: "X-Test-Country", GeoIP: geo})
	require.NoError(t, err)
	h.p, err = New(Deps{Logger: o.log, NetID: resolver, Config: cfg, Store: store, Journey: testJourney(t, cfg, h.users, h.clock.Now, resolver), Verifier: verifier, Sealer: sealer, CryptoKey: ck, Cookies: sessions.NewCookieStore(hk, bk), Now: h.clock.Now, InternalClients: o.internal})
	require.NoError(t, err)
	require.NoError(t, h.p.Init(context.Background()))
	mux := http.NewServeMux()
	mux.Handle("/", h.p.Handler())
	mux.Handle("/simulator/", http.StripPrefix("/simulator", h.sim.Handler()))
	handler = mux
	h.browser = h.newBrowser()
	return h
}

func (h *harness) newBrowser() *http.Client { return h.newBrowserFrom("", "") }

// newBrowserFrom is a browser whose requests arrive, through the trusted
// test edge, from address ip in country (either may be empty).
func (h *harness) newBrowserFrom(ip, country string) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second, Transport: edgeHeaders{ip: ip, country: country},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type edgeHeaders struct{ ip, country string }

func (e edgeHeaders) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if e.ip != "" {
		r.Header.Set("X-Forwarded-For", e.ip)
	}
	if e.country != "" {
		r.Header.Set("X-Test-Country", e.country)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// page is where a browser ended: a page of ours, or a redirect to the RP.
type page struct {
	status int
	url    string
	body   string
	rpURL  *url.URL // set when the browser was sent to the relying party
}

// visit follows redirects within the issuer's origin.
func (h *harness) visit(c *http.Client, method, u string, form url.Values) page {
	h.t.Helper()
	for range 20 {
		var resp *http.Response
		var err error
		if method == http.MethodPost {
			resp, err = c.PostForm(u, form)
		} else {
			resp, err = c.Get(u)
		}
		require.NoError(h.t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
			require.NoError(h.t, err)
			require.NotEqual(h.t, http.StatusTemporaryRedirect, resp.StatusCode, "307 after a form post would resend it")
			if strings.HasPrefix(loc.String(), "https://rp.example") {
				return page{status: resp.StatusCode, url: u, rpURL: loc}
			}
			u, method = loc.String(), http.MethodGet
			continue
		}
		return page{status: resp.StatusCode, url: u, body: string(body)}
	}
	h.t.Fatal("too many redirects")
	return page{}
}

var (
	verifyLinkRE = regexp.MustCompile(`id="verify-link"[^>]*href="([^"]+)"`)
	statusURLRE  = regexp.MustCompile(`data-status-url="([^"]+)"`)
)

// authorize starts a login and returns the waiting page (or the early
// redirect to the RP).
func (h *harness) authorize(c *http.Client, params url.Values) page {
	h.t.Helper()
	return h.visit(c, http.MethodGet, h.srv.URL+"/authorize?"+params.Encode(), nil)
}

func authParams(clientID string, extra ...string) url.Values {
	v := url.Values{"client_id": {clientID}, "redirect_uri": {rpCallback}, "response_type": {"code"}, "scope": {"openid profile"}, "state": {"st-" + clientID}, "nonce": {"n-1"}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

// sessionOf is the 1Kosmos session of a waiting page's login, read as the
// starting browser would: its verify link (the hand-off page) sends that
// browser straight on to 1Kosmos's page.
func (h *harness) sessionOf(p page) string {
	h.t.Helper()
	a, err := h.p.loadAuthRequest(context.Background(), waitID(h.t, p))
	require.NoError(h.t, err)
	require.NotEmpty(h.t, a.VerificationID, "no verification started: %s", p.body)
	return a.VerificationID
}

// journeyOf is the check a waiting page's login runs (journeyIDV or
// journeyLiveID).
func (h *harness) journeyOf(p page) string {
	h.t.Helper()
	require.Equal(h.t, http.StatusOK, p.status, p.body)
	a, err := h.p.loadAuthRequest(context.Background(), waitID(h.t, p))
	require.NoError(h.t, err)
	return a.Journey
}

// finish polls the status URL until terminal and follows next.
func (h *harness) finish(c *http.Client, wait page) page {
	h.t.Helper()
	m := statusURLRE.FindStringSubmatch(wait.body)
	require.NotNil(h.t, m)
	statusURL := h.srv.URL + html.UnescapeString(m[1])
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := c.Get(statusURL)
		require.NoError(h.t, err)
		var st statusView
		require.NoError(h.t, json.NewDecoder(resp.Body).Decode(&st))
		resp.Body.Close()
		if st.Next != "" {
			return h.visit(c, http.MethodGet, h.srv.URL+st.Next, nil)
		}
		time.Sleep(300 * time.Millisecond)
		h.clock.Advance(pollInterval)
	}
	h.t.Fatal("verification never reached a terminal state")
	return page{}
}

// relyingParty is zitadel's OIDC client for one of the test clients.
func (h *harness) relyingParty(id, secret string, opts ...rp.Option) rp.RelyingParty {
	h.t.Helper()
	// Tokens carry the provider's time, which runs ahead of the real clock
	// by what a test advanced h.clock; iat may be that far "in the future".
	opts = append([]rp.Option{rp.WithVerifierOpts(rp.WithNonce(func(context.Context) string { return "n-1" }), rp.WithIssuedAtOffset(time.Minute))}, opts...)
	party, err := rp.NewRelyingPartyOIDC(context.Background(), h.srv.URL, id, secret, rpCallback, []string{"openid", "profile"}, opts...)
	require.NoError(h.t, err)
	return party
}

func (h *harness) exchange(party rp.RelyingParty, code string, opts ...rp.CodeExchangeOpt) (*zoidc.Tokens[*zoidc.IDTokenClaims], error) {
	return rp.CodeExchange[*zoidc.IDTokenClaims](context.Background(), code, party, opts...)
}
