package simulator

import (
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The simulator's answers, checked against the shapes of
// shared/onekosmos/FACTS.md and kept as golden samples in testdata/golden
// (the 1Kosmos client's tests read them too). Regenerate with
//
//	go test ./pkg/idv/simulator -run TestAnswersHaveTheShapesOfFacts -update

var update = flag.Bool("update", false, "rewrite testdata/golden from the simulator's answers")

// kinds of JSON values in shapes.
const (
	kString = "string"
	kNumber = "number"
	kBool   = "bool"
	kObject = "object"
	kArray  = "array"
)

// shape is what FACTS.md says an answer holds: field paths (dotted) and
// their JSON kinds. exact answers may hold nothing else at top level;
// extra lists the top-level keys the simulator adds, each marked NOT
// PUBLIC or simulator-only in its code.
type shape struct {
	fields map[string]string
	exact  bool
	extra  []string
}

// documentNames are the names a document object may use: 1Kosmos's
// BIDDLObjectData, plus proof_jwt and mrzResult of the v3 samples (FACTS.md
// section 3).
var documentNames = strings.Fields(`type documentType category proofedBy documentId id firstName lastName
	familyName middleName givenName fullName dob doe doi face image imageBack gender height eyeColor street city
	restrictionCode residenceCity state country zipCode residenceZipCode county classificationCode complianceType
	placeOfBirth proof_jwt mrzResult`)

var (
	docFields = map[string]string{
		"category": kString, "proofedBy": kString, "documentType": kString, "type": kString, "country": kString,
		"image": kString, "face": kString, "documentId": kString, "id": kString, "firstName": kString,
		"lastName": kString, "familyName": kString, "fullName": kString, "dob": kString, "doe": kString, "proof_jwt": kString,
	}
	userFields = map[string]string{"firstname": kString, "lastname": kString, "username": kString, "uid": kString}
)

// under prefixes every path of fields with p.
func under(p string, fields map[string]string) map[string]string {
	out := map[string]string{p: kObject}
	for k, v := range fields {
		out[p+"."+k] = v
	}
	return out
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

var factsShapes = map[string]shape{
	// section 1 (v1), section 7 (words)
	"result_v1_inprogress": {exact: true, fields: map[string]string{"responseStatus": kString, "sessionId": kString}},
	"result_v1_success": {exact: true, fields: merge(
		map[string]string{"responseStatus": kString, "sessionId": kString, "token": kString},
		under("dl_object", docFields),
		under("liveid_object", map[string]string{"id": kString, "type": kString, "category": kString, "proofedBy": kString, "face": kString}))},
	"result_v1_failed": {exact: true, fields: merge(map[string]string{"responseStatus": kString, "sessionId": kString},
		under("errorInfo", map[string]string{"status": kNumber, "message": kString, "reason": kString, "reason_code": kString}))},
	"result_v1_expired":   {exact: true, fields: map[string]string{"responseStatus": kString, "sessionId": kString}},
	"result_v1_abandoned": {exact: true, fields: map[string]string{"responseStatus": kString, "sessionId": kString}},
	"result_v1_declined":  {exact: true, fields: map[string]string{"sessionId": kString}, extra: []string{"status", "reason"}},
	// section 2 (v3)
	"result_v3_inprogress": {exact: true, fields: map[string]string{"responseStatus": kString, "id": kString}},
	"result_v3_success": {exact: true, fields: merge(
		map[string]string{"sessionResult": kString, "sessionId": kString, "sessionData.documentType": kString},
		under("sessionData.user", userFields),
		under("extractedInfo", map[string]string{"documentType": kString, "documentId": kString, "firstName": kString, "lastName": kString, "doe": kString}),
		under("document", docFields))},
	"result_v3_failed": {exact: true, fields: merge(
		map[string]string{"sessionResult": kString, "sessionId": kString, "sessionData": kObject, "extractedInfo": kObject},
		under("errorInfo", map[string]string{"status": kNumber, "message": kString, "reason": kString, "reason_code": kString}))},
	"result_v3_failed_camel": {exact: true, fields: merge(
		map[string]string{"sessionResult": kString, "sessionId": kString, "sessionData": kObject, "extractedInfo": kObject},
		under("errorInfo", map[string]string{"status": kNumber, "message": kString, "reason": kString, "reasonCode": kString,
			"type": kString, "docType": kString, "docId": kString, "ts": kNumber}))},
	"result_v3_expired":   {exact: true, fields: map[string]string{"sessionResult": kString, "sessionId": kString}},
	"result_v3_abandoned": {exact: true, fields: map[string]string{"sessionResult": kString, "sessionId": kString}},
	"result_v3_declined":  {exact: true, fields: map[string]string{"sessionId": kString}, extra: []string{"status", "reason"}},
	// section 5
	"verify_liveness": {exact: true, fields: map[string]string{"docId": kString, "docType": kString, "certifications": kArray,
		"certifications.0.verified": kBool, "certifications.0.status": kNumber, "certifications.0.token": kString, "certifications.0.authority": kString}},
	"verify_liveness_failed": {exact: true, fields: map[string]string{"docId": kString, "docType": kString,
		"certifications.0.verified": kBool, "certifications.0.status": kNumber}},
	"verify_compare_in_result": {exact: true, fields: map[string]string{"docId": kString, "docType": kString, "result": kObject,
		"result.certifications.0.verified": kBool, "result.certifications.0.status": kNumber}},
	"verify_compare_result_string": {exact: true, fields: map[string]string{"docId": kString, "docType": kString, "result": kString}},
	// section 6
	"uwl_response_pending":  {fields: map[string]string{"sessionInfo.metadata.purpose": kString}, extra: []string{"sessionId", "status"}},
	"uwl_response_answered": {fields: map[string]string{"data": kString, "publicKey": kString, "sessionInfo.metadata.purpose": kString}, extra: []string{"sessionId"}},
	"uwl_user_data":         {exact: true, fields: map[string]string{"did": kString, "userid": kString}},
	"uwl_session_object": {exact: true, fields: merge(
		map[string]string{"scopes": kString, "authtype": kString, "_id": kString, "sessionId": kString, "publicKey": kString,
			"createdTS": kNumber, "expiryTS": kNumber, "expiresDate": kString, "__v": kNumber, "metadata": kObject},
		under("origin", map[string]string{"tag": kString, "url": kString, "communityName": kString, "communityId": kString, "authPage": kString}))},
	"userinfo": {exact: true, fields: map[string]string{"id": kString, "personId": kString, "userIdList": kArray, "userIdList.0": kString,
		"communityId": kString, "publicKey": kString, "poi_ial": kString, "pon_ial": kString}, extra: []string{"device"}},
}

// goldenClock is the fixed time of the golden samples.
var goldenClock = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// goldenAnswers drives a simulator through every answer of factsShapes
// and returns the plaintexts, volatile values replaced by fixed ones.
func goldenAnswers(t *testing.T) map[string]any {
	clock := &testClock{now: goldenClock}
	out := map[string]any{}
	for _, camel := range []bool{false, true} {
		sim, _ := startSim(t, Config{Now: clock.Now, Spellings: Spellings{ReasonCodeCamel: camel}})
		c := newWireClient(t, sim)
		create := func(did string, end func(id string) error) string {
			body := c.createBody("dl_object")
			body["sessionRequest"].(map[string]any)["did"] = did
			r := c.do(wireReq{path: "/docuverify/document_share_session/create", inner: body})
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
			id := r.json(t)["sessionId"].(string)
			if end != nil {
				require.NoError(t, end(id))
			}
			return id
		}
		if camel {
			out["result_v3_failed_camel"] = c.resultV3(create("did-golden-failed", sim.Fail))
			continue
		}
		for name, end := range map[string]func(string) error{
			"inprogress": nil,
			"success":    func(id string) error { return sim.Complete(id, CompleteOptions{}) },
			"failed":     sim.Fail, "expired": sim.Expire, "abandoned": sim.Abandon, "declined": sim.Decline,
		} {
			id := create("did-golden-"+name, end) // one account each: the map's order is random
			out["result_v1_"+name], out["result_v3_"+name] = c.result(id), c.resultV3(id)
		}
	}
	sim, _ := startSim(t, Config{Now: clock.Now})
	c := appClient{newWireClient(t, sim), t}
	img := b64(fixtures[0].Selfie)
	verify := func(where, check string, doc map[string]any) map[string]any {
		sim.cfg.Spellings.Certifications = where
		r := c.do(wireReq{path: "/docuverify/verify", inner: map[string]any{"dvcID": sim.DVCID(), "verifications": []string{check}, "document": doc}})
		return openSealed(t, c.shared(sim.docuverify.PublicB64()), r)
	}
	out["verify_liveness"] = verify(CertificationsTop, "face_liveness", map[string]any{"id": "ref.liveid", "type": "liveid", "liveId": img})
	out["verify_liveness_failed"] = verify(CertificationsTop, "face_liveness", map[string]any{"id": "ref.liveid", "type": "liveid", "liveId": b64(fixtures[4].Selfie)})
	compare := map[string]any{"id": "ref.face_compare", "type": "face_compare", "image1": img, "image2": b64(strangerSelfie), "purpose": "doc_enrollment"}
	out["verify_compare_in_result"] = verify(CertificationsInResult, "face_compare", compare)
	out["verify_compare_result_string"] = verify(CertificationsResultString, "face_compare", compare)

	did := "did-golden"
	proof := c.createBody("dl_object")
	proof["sessionRequest"].(map[string]any)["did"] = did
	r := c.do(wireReq{path: "/docuverify/document_share_session/create", inner: proof})
	require.NoError(t, sim.Complete(r.json(t)["sessionId"].(string), CompleteOptions{}))
	created := c.newSession(`{"origin":{"tag":"sim","url":"` + sim.url("/adminconsole") + `","communityName":"default","communityId":"` + sim.communityID() +
		`","authPage":"blockid://authenticate"},"scopes":"","authtype":"none","metadata":{"purpose":"authentication","did":"` + did + `"}}`)
	sid := created.json(t)["sessionId"].(string)
	out["uwl_response_pending"] = c.poll(sid).json(t)
	out["uwl_session_object"] = send(t, mustReq(t, http.MethodGet, sim.url("/liveid/session/"+sid))).json(t)
	require.NoError(t, sim.CompleteLiveID(sid, LiveIDOptions{Match: true}))
	answered := c.poll(sid)
	out["uwl_user_data"] = c.userData(answered)
	out["uwl_response_answered"] = answered.json(t)
	lookup := c.do(wireReq{method: http.MethodGet, servicePub: sim.community.PublicB64(),
		path: "/adminconsole/api/r1/community/default/userdid/" + did + "/userinfo", header: func(h http.Header) { h.Set("X-TenantTag", tenantTag) }})
	out["userinfo"] = openSealed(t, c.shared(sim.community.PublicB64()), lookup)
	return out
}

// volatile matches values that differ on every run: uuids, tokens, JWS,
// keys and ciphertexts.
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "00000000-0000-4000-8000-000000000000"},
	{regexp.MustCompile(`sim-cert\.[0-9a-f]{32}`), "sim-cert.00000000000000000000000000000000"},
	{regexp.MustCompile(`eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`), "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ2ZXJzaW9uIjoidjEifQ.c2lnbmF0dXJl"},
	{regexp.MustCompile(`"(data|publicKey)": "[A-Za-z0-9+/=]{40,}"`), `"$1": "<sealed or key>"`},
	{regexp.MustCompile(`http://127\.0\.0\.1:\d+`), "http://127.0.0.1:0"},
}

func scrub(b []byte) []byte {
	for _, v := range volatile {
		b = v.re.ReplaceAll(b, []byte(v.with))
	}
	return b
}

// TestAnswersHaveTheShapesOfFacts: every answer holds the fields FACTS.md
// names with their JSON kinds, document objects use only 1Kosmos's field
// names, nothing else appears where FACTS.md gives the exact shape, and
// the answers equal the golden samples.
func TestAnswersHaveTheShapesOfFacts(t *testing.T) {
	answers := goldenAnswers(t)
	names := make([]string, 0, len(factsShapes))
	for n := range factsShapes {
		names = append(names, n)
	}
	sort.Strings(names)
	require.Len(t, answers, len(factsShapes), "every shape has a sample")
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			sh := factsShapes[name]
			raw, err := json.Marshal(answers[name])
			require.NoError(t, err)
			var v map[string]any
			require.NoError(t, json.Unmarshal(raw, &v))
			for path, kind := range sh.fields {
				got, ok := at(v, path)
				if assert.True(t, ok, "%s: FACTS.md names %s", name, path) {
					assert.Equal(t, kind, kindOf(got), "%s: %s", name, path)
				}
			}
			if sh.exact {
				allowed := map[string]bool{}
				for p := range sh.fields {
					allowed[strings.SplitN(p, ".", 2)[0]] = true
				}
				for _, e := range sh.extra {
					allowed[e] = true
				}
				for k := range v {
					assert.True(t, allowed[k], "%s: %q is not in FACTS.md's shape", name, k)
				}
			}
			for _, key := range []string{"document", "dl_object", "ppt_object", "idcard_object"} {
				if doc, ok := v[key].(map[string]any); ok {
					for k := range doc {
						assert.Contains(t, documentNames, k, "%s: document field %q is not a 1Kosmos name", name, k)
					}
				}
			}
			golden := filepath.Join("testdata", "golden", name+".json")
			pretty, err := json.MarshalIndent(v, "", "  ")
			require.NoError(t, err)
			pretty = append(scrub(pretty), '\n')
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, pretty, 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run with -update to write the golden samples")
			assert.Equal(t, string(want), string(pretty), "golden sample %s", golden)
		})
	}
}

// at returns the value at a dotted path; numeric parts index arrays.
func at(v any, path string) (any, bool) {
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[part]; !ok {
				return nil, false
			}
		case []any:
			if part != "0" || len(x) == 0 {
				return nil, false
			}
			v = x[0]
		default:
			return nil, false
		}
	}
	return v, true
}

func kindOf(v any) string {
	switch v.(type) {
	case string:
		return kString
	case float64:
		return kNumber
	case bool:
		return kBool
	case map[string]any:
		return kObject
	case []any:
		return kArray
	}
	return "null"
}
