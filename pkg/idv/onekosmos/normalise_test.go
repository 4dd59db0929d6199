package onekosmos

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
)

func TestNormStatus(t *testing.T) {
	tests := []struct {
		in   string
		want idv.Status
		ok   bool
	}{
		{"Pending", idv.StatusPending, true},
		{"PENDING", idv.StatusPending, true},
		{"In Progress", idv.StatusInProgress, true},
		{"in_progress", idv.StatusInProgress, true},
		{"INPROGRESS", idv.StatusInProgress, true},
		{"Completed", idv.StatusCompleted, true},
		{"SUCCESS", idv.StatusCompleted, true},
		{"expired", idv.StatusExpired, true},
		{"Declined", idv.StatusDeclined, true},
		{"Abandoned", idv.StatusAbandoned, true},
		{" abandoned ", idv.StatusAbandoned, true},
		{"Frobnicated", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := normStatus(tt.in)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestNormalizeResult(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want idv.IDVResult
		err  error
	}{
		{
			name: "pending",
			in:   `{"sessionId":"s","status":"Pending","verification":"Not performed"}`,
			want: idv.IDVResult{SessionID: "s", Status: idv.StatusPending, Verification: idv.NotPerformed, Liveness: idv.NotPerformed, FaceMatch: idv.NotPerformed},
		},
		{
			name: "helper responseStatus only",
			in:   `{"responseStatus":"INPROGRESS"}`,
			want: idv.IDVResult{Status: idv.StatusInProgress, Verification: idv.NotPerformed, Liveness: idv.NotPerformed, FaceMatch: idv.NotPerformed},
		},
		{
			name: "completed passport with person, document and face",
			in: `{"sessionId":"s","status":"completed","verification":"PASSED","documentType":"ppt_object",
				"face_liveness":"Passed","face_compare":{"status":"Passed"},"completedAt":"2026-11-25T10:00:00Z",
				"scores":{"document":0.9,"bogus":"x"},
				"ppt_object":{"firstName":"Ada","lastName":"Lovelace","dob":"18151210","documentNumber":"P123",
				  "issuingCountry":"gb","dateOfExpiry":"12/31/2030","nationality":"GBR","street":"1 St James's Sq",
				  "city":"London","zipCode":"SW1","country":"GB","proof_jwt":"a.b.c","token":"cert",
				  "liveid_object":{"face":"ref-9","proofedBy":"x"}}}`,
			want: idv.IDVResult{
				SessionID: "s", Status: idv.StatusCompleted, Verification: idv.Passed,
				Liveness: idv.Passed, FaceMatch: idv.Passed, FaceRef: "ref-9", ProofJWT: "a.b.c", CertificateToken: "cert",
				Scores:      map[string]float64{"document": 0.9},
				CompletedAt: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
				Document:    &idv.Document{Type: idv.Passport, Number: "P123", IssuingCountry: "GB", DateOfExpiry: "2030-12-31"},
				Person: &idv.Person{GivenName: "Ada", FamilyName: "Lovelace", BirthDate: "1815-12-10", Nationalities: []string{"GBR"},
					Address: &idv.Address{StreetAddress: "1 St James's Sq", Locality: "London", PostalCode: "SW1", Country: "GB"}},
			},
		},
		{
			name: "document object without status is completed; no documentType picks the one present",
			in:   `{"idcard_object":{"firstName":"X","dob":"not a date","issuingCountry":"Narnia"},"liveid_object":{"face":""}}`,
			want: idv.IDVResult{
				Status: idv.StatusCompleted, Verification: idv.NotPerformed, Liveness: idv.NotPerformed, FaceMatch: idv.NotPerformed,
				Document: &idv.Document{Type: idv.IDCard}, Person: &idv.Person{GivenName: "X"},
			},
		},
		{
			name: "declined keeps no person",
			in:   `{"status":"Declined","reason":"user declined","dl_object":{"firstName":"X"}}`,
			want: idv.IDVResult{Status: idv.StatusDeclined, Verification: idv.NotPerformed, Liveness: idv.NotPerformed, FaceMatch: idv.NotPerformed, Reason: "user declined"},
		},
		{
			name: "wrong types read as absent",
			in:   `{"status":"Pending","sessionId":42,"verification":{"x":1},"scores":[1],"completedAt":true,"dl_object":"str"}`,
			want: idv.IDVResult{SessionID: "42", Status: idv.StatusPending, Verification: idv.NotPerformed, Liveness: idv.NotPerformed, FaceMatch: idv.NotPerformed},
		},
		{name: "not an object", in: `[1,2]`, err: errGarbage},
		{name: "null", in: `null`, err: errGarbage},
		{name: "unknown status", in: `{"status":"Frobnicated"}`, err: errStatus},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := normalizeResult([]byte(tt.in))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestNormalizeLiveConfidence(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{`{"confidence":0.5}`, 0.5},
		{`{"confidence":87}`, 0.87},
		{`{"confidence":1000}`, 0},
		{`{"confidence":-1}`, 0},
		{`{"confidence":"high"}`, 0},
		{`{"face_compare":{"confidence":0.7},"confidence":0.1}`, 0.7},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := normalizeLive([]byte(tt.in), true)
			require.NoError(t, err)
			assert.InDelta(t, tt.want, r.Confidence, 1e-9)
			assert.Equal(t, idv.StatusCompleted, r.Status, "data without status is an answer")
		})
	}
}

// FuzzNormalizeResult checks that no answer makes the normalisers panic,
// and that a completed result is the only one carrying a person.
func FuzzNormalizeResult(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/results/*.json")
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"status":"Completed","dl_object":{"dob":"99999999"}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := normalizeResult(in)
		if err == nil && r.Person != nil && r.Status != idv.StatusCompleted {
			t.Fatalf("person on a %s result", r.Status)
		}
		_, _ = normalizeLive(in, true)
		_, _ = normalizeFace(in)
		if c := r.Scores; c != nil && len(c) == 0 {
			t.Fatal("empty scores map")
		}
	})
}
