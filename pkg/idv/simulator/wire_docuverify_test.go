package simulator

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
)

func TestBootstrap(t *testing.T) {
	sim, srv := startSim(t, Config{})
	post := func(body string) wireResp {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/simulator/api/r1/system/community_info/fetch", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		return send(t, req)
	}
	r := post(`{"dns":"sim.1kosmos.local","communityName":"default"}`)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	info := r.json(t)
	tenant, community := info["tenant"].(map[string]any), info["community"].(map[string]any)
	assert.Equal(t, []any{"sim.1kosmos.local"}, tenant["dns"])
	assert.Equal(t, "default", community["name"])
	assert.Equal(t, tenant["id"], community["tenantid"])
	assert.Len(t, community["publicKey"], 88)

	byID := post(`{"tenantId":"` + tenant["id"].(string) + `","communityId":"` + community["id"].(string) + `"}`)
	assert.Equal(t, http.StatusOK, byID.status, "%s", byID.body)

	for _, body := range []string{`{"dns":"other.example","communityName":"default"}`, `{"dns":"sim.1kosmos.local","communityName":"other"}`, `{"tenantId":"nope"}`} {
		r := post(body)
		assert.Equal(t, http.StatusNotFound, r.status, body)
		assert.Equal(t, float64(404), r.json(t)["code"], body)
		assert.NotEmpty(t, r.json(t)["message"], body)
	}
	assert.Equal(t, http.StatusBadRequest, post(`{`).status)

	sd := send(t, mustReq(t, http.MethodGet, srv.URL+"/simulator/caas/sd"))
	require.Equal(t, http.StatusOK, sd.status)
	m := sd.json(t)
	for _, k := range []string{"licenses", "docuverify", "sessions", "adminconsole"} {
		assert.Equal(t, srv.URL+"/simulator/"+k, m[k], k)
	}

	for svc, want := range map[string]string{"docuverify": sim.docuverify.PublicB64(), "sessions": sim.sessions.PublicB64()} {
		r := send(t, mustReq(t, http.MethodGet, srv.URL+"/simulator/"+svc+"/publickeys"))
		require.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, want, r.json(t)["publicKey"], svc)
	}
	assert.NotEqual(t, sim.docuverify.PublicB64(), sim.sessions.PublicB64())
}

func mustReq(t *testing.T, method, url string) *http.Request {
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	return req
}

func TestCreatePollComplete(t *testing.T) {
	sim, _ := startSim(t, Config{Scores: true})
	c := newWireClient(t, sim)
	id, url := c.create("ppt_object")
	assert.Equal(t, sim.BaseURL()+"/idproofing/session/"+id, url)

	r := c.result(id)
	assert.Equal(t, "Pending", r["status"])
	assert.Equal(t, "Not performed", r["verification"])
	assert.Nil(t, r["ppt_object"])

	page := send(t, mustReq(t, http.MethodGet, url))
	require.Equal(t, http.StatusOK, page.status)
	assert.Equal(t, "In Progress", c.result(id)["status"])

	require.NoError(t, sim.Complete(id, CompleteOptions{Fixture: "erika-mustermann"}))
	for _, path := range []string{"/docuverify/document_share_session/result", "/docuverify/v3/document_share_session/result"} {
		res := c.do(wireReq{path: path, inner: map[string]any{"dvcID": sim.DVCID(), "sessionId": id}})
		assert.Equal(t, sim.docuverify.PublicB64(), res.json(t)["publicKey"])
		r := openSealed(t, c.shared(sim.docuverify.PublicB64()), res)
		assert.Equal(t, "Completed", r["status"], path)
		assert.Equal(t, "Passed", r["verification"])
		assert.Equal(t, "SUCCESS", r["responseStatus"])
		assert.Equal(t, "ppt_object", r["documentType"])
		assert.Equal(t, "Passed", r["face_liveness"])
		assert.NotNil(t, r["scores"])
		doc := r["ppt_object"].(map[string]any)
		assert.Equal(t, "Erika", doc["firstName"])
		assert.Equal(t, "Mustermann", doc["lastName"])
		assert.Equal(t, "1983-08-12", doc["dob"])
		assert.Equal(t, "DE", doc["issuingCountry"])
		assert.Equal(t, "C01X00T47", doc["documentNumber"])
		assert.Equal(t, 3, strings.Count(doc["proof_jwt"].(string), ".")+1)
		assert.NotEmpty(t, doc["token"])
		live := doc["liveid_object"].(map[string]any)
		assert.Equal(t, faceRef(fixtures[1].Selfie), live["face"])
		assert.Equal(t, proofedBy, live["proofedBy"])
		assert.Equal(t, live, r["liveid_object"])
	}
}

func TestDocuverifyErrors(t *testing.T) {
	clock := &testClock{now: time.Now()}
	sim, _ := startSim(t, Config{Now: clock.Now})
	c := newWireClient(t, sim)
	create := "/docuverify/document_share_session/create"
	valid := c.createBody("dl_object")
	stale, future := clock.Now().Add(-2*time.Minute), clock.Now().Add(2*time.Minute)
	other, err := envelope.GenerateKey(envelope.Secp256k1)
	require.NoError(t, err)
	plainObject, err := json.Marshal(map[string]any{"data": valid})
	require.NoError(t, err)
	missingDVC := c.createBody("dl_object")
	delete(missingDVC, "dvcID")
	unknownDVC := c.createBody("dl_object")
	unknownDVC["dvcID"] = "someone-elses"
	badDoc := c.createBody("selfie_object")
	wrongKeyData, err := json.Marshal(map[string]string{"data": c.seal(c.shared(other.PublicB64()), valid)})
	require.NoError(t, err)

	tests := []struct {
		name   string
		req    wireReq
		status int
		body   string // exact body when set
	}{
		{name: "valid", req: wireReq{path: create, inner: valid}, status: 200},
		{name: "plain object data", req: wireReq{path: create, body: plainObject}, status: 200},
		{name: "missing dvcID", req: wireReq{path: create, inner: missingDVC}, status: 400, body: `{"code":400,"message":"dvcID is required"}`},
		{name: "unknown dvcID", req: wireReq{path: create, inner: unknownDVC}, status: 404},
		{name: "unknown documentType", req: wireReq{path: create, inner: badDoc}, status: 400},
		{name: "no sessionRequest", req: wireReq{path: create, inner: map[string]any{"dvcID": sim.DVCID()}}, status: 400},
		{name: "bad license", req: wireReq{path: create, inner: valid, license: "stolen-license"}, status: 401},
		{name: "license sealed for another key", req: wireReq{path: create, inner: valid, header: func(h http.Header) {
			h.Set("licensekey", c.seal(c.shared(other.PublicB64()), sim.LicenseKey()))
		}}, status: 401},
		{name: "license not base64", req: wireReq{path: create, inner: valid, header: func(h http.Header) { h.Set("licensekey", "%%%") }}, status: 401},
		{name: "bad publickey", req: wireReq{path: create, inner: valid, header: func(h http.Header) { h.Set("publickey", "AAAA") }}, status: 401},
		{name: "missing licensekey", req: wireReq{path: create, inner: valid, header: func(h http.Header) { h.Del("licensekey") }}, status: 400},
		{name: "missing requestid", req: wireReq{path: create, inner: valid, header: func(h http.Header) { h.Del("requestid") }}, status: 400},
		{name: "missing publickey", req: wireReq{path: create, inner: valid, header: func(h http.Header) { h.Del("publickey") }}, status: 400},
		{name: "stale ts", req: wireReq{path: create, inner: valid, ts: &stale}, status: 401},
		{name: "future ts", req: wireReq{path: create, inner: valid, ts: &future}, status: 401},
		{name: "requestid not JSON", req: wireReq{path: create, inner: valid, header: func(h http.Header) {
			h.Set("requestid", c.seal(c.shared(sim.docuverify.PublicB64()), "hello"))
		}}, status: 401},
		{name: "data for another key", req: wireReq{path: create, body: wrongKeyData}, status: 400},
		{name: "data not base64", req: wireReq{path: create, body: []byte(`{"data":"!!"}`)}, status: 400},
		{name: "data missing", req: wireReq{path: create, body: []byte(`{}`)}, status: 400},
		{name: "data is a number", req: wireReq{path: create, body: []byte(`{"data":7}`)}, status: 400},
		{name: "garbage body", req: wireReq{path: create, body: []byte("\x00\xffnot json")}, status: 400},
		{name: "empty body", req: wireReq{path: create, body: []byte{}}, status: 400},
		{name: "wrong field types", req: wireReq{path: create, body: []byte(`{"data":{"dvcID":12,"sessionRequest":"x"}}`)}, status: 400},
		{name: "oversized body", req: wireReq{path: create, body: bytes.Repeat([]byte("a"), smallBodyLimit+1)}, status: 413},
		{name: "result unknown session", req: wireReq{path: "/docuverify/document_share_session/result", inner: map[string]any{"dvcID": sim.DVCID(), "sessionId": "nope"}}, status: 404},
		{name: "result without sessionId", req: wireReq{path: "/docuverify/document_share_session/result", inner: map[string]any{"dvcID": sim.DVCID()}}, status: 400},
		{name: "result without dvcID", req: wireReq{path: "/docuverify/document_share_session/result", inner: map[string]any{"sessionId": "x"}}, status: 400, body: `{"code":400,"message":"dvcID is required"}`},
		{name: "unknown path", req: wireReq{path: "/docuverify/nothing", inner: valid}, status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do(tt.req)
			require.Equal(t, tt.status, r.status, "body %s", r.body)
			if tt.body != "" {
				assert.JSONEq(t, tt.body, string(r.body))
			}
			if tt.status != 200 {
				m := r.json(t)
				assert.Equal(t, float64(tt.status), m["code"])
				assert.NotEmpty(t, m["message"])
			}
			assert.Contains(t, r.header.Get("Content-Type"), "application/json")
		})
	}

	t.Run("replayed uuid", func(t *testing.T) {
		r := c.do(wireReq{path: create, inner: valid, uuid: "7f0c2a56-0d7a-4f5e-9d1e-1f8e4c5b9a01"})
		require.Equal(t, 200, r.status)
		r = c.do(wireReq{path: create, inner: valid, uuid: "7f0c2a56-0d7a-4f5e-9d1e-1f8e4c5b9a01"})
		require.Equal(t, 401, r.status, "%s", r.body)
		assert.Equal(t, "requestid already used", r.json(t)["message"])
	})

	t.Run("ts within window", func(t *testing.T) {
		edge := clock.Now().Add(-50 * time.Second)
		assert.Equal(t, 200, c.do(wireReq{path: create, inner: valid, ts: &edge}).status)
	})
}

func TestVerify(t *testing.T) {
	sim, _ := startSim(t, Config{})
	c := newWireClient(t, sim)
	enrolled := fixtures[0].Selfie
	ref := faceRef(enrolled)
	b64 := base64.StdEncoding.EncodeToString
	tests := []struct {
		name              string
		image             string
		face              string
		verifications     []string
		liveness, compare string
	}{
		{name: "same face", image: b64(enrolled), face: ref, verifications: []string{"face_liveness", "face_compare"}, liveness: "Passed", compare: "Passed"},
		{name: "data URL", image: "data:image/png;base64," + b64(enrolled), face: ref, verifications: []string{"face_compare"}, compare: "Passed"},
		{name: "other face", image: b64(strangerSelfie), face: ref, verifications: []string{"face_liveness", "face_compare"}, liveness: "Passed", compare: "Failed"},
		{name: "spoof", image: b64(fixtures[4].Selfie), face: ref, verifications: []string{"face_liveness"}, liveness: "Failed"},
		{name: "no enrolled face", image: b64(enrolled), verifications: []string{"face_liveness", "face_compare"}, liveness: "Passed", compare: "Not performed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do(wireReq{path: "/docuverify/verify", inner: map[string]any{
				"dvcID": sim.DVCID(), "verifications": tt.verifications, "document": map[string]any{"liveId": tt.image, "face": tt.face},
			}})
			m := openSealed(t, c.shared(sim.docuverify.PublicB64()), r)
			if tt.liveness != "" {
				assert.Equal(t, tt.liveness, m["face_liveness"].(map[string]any)["status"])
			} else {
				assert.Nil(t, m["face_liveness"])
			}
			if tt.compare != "" {
				assert.Equal(t, tt.compare, m["face_compare"].(map[string]any)["status"])
			} else {
				assert.Nil(t, m["face_compare"])
			}
			assert.Len(t, m["faceRef"], 64)
		})
	}
	for name, inner := range map[string]map[string]any{
		"no liveId":            {"dvcID": sim.DVCID(), "verifications": []string{"face_liveness"}, "document": map[string]any{}},
		"liveId not base64":    {"dvcID": sim.DVCID(), "verifications": []string{"face_liveness"}, "document": map[string]any{"liveId": "*"}},
		"unknown verification": {"dvcID": sim.DVCID(), "verifications": []string{"dna"}, "document": map[string]any{"liveId": b64(enrolled)}},
		"no verifications":     {"dvcID": sim.DVCID(), "document": map[string]any{"liveId": b64(enrolled)}},
	} {
		t.Run(name, func(t *testing.T) {
			r := c.do(wireReq{path: "/docuverify/verify", inner: inner})
			assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
		})
	}
}
