package simulator

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
)

func idvReq() idv.IDVRequest {
	return idv.IDVRequest{DocumentTypes: []idv.DocumentType{idv.Passport, idv.IDCard, idv.DriversLicense}, UserRef: "user-1"}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// noRedirect lets tests see the 303s.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func getPage(t *testing.T, u string) (wireResp, string) {
	t.Helper()
	req := mustReq(t, http.MethodGet, u)
	req.Header.Set("Accept", "text/html")
	r := send(t, req)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	m := csrfField.FindSubmatch(r.body)
	if m == nil {
		return r, ""
	}
	return r, string(m[1])
}

// postForm posts fields (and files) as multipart/form-data.
func postForm(t *testing.T, u string, fields map[string]string, files map[string][]byte) *http.Response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		require.NoError(t, mw.WriteField(k, v))
	}
	for k, v := range files {
		fw, err := mw.CreateFormFile(k, k+".png")
		require.NoError(t, err)
		_, _ = fw.Write(v)
	}
	require.NoError(t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, u, &b)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := noRedirect.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func TestIDVPage(t *testing.T) {
	sim, _ := startSim(t, Config{})
	ctx := context.Background()

	t.Run("headers and elements", func(t *testing.T) {
		s, err := sim.StartIDV(ctx, idvReq())
		require.NoError(t, err)
		r, csrf := getPage(t, s.URL)
		assert.Equal(t, pageCSP, r.header.Get("Content-Security-Policy"))
		assert.Equal(t, "DENY", r.header.Get("X-Frame-Options"))
		assert.NotEmpty(t, csrf)
		body := string(r.body)
		for _, id := range []string{`id="identity"`, `id="approve"`, `id="decline"`, `id="fail"`, `id="abandon"`, `id="expire"`, `id="consent"`, `id="selfie"`, `id="document"`, `id="selfie-sample"`} {
			assert.Contains(t, body, id)
		}
		assert.Contains(t, body, `<option value="ppt_object" selected>`, "document type preselected from the session")
		assert.Contains(t, body, "Simulator")
		assert.NotContains(t, body, "<script")
		assert.Contains(t, body, `src="data:image/png;base64,`, "sample selfies are shown")
		assert.NotContains(t, body, "ZgotmplZ")
		res, _ := sim.IDVResult(ctx, s.ID)
		assert.Equal(t, idv.StatusInProgress, res.Status)
	})

	tests := []struct {
		name     string
		fields   map[string]string
		files    map[string][]byte
		badCSRF  bool
		status   int
		wantIDV  idv.Status
		wantPass idv.Outcome
	}{
		{name: "approve with samples", fields: map[string]string{"action": "approve", "consent": "yes", "identity": "marie-martin", "document_type": "idcard_object", "selfie_source": "sample"}, status: 303, wantIDV: idv.StatusCompleted, wantPass: idv.Passed},
		{name: "approve with uploads", fields: map[string]string{"action": "approve", "consent": "yes", "identity": "jane-doe", "document_type": "dl_object", "selfie_source": "upload", "document_source": "upload"}, files: map[string][]byte{"selfie": strangerSelfie, "document": fixtures[0].DocumentImage}, status: 303, wantIDV: idv.StatusCompleted, wantPass: idv.Passed},
		{name: "spoof", fields: map[string]string{"action": "approve", "consent": "yes", "identity": "sam-spoof", "document_type": "ppt_object"}, status: 303, wantIDV: idv.StatusCompleted, wantPass: idv.Failed},
		{name: "decline", fields: map[string]string{"action": "decline"}, status: 303, wantIDV: idv.StatusDeclined, wantPass: idv.NotPerformed},
		{name: "fail", fields: map[string]string{"action": "fail"}, status: 303, wantIDV: idv.StatusCompleted, wantPass: idv.Failed},
		{name: "abandon", fields: map[string]string{"action": "abandon"}, status: 303, wantIDV: idv.StatusAbandoned, wantPass: idv.NotPerformed},
		{name: "expire", fields: map[string]string{"action": "expire"}, status: 303, wantIDV: idv.StatusExpired, wantPass: idv.NotPerformed},
		{name: "unknown action", fields: map[string]string{"action": "explode"}, status: 400, wantIDV: idv.StatusInProgress, wantPass: idv.NotPerformed},
		{name: "document type not requested", fields: map[string]string{"action": "approve", "consent": "yes", "identity": "jane-doe", "document_type": "selfie_object"}, status: 400, wantIDV: idv.StatusInProgress, wantPass: idv.NotPerformed},
		{name: "no consent", fields: map[string]string{"action": "approve", "identity": "jane-doe", "document_type": "dl_object"}, status: 400, wantIDV: idv.StatusInProgress, wantPass: idv.NotPerformed},
		{name: "upload chosen without file", fields: map[string]string{"action": "approve", "consent": "yes", "identity": "jane-doe", "document_type": "dl_object", "selfie_source": "upload"}, status: 400, wantIDV: idv.StatusInProgress, wantPass: idv.NotPerformed},
		{name: "unknown identity", fields: map[string]string{"action": "approve", "consent": "yes", "identity": "nobody", "document_type": "dl_object"}, status: 400, wantIDV: idv.StatusInProgress, wantPass: idv.NotPerformed},
		{name: "forged csrf", fields: map[string]string{"action": "approve", "consent": "yes", "identity": "jane-doe", "document_type": "dl_object"}, badCSRF: true, status: 403, wantIDV: idv.StatusInProgress, wantPass: idv.NotPerformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sim.StartIDV(ctx, idvReq())
			require.NoError(t, err)
			_, csrf := getPage(t, s.URL)
			tt.fields["csrf"] = csrf
			if tt.badCSRF {
				tt.fields["csrf"] = strings.Repeat("0", len(csrf))
			}
			res := postForm(t, s.URL, tt.fields, tt.files)
			require.Equal(t, tt.status, res.StatusCode)
			r, err := sim.IDVResult(ctx, s.ID)
			require.NoError(t, err)
			assert.Equal(t, tt.wantIDV, r.Status)
			assert.Equal(t, tt.wantPass, r.Verification)
			if tt.status != 303 {
				return
			}
			loc, err := url.Parse(res.Header.Get("Location"))
			require.NoError(t, err)
			assert.Equal(t, "/simulator/idproofing/session/"+s.ID+"/done", loc.Path)
			done, _ := getPage(t, sim.url("/idproofing/session/"+s.ID+"/done"))
			assert.Contains(t, string(done.body), `id="status"`)
			if tt.wantPass == idv.Passed {
				assert.Contains(t, string(done.body), ">Passed<")
			}
		})
	}

	t.Run("uploaded selfie is the face image", func(t *testing.T) {
		s, err := sim.StartIDV(ctx, idvReq())
		require.NoError(t, err)
		_, csrf := getPage(t, s.URL)
		res := postForm(t, s.URL, map[string]string{"csrf": csrf, "action": "approve", "consent": "yes", "identity": "jane-doe", "document_type": "dl_object", "selfie_source": "upload"}, map[string][]byte{"selfie": strangerSelfie})
		require.Equal(t, 303, res.StatusCode)
		r, err := sim.IDVResult(ctx, s.ID)
		require.NoError(t, err)
		assert.Equal(t, strangerSelfie, r.FaceImage)
	})

	t.Run("only the requested document types are offered", func(t *testing.T) {
		s, err := sim.StartIDV(ctx, idv.IDVRequest{DocumentTypes: []idv.DocumentType{idv.IDCard, idv.Passport}})
		require.NoError(t, err)
		r, csrf := getPage(t, s.URL)
		body := string(r.body)
		assert.Contains(t, body, `<option value="idcard_object" selected>`)
		assert.Contains(t, body, `<option value="ppt_object">`)
		assert.NotContains(t, body, `value="dl_object"`)
		res := postForm(t, s.URL, map[string]string{"csrf": csrf, "action": "approve", "consent": "yes", "identity": "jane-doe", "document_type": "dl_object"}, nil)
		assert.Equal(t, http.StatusBadRequest, res.StatusCode, "a licence was not requested")
		assert.ErrorIs(t, sim.Complete(s.ID, CompleteOptions{DocumentType: idv.DriversLicense}), idv.ErrInvalidInput)
	})

	t.Run("a failure shows its reason code", func(t *testing.T) {
		s, err := sim.StartIDV(ctx, idvReq())
		require.NoError(t, err)
		require.NoError(t, sim.Complete(s.ID, CompleteOptions{Fixture: "tom-expired"}))
		done, _ := getPage(t, sim.url("/idproofing/session/"+s.ID+"/done"))
		assert.Contains(t, string(done.body), `id="reason-code">`+CodeDocumentExpired+`<`)
	})

	t.Run("finished session shows the outcome", func(t *testing.T) {
		s, err := sim.StartIDV(ctx, idvReq())
		require.NoError(t, err)
		require.NoError(t, sim.Decline(s.ID))
		r, csrf := getPage(t, s.URL)
		assert.Empty(t, csrf)
		assert.Contains(t, string(r.body), "Declined")
	})

	t.Run("unknown session", func(t *testing.T) {
		r := send(t, mustReq(t, http.MethodGet, sim.url("/idproofing/session/nope")))
		assert.Equal(t, http.StatusNotFound, r.status)
		assert.Equal(t, pageCSP, r.header.Get("Content-Security-Policy"))
	})
}

func TestLiveIDPage(t *testing.T) {
	sim, _ := startSim(t, Config{})
	ctx := context.Background()
	proofed, err := sim.StartIDV(ctx, idv.IDVRequest{UserRef: "did-of-jane"})
	require.NoError(t, err)
	require.NoError(t, sim.Complete(proofed.ID, CompleteOptions{}))
	jane, ok := sim.Account("did-of-jane")
	require.True(t, ok)

	tests := []struct {
		name    string
		action  string
		status  idv.Status
		account *idv.Account
		reason  string
	}{
		{name: "my account", action: "match", status: idv.StatusCompleted, account: &jane},
		{name: "someone else", action: "nomatch", status: idv.StatusCompleted, account: &stranger},
		{name: "an answer without a DID", action: "nodid", status: idv.StatusCompleted, reason: "Unauthorized user"},
		{name: "decline", action: "decline", status: idv.StatusDeclined},
		{name: "expire", action: "expire", status: idv.StatusExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sim.StartLiveID(ctx, idv.LiveIDRequest{Account: &jane})
			require.NoError(t, err)
			r, csrf := getPage(t, s.URL)
			for _, id := range []string{`id="sample-match"`, `id="sample-nomatch"`, `id="nodid"`, `id="expire"`, `id="decline"`} {
				assert.Contains(t, string(r.body), id)
			}
			assert.Contains(t, string(r.body), jane.UserID, "the page names the account it signs in as")
			assert.Contains(t, string(r.body), `src="data:image/png;base64,`, "the enrolled face is shown")
			assert.Equal(t, "DENY", r.header.Get("X-Frame-Options"))
			res := postForm(t, s.URL, map[string]string{"csrf": csrf, "action": tt.action}, nil)
			require.Equal(t, http.StatusSeeOther, res.StatusCode)
			lr, err := sim.LiveIDResult(ctx, s.ID)
			require.NoError(t, err)
			assert.Equal(t, tt.status, lr.Status)
			assert.Equal(t, tt.account, lr.Account)
			assert.Equal(t, idv.NotPerformed, lr.FaceMatch)
			if tt.reason != "" {
				assert.Contains(t, lr.Reason, tt.reason)
			}
		})
	}

	t.Run("the QR code's URL is the session object for the app", func(t *testing.T) {
		s, err := sim.StartLiveID(ctx, idv.LiveIDRequest{Account: &jane})
		require.NoError(t, err)
		r := send(t, mustReq(t, http.MethodGet, s.URL))
		require.Equal(t, http.StatusOK, r.status)
		obj := r.json(t)
		assert.Equal(t, s.ID, obj["sessionId"])
		assert.Equal(t, "authentication", obj["metadata"].(map[string]any)["purpose"])
	})

	t.Run("forged csrf", func(t *testing.T) {
		s, err := sim.StartLiveID(ctx, idv.LiveIDRequest{Account: &jane})
		require.NoError(t, err)
		res := postForm(t, s.URL, map[string]string{"csrf": "x", "action": "match"}, nil)
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
	})
	t.Run("unknown action", func(t *testing.T) {
		s, err := sim.StartLiveID(ctx, idv.LiveIDRequest{Account: &jane})
		require.NoError(t, err)
		_, csrf := getPage(t, s.URL)
		res := postForm(t, s.URL, map[string]string{"csrf": csrf, "action": "upload"}, nil)
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	})
	t.Run("no account to sign in as", func(t *testing.T) {
		_, err := sim.StartLiveID(ctx, idv.LiveIDRequest{UserRef: "nobody-proofed"})
		require.ErrorIs(t, err, idv.ErrInvalidInput)
	})
}
