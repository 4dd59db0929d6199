package journey

import (
	"context"
	"errors"

	"github.com/idbridge/idbridge/pkg/users"
)

// Source says how the person a journey is about became known, and so what
// that knowledge may be used for.
type Source string

// Sources, from the strongest.
const (
	// FromSession: the browser's own SSO session. It authenticates.
	FromSession Source = "session"
	// FromCaller: a connector API caller's user_identifier. The caller is
	// authenticated, so its identifier is an assertion: it may be linked.
	FromCaller Source = "caller"
	// FromClient: a login_hint inside a pushed (PAR) or signed (JAR)
	// request of an authenticated client: an assertion, like FromCaller.
	FromClient Source = "client"
	// FromDocument: the verified document's owner. The verification
	// authenticated them.
	FromDocument Source = "document"
	// FromHint: a front-channel login_hint. It only names whom to
	// challenge.
	FromHint Source = "login_hint"
	// FromTyped: an identifier typed on the identification page. It only
	// names whom to challenge.
	FromTyped Source = "typed"
	// FromIDToken: an id_token_hint without that person's SSO session (a
	// token may have been seen elsewhere). It only names.
	FromIDToken Source = "id_token_hint"
)

// Authenticates reports whether the source proves that the person is the
// one present in this flow.
func (s Source) Authenticates() bool { return s == FromSession }

// Binds reports whether the source may bind a verification to the person
// it names: the person authenticated, or an authenticated party asserted
// who they are.
func (s Source) Binds() bool {
	return s == FromSession || s == FromCaller || s == FromClient
}

// Person is whom a journey is about, as far as it is known.
type Person struct {
	// User is the person, nil while nobody is known.
	User *users.User
	// Via is how User became known ("" when User is nil).
	Via Source
	// Assert is an identifier an authenticated party asserted for the
	// person of this journey; it is linked to whoever the journey ends
	// with, if it names nobody yet.
	Assert users.Identifier
}

// Subject is the person's subject, "" when nobody is known.
func (p Person) Subject() string {
	if p.User == nil {
		return ""
	}
	return p.User.Subject
}

// Claims are what a front door knows of whom a request is about.
type Claims struct {
	// SessionSubject is the subject of the browser's live SSO session.
	SessionSubject string
	// IDTokenSubject is the subject of a verified id_token_hint.
	IDTokenSubject string
	// Identifier names someone, asserted or only named according to
	// IdentifierFrom (FromCaller, FromClient, FromHint or FromTyped).
	Identifier     users.Identifier
	IdentifierFrom Source
}

// Identify decides whom a request is about: an id_token_hint (which
// authenticates only together with that person's session), then an
// identifier naming someone other than the session's person, then the
// session, then the identifier. An asserted identifier that names nobody
// yet is kept in Person.Assert. The result may name nobody.
func (c *Core) Identify(ctx context.Context, cl Claims) (Person, error) {
	var p Person
	if cl.Identifier.Value != "" && (cl.IdentifierFrom == FromCaller || cl.IdentifierFrom == FromClient) {
		p.Assert = cl.Identifier
	}
	named, err := c.find(ctx, cl.Identifier)
	if err != nil {
		return p, err
	}
	sub, via := "", Source("")
	switch {
	case cl.IDTokenSubject != "" && cl.IDTokenSubject == cl.SessionSubject:
		sub, via = cl.SessionSubject, FromSession
	case cl.IDTokenSubject != "":
		sub, via = cl.IDTokenSubject, FromIDToken
	case named != nil && named.Subject != cl.SessionSubject:
		p.User, p.Via = named, cl.IdentifierFrom
		return p, nil
	case cl.SessionSubject != "":
		sub, via = cl.SessionSubject, FromSession
	default:
		return p, nil
	}
	u, err := c.get(ctx, sub)
	if u != nil {
		p.User, p.Via = u, via
	}
	return p, err
}

// get is the person sub, or nil when nobody has that subject (any more).
func (c *Core) get(ctx context.Context, sub string) (*users.User, error) {
	u, err := c.users.Get(ctx, sub)
	if errors.Is(err, users.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// find is the person an identifier names, or nil.
func (c *Core) find(ctx context.Context, id users.Identifier) (*users.User, error) {
	if id.IsZero() {
		return nil, nil
	}
	u, err := c.users.FindByIdentifier(ctx, id)
	if errors.Is(err, users.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// Reload reads the person again (after the journey waited for a
// verification), keeping how they became known. A person erased meanwhile
// reads as nobody.
func (c *Core) Reload(ctx context.Context, sub string, via Source, assert users.Identifier) (Person, error) {
	p := Person{Assert: assert}
	if sub == "" {
		return p, nil
	}
	u, err := c.get(ctx, sub)
	if u != nil {
		p.User, p.Via = u, via
	}
	return p, err
}
