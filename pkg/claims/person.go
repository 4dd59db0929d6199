package claims

import (
	"regexp"
	"strings"

	"github.com/idbridge/idbridge/pkg/idv"
)

var (
	birthdatePattern = regexp.MustCompile(`^[0-9]{4}-[01][0-9]-[0-3][0-9]$`)
	countryPattern   = regexp.MustCompile(`^[a-zA-Z]{2}[a-zA-Z]?$`)
)

// personClaim returns the value of an End-User claim from p, in the JSON
// shape of OpenID Connect Core 1.0 section 5.1 and the OIDC4IDA claims
// schema, and false when p holds no (well-formed) value for it.
func personClaim(p idv.Person, name string) (any, bool) {
	switch name {
	case "given_name":
		return nonEmpty(p.GivenName)
	case "middle_name":
		return nonEmpty(p.MiddleName)
	case "family_name":
		return nonEmpty(p.FamilyName)
	case "name":
		return nonEmpty(strings.Join(nonBlank(p.GivenName, p.MiddleName, p.FamilyName), " "))
	case "birthdate":
		if !birthdatePattern.MatchString(p.BirthDate) {
			return nil, false
		}
		return p.BirthDate, true
	case "address":
		return addressClaim(p.Address)
	case "nationalities":
		return nationalitiesClaim(p.Nationalities)
	case "place_of_birth":
		return placeOfBirthClaim(p.PlaceOfBirth)
	}
	return nil, false
}

func nonEmpty(s string) (any, bool) {
	if strings.TrimSpace(s) == "" {
		return nil, false
	}
	return s, true
}

func nonBlank(parts ...string) []string {
	out := parts[:0:0]
	for _, s := range parts {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

func addressClaim(a *idv.Address) (any, bool) {
	if a == nil {
		return nil, false
	}
	m := map[string]any{}
	for k, v := range map[string]string{
		"formatted": a.Formatted, "street_address": a.StreetAddress,
		"locality": a.Locality, "region": a.Region,
		"postal_code": a.PostalCode, "country": a.Country,
	} {
		if strings.TrimSpace(v) != "" {
			m[k] = v
		}
	}
	if len(m) == 0 {
		return nil, false
	}
	return m, true
}

// nationalitiesClaim keeps well-formed, distinct country codes.
func nationalitiesClaim(codes []string) (any, bool) {
	var out []any
	seen := map[string]bool{}
	for _, c := range codes {
		if countryPattern.MatchString(c) && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, false
	}
	return out, true
}

// placeOfBirthClaim maps the single place-of-birth string read from a
// document: a bare country code becomes country, anything else locality.
func placeOfBirthClaim(s string) (any, bool) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return nil, false
	case countryPattern.MatchString(s) && strings.ToUpper(s) == s:
		return map[string]any{"country": s}, true
	default:
		return map[string]any{"locality": s}, true
	}
}

// documentTypes maps 1Kosmos document types to OIDC4IDA document types.
var documentTypes = map[idv.DocumentType]string{
	idv.DriversLicense: "driving_permit",
	idv.Passport:       "passport",
	idv.IDCard:         "idcard",
}
