// Package claims is the claims engine of the provider: it parses the OpenID
// Connect `claims` request parameter (OpenID Connect Core 1.0 section 5.5,
// extended by OpenID Connect for Identity Assurance 1.0 with
// `verified_claims`), and builds the ID token and userinfo claims for an
// Identity, honouring essential, value, values and max_age and the OP rules
// for omitting what cannot be delivered (OIDC4IDA 1.0 section 6). It also
// computes the identity assurance level (ial_level) and the discovery
// metadata that advertises all of this.
//
// The package is pure: no I/O, and time comes from Options.Now (the
// current time only when that is zero). Everything is safe for concurrent
// use; a parsed Request is immutable.
package claims

import (
	"errors"
	"time"

	"github.com/idbridge/idbridge/pkg/idv"
)

// ErrInvalidRequest is wrapped by every error ParseRequest returns. The
// error's message is written for an OAuth invalid_request
// error_description: it names the offending member by its path and never
// echoes values from the request.
var ErrInvalidRequest = errors.New("invalid claims parameter")

// Target is a member of the claims parameter: where claims are delivered.
type Target string

// Targets of the claims parameter (OpenID Connect Core 1.0 section 5.5).
const (
	IDToken  Target = "id_token"
	UserInfo Target = "userinfo"
)

// Values of Identity.IDVStatus, mirrored flat as the idv_status claim.
const (
	StatusVerified = "verified"
	StatusFailed   = "failed"
	StatusPending  = "pending"
	StatusNone     = "none"
)

// DefaultTrustFramework is the trust framework the bridge verifies under.
const DefaultTrustFramework = "nist_800_63A"

// Identity is what the bridge knows about a person: the attributes read
// from the verified document and how and when they were verified. The
// provider builds it from the user record and pkg/idv results.
type Identity struct {
	// Subject is the opaque, stable sub of the person. Build does not emit
	// it: the provider sets sub.
	Subject string
	// Person holds the attributes read from the document.
	Person idv.Person
	// Document is the checked document; nil when never verified.
	Document *idv.Document
	// VerifiedAt is when the verification completed; zero when never.
	VerifiedAt time.Time
	// Liveness and FaceMatch are the biometric outcomes of the session.
	Liveness, FaceMatch idv.Outcome
	// TxnID identifies the verification session; it is released as
	// verification_process when requested.
	TxnID string
	// Verifier names the verification service (organization of the checks).
	Verifier string
	// IDVStatus is StatusVerified, StatusFailed, StatusNone, ...; only
	// StatusVerified releases personal data.
	IDVStatus string
}

// verified reports whether the identity holds a completed verification
// whose attributes may be released.
func (id Identity) verified() bool {
	return id.IDVStatus == StatusVerified && id.Document != nil && !id.VerifiedAt.IsZero()
}

// Options tune Build for one client and one request.
type Options struct {
	// Scopes granted to the request; "openid" adds ial_level, "profile"
	// and "address" add standard claims to userinfo (OpenID Connect Core
	// 1.0 section 5.4), "identity_assurance" adds a default verified_claims
	// set to userinfo when the claims parameter asks for none.
	Scopes []string
	// Now is the time of the request, for max_age and expiry checks.
	// Zero means time.Now().
	Now time.Time
	// MaxVerificationAge bounds how old a verification may be to count for
	// IAL2; 0 means no limit.
	MaxVerificationAge time.Duration
	// TrustFramework is the verification.trust_framework value; empty
	// means DefaultTrustFramework.
	TrustFramework string
	// FlatMirrors copies given_name, family_name, birthdate (verified
	// identities only), idv_status and ial_level to the top level of the
	// output, whatever the request asks: Descope maps user attributes from
	// flat userinfo claims. The provider sets it for the userinfo target.
	FlatMirrors bool
	// ClaimsInVerifiedClaims restricts the claims released inside
	// verified_claims; empty means ClaimsInVerifiedClaimsSupported. Names
	// outside that list are never released.
	ClaimsInVerifiedClaims []string
}

func (o Options) withDefaults() Options {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.TrustFramework == "" {
		o.TrustFramework = DefaultTrustFramework
	}
	if len(o.ClaimsInVerifiedClaims) == 0 {
		o.ClaimsInVerifiedClaims = ClaimsInVerifiedClaimsSupported
	}
	return o
}

func (o Options) hasScope(s string) bool {
	for _, v := range o.Scopes {
		if v == s {
			return true
		}
	}
	return false
}

func (o Options) verifiedClaimAllowed(name string) bool {
	if !contains(ClaimsInVerifiedClaimsSupported, name) {
		return false
	}
	return contains(o.ClaimsInVerifiedClaims, name)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
