package simulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
)

// wireSamples is testdata/wire_samples.json: requests captured from
// 1Kosmos's Node helper (client key A, docuverify key B), a subset of
// shared/onekosmos/vectors.json.
type wireSamples struct {
	Keys map[string]struct {
		PrivateKeyB64 string `json:"private_key_b64"`
		PublicKeyB64  string `json:"public_key_b64"`
	} `json:"keys"`
	Samples struct {
		LicenseKey    string `json:"license_key"`
		DVCID         string `json:"dvcID"`
		TenantDNS     string `json:"tenantDNS"`
		CommunityName string `json:"communityName"`
		Exchanges     []struct {
			ID        string `json:"id"`
			HelperURL string `json:"helper_url"`
			Method    string `json:"method"`
			Request   struct {
				Headers   map[string]string `json:"headers"`
				Body      json.RawMessage   `json:"body"`
				Decrypted map[string]any    `json:"decrypted"`
			} `json:"request"`
			Response struct {
				Status int             `json:"status"`
				Body   json.RawMessage `json:"body"`
			} `json:"response"`
		} `json:"exchanges"`
	} `json:"wire_samples"`
}

func loadSamples(t *testing.T) wireSamples {
	raw, err := os.ReadFile("testdata/wire_samples.json")
	require.NoError(t, err)
	var w wireSamples
	require.NoError(t, json.Unmarshal(raw, &w))
	require.Len(t, w.Samples.Exchanges, 6)
	return w
}

// capturedSessionID is the session the captured result request polls.
const capturedSessionID = "f50c8e02-a9b8-44ce-9a38-1bc47a0b2145"

// TestReplayHelperCaptures sends the Node helper's captured requests, byte
// for byte, to a simulator holding the capture's docuverify key B, with
// freshness off (the captures are old). Every one must be understood.
func TestReplayHelperCaptures(t *testing.T) {
	w := loadSamples(t)
	keyB, err := envelope.ParsePrivateKey(envelope.Secp256k1, w.Keys["B"].PrivateKeyB64)
	require.NoError(t, err)
	keyA, err := envelope.ParsePrivateKey(envelope.Secp256k1, w.Keys["A"].PrivateKeyB64)
	require.NoError(t, err)
	sim, srv := startSim(t, Config{
		LicenseKey: w.Samples.LicenseKey, DVCID: w.Samples.DVCID, TenantDNS: w.Samples.TenantDNS,
		Community: w.Samples.CommunityName, DocuverifyKey: keyB, Freshness: -1,
	})
	sim.seedIDV(capturedSessionID, idv.DriversLicense)

	build := func(i int) *http.Request {
		ex := w.Samples.Exchanges[i]
		path := ex.HelperURL
		for _, prefix := range []string{"http://127.0.0.1:{port}", "https://" + w.Samples.TenantDNS} {
			path = strings.TrimPrefix(path, prefix)
		}
		var body *bytes.Reader
		if len(ex.Request.Body) > 0 {
			body = bytes.NewReader(ex.Request.Body)
		} else {
			body = bytes.NewReader(nil)
		}
		req, err := http.NewRequest(ex.Method, srv.URL+"/simulator"+path, body)
		require.NoError(t, err)
		for k, v := range ex.Request.Headers {
			req.Header.Set(k, v)
		}
		return req
	}

	for i, ex := range w.Samples.Exchanges {
		t.Run(ex.ID, func(t *testing.T) {
			r := send(t, build(i))
			require.Equal(t, ex.Response.Status, r.status, "body %s", r.body)
			switch {
			case strings.HasPrefix(ex.ID, "bootstrap_community_info"):
				m := r.json(t)
				assert.NotNil(t, m["tenant"])
				assert.NotNil(t, m["community"])
			case strings.HasPrefix(ex.ID, "bootstrap_caas_sd"):
				assert.NotEmpty(t, r.json(t)["licenses"])
			case strings.HasPrefix(ex.ID, "create:GET"):
				assert.JSONEq(t, string(ex.Response.Body), string(r.body), "the capture's docuverify key")
			case strings.HasPrefix(ex.ID, "create:POST"):
				m := r.json(t)
				assert.NotEmpty(t, m["sessionId"])
				assert.Equal(t, sim.idvPageURL(m["sessionId"].(string)), m["url"])
			case strings.HasPrefix(ex.ID, "result:"):
				// The helper decrypts with ECDH(A, B), ignoring publicKey.
				key, err := keyA.SharedKey(w.Keys["B"].PublicKeyB64)
				require.NoError(t, err)
				m := openSealed(t, key, r)
				assert.Equal(t, map[string]any{"responseStatus": "INPROGRESS", "sessionId": capturedSessionID}, m)
			case strings.HasPrefix(ex.ID, "create_missing_dvcid"):
				assert.JSONEq(t, string(ex.Response.Body), string(r.body))
			}
		})
	}

	t.Run("a capture is accepted once", func(t *testing.T) {
		for i, ex := range w.Samples.Exchanges {
			if ex.Request.Headers["requestid"] == "" {
				continue
			}
			r := send(t, build(i))
			assert.Equal(t, http.StatusUnauthorized, r.status, "%s: %s", ex.ID, r.body)
		}
	})

	t.Run("freshness rejects the old capture", func(t *testing.T) {
		_, srv2 := startSim(t, Config{
			LicenseKey: w.Samples.LicenseKey, DVCID: w.Samples.DVCID, TenantDNS: w.Samples.TenantDNS,
			Community: w.Samples.CommunityName, DocuverifyKey: keyB,
		})
		req := build(3)
		req.URL.Host = strings.TrimPrefix(srv2.URL, "http://")
		r := send(t, req)
		assert.Equal(t, http.StatusUnauthorized, r.status, "%s", r.body)
		assert.Equal(t, "requestid expired", r.json(t)["message"])
	})
}

// seedIDV registers a pending session with a chosen id (replayed captures
// poll a session id the simulator did not make).
func (s *Simulator) seedIDV(id string, doc idv.DocumentType) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.idv[id] = &idvSession{ID: id, DocTypes: []idv.DocumentType{doc}, DID: id, State: statePending, Created: now, Expires: now.Add(s.cfg.SessionTTL), CSRF: randomToken()}
}
