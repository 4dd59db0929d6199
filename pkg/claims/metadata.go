package claims

// ClaimsInVerifiedClaimsSupported lists the claims the bridge can release
// inside verified_claims (claims_in_verified_claims_supported): the
// attributes read from an identity document.
var ClaimsInVerifiedClaimsSupported = []string{
	"given_name", "middle_name", "family_name", "birthdate",
	"place_of_birth", "nationalities", "address",
}

// ClaimsSupported lists every claim the provider may return
// (claims_supported).
var ClaimsSupported = []string{
	"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp",
	"ial_level", "idv_status", "verified_claims",
	"name", "given_name", "middle_name", "family_name", "birthdate",
	"address", "nationalities", "place_of_birth",
}

// Check methods applied to a document evidence (values from the eKYC-IDA
// working group's predefined values, NIST SP 800-63A mapping).
const (
	// CheckDocumentRemote: the document was validated from an image taken
	// remotely under visible light ("vri").
	CheckDocumentRemote = "vri"
	// CheckBiometricRemote: the person's face matched the document portrait
	// by an automated system, the person being remote ("bvr").
	CheckBiometricRemote = "bvr"
	// CheckLiveness: presentation attack detection confirmed a live person
	// ("biopad").
	CheckLiveness = "biopad"
	// MethodRemoteUnsupervised is the legacy method value for unsupervised
	// remote proofing with document capture, selfie and liveness ("uripp").
	MethodRemoteUnsupervised = "uripp"
)

// Metadata returns the discovery fields for claims and identity assurance
// (OpenID Connect Discovery 1.0 section 3, OIDC4IDA 1.0 section 8). The
// caller merges them into the openid-configuration document; the map is
// fresh on every call.
func Metadata() map[string]any {
	return map[string]any{
		"claims_parameter_supported":          true,
		"claims_supported":                    clone(ClaimsSupported),
		"claim_types_supported":               []string{"normal"},
		"verified_claims_supported":           true,
		"trust_frameworks_supported":          []string{DefaultTrustFramework},
		"evidence_supported":                  []string{"document"},
		"documents_supported":                 []string{"driving_permit", "idcard", "passport"},
		"documents_check_methods_supported":   []string{CheckDocumentRemote, CheckBiometricRemote, CheckLiveness},
		"documents_methods_supported":         []string{MethodRemoteUnsupervised},
		"claims_in_verified_claims_supported": clone(ClaimsInVerifiedClaimsSupported),
	}
}

func clone(s []string) []string { return append([]string(nil), s...) }
