package simulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
)

// FuzzCreateBody sends arbitrary bodies to document_share_session/create
// with valid headers, once as the raw body and once sealed as the inner
// data. The simulator must answer with a JSON error or a session, never a
// 5xx, and never panic.
func FuzzCreateBody(f *testing.F) {
	f.Add([]byte(`{"dvcID":"sim-dvc","sessionRequest":{"tenantDNS":"sim.1kosmos.local","communityName":"default","documentType":"dl_object","userUID":"u","did":"u"}}`))
	f.Add([]byte(`{"data":{"dvcID":"sim-dvc","sessionRequest":{"documentType":"ppt_object"}}}`))
	f.Add([]byte(`{"sessionRequest":null}`))
	f.Add([]byte(`{"data":"AAAA"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte{})

	sim, err := New(Config{BaseURL: "http://sim.test"})
	if err != nil {
		f.Fatal(err)
	}
	h := sim.Handler()
	client, err := envelope.GenerateKey(envelope.Secp256k1)
	if err != nil {
		f.Fatal(err)
	}
	key, err := client.SharedKey(sim.docuverify.PublicB64())
	if err != nil {
		f.Fatal(err)
	}
	seal := func(b []byte) string {
		s, err := envelope.Seal(key, b)
		if err != nil {
			f.Fatal(err)
		}
		return s
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		sealed, _ := json.Marshal(map[string]string{"data": seal(body)})
		for _, b := range [][]byte{body, sealed} {
			req := httptest.NewRequest(http.MethodPost, "/docuverify/document_share_session/create", bytes.NewReader(b))
			req.Header.Set("publickey", client.PublicB64())
			req.Header.Set("licensekey", seal([]byte(sim.LicenseKey())))
			rid, _ := json.Marshal(map[string]any{"ts": time.Now().Unix(), "appid": "fixme", "uuid": uuid.NewString()})
			req.Header.Set("requestid", seal(rid))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("status %d for %q: %s", rec.Code, b, rec.Body)
			}
			var m map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
				t.Fatalf("status %d, body not JSON: %q", rec.Code, rec.Body)
			}
			if rec.Code == http.StatusOK && m["sessionId"] == nil {
				t.Fatalf("200 without sessionId: %s", rec.Body)
			}
			if rec.Code != http.StatusOK && (m["code"] != float64(rec.Code) || m["message"] == "") {
				t.Fatalf("error body %s for status %d", rec.Body, rec.Code)
			}
		}
	})
}
