package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/audit"
	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/netid"
	"github.com/idbridge/idbridge/pkg/seal"
	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/storage/memory"
	"github.com/idbridge/idbridge/pkg/storage/redis"
	"github.com/idbridge/idbridge/pkg/storage/redistest"
	"github.com/idbridge/idbridge/pkg/users"
)

// Tokens of the test clients.
const (
	tokenA    = "token-a-0123456789abcdef"
	tokenB    = "token-b-0123456789abcdef"
	tokenHMAC = "token-h-0123456789abcdef"
	hmacKey   = "descope-connector-secret"
	hookKey   = "descope-hook-secret"
)

// caller is the API's view of a configured caller (as cmd builds it).
func caller(c config.APIClient) Caller {
	ns := c.IdentifierNamespace
	if ns == "" {
		ns = c.ID
	}
	return Caller{ID: c.ID, CheckToken: c.CheckToken, HMACSecret: c.HMACSecret, RateLimit: c.RateLimit, AllowForget: c.AllowForget, IdentifierNamespace: ns}
}

// testConfig is the API's settings with fast timings.
func testConfig() Options {
	return Options{
		Clients: []Caller{
			caller(config.APIClient{ID: "a", Token: tokenA, RateLimit: 1000, AllowForget: true}),
			caller(config.APIClient{ID: "b", Token: tokenB, RateLimit: 1000}),
			caller(config.APIClient{ID: "h", Token: tokenHMAC, HMACSecret: hmacKey, RateLimit: 1000}),
		},
		Webhooks: Webhooks{
			MaxAttempts: 5, Backoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
			Timeout: 2 * time.Second, Lease: 3 * time.Second, Interval: 20 * time.Millisecond, EventTTL: time.Hour,
		},
		Hooks: Hooks{
			Secret: hookKey, Owner: "a", ReplayWindow: time.Hour, RawTTL: time.Hour,
			Rules: []HookRule{{Event: "user.created", Action: "start_idv"}},
		},
		PollInterval: 20 * time.Millisecond, RecordTTL: time.Hour, IdempotencyTTL: time.Hour, MaxBodyBytes: 4096,
		AuthFailuresPerMinute: 100,
	}
}

// env is one deployment: a store, a simulator, a user repository and the
// API served on httptest.
type env struct {
	t     *testing.T
	st    storage.Store
	sim   *simulator.Simulator
	users *users.Repo
	core  *journey.Core
	cfg   Options
	srv   *Server
	http  *httptest.Server
	// log receives the server's lines (default: discarded); now is its
	// clock (default: time.Now).
	log *slog.Logger
	now func() time.Time
}

type envOption func(*env)

func withConfig(f func(*Options)) envOption { return func(e *env) { f(&e.cfg) } }

func withLog(l *slog.Logger) envOption { return func(e *env) { e.log = l } }

func withClock(now func() time.Time) envOption { return func(e *env) { e.now = now } }

// testEdge trusts the loopback test client as a proxy, so tests choose
// client addresses with X-Forwarded-For.
func testEdge(t *testing.T) *netid.Resolver {
	r, err := netid.New(netid.Config{TrustedProxies: []string{"127.0.0.0/8"}})
	require.NoError(t, err)
	return r
}

// newEnv builds an env on st (memory when nil).
func newEnv(t *testing.T, st storage.Store, opts ...envOption) *env {
	t.Helper()
	if st == nil {
		m := memory.New()
		t.Cleanup(func() { m.Close() })
		st = m
	}
	sim, err := simulator.New(simulator.Config{BaseURL: "http://127.0.0.1/simulator"})
	require.NoError(t, err)
	e := &env{t: t, st: st, sim: sim, cfg: testConfig(), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, o := range opts {
		o(e)
	}
	sealer := testSealer(t)
	e.users = users.New(st, sealer, users.Options{HashKey: []byte("test-hash-key")})
	// The test GeoIP places 203.0.113.0/24 in New York and 198.51.100.0/24
	// in Sydney.
	geo := netid.GeoFunc(func(ip netip.Addr) (string, float64, float64, bool) {
		switch {
		case strings.HasPrefix(ip.String(), "203.0.113."):
			return "US", 40.71, -74.0, true
		case strings.HasPrefix(ip.String(), "198.51.100."):
			return "AU", -33.87, 151.21, true
		}
		return "", 0, 0, false
	})
	resolver, err := netid.New(netid.Config{GeoIP: geo})
	require.NoError(t, err)
	e.core, err = journey.New(journey.Options{Users: e.users, Locate: resolver.Locate, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	e.srv = e.newServer()
	e.core.Register("api", e.srv)
	e.http = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.http.Close)
	return e
}

var (
	sealOnce sync.Once
	sealKey  seal.Key
)

func testSealer(t *testing.T) *seal.Sealer {
	sealOnce.Do(func() {
		var err error
		sealKey, err = seal.GenerateKey("test")
		if err != nil {
			panic(err)
		}
	})
	s, err := seal.New(sealKey)
	require.NoError(t, err)
	return s
}

// newServer makes another Server (a replica, or the same process after a
// restart) on the env's store.
func (e *env) newServer() *Server {
	e.t.Helper()
	edge := testEdge(e.t)
	auditLog, err := audit.New(e.log, config.Log{}, edge)
	require.NoError(e.t, err)
	s, err := New(Deps{
		Config: e.cfg, Issuer: "https://idb.example", Store: e.st, Journey: e.core, Verifier: e.sim,
		Logger: e.log, Sealer: testSealer(e.t), NetID: edge, Now: e.now, Audit: auditLog,
	})
	require.NoError(e.t, err)
	return s
}

// run runs s in the background until the returned stop is called (or
// the test ends).
func run(t *testing.T, s *Server) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// call makes a request with a token ("" for none) and decodes the JSON
// answer.
func (e *env) call(method, path, token string, body any, hdr ...string) (*http.Response, map[string]any) {
	e.t.Helper()
	var rd io.Reader
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		raw, err = json.Marshal(b)
		require.NoError(e.t, err)
	}
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.http.URL+path, rd)
	require.NoError(e.t, err)
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	out := map[string]any{}
	b, _ := io.ReadAll(resp.Body)
	if len(b) > 0 {
		require.NoError(e.t, json.Unmarshal(b, &out), "body %s", b)
	}
	return resp, out
}

// createIDV starts a session for client token and returns its id.
func (e *env) createIDV(token string, body any) string {
	e.t.Helper()
	resp, out := e.call("POST", "/v1/idv/sessions", token, body)
	require.Equal(e.t, 201, resp.StatusCode, "%v", out)
	return out["session_id"].(string)
}

// upstream returns the simulator's id of an API session.
func (e *env) upstream(id string) string {
	e.t.Helper()
	var rec session
	require.NoError(e.t, e.srv.getRecord(context.Background(), sessionKey(id), &rec))
	return rec.UpstreamID
}

// eventually polls cond until it holds or 15 seconds pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// receiver is a webhook endpoint that records what it gets and fails the
// first failFirst requests.
type receiver struct {
	t         *testing.T
	srv       *httptest.Server
	secret    string
	mu        sync.Mutex
	failFirst int
	attempts  int
	events    []Event
	badSig    int
}

func newReceiver(t *testing.T, secret string, failFirst int) *receiver {
	r := &receiver{t: t, secret: secret, failFirst: failFirst}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.attempts++
		if r.attempts <= r.failFirst {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if !VerifyWebhook(r.secret, req.Header, body, time.Now()) {
			r.badSig++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var ev Event
		if err := json.Unmarshal(body, &ev); err != nil || ev.ID != req.Header.Get(HeaderEventID) {
			r.badSig++
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.events = append(r.events, ev)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) got() (attempts int, events []Event, badSig int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.attempts, append([]Event(nil), r.events...), r.badSig
}

// withReceiver subscribes rcv to every event.
func withReceiver(rcv *receiver) envOption {
	return withConfig(func(c *Options) {
		c.Webhooks.Endpoints = append(c.Webhooks.Endpoints, WebhookEndpoint{URL: rcv.srv.URL + "/hook", Secret: rcv.secret})
	})
}

// stores runs f on memory and on a real Redis.
func stores(t *testing.T, f func(t *testing.T, st func() storage.Store)) {
	t.Run("memory", func(t *testing.T) {
		m := memory.New()
		t.Cleanup(func() { m.Close() })
		f(t, func() storage.Store { return m })
	})
	t.Run("redis", func(t *testing.T) {
		srv := redistest.Start(t)
		f(t, func() storage.Store {
			s, err := redis.New(redis.Config{Addrs: []string{srv.Addr()}, KeyPrefix: "idb:"})
			require.NoError(t, err)
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
}

// newEnvOn is a second replica of e: same store, users and simulator.
func newEnvOn(t *testing.T, e *env) *env {
	r := *e
	r.srv = e.newServer()
	r.http = httptest.NewServer(r.srv.Handler())
	t.Cleanup(r.http.Close)
	return &r
}

// ident is identifier v in the namespace of API client.
func (e *env) ident(client, v string) users.Identifier {
	e.t.Helper()
	id, err := users.NewIdentifier(client, v)
	require.NoError(e.t, err)
	return id
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
