package claims

// Standard claims per scope (OpenID Connect Core 1.0 section 5.4), limited
// to those the bridge can hold.
var scopeClaims = map[string][]string{
	"profile": {"name", "given_name", "middle_name", "family_name", "birthdate"},
	"address": {"address"},
}

// flatMirrors are copied to the top level when Options.FlatMirrors is set.
var flatMirrors = []string{"given_name", "family_name", "birthdate", "idv_status", "ial_level"}

// ScopeIdentityAssurance asks for the default verified_claims set in
// userinfo when the claims parameter asks for none.
const ScopeIdentityAssurance = "identity_assurance"

// Build returns the claims of id for one target: ial_level (with the
// openid scope), the standard claims asked by scope (userinfo only) or by
// the claims parameter for this target, the flat mirrors, and
// verified_claims. Claims that are unknown, unavailable, or whose value,
// values or max_age are not met are omitted, never an error, also when
// essential (OpenID Connect Core 1.0 section 5.5.1, OIDC4IDA 1.0 section
// 6.6). Personal data is released only for a verified identity. r may be
// nil. The caller adds sub, iss, aud, acr, amr and the other protocol
// claims; Build never returns them.
func Build(id Identity, r *Request, target Target, opt Options) map[string]any {
	opt = opt.withDefaults()
	ial := IALLevel(id, opt.Now, opt.MaxVerificationAge)
	out := map[string]any{}

	wanted := map[string]*ClaimRequest{}
	if target == UserInfo {
		for scope, names := range scopeClaims {
			if opt.hasScope(scope) {
				for _, n := range names {
					wanted[n] = &ClaimRequest{}
				}
			}
		}
	}
	if opt.FlatMirrors {
		for _, n := range flatMirrors {
			wanted[n] = &ClaimRequest{}
		}
	}
	if t := r.target(target); t != nil {
		for n, c := range t.flat {
			wanted[n] = c
		}
	}
	for n, c := range wanted {
		if include, _ := check(c, flatFact(id, n, ial), opt.Now); include {
			out[n] = flatFact(id, n, ial).value
		}
	}
	if opt.hasScope("openid") {
		out["ial_level"] = ial
	}

	if vc, ok := buildVerifiedClaims(id, r, target, opt, ial); ok {
		out["verified_claims"] = vc
	}
	return out
}

// flatFact is the value of a top-level claim.
func flatFact(id Identity, name string, ial int) fact {
	switch name {
	case "ial_level":
		return known(ial)
	case "idv_status":
		return knownString(id.IDVStatus)
	}
	if !id.verified() {
		return fact{}
	}
	return personFact(id, name)
}

func personFact(id Identity, name string) fact {
	v, ok := personClaim(id.Person, name)
	if !ok {
		return fact{}
	}
	if name == "birthdate" {
		return dateFact(v.(string))
	}
	return known(v)
}
