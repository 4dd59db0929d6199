package onekosmos

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
)

func TestStartLiveIDRequestShape(t *testing.T) {
	tests := []struct {
		name    string
		answer  map[string]string
		status  int
		wantURL func(f *fakeService) string
		wantErr error
	}{
		{name: "url from the answer", status: 201, answer: map[string]string{"sessionId": "a-1", "url": "https://app.example/a-1"},
			wantURL: func(*fakeService) string { return "https://app.example/a-1" }},
		{name: "url from the template", status: 201, answer: map[string]string{"sessionId": "a/1"},
			wantURL: func(f *fakeService) string { return f.srv.URL + "/sessions/session/a%2F1" }},
		{name: "refused", status: 400, answer: map[string]string{"message": "origin is required"}, wantErr: idv.ErrRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			var body appSessionRequest
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
			s, err := c.StartLiveID(context.Background(), idv.LiveIDRequest{UserRef: "u-1", FaceRef: "ref-1"})
			assert.Equal(t, 1, f.count(rNew), "never retried")
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.answer["sessionId"], s.ID)
			assert.Equal(t, tt.wantURL(f), s.URL)
			assert.Equal(t, "fake", body.Origin.Tag)
			assert.Equal(t, "c1", body.Origin.CommunityID)
			assert.Equal(t, "default", body.Origin.CommunityName)
			assert.Equal(t, appMetadata{UserID: "u-1", FaceRef: "ref-1"}, body.Metadata)
			assert.Equal(t, 1, f.count(rSessKey))
		})
	}
}

func TestLiveIDResultUsesAuthenticatorKey(t *testing.T) {
	f := newFake(t)
	auth, err := envelope.GenerateKey(envelope.Secp256k1)
	require.NoError(t, err)
	var completed atomic.Bool
	f.set("GET /sessions/session/{id}/response", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "1", r.Header.Get("addsessioninfo"))
		assert.Equal(t, "/sessions/session/a-1/response", r.URL.Path)
		if _, _, ok := f.openWith(r, f.key(&f.sess)); !ok {
			writeJSONT(w, 401, map[string]any{"code": 401, "message": "invalid licensekey"})
			return
		}
		if !completed.Load() {
			writeJSONT(w, 200, map[string]string{"sessionId": "a-1", "status": "In Progress"})
			return
		}
		key, err := auth.SharedKey(r.Header.Get("publickey"))
		require.NoError(t, err)
		plain, _ := json.Marshal(map[string]any{
			"sessionId": "a-1", "status": "Completed", "face_liveness": "Passed",
			"face_compare": "Failed", "confidence": 12.5, "reason": "face does not match",
			"completedAt": "2026-11-25T10:00:00Z",
		})
		wire, err := envelope.Seal(key, plain)
		require.NoError(t, err)
		writeJSONT(w, 200, map[string]string{"sessionId": "a-1", "data": wire, "publicKey": auth.PublicB64()})
	})
	c := f.client(nil)
	r, err := c.LiveIDResult(context.Background(), "a-1")
	require.NoError(t, err)
	assert.Equal(t, idv.LiveIDResult{ChallengeID: "a-1", Status: idv.StatusInProgress, Liveness: idv.NotPerformed, FaceMatch: idv.NotPerformed}, r)

	completed.Store(true)
	r, err = c.LiveIDResult(context.Background(), "a-1")
	require.NoError(t, err)
	assert.Equal(t, idv.StatusCompleted, r.Status)
	assert.Equal(t, idv.Passed, r.Liveness)
	assert.Equal(t, idv.Failed, r.FaceMatch)
	assert.InDelta(t, 0.125, r.Confidence, 1e-9, "a percentage is scaled")
	assert.Equal(t, "face does not match", r.Reason)
	assert.Equal(t, "2026-11-25T10:00:00Z", r.CompletedAt.Format("2006-01-02T15:04:05Z07:00"))
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
			f.set("GET /sessions/session/{id}/response", func(w http.ResponseWriter, r *http.Request) {
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
	tests := []struct {
		name    string
		req     idv.FaceCheck
		wantVer []string
	}{
		{name: "liveness and compare", req: idv.FaceCheck{Image: []byte("png-bytes"), FaceRef: "ref-1"}, wantVer: []string{"face_liveness", "face_compare"}},
		{name: "liveness only without a face", req: idv.FaceCheck{Image: []byte("png-bytes")}, wantVer: []string{"face_liveness"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.set(rVerify, func(w http.ResponseWriter, r *http.Request) {
				key, data, ok := f.open(r)
				require.True(t, ok)
				var q verifyRequest
				require.NoError(t, json.Unmarshal([]byte(data), &q))
				assert.Equal(t, fakeDVCID, q.DVCID)
				assert.Equal(t, tt.wantVer, q.Verifications)
				assert.Equal(t, base64.StdEncoding.EncodeToString(tt.req.Image), q.Document.LiveID)
				assert.Equal(t, tt.req.FaceRef, q.Document.Face)
				f.sealed(w, key, map[string]any{
					"face_liveness": map[string]string{"status": "Passed"},
					"face_compare":  map[string]any{"status": "Passed", "confidence": 0.93},
				})
			})
			r, err := f.client(nil).CheckFace(context.Background(), tt.req)
			require.NoError(t, err)
			assert.Equal(t, idv.StatusCompleted, r.Status)
			assert.Equal(t, idv.Passed, r.Liveness)
			assert.Equal(t, idv.Passed, r.FaceMatch)
			assert.InDelta(t, 0.93, r.Confidence, 1e-9)
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
		{name: "passport", req: idv.IDVRequest{DocumentType: idv.Passport, UserRef: "u-1", LivenessMode: "active"}, want: `"documentType":"ppt_object","userUID":"u-1","did":"u-1"}`},
		{name: "liveness recorded when configured", record: true, req: idv.IDVRequest{DocumentType: idv.IDCard, UserRef: "u-1", LivenessMode: "active"}, want: `"documentType":"idcard_object","userUID":"u-1","did":"u-1","livenessMode":"active"}`},
		{name: "unknown document", req: idv.IDVRequest{DocumentType: "selfie"}, wantErr: idv.ErrInvalidInput},
		{name: "unknown liveness", req: idv.IDVRequest{LivenessMode: "sleepy"}, wantErr: idv.ErrInvalidInput},
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
