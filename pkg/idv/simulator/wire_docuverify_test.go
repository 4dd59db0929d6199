package simulator

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
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
	for _, k := range []string{"licenses", "docuverify", "adminconsole"} {
		assert.Equal(t, srv.URL+"/simulator/"+k, m[k], k)
	}
	assert.Equal(t, srv.URL+"/simulator/liveid", m["sessions"], "the sessions service, whose session URLs are the authenticator pages")

	for svc, want := range map[string]string{"docuverify": sim.docuverify.PublicB64(), "liveid": sim.sessions.PublicB64()} {
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

	assert.Equal(t, map[string]any{"responseStatus": "INPROGRESS", "sessionId": id}, c.result(id))
	assert.Equal(t, map[string]any{"responseStatus": "INPROGRESS", "id": id}, c.resultV3(id), "exactly the public v3 sample")
	page := send(t, mustReq(t, http.MethodGet, url))
	require.Equal(t, http.StatusOK, page.status)
	assert.Equal(t, "INPROGRESS", c.result(id)["responseStatus"])

	require.NoError(t, sim.Complete(id, CompleteOptions{Fixture: "erika-mustermann"}))
	v1 := c.result(id)
	assert.Equal(t, "SUCCESS", v1["responseStatus"])
	assert.NotEmpty(t, v1["token"], "v1's certificate token is top level")
	assert.NotNil(t, v1["scores"])
	doc := v1["ppt_object"].(map[string]any)
	assert.Equal(t, "Erika", doc["firstName"])
	assert.Equal(t, "Mustermann", doc["lastName"])
	assert.Equal(t, "19830812", doc["dob"], "YYYYMMDD")
	assert.Equal(t, "DE", doc["country"])
	assert.Equal(t, "C01X00T47", doc["documentId"])
	assert.Equal(t, "PASSPORT", doc["documentType"])
	assert.Equal(t, 3, strings.Count(doc["proof_jwt"].(string), ".")+1)
	assert.Nil(t, doc["token"], "no token inside the document")
	live := v1["liveid_object"].(map[string]any)
	assert.Equal(t, base64.StdEncoding.EncodeToString(fixtures[1].Selfie), live["face"], "the selfie's image bytes, not a digest")
	assert.Equal(t, proofedBy, live["proofedBy"])
	assert.Len(t, proofedBy, 128)

	v3 := c.resultV3(id)
	assert.Equal(t, "SUCCESS", v3["sessionResult"])
	assert.Nil(t, v3["responseStatus"], "finished v3 answers have no responseStatus")
	assert.Nil(t, v3["token"])
	data := v3["sessionData"].(map[string]any)
	assert.Equal(t, "ppt_object", data["documentType"])
	assert.Equal(t, sim.idv[id].DID, data["user"].(map[string]any)["uid"])
	assert.Equal(t, "PASSPORT", v3["extractedInfo"].(map[string]any)["documentType"])
	assert.Equal(t, "C01X00T47", v3["document"].(map[string]any)["documentId"])
}

func TestResultStatuses(t *testing.T) {
	for _, camel := range []bool{false, true} {
		sim, _ := startSim(t, Config{Spellings: Spellings{ReasonCodeCamel: camel}})
		c := newWireClient(t, sim)
		tests := []struct {
			name   string
			end    func(id string) error
			v1, v3 string
			code   string
		}{
			{name: "expired document", end: func(id string) error { return sim.Complete(id, CompleteOptions{Fixture: "tom-expired"}) }, v1: "FAILED", v3: "FAILED", code: CodeDocumentExpired},
			{name: "spoof", end: func(id string) error { return sim.Complete(id, CompleteOptions{Fixture: "sam-spoof"}) }, v1: "FAILED", v3: "FAILED", code: CodeLiveness},
			{name: "fail", end: sim.Fail, v1: "FAILED", v3: "FAILED", code: CodeNotVerified},
			{name: "abandon", end: sim.Abandon, v1: "ABANDONED", v3: "ABANDONED"},
			{name: "expire", end: sim.Expire, v1: "EXPIRED", v3: "EXPIRED"},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s camel=%v", tt.name, camel), func(t *testing.T) {
				id, _ := c.create("dl_object")
				require.NoError(t, tt.end(id))
				v1, v3 := c.result(id), c.resultV3(id)
				assert.Equal(t, tt.v1, v1["responseStatus"])
				assert.Equal(t, tt.v3, v3["sessionResult"])
				assert.Nil(t, v1["dl_object"])
				assert.Nil(t, v3["document"])
				if tt.code == "" {
					assert.Nil(t, v3["errorInfo"])
					return
				}
				info := v3["errorInfo"].(map[string]any)
				assert.EqualValues(t, 400, info["status"])
				assert.NotEmpty(t, info["message"])
				assert.NotEmpty(t, info["reason"])
				if camel {
					assert.Equal(t, tt.code, info["reasonCode"])
					assert.Nil(t, info["reason_code"])
					assert.Contains(t, info, "ts")
				} else {
					assert.Equal(t, tt.code, info["reason_code"])
					assert.Nil(t, info["reasonCode"])
				}
				assert.Regexp(t, `^IDV\d{4}$`, tt.code)
				assert.Equal(t, map[string]any{}, v3["extractedInfo"])
				assert.Equal(t, info, v1["errorInfo"])
			})
		}
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
	b64 := base64.StdEncoding.EncodeToString
	enrolled := fixtures[0].Selfie
	liveness := func(img string) map[string]any {
		return map[string]any{"id": "ref.liveid", "type": "liveid", "liveId": img}
	}
	compare := func(a, b string) map[string]any {
		return map[string]any{"id": "ref.face_compare", "type": "face_compare", "image1": a, "image2": b, "purpose": "doc_enrollment"}
	}
	tests := []struct {
		name     string
		check    string
		document map[string]any
		verified bool
	}{
		{name: "live face", check: "face_liveness", document: liveness(b64(enrolled)), verified: true},
		{name: "data URL tolerated", check: "face_liveness", document: liveness("data:image/png;base64," + b64(enrolled)), verified: true},
		{name: "spoof", check: "face_liveness", document: liveness(b64(fixtures[4].Selfie))},
		{name: "not an image", check: "face_liveness", document: liveness(b64([]byte("text")))},
		{name: "same face", check: "face_compare", document: compare(b64(enrolled), b64(enrolled)), verified: true},
		{name: "other face", check: "face_compare", document: compare(b64(strangerSelfie), b64(enrolled))},
	}
	for _, where := range []string{CertificationsTop, CertificationsInResult, CertificationsResultString} {
		sim, _ := startSim(t, Config{Scores: true, Spellings: Spellings{Certifications: where}})
		c := newWireClient(t, sim)
		for _, tt := range tests {
			t.Run(tt.name+" "+where, func(t *testing.T) {
				r := c.do(wireReq{path: "/docuverify/verify", inner: map[string]any{
					"dvcID": sim.DVCID(), "verifications": []string{tt.check}, "document": tt.document,
				}})
				m := openSealed(t, c.shared(sim.docuverify.PublicB64()), r)
				assert.Equal(t, tt.document["id"], m["docId"])
				assert.Equal(t, tt.document["type"], m["docType"])
				var holder map[string]any
				switch where {
				case CertificationsTop:
					holder = m
				case CertificationsInResult:
					holder = m["result"].(map[string]any)
				default:
					require.NoError(t, json.Unmarshal([]byte(m["result"].(string)), &holder), "result as a JSON string")
				}
				certs := holder["certifications"].([]any)
				require.Len(t, certs, 1)
				cert := certs[0].(map[string]any)
				assert.Equal(t, tt.check, cert["type"])
				assert.Equal(t, tt.verified, cert["verified"])
				assert.NotEmpty(t, cert["token"])
				assert.NotEmpty(t, cert["authority"])
				if tt.verified {
					assert.EqualValues(t, 200, cert["status"])
				} else {
					assert.EqualValues(t, 400, cert["status"])
					assert.NotEmpty(t, cert["message"])
				}
				if tt.check == "face_compare" {
					assert.Contains(t, cert, "confidence", "simulator-only, with Scores")
				}
			})
		}
	}

	sim, _ := startSim(t, Config{})
	c := newWireClient(t, sim)
	img := b64(enrolled)
	for name, tc := range map[string]struct {
		inner map[string]any
		msg   string
	}{
		"older {liveId, face} shape": {map[string]any{"dvcID": sim.DVCID(), "verifications": []string{"face_liveness"}, "document": map[string]any{"liveId": img, "face": "ab12"}}, "document.id is required"},
		"no document":                {map[string]any{"dvcID": sim.DVCID(), "verifications": []string{"face_liveness"}}, "document is required"},
		"liveness with compare type": {map[string]any{"dvcID": sim.DVCID(), "verifications": []string{"face_liveness"}, "document": compare(img, img)}, `document.type must be "liveid"`},
		"compare with liveid type":   {map[string]any{"dvcID": sim.DVCID(), "verifications": []string{"face_compare"}, "document": liveness(img)}, `document.type must be "face_compare"`},
		"liveId not base64":          {map[string]any{"dvcID": sim.DVCID(), "verifications": []string{"face_liveness"}, "document": liveness("*")}, "document.liveId must be a base64 image"},
		"image2 missing":             {map[string]any{"dvcID": sim.DVCID(), "verifications": []string{"face_compare"}, "document": compare(img, "")}, "image2 must be base64 images"},
		"no purpose": {map[string]any{"dvcID": sim.DVCID(), "verifications": []string{"face_compare"},
			"document": map[string]any{"id": "r.face_compare", "type": "face_compare", "image1": img, "image2": img}}, "document.purpose is required"},
		"two checks at once":   {map[string]any{"dvcID": sim.DVCID(), "verifications": []string{"face_liveness", "face_compare"}, "document": liveness(img)}, "one check"},
		"unknown verification": {map[string]any{"dvcID": sim.DVCID(), "verifications": []string{"dna"}, "document": liveness(img)}, "unsupported verification"},
		"no verifications":     {map[string]any{"dvcID": sim.DVCID(), "document": liveness(img)}, "verifications is required"},
		"document of numbers":  {map[string]any{"dvcID": sim.DVCID(), "verifications": []string{"face_liveness"}, "document": map[string]any{"id": 7}}, "document must be an object of strings"},
	} {
		t.Run(name, func(t *testing.T) {
			r := c.do(wireReq{path: "/docuverify/verify", inner: tc.inner})
			require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
			m := r.json(t)
			assert.EqualValues(t, 400, m["code"], "1Kosmos-style error")
			assert.Contains(t, m["message"], tc.msg)
		})
	}
}
