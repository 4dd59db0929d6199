package journey

import (
	"context"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/users"
)

// LiveIDRequest is the face step-up to start for p: against the face
// enrolled by a bound verification, never anyone else's. ErrUnknownPerson
// when nobody is known, ErrNotEnrolled when the person has no such face.
func (c *Core) LiveIDRequest(ctx context.Context, p Person) (idv.LiveIDRequest, error) {
	if err := c.enrolled(p); err != nil {
		return idv.LiveIDRequest{}, err
	}
	face, err := c.users.Face(ctx, p.User)
	if err != nil {
		return idv.LiveIDRequest{}, err
	}
	if face == nil && p.User.EnrolledAccount() == nil {
		return idv.LiveIDRequest{}, ErrNotEnrolled
	}
	return idv.LiveIDRequest{UserRef: p.User.Subject, Account: p.User.EnrolledAccount(), FaceImage: face}, nil
}

// enrolled checks that LiveID can be used for p.
func (c *Core) enrolled(p Person) error {
	switch {
	case p.User == nil:
		return ErrUnknownPerson
	case !p.User.Enrolled():
		return ErrNotEnrolled
	}
	return nil
}

// IDVRequest is the proofing session to start for p with the documents
// docs (none: every type 1Kosmos offers) and liveness mode (""
// passive). The verifier gets an opaque reference: the subject of a person
// the journey is bound to, else ref (a value of the front door's own, such
// as its session id), so that a name alone never ties a verification to
// the person it names.
func (c *Core) IDVRequest(p Person, ref string, docs []idv.DocumentType, liveness string) idv.IDVRequest {
	if p.User != nil && p.Via.Binds() {
		ref = p.User.Subject
	}
	if len(docs) == 0 {
		docs = idv.DocumentTypes
	}
	if liveness == "" {
		liveness = idv.LivenessPassive
	}
	return idv.IDVRequest{DocumentTypes: docs, LivenessMode: liveness, UserRef: ref}
}

// FaceResult is the outcome of a face check, from the 1Kosmos
// authenticator or idbridge's own capture page alike.
type FaceResult struct {
	Liveness idv.Outcome
	Match    idv.Outcome
	// Account is who signed in to the 1Kosmos authenticator app (app
	// mode), nil for a face compared by 1Kosmos's face verification.
	Account *idv.Account
}

// CompleteFace decides a finished face check of p. In the 1Kosmos
// authenticator app (Account set) the app's own biometric signed a 1Kosmos
// user in: it authenticates p only when that is the account p's bound
// verification was for (ErrNoMatch otherwise). Otherwise only a live face
// (ErrLiveness) that matches the face enrolled by a bound verification
// (ErrNoMatch) does. On success an asserted identifier is linked and the
// person is returned.
func (c *Core) CompleteFace(ctx context.Context, p Person, f FaceResult) (*users.User, error) {
	if err := c.enrolled(p); err != nil {
		return nil, err
	}
	switch {
	case f.Account != nil:
		if !idv.SameAccount(f.Account, p.User.EnrolledAccount()) {
			return nil, ErrNoMatch
		}
	case f.Liveness != idv.Passed:
		return nil, ErrLiveness
	case f.Match != idv.Passed:
		return nil, ErrNoMatch
	}
	if err := c.link(ctx, p.User.Subject, p.Assert); err != nil {
		return nil, err
	}
	return p.User, nil
}
