package users

import (
	"errors"
	"strings"
	"unicode"
)

// ErrBadIdentifier: an identifier is empty, too long or contains control
// characters.
var ErrBadIdentifier = errors.New("users: invalid identifier")

// MaxIdentifierLength bounds an identifier, in bytes after normalisation.
const MaxIdentifierLength = 256

// Identifier is a name a relying party knows a person by (an e-mail
// address, a user name, the relying party's own user id), within the
// namespace of the party that asserted it. Two callers that do not share a
// namespace can use the same identifier for different people.
//
// Build one with NewIdentifier: the value is normalised once, there.
type Identifier struct {
	Namespace string `json:"ns,omitempty"`
	Value     string `json:"v,omitempty"`
}

// NewIdentifier normalises raw in namespace: surrounding white space is
// trimmed, and an e-mail address (a value with an @) is lower-cased so it
// compares case-insensitively. Other values keep their case. It returns
// ErrBadIdentifier for an empty value, one longer than
// MaxIdentifierLength or one with control characters, and for an empty
// namespace.
func NewIdentifier(namespace, raw string) (Identifier, error) {
	v := strings.TrimFunc(raw, unicode.IsSpace)
	switch {
	case namespace == "":
		return Identifier{}, errors.Join(ErrBadIdentifier, errors.New("no namespace"))
	case v == "":
		return Identifier{}, errors.Join(ErrBadIdentifier, errors.New("empty"))
	case len(v) > MaxIdentifierLength:
		return Identifier{}, errors.Join(ErrBadIdentifier, errors.New("longer than 256 bytes"))
	case strings.ContainsFunc(v, unicode.IsControl):
		return Identifier{}, errors.Join(ErrBadIdentifier, errors.New("contains control characters"))
	}
	if strings.Contains(v, "@") {
		v = strings.ToLower(v)
	}
	return Identifier{Namespace: namespace, Value: v}, nil
}

// IsZero reports whether i names nothing.
func (i Identifier) IsZero() bool { return i.Value == "" }

// identKey is the storage key of the identifier's index entry: a keyed
// hash, so the store never holds the identifier itself.
func (r *Repo) identKey(i Identifier) string {
	return "ident:{" + r.lookup("ident", i.Namespace+"\x00"+i.Value) + "}"
}
