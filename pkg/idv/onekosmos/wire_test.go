package onekosmos

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
)

// Known-answer tests: the client rebuilds the requests that 1Kosmos's Node
// helper sent (testdata/wire_samples.json, captured on the wire) byte for
// byte, given the same client key, uuids, timestamp and IVs.

type wireSamples struct {
	Keys map[string]struct {
		Private string `json:"private_key_b64"`
		Public  string `json:"public_key_b64"`
	} `json:"keys"`
	Wire struct {
		LicenseKey string         `json:"license_key"`
		DVCID      string         `json:"dvcID"`
		TenantDNS  string         `json:"tenantDNS"`
		Community  string         `json:"communityName"`
		Exchanges  []wireExchange `json:"exchanges"`
	} `json:"wire_samples"`
}

type wireExchange struct {
	ID      string `json:"id"`
	Method  string `json:"method"`
	Request struct {
		Headers   map[string]string `json:"headers"`
		Body      json.RawMessage   `json:"body"`
		Decrypted map[string]any    `json:"decrypted"`
	} `json:"request"`
	Response struct {
		Status    int               `json:"status"`
		Body      json.RawMessage   `json:"body"`
		Decrypted map[string]string `json:"decrypted"`
	} `json:"response"`
}

func loadWire(t *testing.T) wireSamples {
	t.Helper()
	raw, err := os.ReadFile("testdata/wire_samples.json")
	require.NoError(t, err)
	var w wireSamples
	require.NoError(t, json.Unmarshal(raw, &w))
	require.Len(t, w.Wire.Exchanges, 6)
	return w
}

func (w wireSamples) exchange(t *testing.T, prefix string) wireExchange {
	t.Helper()
	for _, x := range w.Wire.Exchanges {
		if strings.HasPrefix(x.ID, prefix) {
			return x
		}
	}
	t.Fatalf("no exchange %s", prefix)
	return wireExchange{}
}

// recorded is one request as the fake service saw it.
type recorded struct {
	method, path string
	header       http.Header
	body         []byte
}

// replayServer answers each path with the captured response and records
// every request.
type replayServer struct {
	srv     *httptest.Server
	mu      sync.Mutex
	reqs    []recorded
	answers map[string]wireExchange // "METHOD /path" -> exchange
}

func newReplayServer(t *testing.T, w wireSamples, create string) *replayServer {
	rs := &replayServer{answers: map[string]wireExchange{
		"POST /api/r1/system/community_info/fetch": w.exchange(t, "bootstrap_community_info"),
		"GET /caas/sd":                                   w.exchange(t, "bootstrap_caas_sd"),
		"GET /docuverify/publickeys":                     w.exchange(t, "create:GET"),
		"POST /docuverify/document_share_session/create": w.exchange(t, create),
		"POST /docuverify/document_share_session/result": w.exchange(t, "result:"),
	}}
	rs.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rs.mu.Lock()
		rs.reqs = append(rs.reqs, recorded{r.Method, r.URL.Path, r.Header.Clone(), body})
		rs.mu.Unlock()
		x, ok := rs.answers[r.Method+" "+r.URL.Path]
		if !ok {
			http.NotFound(rw, r)
			return
		}
		out := strings.ReplaceAll(string(x.Response.Body), "http://127.0.0.1:{port}", rs.srv.URL)
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(x.Response.Status)
		_, _ = io.WriteString(rw, out)
	}))
	t.Cleanup(rs.srv.Close)
	return rs
}

func (rs *replayServer) find(t *testing.T, method, path string) recorded {
	t.Helper()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, r := range rs.reqs {
		if r.method == method && r.path == path {
			return r
		}
	}
	t.Fatalf("no %s %s request", method, path)
	return recorded{}
}

// ivOf returns the IV at the front of a wire string.
func ivOf(t *testing.T, wire string) []byte {
	raw, err := base64.StdEncoding.DecodeString(wire)
	require.NoError(t, err)
	return raw[:16]
}

// replayClient is a client with key A and the capture's uuids, time and
// IVs (licensekey, requestid, data: the order the client seals them in).
func replayClient(t *testing.T, w wireSamples, base string, x wireExchange, uuids ...string) *Client {
	t.Helper()
	var rid requestID
	require.NoError(t, json.Unmarshal([]byte(x.Request.Decrypted["requestid"].(string)), &rid))
	c, err := New(Config{
		BaseURL:    base,
		TenantDNS:  w.Wire.TenantDNS,
		Community:  w.Wire.Community,
		LicenseKey: w.Wire.LicenseKey,
		DVCID:      w.Wire.DVCID,
		PrivateKey: w.Keys["A"].Private,
		Paths:      Paths{Result: DefaultPaths.ResultFallback},
		Retries:    -1,
		Now:        func() time.Time { return time.Unix(rid.TS, 0) },
	})
	require.NoError(t, err)
	require.Equal(t, w.Keys["A"].Public, c.PublicKey())
	uuids = append(uuids, rid.UUID)
	c.newUUID = func() string {
		require.NotEmpty(t, uuids, "more uuids drawn than the helper drew")
		u := uuids[0]
		uuids = uuids[1:]
		return u
	}
	var body struct {
		Data string `json:"data"`
	}
	require.NoError(t, json.Unmarshal(x.Request.Body, &body))
	ivs := [][]byte{
		ivOf(t, x.Request.Headers["licensekey"]),
		ivOf(t, x.Request.Headers["requestid"]),
		ivOf(t, body.Data),
	}
	c.seal = func(key, plaintext []byte) (string, error) {
		require.NotEmpty(t, ivs, "more messages sealed than the helper sealed")
		iv := ivs[0]
		ivs = ivs[1:]
		return envelope.SealWithIV(key, iv, plaintext)
	}
	return c
}

// checkSigned compares a signed request with the capture, byte for byte,
// and decrypts both with key B.
func checkSigned(t *testing.T, w wireSamples, got recorded, want wireExchange) {
	t.Helper()
	for _, h := range []string{"Content-Type", "charset", "publickey", "licensekey", "requestid"} {
		assert.Equal(t, want.Request.Headers[h], got.header.Get(h), "header %s", h)
	}
	var compact bytes.Buffer
	require.NoError(t, json.Compact(&compact, want.Request.Body))
	assert.Equal(t, compact.String(), string(got.body), "body")

	b, err := envelope.ParsePrivateKey(envelope.Secp256k1, w.Keys["B"].Private)
	require.NoError(t, err)
	key, err := b.SharedKey(got.header.Get("publickey"))
	require.NoError(t, err)
	open := func(wire string) string {
		pt, err := envelope.Open(key, wire)
		require.NoError(t, err)
		return string(pt)
	}
	var body struct {
		Data string `json:"data"`
	}
	require.NoError(t, json.Unmarshal(got.body, &body))
	var wantBody struct {
		Data string `json:"data"`
	}
	require.NoError(t, json.Unmarshal(want.Request.Body, &wantBody))
	for _, pair := range [][2]string{
		{"licensekey", got.header.Get("licensekey")},
		{"requestid", got.header.Get("requestid")},
		{"data", body.Data},
	} {
		assert.Equal(t, want.Request.Decrypted[pair[0]], open(pair[1]), "decrypted %s (ours)", pair[0])
	}
	// The captured helper request decrypts to the same plaintexts.
	assert.Equal(t, want.Request.Decrypted["licensekey"], open(want.Request.Headers["licensekey"]))
	assert.Equal(t, want.Request.Decrypted["requestid"], open(want.Request.Headers["requestid"]))
	assert.Equal(t, want.Request.Decrypted["data"], open(wantBody.Data))
}

// checkPlain compares an unauthenticated bootstrap request.
func checkPlain(t *testing.T, got recorded, want wireExchange) {
	t.Helper()
	assert.Equal(t, want.Method, got.method)
	for h, v := range want.Request.Headers {
		assert.Equal(t, v, got.header.Get(h), "header %s", h)
	}
	for _, h := range []string{"publickey", "licensekey", "requestid"} {
		assert.Empty(t, got.header.Get(h), "bootstrap call sends no %s", h)
	}
	if len(want.Request.Body) > 0 {
		var compact bytes.Buffer
		require.NoError(t, json.Compact(&compact, want.Request.Body))
		assert.Equal(t, compact.String(), string(got.body))
	} else {
		assert.Empty(t, got.body)
	}
}

func TestWireCreateMatchesHelper(t *testing.T) {
	w := loadWire(t)
	x := w.exchange(t, "create:POST")
	rs := newReplayServer(t, w, "create:POST")
	var data createBody
	require.NoError(t, json.Unmarshal([]byte(x.Request.Decrypted["data"].(string)), &data))
	c := replayClient(t, w, rs.srv.URL, x, data.SessionRequest.UserUID)

	s, err := c.StartIDV(context.Background(), idv.IDVRequest{})
	require.NoError(t, err)
	assert.Equal(t, "f50c8e02-a9b8-44ce-9a38-1bc47a0b2145", s.ID)
	assert.Contains(t, s.URL, "/idproofing/session/"+s.ID)
	assert.Equal(t, c.cfg.Now().Add(DefaultSessionTTL), s.ExpiresAt)

	checkPlain(t, rs.find(t, "POST", "/api/r1/system/community_info/fetch"), w.exchange(t, "bootstrap_community_info"))
	checkPlain(t, rs.find(t, "GET", "/caas/sd"), w.exchange(t, "bootstrap_caas_sd"))
	checkPlain(t, rs.find(t, "GET", "/docuverify/publickeys"), w.exchange(t, "create:GET"))
	checkSigned(t, w, rs.find(t, "POST", "/docuverify/document_share_session/create"), x)
}

func TestWireResultMatchesHelper(t *testing.T) {
	w := loadWire(t)
	x := w.exchange(t, "result:")
	rs := newReplayServer(t, w, "create:POST")
	c := replayClient(t, w, rs.srv.URL, x)

	r, err := c.IDVResult(context.Background(), "f50c8e02-a9b8-44ce-9a38-1bc47a0b2145")
	require.NoError(t, err)
	checkSigned(t, w, rs.find(t, "POST", "/docuverify/document_share_session/result"), x)

	// The answer was decrypted with the request key, its publicKey ignored.
	assert.Equal(t, "f50c8e02-a9b8-44ce-9a38-1bc47a0b2145", r.SessionID)
	assert.Equal(t, idv.StatusCompleted, r.Status)
	assert.Equal(t, "fake.proof.jwt", r.ProofJWT)
	require.NotNil(t, r.Document)
	assert.Equal(t, idv.DriversLicense, r.Document.Type)
	want, err := normalizeResult([]byte(x.Response.Decrypted["data"]), c.cfg.Now())
	require.NoError(t, err)
	assert.Equal(t, want, r)
}

func TestWireCreateWithoutDVCIDMatchesHelper(t *testing.T) {
	w := loadWire(t)
	x := w.exchange(t, "create_missing_dvcid")
	rs := newReplayServer(t, w, "create_missing_dvcid")
	var data createBody
	require.NoError(t, json.Unmarshal([]byte(x.Request.Decrypted["data"].(string)), &data))
	c := replayClient(t, w, rs.srv.URL, x, data.SessionRequest.UserUID)
	c.cfg.DVCID = "" // New refuses an empty DVCID; the capture shows what would be sent

	_, err := c.StartIDV(context.Background(), idv.IDVRequest{DocumentTypes: []idv.DocumentType{idv.DriversLicense}})
	require.ErrorIs(t, err, idv.ErrRejected)
	assert.Contains(t, err.Error(), "dvcID is required")
	assert.NotContains(t, err.Error(), w.Wire.LicenseKey)
	checkSigned(t, w, rs.find(t, "POST", "/docuverify/document_share_session/create"), x)
}
