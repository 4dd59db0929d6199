package claims

import (
	"time"

	"github.com/idbridge/idbridge/pkg/idv"
)

// defaultVerifiedClaim is the verified_claims request the
// identity_assurance scope stands for: the name and birth date with how,
// when and from which kind of document they were verified. Never the
// document number.
const defaultVerifiedClaim = `{"verified_claims":{
  "verification":{
    "trust_framework":null,"assurance_level":null,"time":null,"verification_process":null,
    "evidence":[{"type":{"value":"document"},
      "check_details":[{"check_method":null,"organization":null,"time":null}],
      "document_details":{"type":null,"issuer":{"country":null,"name":null},"date_of_expiry":null}}]},
  "claims":{"given_name":null,"middle_name":null,"family_name":null,"birthdate":null}}}`

// defaultVerifiedClaims is what the identity_assurance scope delivers in
// userinfo.
const defaultVerifiedClaims = `{"userinfo":` + defaultVerifiedClaim + `}`

var defaultVerifiedRequests = func() []*verifiedRequest {
	r, err := ParseRequest(defaultVerifiedClaims)
	if err != nil {
		panic("claims: default verified_claims request: " + err.Error())
	}
	return r.targets[UserInfo].verified
}()

// buildVerifiedClaims answers the verified_claims requests of target: an
// object for an object request, an array of the satisfied ones for an
// array request (OIDC4IDA 1.0 section 6.5.3), nothing when none is met.
func buildVerifiedClaims(id Identity, r *Request, target Target, opt Options, ial int) (any, bool) {
	var reqs []*verifiedRequest
	array := false
	switch t := r.target(target); {
	case t != nil && t.verifiedSeen:
		reqs, array = t.verified, t.verifiedArray
	case target == UserInfo && opt.hasScope(ScopeIdentityAssurance) &&
		!r.VerifiedClaimsRequested(IDToken):
		reqs = defaultVerifiedRequests
	}
	if len(reqs) == 0 || !id.verified() {
		return nil, false
	}
	var got []any
	for _, vr := range reqs {
		if vc, ok := buildVerified(id, vr, opt, ial); ok {
			got = append(got, vc)
		}
	}
	switch {
	case len(got) == 0:
		return nil, false
	case array:
		return got, true
	default:
		return got[0], true
	}
}

// buildVerified answers one verified_claims request. Any constraint not
// met inside verification drops the whole element; a constraint not met
// on a claim drops that claim; an empty claims drops the element (OIDC4IDA
// 1.0 section 6.6).
func buildVerified(id Identity, vr *verifiedRequest, opt Options, ial int) (map[string]any, bool) {
	if vr.unmet {
		return nil, false
	}
	now := opt.Now
	if _, ok := check(vr.trustFramework, known(opt.TrustFramework), now); !ok {
		return nil, false
	}
	ver := map[string]any{"trust_framework": opt.TrustFramework}
	if !put(ver, "assurance_level", vr.assuranceLevel, known(AssuranceLevel(ial)), now) ||
		!put(ver, "time", vr.time, timeFact(id.VerifiedAt), now) ||
		!put(ver, "verification_process", vr.verificationProcess, knownString(id.TxnID), now) {
		return nil, false
	}
	if vr.evidence != nil {
		ev, ok := buildEvidence(id, vr.evidence, opt)
		if !ok {
			return nil, false
		}
		ver["evidence"] = []any{ev}
	}
	claims := buildClaimSet(id, vr.claims, opt)
	if len(claims) == 0 {
		return nil, false
	}
	return map[string]any{"verification": ver, "claims": claims}, true
}

// put adds the element name to m when requested and available; it reports
// false when the request's constraints are not met.
func put(m map[string]any, name string, c *ClaimRequest, f fact, now time.Time) bool {
	include, ok := check(c, f, now)
	if include {
		m[name] = f.value
	}
	return ok
}

// buildClaimSet delivers the requested End-User claims that are allowed in
// verified_claims, available and match their constraints.
func buildClaimSet(id Identity, reqs map[string]*ClaimRequest, opt Options) map[string]any {
	out := map[string]any{}
	for n, c := range reqs {
		if !opt.verifiedClaimAllowed(n) {
			continue
		}
		f := personFact(id, n)
		if include, _ := check(c, f, opt.Now); include {
			out[n] = f.value
		}
	}
	return out
}

// buildEvidence renders the document evidence through the first evidence
// request that it satisfies: the entries are filters linked by OR.
func buildEvidence(id Identity, reqs []*evidenceRequest, opt Options) (map[string]any, bool) {
	for _, er := range reqs {
		if ev, ok := documentEvidence(id, er, opt); ok {
			return ev, true
		}
	}
	return nil, false
}

func documentEvidence(id Identity, er *evidenceRequest, opt Options) (map[string]any, bool) {
	if er.typ != "document" || er.unmet {
		return nil, false
	}
	ev := map[string]any{"type": "document"}
	if !put(ev, "time", er.time, timeFact(id.VerifiedAt), opt.Now) {
		return nil, false
	}
	if er.checksRequested {
		cd := checkDetails(id, er.checks, opt.Now)
		if len(cd) == 0 {
			return nil, false
		}
		ev["check_details"] = cd
	}
	if er.document != nil {
		dd, ok := documentDetails(id.Document, er.document, opt.Now)
		if !ok {
			return nil, false
		}
		ev["document_details"] = dd
	}
	if er.derived != nil {
		if d := buildClaimSet(id, er.derived, opt); len(d) > 0 {
			ev["derived_claims"] = d
		}
	}
	return ev, true
}

// performedChecks lists the check methods a completed verification applied.
func performedChecks(id Identity) []string {
	out := []string{CheckDocumentRemote}
	if id.Liveness == idv.Passed {
		out = append(out, CheckLiveness)
	}
	if id.FaceMatch == idv.Passed {
		out = append(out, CheckBiometricRemote)
	}
	return out
}

// checkDetails returns the performed checks that match at least one
// requested entry (entries are linked by OR), each rendered by the first
// entry it matches.
func checkDetails(id Identity, reqs []*checkRequest, now time.Time) []any {
	var out []any
	for _, method := range performedChecks(id) {
		for _, cr := range reqs {
			if item, ok := renderCheck(id, method, cr, now); ok {
				out = append(out, item)
				break
			}
		}
	}
	return out
}

func renderCheck(id Identity, method string, cr *checkRequest, now time.Time) (map[string]any, bool) {
	if cr.unmet {
		return nil, false
	}
	if _, ok := check(cr.method, known(method), now); !ok {
		return nil, false
	}
	item := map[string]any{"check_method": method}
	ok := put(item, "organization", cr.organization, knownString(id.Verifier), now) &&
		put(item, "time", cr.time, timeFact(id.VerifiedAt), now) &&
		put(item, "check_id", cr.id, fact{}, now)
	return item, ok
}

func documentDetails(doc *idv.Document, dr *documentRequest, now time.Time) (map[string]any, bool) {
	typ, known := documentTypes[doc.Type]
	if !known || dr.unmet {
		return nil, false
	}
	if _, ok := check(dr.typ, fact{value: typ, have: true}, now); !ok {
		return nil, false
	}
	// type is required in document_details, so it is always given.
	dd := map[string]any{"type": typ}
	if !put(dd, "document_number", dr.number, knownString(doc.Number), now) ||
		!put(dd, "date_of_issuance", dr.issuance, dateFact(doc.DateOfIssuance), now) ||
		!put(dd, "date_of_expiry", dr.expiry, dateFact(doc.DateOfExpiry), now) {
		return nil, false
	}
	if dr.issuer != nil {
		iss := map[string]any{}
		for k, c := range dr.issuer {
			var f fact
			switch k {
			case "country":
				f = knownString(doc.IssuingCountry)
			case "name":
				f = knownString(doc.Issuer)
			}
			if !put(iss, k, c, f, now) {
				return nil, false
			}
		}
		if len(iss) > 0 {
			dd["issuer"] = iss
		}
	}
	return dd, true
}
