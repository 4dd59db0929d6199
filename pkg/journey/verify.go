package journey

import (
	"context"
	"errors"
	"fmt"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/users"
)

// CompleteIDV lands a completed identity verification on a person, by one
// rule set for every front door:
//
//   - A verification that did not pass (document, liveness or selfie)
//     is ErrVerificationFailed. It is recorded only on a person the
//     journey was bound to (Source.Binds); nobody is created for it.
//   - Bound to a person (their session, or an authenticated party's
//     assertion): the verification is theirs. The document must not
//     belong to someone else (ErrDocumentTaken), and a person verified
//     with another document may change it only after authenticating in
//     this flow (ErrOtherDocument).
//   - Otherwise (nobody known, or a person only named by a hint or a
//     typed identifier): the verification authenticates the document's
//     owner, or a new person when the document is new. A name never
//     receives someone else's verification.
//
// On success the asserted identifier (Person.Assert) is linked to the
// person, who is returned. Storage errors are returned as they are.
func (c *Core) CompleteIDV(ctx context.Context, p Person, res idv.IDVResult) (*users.User, error) {
	bound := p.User != nil && p.Via.Binds()
	if res.Verification != idv.Passed || res.Liveness == idv.Failed || res.FaceMatch == idv.Failed {
		if bound {
			if err := c.users.RecordFailedVerification(ctx, p.User.Subject); err != nil && !errors.Is(err, users.ErrNotFound) {
				return nil, err
			}
		}
		if res.Reason != "" {
			return nil, fmt.Errorf("%w: %s", ErrVerificationFailed, res.Reason)
		}
		return nil, ErrVerificationFailed
	}
	var u *users.User
	var err error
	if bound {
		u, err = c.verifyBound(ctx, p, res)
	} else {
		u, err = c.verifyOwner(ctx, res)
	}
	if err != nil {
		return nil, err
	}
	if err := c.link(ctx, u.Subject, p.Assert); err != nil {
		return nil, err
	}
	return u, nil
}

// verifyBound records res on the person the journey was bound to.
func (c *Core) verifyBound(ctx context.Context, p Person, res idv.IDVResult) (*users.User, error) {
	u := p.User
	owner, err := c.users.FindByDocument(ctx, res.Document)
	switch {
	case errors.Is(err, users.ErrNotFound):
	case err != nil:
		return nil, err
	case owner.Subject != u.Subject:
		return nil, ErrDocumentTaken
	}
	if !p.Via.Authenticates() && u.Verified != nil && u.Verified.Document != nil {
		old := c.users.DocumentKey(u.Verified.Document)
		if old == "" || old != c.users.DocumentKey(res.Document) {
			return nil, ErrOtherDocument
		}
	}
	err = c.users.RecordVerification(ctx, u.Subject, res, string(p.Via))
	if errors.Is(err, users.ErrDocumentTaken) {
		return nil, ErrDocumentTaken
	}
	if err != nil {
		return nil, err
	}
	return c.users.Get(ctx, u.Subject)
}

// verifyOwner records res on the document's owner, or on a new person.
func (c *Core) verifyOwner(ctx context.Context, res idv.IDVResult) (*users.User, error) {
	u, created, err := c.users.PersonFor(ctx, res.Document)
	if err != nil {
		return nil, err
	}
	u, err = c.users.RecordVerificationOn(ctx, u, created, res, string(FromDocument))
	if errors.Is(err, users.ErrDocumentTaken) {
		return nil, ErrDocumentTaken
	}
	if err != nil {
		return nil, err
	}
	return c.users.Get(ctx, u.Subject)
}

// link links an asserted identifier to sub. An identifier that meanwhile
// names someone else stays with them; that is logged, not an error: the
// journey itself succeeded. Storage errors are returned (linking again is
// harmless).
func (c *Core) link(ctx context.Context, sub string, id users.Identifier) error {
	if id.IsZero() {
		return nil
	}
	err := c.users.AddIdentifier(ctx, sub, id)
	if errors.Is(err, users.ErrIdentifierTaken) {
		c.log.WarnContext(ctx, "asserted identifier names another person; left with them", "namespace", id.Namespace)
		return nil
	}
	return err
}

// Settle ends a journey the SSO session answered: an asserted identifier
// that names nobody yet is linked to the session's person.
func (c *Core) Settle(ctx context.Context, p Person) error {
	if p.User == nil || p.Via != FromSession {
		return nil
	}
	return c.link(ctx, p.User.Subject, p.Assert)
}
