package claims

import (
	"time"

	"github.com/idbridge/idbridge/pkg/idv"
)

// IALLevel returns the identity assurance level of id at now: 2 when a
// completed verification checked a document and both biometric checks
// (liveness and face match) passed, the verification is not older than
// maxAge (0 = no limit) and the document has not expired; 1 otherwise
// (self-asserted, NIST SP 800-63A).
func IALLevel(id Identity, now time.Time, maxAge time.Duration) int {
	if !id.verified() || id.Liveness != idv.Passed || id.FaceMatch != idv.Passed {
		return 1
	}
	if maxAge > 0 && now.Sub(id.VerifiedAt) > maxAge {
		return 1
	}
	if id.Document.DateOfExpiry != "" {
		exp, ok := endOfDate(id.Document.DateOfExpiry)
		if !ok || now.After(exp) {
			return 1
		}
	}
	return 2
}

// AssuranceLevel names ial as a verification.assurance_level under the
// nist_800_63A trust framework ("ial1", "ial2", the spelling of the
// OIDC4IDA example for that framework).
func AssuranceLevel(ial int) string {
	if ial >= 2 {
		return "ial2"
	}
	return "ial1"
}

// endOfDate returns the last second of a YYYY-MM-DD date in UTC: OIDC4IDA
// 1.0 counts the age of a date from its last valid second.
func endOfDate(s string) (time.Time, bool) {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, false
	}
	return d.Add(24*time.Hour - time.Second), true
}
