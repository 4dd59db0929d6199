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

// fuzzWire sends arbitrary bodies to one wire endpoint with valid headers,
// once as the raw body and once sealed as the inner data. The simulator
// must answer with a JSON error in 1Kosmos's shape or a success that ok
// accepts, never a 5xx, and never panic.
func fuzzWire(f *testing.F, method, path string, service func(*Simulator) *envelope.KeyPair, ok func(t *testing.T, status int, m map[string]any)) {
	sim, err := New(Config{BaseURL: "http://sim.test"})
	if err != nil {
		f.Fatal(err)
	}
	h := sim.Handler()
	client, err := envelope.GenerateKey(envelope.Secp256k1)
	if err != nil {
		f.Fatal(err)
	}
	key, err := client.SharedKey(service(sim).PublicB64())
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
			req := httptest.NewRequest(method, path, bytes.NewReader(b))
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
			if rec.Code/100 == 2 {
				ok(t, rec.Code, m)
			} else if m["code"] != float64(rec.Code) || m["message"] == "" {
				t.Fatalf("error body %s for status %d", rec.Body, rec.Code)
			}
		}
	})
}

// FuzzCreateBody: document_share_session/create.
func FuzzCreateBody(f *testing.F) {
	f.Add([]byte(`{"dvcID":"sim-dvc","sessionRequest":{"tenantDNS":"sim.1kosmos.local","communityName":"default","documentType":"dl_object","userUID":"u","did":"u"}}`))
	f.Add([]byte(`{"dvcID":"sim-dvc","sessionRequest":{"documentType":"ppt_object","documentTypes":["idcard_object","ppt_object","dl_object"]}}`))
	f.Add([]byte(`{"dvcID":"sim-dvc","sessionRequest":{"documentType":"ppt_object","documentTypes":[1,null,"x"]}}`))
	f.Add([]byte(`{"data":{"dvcID":"sim-dvc","sessionRequest":{"documentType":"ppt_object"}}}`))
	f.Add([]byte(`{"sessionRequest":null}`))
	f.Add([]byte(`{"data":"AAAA"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte{})
	fuzzWire(f, http.MethodPost, "/docuverify/document_share_session/create", func(s *Simulator) *envelope.KeyPair { return s.docuverify },
		func(t *testing.T, status int, m map[string]any) {
			if status != http.StatusOK || m["sessionId"] == nil {
				t.Fatalf("success %d without sessionId: %v", status, m)
			}
		})
}

// FuzzVerifyBody: /verify with either document shape.
func FuzzVerifyBody(f *testing.F) {
	img := b64(fixtures[0].Selfie)
	f.Add([]byte(`{"dvcID":"sim-dvc","verifications":["face_liveness"],"document":{"id":"r.liveid","type":"liveid","liveId":"` + img + `"}}`))
	f.Add([]byte(`{"dvcID":"sim-dvc","verifications":["face_compare"],"document":{"id":"r.face_compare","type":"face_compare","image1":"` + img + `","image2":"` + img + `","purpose":"doc_enrollment"}}`))
	f.Add([]byte(`{"dvcID":"sim-dvc","verifications":["face_compare"],"document":{"id":"r","type":"face_compare","image1":"","image2":null}}`))
	f.Add([]byte(`{"dvcID":"sim-dvc","verifications":[],"document":[]}`))
	f.Add([]byte(`{"dvcID":"sim-dvc","verifications":"face_liveness","document":{"liveId":"data:image/png;base64,"}}`))
	fuzzWire(f, http.MethodPost, "/docuverify/verify", func(s *Simulator) *envelope.KeyPair { return s.docuverify },
		func(t *testing.T, status int, m map[string]any) {
			if m["data"] == nil {
				t.Fatalf("success %d without data: %v", status, m)
			}
		})
}

// FuzzSessionNew: the plain body of PUT {sessions}/session/new.
func FuzzSessionNew(f *testing.F) {
	f.Add([]byte(`{"origin":{"tag":"t","url":"u","communityName":"c","communityId":"i","authPage":"blockid://authenticate"},"scopes":"","authtype":"none","metadata":{"purpose":"authentication","did":"d"}}`))
	f.Add([]byte(`{"origin":{"metadata":{"purpose":7}},"metadata":null}`))
	f.Add([]byte(`{"origin":"https://idp.example","metadata":{"did":["x"],"userRef":{}}}`))
	f.Add([]byte(`{"origin":null}`))
	fuzzWire(f, http.MethodPut, "/liveid/session/new", func(s *Simulator) *envelope.KeyPair { return s.sessions },
		func(t *testing.T, status int, m map[string]any) {
			if status != http.StatusCreated || m["sessionId"] == nil {
				t.Fatalf("success %d without sessionId: %v", status, m)
			}
		})
}
