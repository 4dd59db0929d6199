package onekosmos

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
)

// fakeService is a minimal 1Kosmos on httptest for fault tests: the
// bootstrap answers, docuverify and sessions keys, and per-route handlers
// that tests replace (function fields, to inject faults). It counts
// requests per route.
type fakeService struct {
	t   testing.TB
	srv *httptest.Server

	mu        sync.Mutex
	dv        *envelope.KeyPair
	sess      *envelope.KeyPair
	community *envelope.KeyPair
	// accounts answers the account lookup: DID -> userIdList.
	accounts map[string][]string
	routes   map[string]http.HandlerFunc
	counts   map[string]int
}

const (
	fakeLicense = "LK-fake-0001"
	fakeDVCID   = "dvc_fake"
	fakeTenant  = "tenant.example.invalid"
)

// Routes of the fake.
const (
	rCommunity = "POST /api/r1/system/community_info/fetch"
	rSD        = "GET /caas/sd"
	rDVKey     = "GET /docuverify/publickeys"
	rSessKey   = "GET /sessions/publickeys"
	rCreate    = "POST /docuverify/document_share_session/create"
	rResultV3  = "POST /docuverify/v3/document_share_session/result"
	rResult    = "POST /docuverify/document_share_session/result"
	rVerify    = "POST /docuverify/verify"
	rNew       = "PUT /sessions/session/new"
	rResponse  = "GET /sessions/session/{id}/response"
	rLookup    = "GET /adminconsole/{did}/userinfo"
)

func newFake(t testing.TB) *fakeService {
	f := &fakeService{t: t, routes: map[string]http.HandlerFunc{}, counts: map[string]int{}}
	var err error
	f.dv, err = envelope.GenerateKey(envelope.Secp256k1)
	require.NoError(t, err)
	f.sess, err = envelope.GenerateKey(envelope.Secp256k1)
	require.NoError(t, err)
	f.community, err = envelope.GenerateKey(envelope.Secp256k1)
	require.NoError(t, err)
	f.accounts = map[string][]string{}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)

	f.routes[rCommunity] = func(w http.ResponseWriter, r *http.Request) {
		writeJSONT(w, 200, map[string]any{
			"tenant":    map[string]any{"id": "t1", "tenanttag": "fake"},
			"community": map[string]any{"id": "c1", "name": "default", "publicKey": f.community.PublicB64()},
		})
	}
	f.routes[rSD] = func(w http.ResponseWriter, r *http.Request) {
		writeJSONT(w, 200, map[string]string{
			"licenses": f.srv.URL + "/licenses", "docuverify": f.srv.URL + "/docuverify",
			"sessions": f.srv.URL + "/sessions", "adminconsole": f.srv.URL + "/adminconsole",
		})
	}
	f.routes[rDVKey] = func(w http.ResponseWriter, r *http.Request) {
		writeJSONT(w, 200, map[string]string{"publicKey": f.key(&f.dv).PublicB64()})
	}
	f.routes[rSessKey] = func(w http.ResponseWriter, r *http.Request) {
		writeJSONT(w, 200, map[string]string{"publicKey": f.key(&f.sess).PublicB64()})
	}
	f.routes[rCreate] = func(w http.ResponseWriter, r *http.Request) {
		f.open(r)
		writeJSONT(w, 200, map[string]string{"sessionId": "s-1", "url": "https://hosted.example/s-1"})
	}
	f.routes[rResultV3] = f.resultOK("Pending")
	f.routes[rResult] = f.resultOK("Pending")
	f.routes[rLookup] = f.lookup
	return f
}

// lookup answers the account lookup by DID as 1Kosmos's helpers expect it:
// headers keyed with the community key, {data} sealed with the same key.
func (f *fakeService) lookup(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-TenantTag") != "fake" {
		writeJSONT(w, 400, map[string]any{"code": 400, "message": "X-TenantTag header is required"})
		return
	}
	key, _, ok := f.openWith(r, f.community)
	if !ok {
		writeJSONT(w, 401, map[string]any{"code": 401, "message": "invalid licensekey"})
		return
	}
	parts := strings.Split(r.URL.Path, "/")
	f.mu.Lock()
	ids, found := f.accounts[parts[len(parts)-2]]
	f.mu.Unlock()
	if !found {
		writeJSONT(w, 404, map[string]any{"code": 404, "message": "user not found"})
		return
	}
	b, err := json.Marshal(map[string]any{"userIdList": ids, "id": "pon-1"})
	require.NoError(f.t, err)
	wire, err := envelope.Seal(key, b)
	require.NoError(f.t, err)
	writeJSONT(w, 200, map[string]string{"data": wire})
}

func writeJSONT(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeService) serve(w http.ResponseWriter, r *http.Request) {
	key := r.Method + " " + r.URL.Path
	f.mu.Lock()
	h, ok := f.routes[key]
	switch {
	case ok || r.Method != http.MethodGet:
	case strings.HasPrefix(r.URL.Path, "/adminconsole/"):
		key = rLookup
		h, ok = f.routes[rLookup]
	default:
		key = rResponse
		h, ok = f.routes[rResponse]
	}
	f.counts[key]++
	f.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	h(w, r)
}

// set replaces the handler of a route.
func (f *fakeService) set(route string, h http.HandlerFunc) {
	f.mu.Lock()
	f.routes[route] = h
	f.mu.Unlock()
}

func (f *fakeService) count(route string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[route]
}

func (f *fakeService) key(k **envelope.KeyPair) *envelope.KeyPair {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *k
}

// rotate gives docuverify a new key.
func (f *fakeService) rotate() {
	k, err := envelope.GenerateKey(envelope.Secp256k1)
	require.NoError(f.t, err)
	f.mu.Lock()
	f.dv = k
	f.mu.Unlock()
}

// open checks the signed headers against the docuverify key and returns
// the request key and the decrypted body data ("" for no body). A request
// made with another key gets ok=false.
func (f *fakeService) open(r *http.Request) (key []byte, data string, ok bool) {
	return f.openWith(r, f.key(&f.dv))
}

func (f *fakeService) openWith(r *http.Request, svc *envelope.KeyPair) (key []byte, data string, ok bool) {
	key, err := svc.SharedKey(r.Header.Get("publickey"))
	require.NoError(f.t, err)
	lk, err := envelope.Open(key, r.Header.Get("licensekey"))
	if err != nil || string(lk) != fakeLicense {
		return nil, "", false
	}
	raw, _ := io.ReadAll(r.Body)
	if len(raw) == 0 {
		return key, "", true
	}
	var body struct {
		Data string `json:"data"`
	}
	require.NoError(f.t, json.Unmarshal(raw, &body))
	pt, err := envelope.Open(key, body.Data)
	require.NoError(f.t, err)
	return key, string(pt), true
}

// sealed answers {"data": enc(v), "publicKey"} with the request key.
func (f *fakeService) sealed(w http.ResponseWriter, key []byte, v any) {
	b, err := json.Marshal(v)
	require.NoError(f.t, err)
	wire, err := envelope.Seal(key, b)
	require.NoError(f.t, err)
	writeJSONT(w, 200, map[string]string{"data": wire, "publicKey": f.key(&f.dv).PublicB64()})
}

// resultOK answers every result call with the given status.
func (f *fakeService) resultOK(status string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, data, ok := f.open(r)
		if !ok {
			writeJSONT(w, 401, map[string]any{"code": 401, "message": "invalid licensekey"})
			return
		}
		var q resultQuery
		require.NoError(f.t, json.Unmarshal([]byte(data), &q))
		f.sealed(w, key, map[string]any{"sessionId": q.SessionID, "status": status})
	}
}

// client returns a client of the fake with fast backoff.
func (f *fakeService) client(mod func(*Config)) *Client {
	cfg := Config{
		BaseURL:    f.srv.URL,
		TenantDNS:  fakeTenant,
		Community:  "default",
		LicenseKey: fakeLicense,
		DVCID:      fakeDVCID,
		Timeout:    5 * time.Second,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	require.NoError(f.t, err)
	c.backoffBase = time.Millisecond
	return c
}
