package conformance

import (
	"bytes"
	"encoding/json"
	"mime"
	"mime/multipart"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

const proofingPage = `<form method="post" action="/simulator/idproofing/session/s1" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="tok&amp;en">
<input type="checkbox" id="consent" name="consent" value="yes">
<select id="document_type" name="document_type"><option value="dl">DL</option><option value="passport" selected>P</option></select>
<select id="identity" name="identity"><option value="jane-doe">Jane</option><option value="erika">Erika</option></select>
<input type="radio" id="document-sample" name="document_source" value="sample" checked>
<input type="radio" id="document-upload" name="document_source" value="upload">
<input type="file" id="document" name="document">
<button type="submit" id="approve" name="action" value="approve">Submit</button>
<button type="submit" id="decline" name="action" value="decline">Decline</button>
</form>
<form id="other" action="/x"><input name="q" value="1"></form>`

func TestFormSubmission(t *testing.T) {
	f, b, ok := formWithButton(proofingPage, "approve")
	require.True(t, ok)
	require.Equal(t, "POST", f.method)
	require.Equal(t, url.Values{
		"csrf": {"tok&en"}, "consent": {"yes"}, "document_type": {"passport"}, "identity": {"jane-doe"},
		"document_source": {"sample"}, "action": {"approve"},
	}, f.submission(b, "consent"), "ticked box, selected or first option, checked radio, the pressed button; no file")

	_, d, _ := formWithButton(proofingPage, "decline")
	v := f.submission(d)
	require.Equal(t, "decline", v.Get("action"))
	require.Empty(t, v.Get("consent"), "unticked boxes are not sent")

	body, ct := f.encode(v)
	mt, params, err := mime.ParseMediaType(ct)
	require.NoError(t, err)
	require.Equal(t, "multipart/form-data", mt, "the form's enctype is honoured")
	form, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).ReadForm(1 << 20)
	require.NoError(t, err)
	require.Equal(t, []string{"tok&en"}, form.Value["csrf"])

	_, _, ok = formWithButton(proofingPage, "sample-match")
	require.False(t, ok)
	forms := parseForms(proofingPage)
	require.Len(t, forms, 2)
	require.Equal(t, "GET", forms[1].method)
}

func TestElementByID(t *testing.T) {
	page := `<p><a id="verify-link" class="button" href="https://sim.example/s?a=1&amp;b=2" target="_blank">Open</a></p>
<p id="status" data-status-url="/login/status?id=abc">Status</p><p id="error-problem">Bad <b>thing</b>.</p>`
	tag, a, ok := elementByID(page, "verify-link")
	require.True(t, ok)
	require.Equal(t, "a", tag)
	require.Equal(t, "https://sim.example/s?a=1&b=2", a["href"])
	_, a, _ = elementByID(page, "status")
	require.Equal(t, "/login/status?id=abc", a["data-status-url"])
	_, _, ok = elementByID(page, "continue")
	require.False(t, ok)
	require.Equal(t, "Bad thing.", pageText(page, "error-problem"))
}

func TestValidateVerifiedClaims(t *testing.T) {
	var disco map[string]any
	require.NoError(t, json.Unmarshal([]byte(`{"trust_frameworks_supported":["nist_800_63A"],"evidence_supported":["document"],
		"documents_supported":["passport"],"claims_in_verified_claims_supported":["given_name","family_name"]}`), &disco))
	good := `{"verification":{"trust_framework":"nist_800_63A","evidence":[{"type":"document","check_details":[{"check_method":"vri"}],"document_details":{"type":"passport"}}]},"claims":{"given_name":"Jane","family_name":"Doe"}}`
	for _, tt := range []struct {
		name, vc, err string
		evidence      bool
	}{
		{name: "object with evidence", vc: good, evidence: true},
		{name: "array", vc: `[` + good + `]`, evidence: true},
		{name: "no evidence when not requested", vc: `{"verification":{"trust_framework":"nist_800_63A"},"claims":{"given_name":"Jane"}}`},
		{name: "missing evidence", vc: `{"verification":{"trust_framework":"nist_800_63A"},"claims":{"given_name":"Jane"}}`, evidence: true, err: "evidence was requested"},
		{name: "unknown trust framework", vc: `{"verification":{"trust_framework":"eidas"},"claims":{"given_name":"Jane"}}`, err: "trust_framework"},
		{name: "no verification", vc: `{"claims":{"given_name":"Jane"}}`, err: "verification is missing"},
		{name: "empty claims", vc: `{"verification":{"trust_framework":"nist_800_63A"},"claims":{}}`, err: "claims is missing or empty"},
		{name: "claim not supported", vc: `{"verification":{"trust_framework":"nist_800_63A"},"claims":{"email":"a@b"}}`, err: "claims_in_verified_claims_supported"},
		{name: "evidence of another type", vc: `{"verification":{"trust_framework":"nist_800_63A","evidence":[{"type":"vouch"}]},"claims":{"given_name":"Jane"}}`, err: "evidence_supported"},
		{name: "document type not supported", vc: `{"verification":{"trust_framework":"nist_800_63A","evidence":[{"type":"document","check_details":[{}],"document_details":{"type":"idcard"}}]},"claims":{"given_name":"Jane"}}`, evidence: true, err: "documents_supported"},
		{name: "not an object", vc: `"x"`, err: "neither an object nor an array"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var vc any
			require.NoError(t, json.Unmarshal([]byte(tt.vc), &vc))
			names, err := validateVerifiedClaims(disco, vc, tt.evidence)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.NotEmpty(t, names)
		})
	}
}

func TestDescribeErrorPageNamesItsReference(t *testing.T) {
	p := &page{Status: 400, Body: `<h1 id="error-title" data-problem="bad_request">Not valid</h1><p id="error-problem">The application sent a request we cannot accept.</p>
<p id="error-reference" class="muted" data-ref="0123abcd">Reference: 0123abcd.</p>`}
	require.Equal(t, "HTTP 400 error page: The application sent a request we cannot accept. (idbridge's log has the detail under request_id 0123abcd)", describe(p))
}
