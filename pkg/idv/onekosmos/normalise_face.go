package onekosmos

import "github.com/idbridge/idbridge/pkg/idv"

// checkResult is what one /verify answer says about its check.
type checkResult struct {
	outcome    idv.Outcome
	reason     string
	confidence *float64
}

// normalizeCheck reads the decrypted answer of {docuverify}/verify for
// check (FACTS.md section 5): the certifications at top level (1Kosmos's
// Java wire model), under result (today's iOS app) or in result as a JSON
// string (Android); the one whose type is check, else the first. A
// certification passes when verified is true, and fails when verified is
// false or status is 400; with neither it is not performed. Older answers
// with {face_liveness: {status}} are read as a fallback. Only a body that
// is not a JSON object is an error; it never panics (FuzzNormalizeCheck).
func normalizeCheck(plain []byte, check string) (checkResult, error) {
	o, err := parseObj(plain)
	if err != nil {
		return checkResult{}, err
	}
	certs := o.list("certifications")
	if len(certs) == 0 {
		certs = o.sub("result").list("certifications")
	}
	var cert obj
	for _, c := range certs {
		if c.str("type", "name", "verification") == check {
			cert = c
			break
		}
	}
	if cert == nil && len(certs) > 0 {
		cert = certs[0]
	}
	if cert == nil {
		out, _ := o.outcome(check)
		return checkResult{outcome: out, reason: o.str("reason", "message"), confidence: o.sub(check).confidence("confidence")}, nil
	}
	r := checkResult{outcome: idv.NotPerformed, confidence: cert.confidence("confidence")}
	verified, hasVerified := cert.boolean("verified")
	status, hasStatus := cert.num("status")
	switch {
	case hasVerified && verified && !(hasStatus && status == 400):
		r.outcome = idv.Passed
	case hasVerified || (hasStatus && status == 400):
		r.outcome = idv.Failed
	}
	if r.outcome == idv.Failed {
		r.reason = firstOf(cert.str("message", "reason"), o.str("message"), check+" not verified")
	}
	return r, nil
}
