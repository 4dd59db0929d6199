package claims

// Parsing of verified_claims requests, after OIDC4IDA 1.0 sections 6.1 to
// 6.5 and the rules of the official verified_claims_request.json schema.

// shape describes an object of a request: each member is a kind (an
// element) or a nested shape. Members outside the shape are accepted and
// never delivered.
type shape map[string]any

var (
	addressLike = shape{
		"country": kindSimple, "country_code": kindSimple, "formatted": kindSimple,
		"jurisdiction": kindSimple, "locality": kindSimple, "name": kindSimple,
		"postal_code": kindSimple, "region": kindSimple, "street_address": kindSimple,
	}
	documentDetailsShape = shape{
		"type":             kindConstrainable,
		"date_of_expiry":   kindDatetime,
		"date_of_issuance": kindDatetime,
		"document_number":  kindSimple,
		"serial_number":    kindSimple,
		"issuer":           addressLike,
	}
	recordShape = shape{
		"type":           kindConstrainable,
		"created_at":     kindDatetime,
		"date_of_expiry": kindDatetime,
		"source":         addressLike,
	}
	attestationShape = shape{
		"type":             kindConstrainable,
		"date_of_expiry":   kindDatetime,
		"date_of_issuance": kindDatetime,
		"reference_number": kindSimple,
		"voucher": shape{
			"birthdate": kindDatetime, "country_code": kindSimple, "country": kindSimple,
			"formatted": kindSimple, "locality": kindSimple, "name": kindSimple,
			"occupation": kindSimple, "organization": kindSimple, "postal_code": kindSimple,
			"region": kindSimple, "street_address": kindSimple,
		},
	}
	checkShape = shape{
		"check_method": kindConstrainable,
		"check_id":     kindConstrainable,
		"organization": kindConstrainable,
		"time":         kindDatetime,
	}
	// evidenceShapes lists, per evidence type, the members besides type,
	// check_details, derived_claims and attachments.
	evidenceShapes = map[string]shape{
		"document":          {"document_details": documentDetailsShape, "time": kindDatetime},
		"electronic_record": {"record": recordShape},
		"vouch":             {"attestation": attestationShape},
		"electronic_signature": {
			"created_at": kindDatetime, "issuer": kindSimple,
			"serial_number": kindSimple, "signature_type": kindSimple,
		},
	}
)

// node is a parsed shape: members are *ClaimRequest or node.
type node map[string]any

func (n node) elem(name string) *ClaimRequest {
	c, _ := n[name].(*ClaimRequest)
	return c
}

// parseShape parses v, which must be an object, against sh. unmet reports
// members outside the shape that carry a constraint.
func parseShape(p path, v any, sh shape) (n node, unmet bool, err error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false, fail(p, "must be a JSON object")
	}
	n = node{}
	for _, k := range sortedKeys(m) {
		switch s := sh[k].(type) {
		case kind:
			c, err := parseElement(p.key(k), m[k], s)
			if err != nil {
				return nil, false, err
			}
			n[k] = c
		case shape:
			sub, subUnmet, err := parseShape(p.key(k), m[k], s)
			if err != nil {
				return nil, false, err
			}
			n[k] = sub
			unmet = unmet || subUnmet
		default:
			unmet = unmet || hasConstraint(m[k])
		}
	}
	return n, unmet, nil
}

func parseVerifiedClaims(p path, v any, tr *targetRequest) error {
	tr.verifiedSeen = true
	switch x := v.(type) {
	case map[string]any:
		vr, err := parseVerifiedRequest(p, x)
		if err != nil {
			return err
		}
		tr.verified = []*verifiedRequest{vr}
		return nil
	case []any:
		tr.verifiedArray = true
		for i, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				return fail(p.index(i), "must be a JSON object")
			}
			vr, err := parseVerifiedRequest(p.index(i), m)
			if err != nil {
				return err
			}
			tr.verified = append(tr.verified, vr)
		}
		return nil
	default:
		return fail(p, "must be a JSON object or an array of objects")
	}
}

func parseVerifiedRequest(p path, m map[string]any) (*verifiedRequest, error) {
	for _, k := range sortedKeys(m) {
		if k != "verification" && k != "claims" {
			return nil, fail(p.key(k), "is not allowed (verified_claims holds only verification and claims)")
		}
	}
	ver, ok := m["verification"]
	if !ok {
		return nil, fail(p, "must contain verification")
	}
	cl, ok := m["claims"]
	if !ok {
		return nil, fail(p, "must contain claims")
	}
	vr := &verifiedRequest{}
	var err error
	if vr.claims, err = parseClaimsElement(p.key("claims"), cl); err != nil {
		return nil, err
	}
	if err := parseVerification(p.key("verification"), ver, vr); err != nil {
		return nil, err
	}
	return vr, nil
}

// parseClaimsElement parses the claims (or derived_claims) member: null,
// or an object naming at least one claim (OIDC4IDA 1.0: an empty claims
// element is an invalid_request).
func parseClaimsElement(p path, v any) (map[string]*ClaimRequest, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fail(p, "must be null or a JSON object")
	}
	if len(m) == 0 {
		return nil, fail(p, "must name at least one claim")
	}
	out := make(map[string]*ClaimRequest, len(m))
	for _, k := range sortedKeys(m) {
		c, err := parseElement(p.key(k), m[k], kindClaim)
		if err != nil {
			return nil, err
		}
		out[k] = c
	}
	return out, nil
}

func parseVerification(p path, v any, vr *verifiedRequest) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fail(p, "must be a JSON object")
	}
	if _, ok := m["trust_framework"]; !ok {
		return fail(p, "must contain trust_framework")
	}
	var err error
	for _, k := range sortedKeys(m) {
		q := p.key(k)
		switch k {
		case "trust_framework":
			vr.trustFramework, err = parseElement(q, m[k], kindConstrainable)
		case "assurance_level":
			vr.assuranceLevel, err = parseElement(q, m[k], kindConstrainable)
		case "time":
			vr.time, err = parseElement(q, m[k], kindDatetime)
		case "verification_process":
			vr.verificationProcess, err = parseElement(q, m[k], kindSimple)
		case "evidence":
			vr.evidence, err = parseEvidenceList(q, m[k])
		case "assurance_process":
			// Not kept by the bridge: validated, never delivered.
			var unmet bool
			_, unmet, err = parseShape(q, m[k], shape{
				"policy": kindConstrainable, "procedure": kindConstrainable,
			})
			vr.unmet = vr.unmet || unmet || hasConstraint(m[k])
		default:
			vr.unmet = vr.unmet || hasConstraint(m[k])
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func parseEvidenceList(p path, v any) ([]*evidenceRequest, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, fail(p, "must be an array")
	}
	if len(arr) == 0 {
		return nil, fail(p, "must not be empty")
	}
	out := make([]*evidenceRequest, 0, len(arr))
	for i, e := range arr {
		er, err := parseEvidence(p.index(i), e)
		if err != nil {
			return nil, err
		}
		out = append(out, er)
	}
	return out, nil
}

var evidenceTypes = []string{"document", "electronic_record", "vouch", "electronic_signature"}

func parseEvidence(p path, v any) (*evidenceRequest, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fail(p, "must be a JSON object")
	}
	t, ok := m["type"]
	if !ok {
		return nil, fail(p, "must contain type")
	}
	tm, ok := t.(map[string]any)
	if !ok {
		return nil, fail(p.key("type"), "must be a JSON object with a value")
	}
	if _, ok := tm["values"]; ok {
		return nil, fail(p.key("type").key("values"), "is not allowed for the evidence type; use value")
	}
	tv, ok := tm["value"].(string)
	if !ok || !contains(evidenceTypes, tv) {
		return nil, fail(p.key("type").key("value"), "must be one of document, electronic_record, vouch, electronic_signature")
	}
	er := &evidenceRequest{typ: tv}
	sh := evidenceShapes[tv]
	for _, k := range sortedKeys(m) {
		q := p.key(k)
		switch k {
		case "type":
		case "check_details":
			if err := parseChecks(q, m[k], er); err != nil {
				return nil, err
			}
		case "derived_claims":
			d, err := parseClaimsElement(q, m[k])
			if err != nil {
				return nil, err
			}
			er.derived = d
		case "attachments":
			// Never delivered: the bridge keeps no document images for RPs.
			c, err := parseElement(q, m[k], kindSimple)
			if err != nil {
				return nil, err
			}
			er.unmet = er.unmet || c.constrained()
		default:
			if err := parseEvidenceMember(q, k, m[k], sh, er); err != nil {
				return nil, err
			}
		}
	}
	return er, nil
}

func parseEvidenceMember(q path, k string, v any, sh shape, er *evidenceRequest) error {
	switch s := sh[k].(type) {
	case kind:
		c, err := parseElement(q, v, s)
		if err != nil {
			return err
		}
		if k == "time" {
			er.time = c
		} else {
			// Members of other evidence types: never matched by a document.
			er.unmet = er.unmet || c.constrained()
		}
	case shape:
		n, unmet, err := parseShape(q, v, s)
		if err != nil {
			return err
		}
		if k != "document_details" {
			er.unmet = er.unmet || unmet || hasConstraint(v)
			return nil
		}
		er.document = documentFromNode(n, unmet)
	default:
		er.unmet = er.unmet || hasConstraint(v)
	}
	return nil
}

func documentFromNode(n node, unmet bool) *documentRequest {
	d := &documentRequest{
		typ:      n.elem("type"),
		number:   n.elem("document_number"),
		issuance: n.elem("date_of_issuance"),
		expiry:   n.elem("date_of_expiry"),
		unmet:    unmet || n.elem("serial_number").constrained(),
	}
	if iss, ok := n["issuer"].(node); ok {
		d.issuer = map[string]*ClaimRequest{}
		for k, e := range iss {
			d.issuer[k] = e.(*ClaimRequest)
		}
	}
	return d
}

func parseChecks(p path, v any, er *evidenceRequest) error {
	arr, ok := v.([]any)
	if !ok {
		return fail(p, "must be an array")
	}
	if len(arr) == 0 {
		return fail(p, "must not be empty")
	}
	er.checksRequested = true
	for i, e := range arr {
		q := p.index(i)
		m, ok := e.(map[string]any)
		if !ok {
			return fail(q, "must be a JSON object")
		}
		if _, ok := m["check_method"]; !ok {
			return fail(q, "must contain check_method")
		}
		n, unmet, err := parseShape(q, m, checkShape)
		if err != nil {
			return err
		}
		er.checks = append(er.checks, &checkRequest{
			method:       n.elem("check_method"),
			id:           n.elem("check_id"),
			organization: n.elem("organization"),
			time:         n.elem("time"),
			unmet:        unmet,
		})
	}
	return nil
}
