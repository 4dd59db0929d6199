package users

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/storage"
)

// ErrDocumentTaken: the verified document already belongs to another
// person, so one document cannot silently become two people.
var ErrDocumentTaken = errors.New("users: the verified document belongs to another user")

// Create makes a new user with a fresh subject.
func (r *Repo) Create(ctx context.Context) (*User, error) {
	now := r.now()
	rec := &record{User: User{Subject: NewSubject(), CreatedAt: now, IDVStatus: "none"}}
	if err := r.save(ctx, rec); err != nil {
		return nil, err
	}
	return &rec.User, nil
}

// ErrIdentifierTaken: the identifier already names another user.
var ErrIdentifierTaken = errors.New("users: the identifier belongs to another user")

// AddIdentifier links an identifier to the user. An identifier that
// already names someone else stays with them (ErrIdentifierTaken); Forget
// frees it. Only the journey core calls this, and only for identifiers an
// authenticated party asserted.
func (r *Repo) AddIdentifier(ctx context.Context, sub string, id Identifier) error {
	if id.IsZero() {
		return nil
	}
	rec, err := r.load(ctx, sub)
	if err != nil {
		return err
	}
	key := r.identKey(id)
	if err := r.st.Create(ctx, key, []byte(sub), 0); errors.Is(err, storage.ErrExists) {
		owner, gerr := r.st.Get(ctx, key)
		if gerr != nil {
			return gerr
		}
		if string(owner) != sub {
			return ErrIdentifierTaken
		}
	} else if err != nil {
		return err
	}
	if !slices.Contains(rec.Identifiers, key) {
		rec.Identifiers = append(rec.Identifiers, key)
		return r.save(ctx, rec)
	}
	return nil
}

// PersonFor returns the person a verified document belongs to, or a new
// person (created reports that) when the document is not known.
func (r *Repo) PersonFor(ctx context.Context, doc *idv.Document) (u *User, created bool, err error) {
	u, err = r.FindByDocument(ctx, doc)
	if !errors.Is(err, ErrNotFound) {
		return u, false, err
	}
	u, err = r.Create(ctx)
	return u, err == nil, err
}

// RecordVerificationOn is RecordVerification on u, as PersonFor (created)
// or the caller chose it. If u was created for this verification and
// another one registered the same document since PersonFor looked (two
// first verifications of one document at once), u is removed and the
// verification is recorded on the document's owner, who is returned, as
// PersonFor would have found a moment later.
func (r *Repo) RecordVerificationOn(ctx context.Context, u *User, created bool, res idv.IDVResult, boundBy string) (*User, error) {
	err := r.RecordVerification(ctx, u.Subject, res, boundBy)
	if !errors.Is(err, ErrDocumentTaken) || !created {
		return u, err
	}
	if err := r.Forget(ctx, u.Subject); err != nil {
		return nil, err
	}
	owner, err := r.FindByDocument(ctx, res.Document)
	if err != nil {
		return nil, err
	}
	return owner, r.RecordVerification(ctx, owner.Subject, res, "document")
}

// RecordFailedVerification marks the latest verification of sub as
// failed; the identity of an earlier passed one is kept.
func (r *Repo) RecordFailedVerification(ctx context.Context, sub string) error {
	rec, err := r.load(ctx, sub)
	if err != nil {
		return err
	}
	rec.IDVStatus = "failed"
	return r.save(ctx, rec)
}

// RecordVerification stores a passed IDV: it replaces the verified
// identity and the enrolled face, and links the document to this user;
// ErrDocumentTaken if the document is already another user's. boundBy
// records how the verification was bound to this person (see
// User.EnrolledBy). A result that did not pass is recorded as
// RecordFailedVerification does.
func (r *Repo) RecordVerification(ctx context.Context, sub string, res idv.IDVResult, boundBy string) error {
	if res.Verification != idv.Passed {
		return r.RecordFailedVerification(ctx, sub)
	}
	rec, err := r.load(ctx, sub)
	if err != nil {
		return err
	}
	if k := r.DocumentKey(res.Document); k != "" {
		if err := r.st.Create(ctx, "doc:{"+k+"}", []byte(sub), 0); errors.Is(err, storage.ErrExists) {
			owner, gerr := r.st.Get(ctx, "doc:{"+k+"}")
			if gerr != nil {
				return gerr
			}
			if string(owner) != sub {
				return ErrDocumentTaken
			}
		} else if err != nil {
			return err
		}
		rec.DocumentHash = k
	}
	at := res.CompletedAt
	if at.IsZero() {
		at = r.now()
	}
	person := idv.Person{}
	if res.Person != nil {
		person = *res.Person
	}
	rec.Verified = &Verified{Person: person, Document: res.Document, Liveness: res.Liveness, FaceMatch: res.FaceMatch, TxnID: res.SessionID, VerifiedAt: at, ProofJWT: res.ProofJWT}
	rec.IDVStatus = "verified"
	if res.FaceRef != "" {
		rec.FaceRef, rec.EnrolledBy = res.FaceRef, boundBy
	}
	return r.save(ctx, rec)
}

// RecordLogin remembers a successful authentication and where it came from.
func (r *Repo) RecordLogin(ctx context.Context, sub string, s Sighting) error {
	rec, err := r.load(ctx, sub)
	if err != nil {
		return err
	}
	if s.At.IsZero() {
		s.At = r.now()
	}
	rec.LastAuthAt = s.At
	if s.DeviceID != "" && !slices.Contains(rec.Devices, s.DeviceID) {
		rec.Devices = append(rec.Devices, s.DeviceID)
		if len(rec.Devices) > 20 {
			rec.Devices = rec.Devices[len(rec.Devices)-20:]
		}
	}
	if s.Network != "" && !slices.Contains(rec.Networks, s.Network) {
		rec.Networks = append(rec.Networks, s.Network)
		if len(rec.Networks) > 20 {
			rec.Networks = rec.Networks[len(rec.Networks)-20:]
		}
	}
	rec.Last = &s
	return r.save(ctx, rec)
}

// Forget erases the user and every index that points at them.
func (r *Repo) Forget(ctx context.Context, sub string) error {
	rec, err := r.load(ctx, sub)
	if err != nil {
		return err
	}
	keys := []string{userKey(sub)}
	for _, k := range rec.Identifiers {
		if !strings.HasPrefix(k, "ident:{") {
			k = "ident:{" + k + "}" // records written before namespaces held the bare hash
		}
		keys = append(keys, k)
	}
	if rec.DocumentHash != "" {
		keys = append(keys, "doc:{"+rec.DocumentHash+"}")
	}
	r.cache.drop(sub)
	return r.st.Delete(ctx, keys...)
}

// VerifiedAge is how long ago the identity was verified (0 if never).
func (u *User) VerifiedAge(now time.Time) time.Duration {
	if u.Verified == nil {
		return 0
	}
	return now.Sub(u.Verified.VerifiedAt)
}
