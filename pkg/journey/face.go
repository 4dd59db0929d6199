package journey

import (
	"context"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/users"
)

// LiveIDRequest is the face step-up to start for p: against the face
// enrolled by a bound verification, never anyone else's. ErrUnknownPerson
// when nobody is known, ErrNotEnrolled when the person has no such face.
func (c *Core) LiveIDRequest(p Person) (idv.LiveIDRequest, error) {
	switch {
	case p.User == nil:
		return idv.LiveIDRequest{}, ErrUnknownPerson
	case !p.User.Enrolled():
		return idv.LiveIDRequest{}, ErrNotEnrolled
	}
	return idv.LiveIDRequest{UserRef: p.User.Subject, FaceRef: p.User.FaceRef}, nil
}

// IDVRequest is the proofing session to start for p. The verifier gets
// an opaque reference: the subject of a person the journey is bound to,
// else ref (a value of the front door's own, such as its session id), so
// that a name alone never ties a verification to the person it names.
func (c *Core) IDVRequest(p Person, ref string, docs []idv.DocumentType, liveness string) idv.IDVRequest {
	if p.User != nil && p.Via.Binds() {
		ref = p.User.Subject
	}
	doc := idv.DriversLicense
	if len(docs) > 0 {
		doc = docs[0]
	}
	if liveness == "" {
		liveness = "passive"
	}
	return idv.IDVRequest{DocumentType: doc, LivenessMode: liveness, UserRef: ref}
}

// FaceResult is the outcome of a face check, from the 1Kosmos
// authenticator or idbridge's own capture page alike.
type FaceResult struct {
	Liveness idv.Outcome
	Match    idv.Outcome
}

// CompleteFace decides a finished face check of p: only a live face that
// matches the face enrolled by a bound verification authenticates them
// (ErrLiveness, ErrNoMatch otherwise). On success an asserted identifier
// is linked and the person is returned.
func (c *Core) CompleteFace(ctx context.Context, p Person, f FaceResult) (*users.User, error) {
	if _, err := c.LiveIDRequest(p); err != nil {
		return nil, err
	}
	switch {
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
