package claims

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// IDTokenClaimSets are the named sets a client may configure as the
// claims of its ID tokens when a request carries no claims parameter
// (clients[].id_token_claims). "identity_assurance" is the verified_claims
// set the identity_assurance scope delivers in userinfo, in the ID token.
var IDTokenClaimSets = map[string]string{
	ScopeIdentityAssurance: defaultVerifiedClaim,
}

// IDTokenDefault turns a client's configured ID token claims into the
// claims request they stand for: name is one of IDTokenClaimSets, or
// member is the id_token member of a claims parameter as JSON (exactly one
// of them is set). The request is validated like a claims parameter
// (OIDC4IDA 1.0 request rules); a *RequestError names what is wrong.
func IDTokenDefault(name, member string) (*Request, error) {
	switch {
	case name != "" && member != "":
		return nil, &RequestError{Reason: "default: give a set name or an id_token member, not both"}
	case name != "":
		set, ok := IDTokenClaimSets[name]
		if !ok {
			names := make([]string, 0, len(IDTokenClaimSets))
			for n := range IDTokenClaimSets {
				names = append(names, n)
			}
			sort.Strings(names)
			return nil, &RequestError{Reason: fmt.Sprintf("default: %q is not a claim set (known: %s)", name, strings.Join(names, ", "))}
		}
		member = set
	case member == "":
		return nil, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(member), &obj); err != nil {
		return nil, &RequestError{Path: string(IDToken), Reason: "must be an object of claim requests"}
	}
	return ParseRequest(`{"id_token":` + member + `}`)
}

// OrDefault is r, or def when r asks for nothing: a client's default
// applies only to a request without claims.
func (r *Request) OrDefault(def *Request) *Request {
	if def != nil && r.Empty() {
		return def
	}
	return r
}
