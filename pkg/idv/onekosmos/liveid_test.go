package onekosmos

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
)

func TestStartLiveIDRequestShape(t *testing.T) {
	tests := []struct {
		name     string
		req      idv.LiveIDRequest
		answer   map[string]string
		status   int
		metadata appMetadata
		wantErr  error
	}{
		{name: "bound account", status: 201, req: idv.LiveIDRequest{UserRef: "u-1", Account: &idv.Account{DID: "did-1", UserID: "jane@example.com"}, FaceImage: []byte("face")},
			answer: map[string]string{"sessionId": "a/1", "url": "https://ignored.example/a-1"}, metadata: appMetadata{Purpose: "authentication", DID: "did-1", UserRef: "u-1"}},
		{name: "no account yet", status: 201, req: idv.LiveIDRequest{UserRef: "u-1"},
			answer: map[string]string{"sessionId": "a/1"}, metadata: appMetadata{Purpose: "authentication", UserRef: "u-1"}},
		{name: "refused", status: 400, answer: map[string]string{"message": "origin is required"}, wantErr: idv.ErrRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			var body map[string]any
			f.set(rNew, func(w http.ResponseWriter, r *http.Request) {
				raw, _ := io.ReadAll(r.Body)
				require.NoError(t, json.Unmarshal(raw, &body), "plain JSON body")
				key, err := f.key(&f.sess).SharedKey(r.Header.Get("publickey"))
				require.NoError(t, err)
				lk, err := envelope.Open(key, r.Header.Get("licensekey"))
				require.NoError(t, err, "headers keyed by the sessions key")
				assert.Equal(t, fakeLicense, string(lk))
				rid, err := envelope.Open(key, r.Header.Get("requestid"))
				require.NoError(t, err)
				assert.Regexp(t, `^\{"ts":\d+,"appid":"fixme","uuid":"[0-9a-f-]{36}"\}$`, string(rid))
				writeJSONT(w, tt.status, tt.answer)
			})
			c := f.client(nil)
			s, err := c.StartLiveID(context.Background(), tt.req)
			assert.Equal(t, 1, f.count(rNew), "never retried")
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.answer["sessionId"], s.ID)
			assert.Equal(t, f.srv.URL+"/sessions/session/a%2F1", s.URL, "the helpers' sessions URL, not the answer's url")
			assert.Equal(t, map[string]any{"tag": "fake", "url": f.srv.URL + "/adminconsole", "communityName": "default", "communityId": "c1",
				"authPage": "blockid://authenticate"}, body["origin"])
			assert.Equal(t, "", body["scopes"])
			assert.Equal(t, "none", body["authtype"])
			raw, _ := json.Marshal(body["metadata"])
			var md appMetadata
			require.NoError(t, json.Unmarshal(raw, &md))
			assert.Equal(t, tt.metadata, md)
			assert.NotContains(t, string(raw), "jane@example.com", "no personal data in the session object")
			assert.Len(t, body, 4, "origin, scopes, authtype, metadata")
			assert.Equal(t, 1, f.count(rSessKey))
		})
	}
}

// answerAs makes the fake's session response the authenticator's answer
// with user_data sealed for the requester, as 1Kosmos's authenticator does.
func answerAs(t *testing.T, f *fakeService, userData string, answered *atomic.Bool) {
	auth, err := envelope.GenerateKey(envelope.Secp256k1)
	require.NoError(t, err)
	f.set(rResponse, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "1", r.Header.Get("addsessioninfo"))
		assert.Equal(t, "/sessions/session/a-1/response", r.URL.Path)
		if _, _, ok := f.openWith(r, f.key(&f.sess)); !ok {
			writeJSONT(w, 401, map[string]any{"code": 401, "message": "invalid licensekey"})
			return
		}
		info := map[string]any{"metadata": map[string]string{"purpose": "authentication"}}
		if answered != nil && !answered.Load() {
			writeJSONT(w, 200, map[string]any{"sessionId": "a-1", "sessionInfo": info})
			return
		}
		key, err := auth.SharedKey(r.Header.Get("publickey"))
		require.NoError(t, err)
		wire, err := envelope.Seal(key, []byte(userData))
		require.NoError(t, err)
		writeJSONT(w, 200, map[string]any{"data": wire, "publicKey": auth.PublicB64(), "sessionInfo": info})
	})
}

func TestLiveIDResultUsesAuthenticatorKey(t *testing.T) {
	f := newFake(t)
	f.accounts["did-1"] = []string{"jane@example.com"}
	var answered atomic.Bool
	answerAs(t, f, `{"did":"did-1","userid":"jane@example.com"}`, &answered)
	c := f.client(nil)
	r, err := c.LiveIDResult(context.Background(), "a-1")
	require.NoError(t, err)
	assert.Equal(t, idv.LiveIDResult{ChallengeID: "a-1", Status: idv.StatusPending, Liveness: idv.NotPerformed, FaceMatch: idv.NotPerformed}, r,
		"a 200 without data: nobody has answered")
	assert.Zero(t, f.count(rLookup))

	answered.Store(true)
	r, err = c.LiveIDResult(context.Background(), "a-1")
	require.NoError(t, err)
	assert.Equal(t, idv.StatusCompleted, r.Status)
	assert.Equal(t, &idv.Account{DID: "did-1", UserID: "jane@example.com"}, r.Account)
	assert.Equal(t, idv.NotPerformed, r.Liveness, "the app reports no face outcome")
	assert.Equal(t, idv.NotPerformed, r.FaceMatch)
	assert.Nil(t, r.Confidence)
	assert.Empty(t, r.Reason)
	assert.False(t, r.CompletedAt.IsZero())
	assert.Equal(t, 1, f.count(rLookup), "the account looked up by DID")
}

// TestAuthenticatorAnswers: real-shaped authenticator answers, judged as
// 1Kosmos's helpers judge them. The verifier reports who signed in; it is
// the caller that compares it with the person's bound account.
func TestAuthenticatorAnswers(t *testing.T) {
	bound := &idv.Account{DID: "did-jane", UserID: "jane@example.com"}
	tests := []struct {
		name     string
		userData string
		want     *idv.Account
		reason   string
		sameUser bool
	}{
		{name: "the bound account", userData: `{"did":"did-jane","userid":"jane@example.com"}`, want: bound, sameUser: true},
		{name: "the wrong 1Kosmos user is reported as who signed in", userData: `{"did":"did-mallory","userid":"mallory@example.com"}`,
			want: &idv.Account{DID: "did-mallory", UserID: "mallory@example.com"}},
		{name: "userid matched case-insensitively, anywhere in the list", userData: `{"did":"did-jane","userid":"JANE.DOE"}`,
			want: &idv.Account{DID: "did-jane", UserID: "JANE.DOE"}, sameUser: true},
		{name: "no userid: the first listed", userData: `{"did":"did-jane"}`, want: bound, sameUser: true},
		{name: "no did is refused", userData: `{"userid":"jane@example.com"}`, reason: "Unauthorized user"},
		{name: "an empty did is refused", userData: `{"did":"","userid":"jane@example.com"}`, reason: "Unauthorized user"},
		{name: "a did 1Kosmos does not know is refused", userData: `{"did":"did-nobody","userid":"jane@example.com"}`, reason: "Unauthorized user"},
		{name: "another DID's userid is refused", userData: `{"did":"did-jane","userid":"mallory@example.com"}`, reason: "Unauthorized user"},
		{name: "an account that lists nobody is refused", userData: `{"did":"did-empty"}`, reason: "Unauthorized user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.accounts["did-jane"] = []string{"jane@example.com", "jane.doe"}
			f.accounts["did-mallory"] = []string{"mallory@example.com"}
			f.accounts["did-empty"] = nil
			answerAs(t, f, tt.userData, nil)
			r, err := f.client(nil).LiveIDResult(context.Background(), "a-1")
			require.NoError(t, err)
			assert.Equal(t, idv.StatusCompleted, r.Status)
			assert.Equal(t, tt.want, r.Account)
			assert.Equal(t, tt.sameUser, idv.SameAccount(r.Account, bound), "what the journey core decides from it")
			if tt.reason == "" {
				assert.Empty(t, r.Reason)
			} else {
				assert.Contains(t, r.Reason, tt.reason)
			}
		})
	}
}

func TestAccountLookupFailures(t *testing.T) {
	tests := []struct {
		name   string
		lookup http.HandlerFunc
		mod    func(f *fakeService)
		want   error
		msg    string
	}{
		{name: "5xx is unavailable", lookup: func(w http.ResponseWriter, r *http.Request) {
			writeJSONT(w, 503, map[string]any{"code": 503, "message": "busy"})
		}, want: idv.ErrUnavailable},
		{name: "garbage is unavailable", lookup: func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "<html>") }, want: idv.ErrUnavailable},
		{name: "data sealed with another key", lookup: func(w http.ResponseWriter, r *http.Request) {
			writeJSONT(w, 200, map[string]string{"data": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
		}, want: idv.ErrUnavailable, msg: "decrypted"},
		{name: "refused licence is rejected", lookup: func(w http.ResponseWriter, r *http.Request) {
			writeJSONT(w, 401, map[string]any{"code": 401, "message": "invalid licensekey"})
		}, want: idv.ErrRejected},
		{name: "community info without a key", mod: func(f *fakeService) {
			f.set(rCommunity, func(w http.ResponseWriter, r *http.Request) {
				writeJSONT(w, 200, map[string]any{"tenant": map[string]any{"id": "t1", "tenanttag": "fake"}, "community": map[string]any{"id": "c1", "name": "default"}})
			})
		}, want: idv.ErrRejected, msg: "community publicKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			answerAs(t, f, `{"did":"did-1"}`, nil)
			if tt.lookup != nil {
				f.set(rLookup, tt.lookup)
			}
			if tt.mod != nil {
				tt.mod(f)
			}
			_, err := f.client(nil).LiveIDResult(context.Background(), "a-1")
			require.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

func TestLiveIDResultErrors(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		want    error
		message string
	}{
		{name: "unknown session", status: 404, body: `{"code":404,"message":"session not found"}`, want: idv.ErrNotFound},
		{name: "path missing", status: 404, body: `404 page not found`, want: idv.ErrRejected, message: "Paths.AppSessionResponse"},
		{name: "data without publicKey", status: 200, body: `{"data":"AAAA"}`, want: idv.ErrUnavailable, message: "decrypted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.set(rResponse, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			})
			_, err := f.client(nil).LiveIDResult(context.Background(), "a-1")
			require.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), tt.message)
		})
	}
	_, err := newFake(t).client(nil).LiveIDResult(context.Background(), " ")
	require.ErrorIs(t, err, idv.ErrInvalidInput)
}

func TestCheckFaceRequestShape(t *testing.T) {
	selfie, enrolled := []byte("selfie-bytes"), []byte("enrolled-bytes")
	tests := []struct {
		name     string
		req      idv.FaceCheck
		answers  map[string]any // per check: the plaintext answered
		calls    []string
		liveness idv.Outcome
		match    idv.Outcome
	}{
		{name: "liveness, then compare", req: idv.FaceCheck{Image: selfie, Enrolled: enrolled},
			answers: map[string]any{
				"face_liveness": map[string]any{"certifications": []any{map[string]any{"verified": true, "status": 200}}},
				"face_compare":  map[string]any{"result": map[string]any{"certifications": []any{map[string]any{"verified": true, "status": 200}}}},
			}, calls: []string{"face_liveness", "face_compare"}, liveness: idv.Passed, match: idv.Passed},
		{name: "no compare after failed liveness", req: idv.FaceCheck{Image: selfie, Enrolled: enrolled},
			answers: map[string]any{"face_liveness": map[string]any{"certifications": []any{map[string]any{"verified": false, "status": 400}}}},
			calls:   []string{"face_liveness"}, liveness: idv.Failed, match: idv.NotPerformed},
		{name: "liveness only without an enrolled face", req: idv.FaceCheck{Image: selfie},
			answers: map[string]any{"face_liveness": map[string]any{"certifications": []any{map[string]any{"verified": true}}}},
			calls:   []string{"face_liveness"}, liveness: idv.Passed, match: idv.NotPerformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			var calls []string
			var ref string
			f.set(rVerify, func(w http.ResponseWriter, r *http.Request) {
				key, data, ok := f.open(r)
				require.True(t, ok)
				var q struct {
					DVCID         string            `json:"dvcID"`
					Verifications []string          `json:"verifications"`
					Document      map[string]string `json:"document"`
				}
				require.NoError(t, json.Unmarshal([]byte(data), &q))
				assert.Equal(t, fakeDVCID, q.DVCID)
				require.Len(t, q.Verifications, 1, "one check per call")
				check := q.Verifications[0]
				calls = append(calls, check)
				id, _, _ := strings.Cut(q.Document["id"], ".")
				if ref == "" {
					ref = id
				}
				assert.Equal(t, ref, id, "one reference for the check's calls")
				switch check {
				case "face_liveness":
					assert.Equal(t, map[string]string{"id": ref + ".liveid", "type": "liveid", "liveId": base64.StdEncoding.EncodeToString(selfie)}, q.Document)
				case "face_compare":
					assert.Equal(t, map[string]string{"id": ref + ".face_compare", "type": "face_compare", "image1": base64.StdEncoding.EncodeToString(selfie),
						"image2": base64.StdEncoding.EncodeToString(enrolled), "purpose": "doc_enrollment"}, q.Document)
				}
				f.sealed(w, key, tt.answers[check])
			})
			r, err := f.client(nil).CheckFace(context.Background(), tt.req)
			require.NoError(t, err)
			assert.Equal(t, tt.calls, calls)
			assert.Equal(t, idv.StatusCompleted, r.Status)
			assert.Equal(t, tt.liveness, r.Liveness)
			assert.Equal(t, tt.match, r.FaceMatch)
			assert.Nil(t, r.Confidence)
			assert.False(t, r.CompletedAt.IsZero())
		})
	}
	_, err := newFake(t).client(nil).CheckFace(context.Background(), idv.FaceCheck{})
	require.ErrorIs(t, err, idv.ErrInvalidInput)
}

func TestStartIDVRequest(t *testing.T) {
	tests := []struct {
		name    string
		req     idv.IDVRequest
		record  bool
		want    string // expected sessionRequest fields after tenantDNS/communityName
		wantErr error
	}{
		{name: "defaults", req: idv.IDVRequest{UserRef: "u-1"}, want: `"documentType":"dl_object","userUID":"u-1","did":"u-1"}`},
		{name: "passport", req: idv.IDVRequest{DocumentTypes: []idv.DocumentType{idv.Passport}, UserRef: "u-1", LivenessMode: "passive"}, want: `"documentType":"ppt_object","userUID":"u-1","did":"u-1"}`},
		{name: "several types: the first, then all", req: idv.IDVRequest{DocumentTypes: []idv.DocumentType{idv.IDCard, idv.Passport, idv.IDCard}, UserRef: "u-1"},
			want: `"documentType":"idcard_object","documentTypes":["idcard_object","ppt_object"],"userUID":"u-1","did":"u-1"}`},
		{name: "liveness recorded when configured", record: true, req: idv.IDVRequest{DocumentTypes: []idv.DocumentType{idv.IDCard}, UserRef: "u-1", LivenessMode: "passive"}, want: `"documentType":"idcard_object","userUID":"u-1","did":"u-1","livenessMode":"passive"}`},
		{name: "unknown document", req: idv.IDVRequest{DocumentTypes: []idv.DocumentType{"selfie"}}, wantErr: idv.ErrInvalidInput},
		{name: "unknown liveness", req: idv.IDVRequest{LivenessMode: "sleepy"}, wantErr: idv.ErrInvalidInput},
		{name: "active liveness cannot be asked", req: idv.IDVRequest{LivenessMode: "active"}, wantErr: idv.ErrInvalidInput},
		{name: "no liveness cannot be asked", req: idv.IDVRequest{LivenessMode: "none"}, wantErr: idv.ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			var got string
			f.set(rCreate, func(w http.ResponseWriter, r *http.Request) {
				_, got, _ = f.open(r)
				writeJSONT(w, 200, map[string]string{"sessionId": "s-1", "url": "u"})
			})
			c := f.client(func(cfg *Config) { cfg.RecordLivenessMode = tt.record })
			_, err := c.StartIDV(context.Background(), tt.req)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Zero(t, f.count(rCreate)+f.count(rSD), "nothing sent")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, `{"dvcID":"dvc_fake","sessionRequest":{"tenantDNS":"tenant.example.invalid","communityName":"default",`+tt.want+`}`, got)
		})
	}
}
