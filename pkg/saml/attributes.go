package saml

import (
	"encoding/json"
	"slices"
	"sort"
	"strconv"

	crewjam "github.com/crewjam/saml"

	"github.com/idbridge/idbridge/pkg/claims"
	"github.com/idbridge/idbridge/pkg/users"
)

// Attributes are the attribute names a service provider can be released
// (saml.service_providers[].attributes), each the OpenID Connect claim of
// the same name:
//
//   - ial_level (xs:integer): 1 self-asserted, 2 identity proofed (current).
//   - idv_status (xs:string): verified, failed or none.
//   - given_name, family_name, name, birthdate (YYYY-MM-DD): from the
//     verified document, only for a verified person.
//   - address: address.street_address, address.locality, address.region,
//     address.postal_code, address.country (and address.formatted).
//   - verified_claims: the OIDC4IDA verified_claims object as one JSON
//     value, and each of its fields as an attribute of its own, named by
//     its path: verified_claims.verification.trust_framework,
//     verified_claims.verification.assurance_level,
//     verified_claims.verification.time,
//     verified_claims.verification.evidence.0.type, ...,
//     verified_claims.claims.given_name, ... (array elements by index;
//     arrays of strings as one multi-valued attribute).
//
// Every attribute has NameFormat basic and the values' XML Schema types
// xs:string, xs:integer or xs:boolean.
var Attributes = []string{"ial_level", "idv_status", "given_name", "family_name", "name", "birthdate", "address", "verified_claims"}

const basicFormat = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"

// attributes are the released attributes of u for sp, built by the claims
// engine as for userinfo (profile, address and identity_assurance scopes,
// flat mirrors); personal attributes only for a verified person.
func (s *Server) attributes(sp *sp, u *users.User) []crewjam.Attribute {
	built := claims.Build(u.ClaimsIdentity(), nil, claims.UserInfo, claims.Options{
		Scopes:             []string{"openid", "profile", "address", claims.ScopeIdentityAssurance},
		Now:                s.now(),
		MaxVerificationAge: s.journey.MaxVerificationAge(),
		FlatMirrors:        true,
	})
	var out []crewjam.Attribute
	for _, name := range sp.Attributes {
		v, ok := built[name]
		if !ok || v == nil {
			continue
		}
		// As JSON reads it: objects, arrays, strings, numbers, booleans.
		raw, err := json.Marshal(v)
		if err != nil || json.Unmarshal(raw, &v) != nil {
			continue
		}
		if name == "verified_claims" {
			out = append(out, attribute(name, string(raw)))
		}
		out = append(out, flatten(name, v)...)
	}
	return out
}

// flatten turns a claim into attributes named by path: objects by member
// name, arrays of objects by index, arrays of scalars into one
// multi-valued attribute.
func flatten(path string, v any) []crewjam.Attribute {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []crewjam.Attribute
		for _, k := range keys {
			out = append(out, flatten(path+"."+k, t[k])...)
		}
		return out
	case []any:
		if !slices.ContainsFunc(t, func(e any) bool { _, obj := e.(map[string]any); _, arr := e.([]any); return obj || arr }) {
			a := crewjam.Attribute{Name: path, NameFormat: basicFormat}
			for _, e := range t {
				a.Values = append(a.Values, value(e))
			}
			if len(a.Values) == 0 {
				return nil
			}
			return []crewjam.Attribute{a}
		}
		var out []crewjam.Attribute
		for i, e := range t {
			out = append(out, flatten(path+"."+strconv.Itoa(i), e)...)
		}
		return out
	}
	return []crewjam.Attribute{{Name: path, NameFormat: basicFormat, Values: []crewjam.AttributeValue{value(v)}}}
}

func attribute(name, v string) crewjam.Attribute {
	return crewjam.Attribute{Name: name, NameFormat: basicFormat, Values: []crewjam.AttributeValue{{Type: "xs:string", Value: v}}}
}

// value is one attribute value with its XML Schema type.
func value(v any) crewjam.AttributeValue {
	switch t := v.(type) {
	case float64:
		if t == float64(int64(t)) {
			return crewjam.AttributeValue{Type: "xs:integer", Value: strconv.FormatInt(int64(t), 10)}
		}
		return crewjam.AttributeValue{Type: "xs:decimal", Value: strconv.FormatFloat(t, 'f', -1, 64)}
	case bool:
		return crewjam.AttributeValue{Type: "xs:boolean", Value: strconv.FormatBool(t)}
	case string:
		return crewjam.AttributeValue{Type: "xs:string", Value: t}
	}
	raw, _ := json.Marshal(v)
	return crewjam.AttributeValue{Type: "xs:string", Value: string(raw)}
}
