package simulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
)

// testClock is a settable clock for Config.Now.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// startSim serves a simulator on httptest with BaseURL under /simulator,
// mounted as cmd/idbridge mounts it.
func startSim(t testing.TB, cfg Config) (*Simulator, *httptest.Server) {
	t.Helper()
	var h http.Handler
	var mu sync.RWMutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.RLock()
		defer mu.RUnlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	cfg.BaseURL = srv.URL + "/simulator"
	sim, err := New(cfg)
	require.NoError(t, err)
	mu.Lock()
	h = http.StripPrefix("/simulator", sim.Handler())
	mu.Unlock()
	return sim, srv
}

// wireClient builds requests the way 1Kosmos's helpers do.
type wireClient struct {
	t       testing.TB
	sim     *Simulator
	key     *envelope.KeyPair
	license string
	now     func() time.Time
}

func newWireClient(t testing.TB, sim *Simulator) *wireClient {
	k, err := envelope.GenerateKey(envelope.Secp256k1)
	require.NoError(t, err)
	return &wireClient{t: t, sim: sim, key: k, license: sim.LicenseKey(), now: sim.now}
}

// shared is the request key for a service public key.
func (c *wireClient) shared(servicePub string) []byte {
	k, err := c.key.SharedKey(servicePub)
	require.NoError(c.t, err)
	return k
}

func (c *wireClient) seal(key []byte, v any) string {
	var b []byte
	switch v := v.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		var err error
		b, err = json.Marshal(v)
		require.NoError(c.t, err)
	}
	s, err := envelope.Seal(key, b)
	require.NoError(c.t, err)
	return s
}

// wireReq is one request; zero fields take valid defaults.
type wireReq struct {
	method, path string
	servicePub   string // default docuverify
	inner        any    // sealed into {"data": ...}
	body         []byte // raw body instead of inner
	ts           *time.Time
	uuid         string
	license      string
	header       func(http.Header)
}

type wireResp struct {
	status int
	body   []byte
	header http.Header
}

func (r wireResp) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body %s", r.body)
	return m
}

func (c *wireClient) do(q wireReq) wireResp {
	t := c.t
	t.Helper()
	if q.method == "" {
		q.method = http.MethodPost
	}
	if q.servicePub == "" {
		q.servicePub = c.sim.docuverify.PublicB64()
	}
	key := c.shared(q.servicePub)
	ts := c.now()
	if q.ts != nil {
		ts = *q.ts
	}
	if q.uuid == "" {
		q.uuid = uuid.NewString()
	}
	if q.license == "" {
		q.license = c.license
	}
	body := q.body
	if body == nil && q.inner != nil {
		var err error
		body, err = json.Marshal(map[string]string{"data": c.seal(key, q.inner)})
		require.NoError(t, err)
	}
	req, err := http.NewRequest(q.method, c.sim.url(q.path), bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("charset", "utf-8")
	req.Header.Set("publickey", c.key.PublicB64())
	req.Header.Set("licensekey", c.seal(key, q.license))
	rid := `{"ts":` + jsonNum(ts.Unix()) + `,"appid":"fixme","uuid":"` + q.uuid + `"}`
	req.Header.Set("requestid", c.seal(key, rid))
	if q.header != nil {
		q.header(req.Header)
	}
	return send(t, req)
}

func send(t testing.TB, req *http.Request) wireResp {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return wireResp{status: res.StatusCode, body: b, header: res.Header}
}

func jsonNum(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// openSealed decrypts the "data" of a sealed docuverify answer with key.
func openSealed(t testing.TB, key []byte, r wireResp) map[string]any {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "body %s", r.body)
	outer := r.json(t)
	data, ok := outer["data"].(string)
	require.True(t, ok, "no data in %s", r.body)
	plain, err := envelope.Open(key, data)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(plain, &m))
	return m
}

func (c *wireClient) create(doc string) (id, url string) {
	c.t.Helper()
	r := c.do(wireReq{path: "/docuverify/document_share_session/create", inner: c.createBody(doc)})
	require.Equal(c.t, http.StatusOK, r.status, "body %s", r.body)
	m := r.json(c.t)
	return m["sessionId"].(string), m["url"].(string)
}

func (c *wireClient) createBody(doc string) map[string]any {
	u := uuid.NewString()
	return map[string]any{"dvcID": c.sim.DVCID(), "sessionRequest": map[string]any{
		"tenantDNS": c.sim.TenantDNS(), "communityName": c.sim.Community(), "documentType": doc, "userUID": u, "did": u,
	}}
}

func (c *wireClient) result(id string) map[string]any {
	c.t.Helper()
	r := c.do(wireReq{path: "/docuverify/document_share_session/result", inner: map[string]any{"dvcID": c.sim.DVCID(), "sessionId": id}})
	return openSealed(c.t, c.shared(c.sim.docuverify.PublicB64()), r)
}

func (c *wireClient) resultV3(id string) map[string]any {
	c.t.Helper()
	r := c.do(wireReq{path: "/docuverify/v3/document_share_session/result", inner: map[string]any{"dvcID": c.sim.DVCID(), "sessionId": id}})
	return openSealed(c.t, c.shared(c.sim.docuverify.PublicB64()), r)
}
