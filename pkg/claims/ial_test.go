package claims

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/idbridge/idbridge/pkg/idv"
)

func TestIALLevel(t *testing.T) {
	tests := []struct {
		name   string
		mod    func(*Identity)
		maxAge time.Duration
		want   int
	}{
		{name: "document and biometrics passed", want: 2},
		{name: "within the policy age", maxAge: 31 * 24 * time.Hour, want: 2},
		{name: "verification older than the policy age", maxAge: 30 * 24 * time.Hour, want: 1},
		{name: "expired document", mod: func(id *Identity) { id.Document.DateOfExpiry = "2026-06-30" }, want: 1},
		{name: "document expiring today still valid", mod: func(id *Identity) { id.Document.DateOfExpiry = "2026-07-01" }, want: 2},
		{name: "unreadable expiry", mod: func(id *Identity) { id.Document.DateOfExpiry = "07/2030" }, want: 1},
		{name: "document without expiry", mod: func(id *Identity) { id.Document.DateOfExpiry = "" }, want: 2},
		{name: "liveness failed", mod: func(id *Identity) { id.Liveness = idv.Failed }, want: 1},
		{name: "face match not performed", mod: func(id *Identity) { id.FaceMatch = idv.NotPerformed }, want: 1},
		{name: "no document", mod: func(id *Identity) { id.Document = nil }, want: 1},
		{name: "never verified", mod: func(id *Identity) { id.VerifiedAt = time.Time{} }, want: 1},
		{name: "status failed", mod: func(id *Identity) { id.IDVStatus = StatusFailed }, want: 1},
		{name: "status none", mod: func(id *Identity) { *id = Identity{IDVStatus: StatusNone} }, want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fixture()
			if tt.mod != nil {
				tt.mod(&id)
			}
			got := IALLevel(id, now, tt.maxAge)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, map[int]string{1: "ial1", 2: "ial2"}[got], AssuranceLevel(got))
		})
	}
}
