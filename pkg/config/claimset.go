package config

import (
	"encoding/json"
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/idbridge/idbridge/pkg/claims"
)

// ClaimSet is a client's default ID token claims (clients[].id_token_claims):
// the name of a set (identity_assurance) or the id_token member of an OIDC
// claims request, written in YAML. The zero value is no default.
type ClaimSet struct {
	// Name is one of claims.IDTokenClaimSets.
	Name string
	// Member is the id_token member as JSON.
	Member string
}

var _ yaml.Unmarshaler = (*ClaimSet)(nil)

// UnmarshalYAML reads a set name or a mapping of claim requests.
func (c *ClaimSet) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*c = ClaimSet{}
		return n.Decode(&c.Name)
	case yaml.MappingNode:
		var v map[string]any
		if err := n.Decode(&v); err != nil {
			return err
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("line %d: id_token_claims: %w", n.Line, err)
		}
		*c = ClaimSet{Member: string(raw)}
		return nil
	}
	return fmt.Errorf("line %d: id_token_claims must be a set name (identity_assurance) or a mapping of claim requests", n.Line)
}

// Request is the claims request the set stands for (nil for none),
// validated as a claims parameter is.
func (c ClaimSet) Request() (*claims.Request, error) {
	r, err := claims.IDTokenDefault(c.Name, c.Member)
	var re *claims.RequestError
	if errors.As(err, &re) {
		return nil, errors.New(re.Error())
	}
	return r, err
}
