package claims

import "time"

// ClaimRequest is one individual claim request (OpenID Connect Core 1.0
// section 5.5.1): `null` or an object with essential, value, values and,
// for dates (OIDC4IDA 1.0 section 6.5.2), max_age. The zero value is the
// `null` request: the claim in the default manner.
type ClaimRequest struct {
	// Essential is the RP's essential flag. It never changes what Build
	// returns (OIDC4IDA 1.0 section 6.6); the provider may use it to decide
	// whether to run a verification.
	Essential bool
	// Value is the requested value (a JSON value: string, json.Number,
	// bool, object, array) when HasValue.
	Value    any
	HasValue bool
	// Values lists acceptable values; empty when not given.
	Values []any
	// MaxAge is the largest allowed age of a date or time when HasMaxAge.
	MaxAge    time.Duration
	HasMaxAge bool
	// Purpose is the RP's stated purpose, 3 to 300 characters, if any.
	Purpose string
}

// constrained reports whether the request restricts the value it accepts.
func (c *ClaimRequest) constrained() bool {
	return c != nil && (c.HasValue || len(c.Values) > 0 || c.HasMaxAge)
}

// Request is a parsed claims parameter. The zero value and nil request
// nothing. A Request is immutable and safe for concurrent use.
type Request struct {
	targets map[Target]*targetRequest
}

type targetRequest struct {
	// flat holds the top-level claim requests except verified_claims.
	flat map[string]*ClaimRequest
	// verified holds the verified_claims requests; verifiedArray is true
	// when they were sent as an array (the response is then an array).
	verified      []*verifiedRequest
	verifiedSeen  bool
	verifiedArray bool
}

// verifiedRequest is one verified_claims request object.
type verifiedRequest struct {
	// claims is nil for `claims: null`: no End-User claim requested.
	claims map[string]*ClaimRequest

	trustFramework      *ClaimRequest
	assuranceLevel      *ClaimRequest
	time                *ClaimRequest
	verificationProcess *ClaimRequest
	evidence            []*evidenceRequest
	// unmet is set when the request constrains an element the bridge never
	// has (assurance_process, attachments...): no response can satisfy it.
	unmet bool
}

// evidenceRequest is one entry of verification.evidence: a filter and a
// template for the evidence returned.
type evidenceRequest struct {
	typ             string
	time            *ClaimRequest
	checks          []*checkRequest
	checksRequested bool
	document        *documentRequest
	derived         map[string]*ClaimRequest
	unmet           bool
}

// checkRequest is one entry of evidence.check_details.
type checkRequest struct {
	method, id, organization, time *ClaimRequest
	unmet                          bool
}

// documentRequest is evidence.document_details.
type documentRequest struct {
	typ, number, issuance, expiry *ClaimRequest
	issuer                        map[string]*ClaimRequest
	unmet                         bool
}

func (r *Request) target(t Target) *targetRequest {
	if r == nil || r.targets == nil {
		return nil
	}
	return r.targets[t]
}

// Empty reports whether the request asks for nothing.
func (r *Request) Empty() bool {
	return r.target(IDToken) == nil && r.target(UserInfo) == nil
}

// Claim returns the request for a top-level claim of target, and whether
// the claim was requested there. verified_claims is not a ClaimRequest:
// use VerifiedClaimsRequested.
func (r *Request) Claim(target Target, claim string) (ClaimRequest, bool) {
	t := r.target(target)
	if t == nil {
		return ClaimRequest{}, false
	}
	c, ok := t.flat[claim]
	if !ok {
		return ClaimRequest{}, false
	}
	return *c, true
}

// Has reports whether claim was requested at the top level of target
// (including "verified_claims").
func (r *Request) Has(target Target, claim string) bool {
	if claim == "verified_claims" {
		return r.VerifiedClaimsRequested(target)
	}
	_, ok := r.Claim(target, claim)
	return ok
}

// Essential reports whether claim was requested as essential in target.
// For "verified_claims" it reports whether any claim requested inside any
// verified_claims request of target is essential.
func (r *Request) Essential(target Target, claim string) bool {
	if claim == "verified_claims" {
		t := r.target(target)
		if t == nil {
			return false
		}
		for _, v := range t.verified {
			for _, c := range v.claims {
				if c.Essential {
					return true
				}
			}
		}
		return false
	}
	c, ok := r.Claim(target, claim)
	return ok && c.Essential
}

// VerifiedClaimsRequested reports whether target carries a
// verified_claims request.
func (r *Request) VerifiedClaimsRequested(target Target) bool {
	t := r.target(target)
	return t != nil && t.verifiedSeen
}

// ACR returns the acr values requested through id_token.acr (value or
// values, in order) and whether acr was requested as essential. Values
// that are not strings are skipped.
func (r *Request) ACR() (values []string, essential bool) {
	c, ok := r.Claim(IDToken, "acr")
	if !ok {
		return nil, false
	}
	if s, ok := c.Value.(string); c.HasValue && ok {
		values = append(values, s)
	}
	for _, v := range c.Values {
		if s, ok := v.(string); ok {
			values = append(values, s)
		}
	}
	return values, c.Essential
}

// MaxAge returns the strictest verification.time max_age among the
// verified_claims requests of target, and whether any was given. A
// verification older than that cannot satisfy the request: the provider
// may run a new verification first (OIDC4IDA 1.0 section 6.5.2).
func (r *Request) MaxAge(target Target) (time.Duration, bool) {
	t := r.target(target)
	if t == nil {
		return 0, false
	}
	var best time.Duration
	found := false
	for _, v := range t.verified {
		if v.time != nil && v.time.HasMaxAge && (!found || v.time.MaxAge < best) {
			best, found = v.time.MaxAge, true
		}
	}
	return best, found
}
