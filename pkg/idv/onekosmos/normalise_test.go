package onekosmos

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestStatusWord(t *testing.T) {
	tests := []struct {
		in      string
		want    idv.Status
		verdict idv.Outcome
		ok      bool
	}{
		{"SUCCESS", idv.StatusCompleted, idv.Passed, true},
		{"FAILED", idv.StatusCompleted, idv.Failed, true},
		{"EXPIRED", idv.StatusExpired, idv.NotPerformed, true},
		{"ABANDONED", idv.StatusAbandoned, idv.NotPerformed, true},
		{"INPROGRESS", idv.StatusInProgress, idv.NotPerformed, true},
		{"failed", idv.StatusCompleted, idv.Failed, true},
		{"Pending", idv.StatusPending, idv.NotPerformed, true},
		{"In Progress", idv.StatusInProgress, idv.NotPerformed, true},
		{"in_progress", idv.StatusInProgress, idv.NotPerformed, true},
		{"Completed", idv.StatusCompleted, idv.NotPerformed, true},
		{"Declined", idv.StatusDeclined, idv.NotPerformed, true},
		{" abandoned ", idv.StatusAbandoned, idv.NotPerformed, true},
		{"Frobnicated", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, verdict, ok := statusWord(tt.in)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.verdict, verdict)
		})
	}
}

// golden reads one of the simulator's golden samples, the shapes of
// shared/onekosmos/FACTS.md.
func golden(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "simulator", "testdata", "golden", name+".json"))
	require.NoError(t, err)
	return b
}

// TestNormalizeFactsShapes reads every v1 and v3 result shape.
func TestNormalizeFactsShapes(t *testing.T) {
	jane := simulator.Fixtures()[0]
	passed := func(r idv.IDVResult, want *idv.Account, token bool) {
		t.Helper()
		assert.Equal(t, idv.StatusCompleted, r.Status)
		assert.Equal(t, idv.Passed, r.Verification)
		assert.Equal(t, idv.Passed, r.Liveness, "a SUCCESS passed the workflow's selfie step")
		assert.Equal(t, idv.Passed, r.FaceMatch)
		require.NotNil(t, r.Document)
		assert.Equal(t, &idv.Document{Type: idv.DriversLicense, Number: "D1234567", IssuingCountry: "US", Issuer: "CA",
			DateOfIssuance: "2021-05-01", DateOfExpiry: "2031-04-12"}, r.Document)
		assert.Equal(t, &idv.Person{GivenName: "Jane", MiddleName: "Quinn", FamilyName: "Doe", BirthDate: "1990-04-12", PlaceOfBirth: "Sacramento",
			Address: &idv.Address{StreetAddress: "123 Main Street", Locality: "Springfield", Region: "CA", PostalCode: "90001", Country: "US"}}, r.Person)
		assert.Equal(t, jane.Selfie, r.FaceImage, "base64 image bytes decoded")
		assert.NotEmpty(t, r.ProofJWT)
		assert.Equal(t, token, r.CertificateToken != "")
		assert.Equal(t, want, r.Account)
		assert.Equal(t, testNow, r.CompletedAt, "no time in the answer: when it was read")
	}
	r, err := normalizeResult(golden(t, "result_v1_success"), testNow)
	require.NoError(t, err)
	passed(r, nil, true)
	r, err = normalizeResult(golden(t, "result_v3_success"), testNow)
	require.NoError(t, err)
	passed(r, &idv.Account{DID: "did-golden-success", UserID: "user.7f7a76b8"}, false)

	tests := []struct {
		name    string
		status  idv.Status
		verdict idv.Outcome
		code    string
		reason  string
	}{
		{"result_v1_inprogress", idv.StatusInProgress, idv.NotPerformed, "", ""},
		{"result_v3_inprogress", idv.StatusInProgress, idv.NotPerformed, "", ""},
		{"result_v1_failed", idv.StatusCompleted, idv.Failed, "IDV1003", "document could not be verified"},
		{"result_v3_failed", idv.StatusCompleted, idv.Failed, "IDV1003", "document could not be verified"},
		{"result_v3_failed_camel", idv.StatusCompleted, idv.Failed, "IDV1003", "document could not be verified"},
		{"result_v1_expired", idv.StatusExpired, idv.NotPerformed, "", ""},
		{"result_v3_expired", idv.StatusExpired, idv.NotPerformed, "", ""},
		{"result_v1_abandoned", idv.StatusAbandoned, idv.NotPerformed, "", ""},
		{"result_v3_abandoned", idv.StatusAbandoned, idv.NotPerformed, "", ""},
		{"result_v1_declined", idv.StatusDeclined, idv.NotPerformed, "", "declined by the person"},
		{"result_v3_declined", idv.StatusDeclined, idv.NotPerformed, "", "declined by the person"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := normalizeResult(golden(t, tt.name), testNow)
			require.NoError(t, err)
			assert.Equal(t, "00000000-0000-4000-8000-000000000000", r.SessionID)
			assert.Equal(t, tt.status, r.Status)
			assert.Equal(t, tt.verdict, r.Verification)
			assert.Equal(t, tt.code, r.ReasonCode)
			assert.Equal(t, tt.reason, r.Reason)
			assert.Equal(t, idv.NotPerformed, r.Liveness)
			assert.Nil(t, r.Person)
			assert.Nil(t, r.FaceImage)
			assert.Equal(t, tt.status.Terminal(), !r.CompletedAt.IsZero())
		})
	}
	camel, err := normalizeResult(golden(t, "result_v3_failed_camel"), testNow)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), camel.CompletedAt, "errorInfo.ts, milliseconds")
}

// TestNormalizeFallbacks: older spellings still read, as fallbacks.
func TestNormalizeFallbacks(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want idv.IDVResult
		err  error
	}{
		{
			name: "third-party words",
			in:   `{"sessionId":"s","status":"Pending","verification":"Not performed"}`,
			want: idv.IDVResult{SessionID: "s", Status: idv.StatusPending, Verification: idv.NotPerformed, Liveness: idv.NotPerformed, FaceMatch: idv.NotPerformed},
		},
		{
			name: "older field names, outcomes and ISO dates",
			in: `{"sessionId":"s","status":"completed","verification":"PASSED","documentType":"ppt_object",
				"face_liveness":"Passed","face_compare":{"status":"Failed"},"completedAt":"2026-11-25T10:00:00Z",
				"scores":{"document":0.9,"bogus":"x"},
				"ppt_object":{"firstName":"Ada","lastName":"Lovelace","dob":"1815-12-10","documentNumber":"P123",
				  "issuingCountry":"gb","dateOfExpiry":"12/31/2030","nationality":"GBR","proof_jwt":"a.b.c","token":"cert",
				  "liveid_object":{"face":"4f1c","proofedBy":"x"}}}`,
			want: idv.IDVResult{
				SessionID: "s", Status: idv.StatusCompleted, Verification: idv.Passed,
				Liveness: idv.Passed, FaceMatch: idv.Failed, ProofJWT: "a.b.c", CertificateToken: "cert",
				Scores:      map[string]float64{"document": 0.9},
				CompletedAt: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
				Document:    &idv.Document{Type: idv.Passport, Number: "P123", IssuingCountry: "GB", DateOfExpiry: "2030-12-31"},
				Person:      &idv.Person{GivenName: "Ada", FamilyName: "Lovelace", BirthDate: "1815-12-10", Nationalities: []string{"GBR"}},
			},
		},
		{
			name: "a failed older verdict wins over SUCCESS",
			in:   `{"responseStatus":"SUCCESS","verification":"Failed","dl_object":{"firstName":"X"}}`,
			want: idv.IDVResult{Status: idv.StatusCompleted, Verification: idv.Failed, Liveness: idv.NotPerformed, FaceMatch: idv.NotPerformed, CompletedAt: testNow},
		},
		{
			name: "document as a JSON string, type from its words",
			in:   `{"sessionResult":"SUCCESS","document":"{\"documentType\":\"RESIDENCE_PERMIT\",\"documentId\":\"R1\",\"firstName\":\"Y\"}"}`,
			want: idv.IDVResult{Status: idv.StatusCompleted, Verification: idv.Passed, Liveness: idv.Passed, FaceMatch: idv.Passed, CompletedAt: testNow,
				Document: &idv.Document{Type: idv.IDCard, Number: "R1"}, Person: &idv.Person{GivenName: "Y"}},
		},
		{
			name: "extractedInfo fills what the document lacks",
			in:   `{"sessionResult":"SUCCESS","extractedInfo":{"documentId":"E9","firstName":"Z","lastName":"Q","doe":"20300101"},"document":{"type":"ppt"}}`,
			want: idv.IDVResult{Status: idv.StatusCompleted, Verification: idv.Passed, Liveness: idv.Passed, FaceMatch: idv.Passed, CompletedAt: testNow,
				Document: &idv.Document{Type: idv.Passport, Number: "E9", DateOfExpiry: "2030-01-01"}, Person: &idv.Person{GivenName: "Z", FamilyName: "Q"}},
		},
		{
			name: "document object without status is completed, verdict unknown",
			in:   `{"idcard_object":{"firstName":"X","dob":"not a date","issuingCountry":"Narnia"},"liveid_object":{"face":""}}`,
			want: idv.IDVResult{Status: idv.StatusCompleted, Verification: idv.NotPerformed, Liveness: idv.NotPerformed, FaceMatch: idv.NotPerformed, CompletedAt: testNow},
		},
		{
			name: "declined keeps no person",
			in:   `{"status":"Declined","reason":"user declined","dl_object":{"firstName":"X"}}`,
			want: idv.IDVResult{Status: idv.StatusDeclined, Verification: idv.NotPerformed, Liveness: idv.NotPerformed, FaceMatch: idv.NotPerformed, Reason: "user declined", CompletedAt: testNow},
		},
		{
			name: "wrong types read as absent",
			in:   `{"status":"Pending","sessionId":42,"verification":{"x":1},"scores":[1],"completedAt":true,"dl_object":"str","sessionData":{"user":"me"},"errorInfo":7}`,
			want: idv.IDVResult{SessionID: "42", Status: idv.StatusPending, Verification: idv.NotPerformed, Liveness: idv.NotPerformed, FaceMatch: idv.NotPerformed},
		},
		{name: "not an object", in: `[1,2]`, err: errGarbage},
		{name: "null", in: `null`, err: errGarbage},
		{name: "unknown status", in: `{"sessionResult":"Frobnicated"}`, err: errStatus},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := normalizeResult([]byte(tt.in), testNow)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestImageReadsOnlyImages(t *testing.T) {
	png := simulator.Fixtures()[0].Selfie
	b64 := "iVBORw0KGgo" // a PNG's first bytes
	for in, want := range map[string]bool{
		mustB64(png):                            true,
		"data:image/png;base64," + mustB64(png): true,
		"4f1c":                                  false, "": false, "%%%": false, b64: false,
		"Zm9vYmFy": false, // "foobar": base64, but not an image
	} {
		assert.Equal(t, want, image(in) != nil, "%.40q", in)
	}
}

func TestNormalizeCheck(t *testing.T) {
	tests := []struct {
		name, in, check string
		want            idv.Outcome
		reason          bool
		confidence      *float64
	}{
		{name: "golden liveness", in: string(golden(t, "verify_liveness")), check: "face_liveness", want: idv.Passed},
		{name: "golden liveness failed", in: string(golden(t, "verify_liveness_failed")), check: "face_liveness", want: idv.Failed, reason: true},
		{name: "golden compare under result", in: string(golden(t, "verify_compare_in_result")), check: "face_compare", want: idv.Failed, reason: true},
		{name: "golden compare in a result string", in: string(golden(t, "verify_compare_result_string")), check: "face_compare", want: idv.Failed, reason: true},
		{name: "status 400 is no", in: `{"certifications":[{"verified":true,"status":400}]}`, check: "face_compare", want: idv.Failed, reason: true},
		{name: "verified without status", in: `{"certifications":[{"verified":true}]}`, check: "face_compare", want: idv.Passed},
		{name: "the certification of the check", in: `{"certifications":[{"type":"face_liveness","verified":false},{"type":"face_compare","verified":true}]}`, check: "face_compare", want: idv.Passed},
		{name: "neither verified nor status", in: `{"certifications":[{"token":"t"}]}`, check: "face_compare", want: idv.NotPerformed},
		{name: "a confidence when given", in: `{"certifications":[{"verified":true,"confidence":87}]}`, check: "face_compare", want: idv.Passed, confidence: ptr(0.87)},
		{name: "an impossible confidence is none", in: `{"certifications":[{"verified":true,"confidence":1000}]}`, check: "face_compare", want: idv.Passed},
		{name: "older shape", in: `{"face_liveness":{"status":"Passed"},"face_compare":{"status":"Failed","confidence":0.12}}`, check: "face_compare", want: idv.Failed, confidence: ptr(0.12)},
		{name: "nothing", in: `{}`, check: "face_compare", want: idv.NotPerformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := normalizeCheck([]byte(tt.in), tt.check)
			require.NoError(t, err)
			assert.Equal(t, tt.want, r.outcome)
			assert.Equal(t, tt.reason, r.reason != "", r.reason)
			if tt.confidence == nil {
				assert.Nil(t, r.confidence)
			} else if assert.NotNil(t, r.confidence) {
				assert.InDelta(t, *tt.confidence, *r.confidence, 1e-9)
			}
		})
	}
	_, err := normalizeCheck([]byte(`"x"`), "face_liveness")
	assert.ErrorIs(t, err, errGarbage)
}

func ptr(f float64) *float64 { return &f }

func TestAppAnswerResult(t *testing.T) {
	past, future := testNow.Add(-time.Minute).UnixMilli(), testNow.Add(time.Minute).UnixMilli()
	tests := []struct {
		name   string
		outer  string
		user   string
		status idv.Status
	}{
		{name: "golden pending, read after its expiryTS", outer: string(golden(t, "uwl_response_pending")), status: idv.StatusExpired},
		{name: "no word is pending", outer: `{}`, status: idv.StatusPending},
		{name: "an unknown word is pending", outer: `{"status":"Thinking"}`, status: idv.StatusPending},
		{name: "declined", outer: `{"status":"Declined"}`, status: idv.StatusDeclined},
		{name: "past expiryTS", outer: `{"sessionInfo":{"expiryTS":` + jsonNum(past) + `}}`, status: idv.StatusExpired},
		{name: "future expiryTS", outer: `{"sessionInfo":{"expiryTS":` + jsonNum(future) + `}}`, status: idv.StatusPending},
		{name: "answered", outer: `{"sessionId":"a"}`, user: string(golden(t, "uwl_user_data")), status: idv.StatusCompleted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseObj([]byte(tt.outer))
			require.NoError(t, err)
			a := appAnswer{outer: o}
			if tt.user != "" {
				a.user, err = parseObj([]byte(tt.user))
				require.NoError(t, err)
			}
			r := a.result(testNow)
			assert.Equal(t, tt.status, r.Status)
			assert.Equal(t, idv.NotPerformed, r.Liveness)
			assert.Equal(t, idv.NotPerformed, r.FaceMatch)
			assert.Nil(t, r.Confidence)
			assert.Equal(t, tt.status.Terminal(), !r.CompletedAt.IsZero())
		})
	}
}

func jsonNum(n int64) string { return strconv.FormatInt(n, 10) }

func mustB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// FuzzNormalizeResult checks that no answer makes the normalisers panic,
// that only a passed result carries a person or a face, and that nothing
// but a completed one has a verdict. Seeds: the simulator's golden samples
// of every shape, and older answers (testdata/older).
func FuzzNormalizeResult(f *testing.F) {
	var seeds []string
	for _, dir := range []string{"testdata/older/*.json", "../simulator/testdata/golden/*.json"} {
		m, _ := filepath.Glob(dir)
		seeds = append(seeds, m...)
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"sessionResult":"SUCCESS","document":"{\"dob\":\"99999999\"}"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := normalizeResult(in, testNow)
		if err == nil && (r.Person != nil || r.FaceImage != nil) && (r.Status != idv.StatusCompleted || r.Verification != idv.Passed) {
			t.Fatalf("person or face on a %s/%s result", r.Status, r.Verification)
		}
		if err == nil && r.Verification != idv.NotPerformed && r.Status != idv.StatusCompleted {
			t.Fatalf("verdict %s on a %s result", r.Verification, r.Status)
		}
		if c := r.Scores; c != nil && len(c) == 0 {
			t.Fatal("empty scores map")
		}
		for _, check := range []string{"face_liveness", "face_compare"} {
			if c, err := normalizeCheck(in, check); err == nil && c.confidence != nil && (*c.confidence < 0 || *c.confidence > 1) {
				t.Fatalf("confidence %v", *c.confidence)
			}
		}
		if o, err := parseObj(in); err == nil {
			_ = appAnswer{outer: o, user: o}.result(testNow)
		}
	})
}

// FuzzNormalizeCheck: no /verify answer makes the reader panic, and a
// confidence is never outside [0, 1]. Seeds: the simulator's golden
// /verify answers in each place the certifications can sit.
func FuzzNormalizeCheck(f *testing.F) {
	seeds, _ := filepath.Glob("../simulator/testdata/golden/verify_*.json")
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "face_compare")
	}
	f.Add([]byte(`{"result":"{\"certifications\":[{\"verified\":\"yes\",\"status\":\"400\",\"confidence\":1e308}]}"}`), "face_liveness")
	f.Add([]byte(`{"certifications":{"0":{}},"result":[1]}`), "")
	f.Fuzz(func(t *testing.T, in []byte, check string) {
		c, err := normalizeCheck(in, check)
		if err != nil {
			return
		}
		if c.confidence != nil && (*c.confidence < 0 || *c.confidence > 1) {
			t.Fatalf("confidence %v", *c.confidence)
		}
		if c.outcome == idv.Failed && c.reason == "" {
			t.Fatal("a failed check without a reason")
		}
	})
}
